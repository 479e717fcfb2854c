"""Resumable blob uploads and downloads (in process, both back ends)."""

from __future__ import annotations

import hashlib
import os
import uuid

from tests.server.helpers import change, device, office_tree, ok, push, service


def test_resumable_upload_and_download(server_db_url):
    with service(server_db_url) as client:
        atl = device(client, "ann", "inspector", "ATL")
        mia = device(client, "max", "inspector", "MIA")
        data = os.urandom(300_000)
        sha = hashlib.sha256(data).hexdigest()
        assert ok(client.post("/v1/blobs/missing", json={"hashes": [sha]}, headers=atl)) == {
            "missing": [sha]
        }
        url, size = f"/v1/blobs/{sha}", len(data)
        part = ok(
            client.put(url, params={"offset": 0, "size": size}, content=data[:100_000], headers=atl)
        )
        assert part == {"sha256": sha, "offset": 100_000, "complete": False}
        # interrupted: the client asks where to resume; a wrong offset is 409 naming it
        state = ok(client.get(f"{url}/upload", headers=atl))
        assert state["offset"] == 100_000
        wrong = client.put(url, params={"offset": 0, "size": size}, content=data[:10], headers=atl)
        assert wrong.status_code == 409 and "100000" in wrong.json()["detail"]
        done = ok(client.put(url, params={"offset": state["offset"], "size": size},
                             content=data[100_000:], headers=atl))  # fmt: skip
        assert done["complete"] is True
        assert ok(client.post("/v1/blobs/missing", json={"hashes": [sha]}, headers=atl)) == {
            "missing": []
        }
        # a row naming it may now be pushed; the caller's office may download it
        changes, ids = office_tree("ATL")
        attachment = change("attachment", str(uuid.uuid4()),
                            {"sha256": sha, "filename": "a.jpg", "review_id": ids["review"]})  # fmt: skip
        ok(push(client, atl, *changes, attachment))
        got = client.get(url, headers=atl)
        assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == sha
        assert client.get(url, headers=mia).status_code == 404  # another office's file


def test_wrong_bytes_are_refused_and_nothing_stored(server_db_url):
    with service(server_db_url) as client:
        atl = device(client, "ann", "inspector", "ATL")
        data = os.urandom(5000)
        sha = hashlib.sha256(data).hexdigest()
        url = f"/v1/blobs/{sha}"
        ok(client.put(url, params={"offset": 0, "size": 5000}, content=data[:2000], headers=atl))
        bad = client.put(
            url, params={"offset": 2000, "size": 5000}, content=b"\0" * 3000, headers=atl
        )
        assert bad.status_code == 422 and "SHA-256" in bad.json()["detail"]
        assert ok(client.get(f"{url}/upload", headers=atl)) == {
            "sha256": sha, "offset": 0, "complete": False,
        }  # fmt: skip
        # a row naming a file the server does not have: 409
        changes, ids = office_tree("ATL")
        attachment = change("attachment", str(uuid.uuid4()),
                            {"sha256": sha, "filename": "a.jpg", "review_id": ids["review"]})  # fmt: skip
        answer = push(client, atl, *changes, attachment)
        assert answer.status_code == 409 and sha in answer.json()["detail"]
        assert client.put("/v1/blobs/XYZ", params={"offset": 0, "size": 1}, content=b"x",
                          headers=atl).status_code == 422  # fmt: skip
