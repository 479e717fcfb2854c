"""Deterministic reproductions of sync defects found by the model test's rules
(test_replicas_state_machine.py), one laptop and a real `serve` process each."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.services import agencies, findings, reviews
from inspector_app.services.sync import open_conflicts, resolve_conflict, sync
from inspector_app.store.database import open_database
from tests.serverfixtures import running_server
from tests.sync.helpers import row

pytestmark = pytest.mark.slow


def test_a_restored_finding_comes_back_after_its_removal_synced(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'server.db'}", tmp_path) as server:
        db = open_database(tmp_path / "laptop.db", user="ann", daily_backup=False)
        try:
            office = agencies.create_field_office(db, name="Atlanta", code="ATL")
            agency = agencies.create_agency(db, name="Alder", state="GA",
                                            field_office_id=office.id)  # fmt: skip
            agencies.create_agreement(db, agency_id=agency.id, model="JEM",
                                      signed_on="2023-05-17")  # fmt: skip
            review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection")
            review_id = reviews.start_review(db, review.id).id
            sync(db, server=server.url, token=server.add_user("ann", "inspector", "ATL"))
            finding = findings.add_finding(db, review_id=review_id, kind="deficiency",
                                           topic="training", description="d1")  # fmt: skip
            sync(db)
            findings.remove_finding(db, finding.id)
            sync(db)
            findings.restore_finding(db, finding.id)  # "Undo a removal", same laptop
            sync(db)
            for _attempt in range(2):  # the user insists: keep this laptop's version
                for c in open_conflicts(db):
                    resolve_conflict(db, c.id, "client", c.rev)
                sync(db)
            found = row(db, "finding", finding.id)
            assert found is not None and found["deleted"] is False
            assert open_conflicts(db) == []
        finally:
            db.close()
