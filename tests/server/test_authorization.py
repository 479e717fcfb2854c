"""Who may call what, against `inspector-app serve` running as a real process."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import pytest

from inspector_app.domain.sync import SCHEMA_HEADER
from inspector_app.server.schema import SCHEMA_VERSION
from tests.server.helpers import change, office_tree
from tests.serverfixtures import running_server

BLOB = b"evidence photo"
SHA = hashlib.sha256(BLOB).hexdigest()


def _enroll(url: str, token: str, name: str) -> dict[str, str]:
    answer = httpx.post(f"{url}/v1/enroll", json={"token": token, "device_id": f"d-{name}"})
    assert answer.status_code == 200, answer.text
    return {
        "Authorization": f"Bearer {answer.json()['device_token']}",
        SCHEMA_HEADER: str(SCHEMA_VERSION),
    }


def _calls(url: str, office: str) -> dict[str, tuple[str, str, dict]]:
    changes, _ = office_tree(office)
    return {
        "me": ("GET", "/v1/me", {}),
        "push": ("POST", "/v1/push", {"json": {"changes": changes}}),
        "pull": ("GET", "/v1/pull", {}),
        "missing": ("POST", "/v1/blobs/missing", {"json": {"hashes": [SHA]}}),
        "upload": ("PUT", f"/v1/blobs/{SHA}?offset=0&size={len(BLOB)}", {"content": BLOB}),
        "download": ("GET", f"/v1/blobs/{SHA}", {}),
        "users": ("GET", "/v1/users", {}),
    }


ALLOWED = {
    "inspector": {"me", "push", "pull", "missing", "upload", "download"},
    "supervisor": {"me", "push", "pull", "missing", "upload", "download"},
    "program-manager": {"me", "pull", "download"},
    "admin": {"me", "users"},
}


@pytest.mark.slow
def test_role_endpoint_matrix(server_db_url, tmp_path):
    with running_server(server_db_url, tmp_path) as server:
        heads = {
            role: _enroll(server.url, server.add_user(f"u-{role}", role, "ATL"), role)
            for role in ALLOWED
        }
        # the file and a row naming it, so a download is possible for whoever may read
        atl = heads["inspector"]
        changes, ids = office_tree("ATL")
        assert httpx.put(f"{server.url}/v1/blobs/{SHA}?offset=0&size={len(BLOB)}", content=BLOB,
                         headers=atl).status_code == 200  # fmt: skip
        att = change("attachment", str(uuid.uuid4()), {"sha256": SHA, "filename": "p.jpg",
                                                        "review_id": ids["review"]})  # fmt: skip
        assert httpx.post(f"{server.url}/v1/push", json={"changes": [*changes, att]},
                          headers=atl).status_code == 200  # fmt: skip
        for role, headers in heads.items():
            for name, (method, path, kw) in _calls(server.url, "ATL").items():
                answer = httpx.request(method, server.url + path, headers=headers, **kw)
                want_ok = name in ALLOWED[role]
                assert (answer.status_code < 300) == want_ok, (role, name, answer.text)
                if not want_ok:
                    assert answer.status_code == 403, (role, name, answer.text)
        for name, (method, path, kw) in _calls(server.url, "ATL").items():
            for bad in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
                answer = httpx.request(method, server.url + path, headers=bad, **kw)
                assert answer.status_code == 401, (name, bad, answer.text)
                assert answer.json()["detail"]
        # another field office: its writer may not touch ATL's rows, nor read ATL's file
        mia = _enroll(server.url, server.add_user("u-mia", "inspector", "MIA"), "mia")
        foreign = change("checklist_response", str(uuid.uuid4()),
                         {"review_id": ids["review"], "item_key": "1.1"})  # fmt: skip
        answer = httpx.post(f"{server.url}/v1/push", json={"changes": [foreign]}, headers=mia)
        assert answer.status_code == 403
        assert httpx.get(f"{server.url}/v1/blobs/{SHA}", headers=mia).status_code == 404
        assert httpx.get(f"{server.url}/v1/pull", headers=mia).json()["changes"] == []
        # the service holds no state: a killed server restarts on the same database
        server.restart()
        assert httpx.get(f"{server.url}/v1/me", headers=atl).status_code == 200


def test_tokens_never_start_with_a_dash():
    """`inspector-app sync --token -Xy...` reads the token as an option (a TLS test failed
    once in 64 runs); a token is also still URL-safe and long."""
    from inspector_app.server.auth import new_token

    tokens = [new_token() for _ in range(2000)]
    assert not any(t.startswith("-") for t in tokens)
    assert all(len(t) >= 43 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)
