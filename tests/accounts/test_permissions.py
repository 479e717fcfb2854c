"""may()/require() for every role and action; the services refuse through require()."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.services import accounts, lifecycle, program_reports
from inspector_app.services.accounts import NotPermitted, may, require
from inspector_app.store.database import Database, open_database

from .conftest import ADMIN, LEAD, MANAGER, OTHER, SUPERVISOR, Encrypted, audit_rows

# (person, action) -> allowed; "finalize" is of a review led by LEAD.
ALLOWED = {
    "finalize": {LEAD, SUPERVISOR},
    "approve": {SUPERVISOR},
    "program_export": {MANAGER},
    "manage_accounts": {ADMIN},
}
WHY = {
    "finalize": "only the review's lead inspector (Dana Whitfield) or a supervisor may finalize",
    "approve": "only a supervisor may approve and sign a report",
    "program_export": "only a program manager may export program reports",
    "manage_accounts": "only an admin may manage accounts",
}
PEOPLE = (ADMIN, LEAD, OTHER, SUPERVISOR, MANAGER)


@pytest.mark.parametrize("person", PEOPLE)
def test_matrix(signed_in: dict[str, Database], enc: Encrypted, person: str) -> None:
    db = signed_in[person]
    for action, allowed in ALLOWED.items():
        review = enc.draft_id if action == "finalize" else None
        why = may(db, action, review)
        if person in allowed:
            assert why is None, (person, action, why)
            require(db, action, review)
        else:
            assert why is not None and why.startswith(WHY[action]), (person, action, why)
            assert "\n" not in why
            with pytest.raises(NotPermitted, match=WHY[action].split("(")[0]):
                require(db, action, review)
            assert audit_rows(db)[-1][:3] == ("permission", person, "failure")


def test_finalize_takes_a_review_object(signed_in: dict[str, Database]) -> None:
    class R:
        id, lead_inspector = "r1", OTHER

    assert may(signed_in[OTHER], "finalize", R()) is None
    assert may(signed_in[LEAD], "finalize", R()) is not None


def test_plaintext_allows_everything(demo_db_path: Path) -> None:
    db = open_database(demo_db_path, user="Someone Else", daily_backup=False)
    try:
        assert db.roles is None
        for action in ALLOWED:
            assert may(db, action, "no-such-review") is None
            require(db, action)
    finally:
        db.close()


def test_unknown_action_is_a_bug(signed_in: dict[str, Database]) -> None:
    with pytest.raises(ValueError, match="unknown action"):
        may(signed_in[ADMIN], "fly")


def test_finalize_refused_for_another_inspector(
    signed_in: dict[str, Database], enc: Encrypted
) -> None:
    db = signed_in[OTHER]
    with pytest.raises(NotPermitted, match="lead inspector"):
        lifecycle.finalize_review(db, enc.draft_id)
    assert lifecycle.verify_review(db, enc.draft_id).final is False


def test_program_exports_refused_for_an_inspector(
    signed_in: dict[str, Database], tmp_path: Path
) -> None:
    db = signed_in[LEAD]
    with pytest.raises(NotPermitted, match="only a program manager"):
        program_reports.write_annual_report(db, 2026, tmp_path / "annual.pdf")
    with pytest.raises(NotPermitted, match="only a program manager"):
        program_reports.write_wso_summaries(db, 2026, tmp_path / "wso")
    assert not (tmp_path / "annual.pdf").exists() and not (tmp_path / "wso").exists()


def test_account_management_is_admin_only(signed_in: dict[str, Database]) -> None:
    with pytest.raises(NotPermitted, match="only an admin"):
        accounts.add_account(signed_in[SUPERVISOR], "New Person", "long enough pass", {"inspector"})
    with pytest.raises(NotPermitted):
        accounts.disable_account(signed_in[LEAD], OTHER)
    with pytest.raises(NotPermitted):
        accounts.set_roles(signed_in[MANAGER], MANAGER, {"admin"})
