"""The chain head goes to the service at every sync (POST /v1/audit-heads); a history
rewritten after it synced is refused at the next sync (a real `serve` process, SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inspector_app.services import agencies as ag
from inspector_app.services import audit
from inspector_app.services.sync import SyncError, sync
from inspector_app.services.sync.types import META_TOKEN
from inspector_app.store.database import open_database
from tests.audit.helpers import entries, sql
from tests.serverfixtures import ServerProc, running_server

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProc]:
    logs = tmp_path / "server-logs"
    logs.mkdir()
    with running_server(f"sqlite:///{tmp_path / 'server.db'}", logs) as proc:
        yield proc


def _laptop(path: Path) -> None:
    db = open_database(path, user="ann", daily_backup=False)
    office = ag.create_field_office(db, name="Atlanta", code="ATL", state="GA")
    ag.create_agency(db, name="Alder County", state="GA", field_office_id=office.id)
    db.close()


def test_heads_are_kept_and_a_rewritten_history_is_refused(server, tmp_path):
    path = tmp_path / "laptop.db"
    _laptop(path)
    db = open_database(path, user="ann", daily_backup=False)
    try:
        sync(db, server=server.url, token=server.add_user("ann", "inspector", "ATL"))
        first = audit.chain_head(db)
        assert db.get_meta(audit.WITNESS_KEY) == f"{first[0]}:{first[1]}"
        ag.create_agency(db, name="Bexley County", state="GA")
        sync(db)  # a longer chain: accepted
        second = audit.chain_head(db)
        assert second[0] > first[0]
        assert all(e["component"] == "app" for e in entries(path))
    finally:
        db.close()

    # Rewrite history: the newest entry deleted, another action takes its id.
    sql(path, ("DELETE FROM audit_log WHERE id = ?", (second[0],)),
        ("DELETE FROM meta WHERE key = ?", (audit.WITNESS_KEY,)))  # fmt: skip
    db = open_database(path, user="ann", daily_backup=False)
    try:
        ag.create_agency(db, name="Cedar County", state="GA")
        assert audit.chain_head(db)[0] == second[0] and audit.verify_chain(db).ok
        with pytest.raises(SyncError) as refused:
            sync(db)
        message = str(refused.value)
        assert "\n" not in message
        assert (f"the audit trail of device {db.device_id} was rewritten after it synced "
                f"(entry {second[0]})") in message  # fmt: skip
    finally:
        db.close()


def test_a_device_posts_only_its_own_head_and_a_program_manager_none(server, tmp_path):
    path = tmp_path / "laptop.db"
    _laptop(path)
    db = open_database(path, user="ann", daily_backup=False)
    try:
        sync(db, server=server.url, token=server.add_user("ann", "supervisor", "ATL"))
        token = db.get_meta(META_TOKEN)
        head = {"device_id": "someone-else", "entry_id": 1, "hash": "a" * 64,
                "at": "2026-12-01T00:00:00+00:00"}  # fmt: skip
        answer = httpx.post(f"{server.url}/v1/audit-heads", json=head,
                            headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert answer.status_code == 403
        mine = {**head, "device_id": db.device_id, "entry_id": audit.chain_head(db)[0],
                "hash": audit.chain_head(db)[1]}  # fmt: skip
        again = httpx.post(f"{server.url}/v1/audit-heads", json=mine,
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert again.status_code == 200 and again.json()["known"] is True
    finally:
        db.close()
