"""Helpers for the sync service's tests: an in-process client, users, and changes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from inspector_app.domain.sync import SCHEMA_HEADER
from inspector_app.server import users
from inspector_app.server.app import create_app
from inspector_app.server.schema import SCHEMA_VERSION


@contextmanager
def service(db_url: str) -> Iterator[TestClient]:
    app = create_app(db_url)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def token_for(client: TestClient, name: str, role: str, office: str = "") -> str:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    return users.add_user(
        engine, users.NewUser(name=name, role=role, field_office=office)
    ).enrollment_token


def device(client: TestClient, name: str, role: str, office: str = "") -> dict[str, str]:
    """Enroll a device for a new user; the headers it sends."""
    enrollment = token_for(client, name, role, office)
    answer = client.post(
        "/v1/enroll", json={"token": enrollment, "device_id": f"dev-{name}", "device_name": name}
    )
    assert answer.status_code == 200, answer.text
    return {
        "Authorization": f"Bearer {answer.json()['device_token']}",
        SCHEMA_HEADER: str(SCHEMA_VERSION),
    }


def change(
    table: str,
    row_id: str,
    fields: dict[str, Any],
    *,
    op: str = "insert",
    base_rev: int = 0,
    base: dict[str, Any] | None = None,
    change_id: str | None = None,
) -> dict[str, Any]:
    return {
        "change_id": change_id or str(uuid.uuid4()),
        "table": table,
        "row_id": row_id,
        "op": op,
        "base_rev": base_rev,
        "fields": fields,
        "base": base or {},
        "made_at": datetime.now(UTC).isoformat(),
        "made_by": "tester",
    }


def office_tree(office: str = "ATL") -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Changes creating a field office, an agency and a review in it; and their ids."""
    ids = {k: str(uuid.uuid4()) for k in ("office", "agency", "review")}
    changes = [
        change("field_office", ids["office"], {"name": office, "code": office}),
        change(
            "agency",
            ids["agency"],
            {"name": f"{office} County SO", "state": "GA", "field_office_id": ids["office"]},
        ),
        change(
            "review",
            ids["review"],
            {"agency_id": ids["agency"], "kind": "jem_inspection", "status": "in_progress"},
        ),
    ]
    return changes, ids


def push(client: TestClient, headers: dict[str, str], *changes: dict[str, Any]) -> Any:
    return client.post("/v1/push", json={"changes": list(changes)}, headers=headers)


def ok(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()
