"""Issue 12 error 6: a focus review is a desk review or a site visit depending on the
findings (GAO-21-186 note 5), and the inspector may choose (service, CLI, dialog)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from inspector_app.cli.main import run
from inspector_app.domain.rules import default_focus_mode
from inspector_app.services import findings, lifecycle
from inspector_app.services.errors import Invalid
from inspector_app.store.database import open_database
from inspector_app.store.models import Review
from tests.unit.test_lifecycle import _findings, _focus_of, _keep_counted, _review


def test_default_mode_follows_the_findings():
    assert default_focus_mode(["training", "statistics"]) == "desk_review"
    assert default_focus_mode(["training", "complaints"]) == "site_visit"
    assert default_focus_mode([]) == "desk_review"


def _documents_only(db, review_id: str) -> None:
    """Keep 4 counted findings, all about records (a desk review can check them)."""
    _keep_counted(db, review_id, 4)
    for f in _findings(db, review_id):
        if f.kind != "best_practice":
            findings.update_finding(db, f.id, topic="training")


def test_records_only_findings_default_to_a_desk_review(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    _documents_only(demo_db, alder.id)
    assert lifecycle.proposed_focus_mode(demo_db, alder.id) == "desk_review"
    assert lifecycle.finalize_review(demo_db, alder.id).focus_review.mode == "desk_review"


def test_the_inspector_chooses_the_mode(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    _keep_counted(demo_db, alder.id, 4)
    assert lifecycle.proposed_focus_mode(demo_db, alder.id) == "site_visit"  # the poster
    with pytest.raises(Invalid, match="focus_mode"):
        lifecycle.finalize_review(demo_db, alder.id, focus_mode="phone_call")
    assert _review(demo_db, "Alder", "jem_inspection").status != "final"  # nothing done
    focus = lifecycle.finalize_review(demo_db, alder.id, focus_mode="desk_review").focus_review
    assert focus.mode == "desk_review"
    assert [f.id for f in _focus_of(demo_db, alder.id)] == [focus.id]


def test_cli_finalize_focus_mode(capsys, demo_db_path):
    db = open_database(demo_db_path, user="Dana Whitfield", daily_backup=False)
    try:
        alder = _review(db, "Alder", "jem_inspection")
        _keep_counted(db, alder.id, 4)
    finally:
        db.close()
    code = run(["finalize", alder.id[:8], "--db", str(demo_db_path), "--focus-mode", "by_phone"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("inspector-app: focus_mode: ")
    code = run(["finalize", alder.id[:8], "--db", str(demo_db_path), "--focus-mode", "desk_review"])
    assert code == 0, capsys.readouterr().err
    db = open_database(demo_db_path, user="Dana Whitfield", daily_backup=False)
    try:
        with db.read() as s:
            [focus] = s.exec(select(Review).where(Review.parent_review_id == alder.id)).all()
        assert focus.mode == "desk_review"
    finally:
        db.close()
