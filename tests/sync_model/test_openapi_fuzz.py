"""Schemathesis over the sync service's own OpenAPI schema (GET /v1/openapi.json),
against a real `serve` process on SQLite: anonymous, as an enrolled inspector (device
token) and as an admin. Valid and invalid generated requests for every operation; no
answer may be a 5xx (not_a_server_error), and the answers must conform to the schema
(documented status code, content type, body, headers; auth enforced: the token is an
explicit header, so schemathesis also replays each accepted request without it and
with a wrong one).

Excluded everywhere: positive_data_acceptance. The schema is looser than the server by
design (a change's `table` is any string, `fields` any object, a `sha256` any string,
a bundle any bytes); the server's 422 for a table that does not sync or a malformed
SHA-256 is the documented answer (docs/sync.md), not a defect.

The fuzz is written with `operation.as_strategy()` and `@given` rather than
`schemathesis.pytest.from_fixture`: the lazy loader reads `request.node._nodeid`, which
pytest 9 no longer has (AttributeError), and the server only exists inside a fixture."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance, response_schema_conformance
from schemathesis.generation import GenerationMode

from inspector_app.domain.sync import SCHEMA_HEADER
from inspector_app.services.sync.client import laptop_schema
from tests.serverfixtures import ServerProc, running_server

pytestmark = pytest.mark.slow

EXAMPLES = 30  # per operation and test
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same requests on every run: a failure reproduces
    database=None,
)
ALWAYS_EXCLUDED: list[Callable[..., Any]] = [positive_data_acceptance]


def _enroll(server: ServerProc, name: str, role: str, office: str | None) -> str:
    token = server.add_user(name, role, office)
    answer = httpx.post(
        f"{server.url}/v1/enroll",
        json={"token": token, "device_id": f"fuzz-{uuid.uuid4().hex[:12]}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["device_token"])


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("fuzz-server")
    with running_server(f"sqlite:///{tmp / 'server.db'}", tmp) as server:
        yield {
            "server": server,
            "inspector": _enroll(server, "ivy", "inspector", "ATL"),
            "admin": _enroll(server, "ada", "admin", None),
        }


@pytest.fixture(scope="module")
def api_schema(fuzz_server: dict[str, Any]) -> Any:
    server: ServerProc = fuzz_server["server"]
    return schemathesis.openapi.from_url(f"{server.url}/v1/openapi.json", timeout=10)


def _fuzz(
    api_schema: Any,
    fuzz_server: dict[str, Any],
    who: str | None,
    *,
    excluded: list[Callable[..., Any]] = ALWAYS_EXCLUDED,
    paths: Callable[[str], bool] = lambda _path: True,
) -> None:
    """Every operation (whose path `paths` accepts), valid and invalid generated
    requests; the failures of all operations are reported together."""
    auth = {"Authorization": f"Bearer {fuzz_server[who]}"} if who else None
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, [o.label for o in operations]
    for operation in (o for o in operations if paths(o.path)):
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @FUZZ
        @given(case=strategy, keep_schema=st.booleans())
        def check(case: Any, keep_schema: bool) -> None:
            # a generated X-Inspector-Schema exercises 426; else the laptop's own
            headers = dict(case.headers or {})
            if not (keep_schema and SCHEMA_HEADER in headers):
                headers[SCHEMA_HEADER] = str(laptop_schema())
            case.headers = headers
            response = case.call_and_validate(headers=auth, excluded_checks=excluded, timeout=30)
            assert response.status_code < 500, (response.status_code, response.text[:500])

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)


def _users(path: str) -> bool:
    return path.startswith("/v1/users")


def test_anonymous_requests_never_get_a_5xx_and_conform(api_schema, fuzz_server) -> None:
    _fuzz(api_schema, fuzz_server, None)


def test_inspector_requests_never_get_a_5xx_and_conform(api_schema, fuzz_server) -> None:
    _fuzz(api_schema, fuzz_server, "inspector")


def test_admin_requests_never_get_a_5xx_and_conform(api_schema, fuzz_server) -> None:
    """Everything but the users' answers' bodies (checked by the next test)."""
    _fuzz(api_schema, fuzz_server, "admin", paths=lambda p: not _users(p))
    _fuzz(api_schema, fuzz_server, "admin", paths=_users,
          excluded=[*ALWAYS_EXCLUDED, response_schema_conformance])  # fmt: skip


def test_admin_user_answers_conform_to_the_schema(api_schema, fuzz_server) -> None:
    _fuzz(api_schema, fuzz_server, "admin", paths=_users)
