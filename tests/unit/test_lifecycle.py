"""Finalization, the lock, amendments, verify, focus-review judgements and disputes."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlmodel import select

from inspector_app.services import findings, lifecycle, reviews
from inspector_app.services.errors import Conflict, Invalid, ReviewLocked, ServiceError
from inspector_app.store import queries
from inspector_app.store.models import Agency, AuditLog, Finding, Review
from tests.conftest import DEMO_TODAY


def _review(db, agency_prefix: str, kind: str, status: str | None = None) -> Review:
    with db.read() as s:
        rows = [r.review for r in queries.list_reviews(s)
                if r.agency_name.startswith(agency_prefix) and r.review.kind == kind
                and (status is None or r.review.status == status)]  # fmt: skip
    assert rows, (agency_prefix, kind)
    return rows[0]


def _findings(db, review_id: str) -> list[Finding]:
    with db.read() as s:
        return queries.load_review(s, review_id).findings


def _audit(db, entity_id: str) -> list[AuditLog]:
    with db.read() as s:
        return queries.audit_trail(s, entity_id)


def _focus_of(db, review_id: str) -> list[Review]:
    with db.read() as s:
        return list(s.exec(select(Review).where(Review.parent_review_id == review_id)))


def _keep_counted(db, review_id: str, n: int) -> None:
    """Remove deficiencies/areas of concern until `n` remain (the best practice stays)."""
    counted = [f for f in _findings(db, review_id) if f.kind != "best_practice"]
    for f in counted[n:]:
        findings.remove_finding(db, f.id)


def test_three_findings_plus_a_best_practice_need_no_focus_review(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    _keep_counted(demo_db, alder.id, 3)
    assert len(_findings(demo_db, alder.id)) == 4  # 3 + the best practice
    result = lifecycle.finalize_review(demo_db, alder.id)
    assert result.counts.counted_for_follow_up == 3 and result.counts.best_practices == 1
    assert result.focus_review is None and _focus_of(demo_db, alder.id) == []


def test_four_findings_schedule_a_focus_review_due_in_six_months(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    _keep_counted(demo_db, alder.id, 4)
    result = lifecycle.finalize_review(demo_db, alder.id)
    focus = result.focus_review
    # A site visit: one finding is the missing Spanish complaint poster (issue 12).
    assert focus is not None and focus.status == "planned" and focus.mode == "site_visit"
    assert focus.due_date == date(2027, 3, 25)  # inspection ended 2026-09-25
    assert [f.id for f in _focus_of(demo_db, alder.id)] == [focus.id]
    final = _review(demo_db, "Alder", "jem_inspection")
    assert final.status == "final" and len(final.content_hash) == 64
    assert final.finalized_by == "Dana Whitfield" and final.finalized_at is not None
    entry = [e for e in _audit(demo_db, alder.id) if e.action == "finalize_review"][-1]
    assert entry.user == "Dana Whitfield" and entry.detail["content_hash"] == final.content_hash
    assert [e.action for e in _audit(demo_db, focus.id)] == ["finalize_review"]


def test_finalize_refuses_an_incomplete_review_and_lists_what_is_missing(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    form = reviews.form_for(alder)
    item = next(i for i in form.items() if i.required)
    reviews.record_answer(demo_db, review_id=alder.id, item_key=item.key, value=None)
    with pytest.raises(lifecycle.FinalizeRefused) as refused:
        lifecycle.finalize_review(demo_db, alder.id)
    assert refused.value.missing == [f"{item.key}: {item.prompt}"]
    assert _review(demo_db, "Alder", "jem_inspection").status == "report_draft"
    assert _focus_of(demo_db, alder.id) == []
    # A planned review cannot be finalized either.
    dunmore = _review(demo_db, "Dunmore", "jem_inspection")
    assert "has not started" in lifecycle.check_finalizable(demo_db, dunmore.id)[0]


def test_finding_without_kind_or_topic_blocks_finalization(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    f = _findings(demo_db, alder.id)[0]
    con = sqlite3.connect(demo_db.path)  # findings made elsewhere (an import) may lack them
    con.execute("UPDATE finding SET kind = NULL, topic = '' WHERE id = ?", (f.id,))
    con.commit()
    con.close()
    problems = lifecycle.check_finalizable(demo_db, alder.id)
    assert problems == [f"finding F-{f.number}: choose its kind",
                        f"finding F-{f.number}: choose its topic"]  # fmt: skip


def test_a_final_review_refuses_direct_changes(demo_db):
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    assert bexley.status == "final"
    f = _findings(demo_db, bexley.id)[0]
    key = next(iter(reviews.form_for(bexley).items())).key
    with pytest.raises(ReviewLocked):
        reviews.record_answer(demo_db, review_id=bexley.id, item_key=key, value="no")
    with pytest.raises(ReviewLocked):
        findings.update_finding(demo_db, f.id, description="softer wording")
    with pytest.raises(ReviewLocked):
        reviews.update_review(demo_db, bexley.id, summary="rewritten")
    with pytest.raises(Conflict):
        lifecycle.finalize_review(demo_db, bexley.id)
    assert lifecycle.verify_review(demo_db, bexley.id).matches


def test_amendment_records_the_reason_raises_the_revision_and_rehashes(demo_db):
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    old_hash = bexley.content_hash
    with pytest.raises(Invalid):
        lifecycle.begin_amendment(demo_db, bexley.id, "  ")
    amended = lifecycle.begin_amendment(demo_db, bexley.id, "Wrong citation on F-2")
    assert amended.revision == 1 and amended.status == "report_draft"
    f2 = _findings(demo_db, bexley.id)[1]
    findings.update_finding(demo_db, f2.id, citation="ICE Detainer Policy 10074.2")
    result = lifecycle.finalize_review(demo_db, bexley.id)
    assert result.review.revision == 1 and result.content_hash != old_hash
    assert result.focus_review is None  # the one planned at the first finalization stays
    assert len(_focus_of(demo_db, bexley.id)) == 1
    actions = [(e.action, e.detail.get("reason")) for e in _audit(demo_db, bexley.id)]
    assert ("begin_amendment", "Wrong citation on F-2") in actions
    assert actions[-1][0] == "finalize_review"
    assert lifecycle.verify_review(demo_db, bexley.id).matches


def test_verify_detects_a_change_made_with_raw_sql(demo_db):
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    assert lifecycle.verify_review(demo_db, bexley.id).matches
    con = sqlite3.connect(demo_db.path)
    con.execute("UPDATE finding SET description = 'Nothing found' WHERE review_id = ? "
                "AND number = 1", (bexley.id,))  # fmt: skip
    con.commit()
    con.close()
    result = lifecycle.verify_review(demo_db, bexley.id)
    assert not result.matches and result.differences == ["finding F-1 changed"]


def test_follow_up_fields_do_not_break_the_lock(demo_db):
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    f = _findings(demo_db, bexley.id)[0]
    lifecycle.dispute_finding(demo_db, f.id, "The program office reads the MOA otherwise.")
    assert lifecycle.verify_review(demo_db, bexley.id).matches
    disputed = [x for x in _findings(demo_db, bexley.id) if x.disputed]
    assert {x.id for x in disputed} >= {f.id}
    lifecycle.undispute_finding(demo_db, f.id)
    assert not next(x for x in _findings(demo_db, bexley.id) if x.id == f.id).disputed
    assert [e.action for e in _audit(demo_db, f.id)][-2:] == ["dispute_finding",
                                                             "undispute_finding"]  # fmt: skip


def test_judgement_flows_back_to_the_original_finding(demo_db):
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    focus = _focus_of(demo_db, bexley.id)[0]
    f1, f2, *_ = _findings(demo_db, bexley.id)
    with pytest.raises(Conflict):  # planned: start it first
        lifecycle.judge_finding(demo_db, focus_review_id=focus.id, finding_id=f1.id, resolved=True)
    reviews.start_review(demo_db, focus.id, on="2026-11-20")
    lifecycle.judge_finding(demo_db, focus_review_id=focus.id, finding_id=f1.id, resolved=True,
                            note="Both complaints were reported; memo on file.")  # fmt: skip
    # The workspace records answers through record_answer; the judgement flows back too.
    reviews.record_answer(demo_db, review_id=focus.id, item_key=f"finding:{f2.id}",
                          value="unresolved", note="Two detainers still lack the box.")  # fmt: skip
    now = {f.id: f for f in _findings(demo_db, bexley.id)}
    assert now[f1.id].status == "resolved" and now[f1.id].resolved_on == date(2026, 11, 20)
    assert now[f1.id].resolved_by_review_id == focus.id
    assert now[f1.id].resolution == "Both complaints were reported; memo on file."
    assert now[f2.id].status == "unresolved" and now[f2.id].resolved_by_review_id == focus.id
    assert lifecycle.verify_review(demo_db, bexley.id).matches  # original stays locked
    # Clearing the answer reopens the finding.
    reviews.record_answer(demo_db, review_id=focus.id, item_key=f"finding:{f2.id}", value=None)
    assert next(f for f in _findings(demo_db, bexley.id) if f.id == f2.id).status == "open"
    # Not all judged yet: the focus review cannot be finalized.
    missing = lifecycle.check_finalizable(demo_db, focus.id)
    assert len(missing) == 4 and missing[0].startswith("finding F-2")


def test_a_finding_of_another_review_cannot_be_judged(demo_db):
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    alder = _review(demo_db, "Alder", "jem_inspection")
    focus = _focus_of(demo_db, bexley.id)[0]
    reviews.start_review(demo_db, focus.id, on="2026-11-20")
    other = _findings(demo_db, alder.id)[0]
    with pytest.raises(Invalid):
        lifecycle.judge_finding(demo_db, focus_review_id=focus.id, finding_id=other.id,
                                resolved=True)  # fmt: skip
    assert next(f for f in _findings(demo_db, alder.id) if f.id == other.id).status == "open"


def test_demo_has_lapsed_and_suspended_officers(demo_db):
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    trained = lifecycle.officer_training(demo_db, bexley.agency_id, DEMO_TODAY)
    assert any(t.officer.status == "suspended" and t.officer.credential_retrieved
               for t in trained)  # fmt: skip
    with demo_db.read() as s:
        agencies = {a.id for a in queries.live(s, Agency)}
    lapsed = [t for a in agencies for t in lifecycle.lapsed_officers(demo_db, a, DEMO_TODAY)]
    assert lapsed and all(t.officer.status == "active" for t in lapsed)
    text = lifecycle.training_finding_text(lapsed[:1])
    assert lapsed[0].officer.name in text and "1 designated officer did not" in text


def _as_finalized_by_version_1(db, review_id: str) -> str:
    """Store what the app wrote before captions were hashed: the version 1 hash, and an
    audit entry with version 1 part hashes and no hash_version."""
    import json

    from inspector_app.domain import content_hash as ch

    with db.read() as s:
        content = lifecycle.review_content(s, review_id, version=1)
        entry = [e for e in queries.audit_trail(s, review_id) if e.action == "finalize_review"][-1]
    digest = ch.content_hash(content)
    detail = {k: v for k, v in entry.detail.items() if k != "hash_version"}
    detail |= {"content_hash": digest, "parts": ch.part_hashes(content)}
    con = sqlite3.connect(db.path)
    con.execute("UPDATE review SET content_hash = ? WHERE id = ?", (digest, review_id))
    con.execute("UPDATE audit_log SET detail = ? WHERE id = ?", (json.dumps(detail), entry.id))
    con.commit()
    con.close()
    return digest


def _sql(db, statement: str, *args) -> None:
    con = sqlite3.connect(db.path)
    con.execute(statement, args)
    con.commit()
    con.close()


def test_new_finalizations_hash_captions_with_version_2(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    lifecycle.finalize_review(demo_db, alder.id)
    entry = [e for e in _audit(demo_db, alder.id) if e.action == "finalize_review"][-1]
    assert entry.detail["hash_version"] == 2
    result = lifecycle.verify_review(demo_db, alder.id)
    assert result.matches and result.hash_version == 2
    _sql(demo_db, "UPDATE attachment SET caption = 'Somewhere else' WHERE review_id = ?", alder.id)
    result = lifecycle.verify_review(demo_db, alder.id)
    assert not result.matches
    assert result.differences == ["attachment processing-area-poster.jpg ("
                                  f"{_attachment(demo_db, alder.id).sha256[:8]}) changed"]  # fmt: skip


def _attachment(db, review_id: str):
    with db.read() as s:
        (a,) = queries.load_review(s, review_id).attachments
    return a


def test_a_version_1_final_review_still_verifies_with_version_1_rules(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    lifecycle.finalize_review(demo_db, alder.id)
    v1 = _as_finalized_by_version_1(demo_db, alder.id)
    result = lifecycle.verify_review(demo_db, alder.id)
    assert result.matches and result.hash_version == 1 and result.computed == v1
    # version 1 did not cover captions: a caption change is not a change of its content
    _sql(demo_db, "UPDATE attachment SET caption = 'Somewhere else' WHERE review_id = ?", alder.id)
    assert lifecycle.verify_review(demo_db, alder.id).matches
    _sql(demo_db, "UPDATE finding SET description = 'x' WHERE review_id = ? AND number = 1",
         alder.id)  # fmt: skip
    result = lifecycle.verify_review(demo_db, alder.id)
    assert not result.matches and result.differences == ["finding F-1 changed"]


def test_without_its_audit_entry_a_stored_hash_is_checked_against_each_version(demo_db):
    alder = _review(demo_db, "Alder", "jem_inspection")
    lifecycle.finalize_review(demo_db, alder.id)
    _as_finalized_by_version_1(demo_db, alder.id)
    # e.g. a review synced from another laptop without its audit log
    _sql(demo_db, "DELETE FROM audit_log WHERE entity_id = ? AND action = 'finalize_review'",
         alder.id)  # fmt: skip
    result = lifecycle.verify_review(demo_db, alder.id)
    assert result.matches and result.hash_version == 1
    _sql(demo_db, "UPDATE review SET summary = 'x' WHERE id = ?", alder.id)
    result = lifecycle.verify_review(demo_db, alder.id)
    assert not result.matches
    assert result.differences == ["the stored hash itself or content not itemized was changed"]


def test_a_hash_version_from_a_newer_app_is_refused_in_one_line(demo_db):
    import json

    alder = _review(demo_db, "Alder", "jem_inspection")
    lifecycle.finalize_review(demo_db, alder.id)
    entry = [e for e in _audit(demo_db, alder.id) if e.action == "finalize_review"][-1]
    _sql(demo_db, "UPDATE audit_log SET detail = ? WHERE id = ?",
         json.dumps(entry.detail | {"hash_version": 3}), entry.id)  # fmt: skip
    with pytest.raises(ServiceError, match="content hash version 3.*update the app"):
        lifecycle.verify_review(demo_db, alder.id)


def test_a_dispute_from_an_old_revision_is_refused_and_writes_nothing(demo_db):
    """Two program-office staff disputing the same finding: the second, saving from the
    revision they opened, is told who changed it; the first one's note stays."""
    from inspector_app.services.errors import StaleEdit

    bexley = _review(demo_db, "Bexley", "jem_inspection")
    f = _findings(demo_db, bexley.id)[0]
    opened_at = f.rev
    lifecycle.dispute_finding(demo_db, f.id, "First reading of the MOA.", base_rev=opened_at)
    with pytest.raises(StaleEdit, match=rf"finding F-{f.number} was changed by "):
        lifecycle.dispute_finding(demo_db, f.id, "Second reading.", base_rev=opened_at)
    with pytest.raises(StaleEdit):
        lifecycle.undispute_finding(demo_db, f.id, base_rev=opened_at)
    now = next(x for x in _findings(demo_db, bexley.id) if x.id == f.id)
    assert (now.disputed, now.dispute_note, now.rev) == (True, "First reading of the MOA.",
                                                          opened_at + 1)  # fmt: skip
    lifecycle.undispute_finding(demo_db, f.id, base_rev=now.rev)  # from the current one: fine


def test_findings_numbered_alike_on_two_laptops_are_numbered_apart_at_finalize(demo_db):
    """Two laptops each raised F-1 before syncing: the final report numbers them apart."""
    alder = _review(demo_db, "Alder", "jem_inspection")
    before = sorted(_findings(demo_db, alder.id), key=lambda f: (f.number, f.id))
    with demo_db.write() as s:  # what two laptops' F-1 and F-1 look like after a sync
        s.connection().exec_driver_sql(
            "UPDATE finding SET number = 1 WHERE id IN (?, ?)", (before[0].id, before[1].id)
        )
        s.commit()
    lifecycle.finalize_review(demo_db, alder.id)
    after = _findings(demo_db, alder.id)
    numbers = sorted(f.number for f in after)
    assert numbers == list(range(1, len(after) + 1))
    assert lifecycle.verify_review(demo_db, alder.id).differences == []
