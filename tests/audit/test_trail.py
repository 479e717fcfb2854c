"""The hash-chained audit trail (docs/security.md, "The audit trail (CJIS 5.4.1)"):
every event of a scripted session with all its fields, the chain verifying, the CLI,
the CSV export, and the head on a final report."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from inspector_app.services import audit, lifecycle, report_service, reviews
from inspector_app.services.uow import ZERO_HASH, audit_component, entry_hash, event_for
from inspector_app.store import queries
from inspector_app.store.database import open_database
from tests.audit.helpers import cli, entries, sql

FIELDS = {"at", "component", "event", "user", "outcome", "entity", "entity_id", "detail",
          "device_id", "action", "prev_hash", "hash"}  # fmt: skip


def _review(db, agency_prefix: str, status: str):
    with db.read() as s:
        return next(r.review for r in queries.list_reviews(s)
                    if r.agency_name.startswith(agency_prefix) and r.review.status == status
                    and r.review.kind == "jem_inspection")  # fmt: skip


def _answerable(db, review) -> tuple[str, str]:
    form = reviews.form_for(review)
    item = next(i for i in form.items() if i.valid_values())
    with db.read() as s:
        current = {k: r.value for k, r in queries.load_review(s, review.id).responses.items()}
    values = [v for v in item.valid_values() if v != current.get(item.key)]
    return item.key, values[0]


def _session(db, tmp_path: Path) -> dict[str, str]:
    """answer, finalize, amend, answer again, finalize again, report, export."""
    draft = _review(db, "Alder", "report_draft")
    lifecycle.finalize_review(db, draft.id)
    lifecycle.begin_amendment(db, draft.id, "a typo in the narrative")
    key, value = _answerable(db, draft)
    reviews.record_answer(db, review_id=draft.id, item_key=key, value=value)
    lifecycle.finalize_review(db, draft.id)
    report_service.render_to_file(db, "inspection", draft.id, tmp_path / "report.pdf")
    audit.record_print(db, "report_artifact", "x", copies=1)
    audit.record_event(db, "sign-in-failed", "failure", "account", "eve", user="eve",
                       at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), failed=1)  # fmt: skip
    return {"review": draft.id}


def test_every_event_of_a_session_is_there_with_all_its_fields(demo_db, tmp_path):
    before = len(entries(demo_db.path))
    ids = _session(demo_db, tmp_path)
    new = entries(demo_db.path)[before:]
    events = [e["event"] for e in new]
    for wanted in ("finalize", "amend", "change", "report", "export", "print", "sign-in-failed"):
        assert wanted in events, (wanted, events)
    for e in new:
        assert set(e) >= FIELDS and all(e[f] not in (None,) for f in FIELDS), e
        assert e["component"] == "app" and e["outcome"] in ("success", "failure")
        assert e["device_id"] == demo_db.device_id and len(e["hash"]) == 64
        assert isinstance(json.loads(e["detail"]), dict)
    finalize = [e for e in new if e["event"] == "finalize"]
    assert ids["review"] in {e["entity_id"] for e in finalize}  # (and its focus review)
    assert all(e["user"] == "Dana Whitfield" for e in new if e["event"] != "sign-in-failed")
    failed = next(e for e in new if e["event"] == "sign-in-failed")
    assert (failed["user"], failed["outcome"], failed["at"][:16]) == ("eve", "failure",
                                                                       "2026-12-01 08:00")  # fmt: skip
    export = next(e for e in new if e["event"] == "export")
    assert json.loads(export["detail"])["file"].endswith("report.pdf")
    report = audit.verify_chain(demo_db)
    assert report.ok and report.entries == len(entries(demo_db.path)), report


def test_hashes_are_sha256_of_the_canonical_json_chained_from_64_zeros(db):
    from inspector_app.services import agencies as ag

    ag.create_field_office(db, name="Atlanta", code="atl", state="ga")
    ag.create_agency(db, name="Alder", state="ga")
    rows = entries(db.path)
    assert rows[0]["prev_hash"] == ZERO_HASH
    prev = ZERO_HASH
    for e in rows:
        at = datetime.fromisoformat(e["at"]).replace(tzinfo=UTC).isoformat()
        fields = {k: e[k] for k in FIELDS - {"hash"}}
        fields.update(at=at, detail=json.loads(e["detail"]))
        text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        assert e["prev_hash"] == prev and e["hash"] == hashlib.sha256(text.encode()).hexdigest()
        assert entry_hash(fields) == e["hash"]
        prev = e["hash"]
    assert [e["event"] for e in rows] == ["create", "create"]


def test_event_names_and_the_component_of_the_cli_and_sync(db):
    assert event_for("create_agency") == "create" and event_for("remove_finding") == "delete"
    assert event_for("finalize_review") == "finalize" and event_for("begin_amendment") == "amend"
    assert event_for("render_report") == "report" and event_for("set_note") == "change"
    assert event_for("something_new") == "change"
    with audit_component("sync"):
        audit.record_event(db, "export", "success", "bundle", "b1")
    audit.record_event(db, "export", "success", "bundle", "b2", component="cli")
    audit.record_event(db, "sign-in", "success", "account", "dana")
    assert [e["component"] for e in entries(db.path)] == ["sync", "cli", "app"]
    assert audit.verify_chain(db).ok


def test_several_entries_in_one_action_chain_on_each_other(db):
    from inspector_app.services.uow import unit_of_work

    with unit_of_work(db, "import_history") as uow:
        for i in range(3):
            uow.audit("history_import", str(i), n=i)
    rows = entries(db.path)
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]
    assert audit.chain_head(db) == (3, rows[-1]["hash"])
    assert audit.verify_chain(db).ok


# --- verify from the CLI ----------------------------------------------------------------


def test_cli_verify_exit_0_intact_1_broken_naming_the_entry(demo_db, tmp_path):
    _session(demo_db, tmp_path)
    path = demo_db.path
    demo_db.close()
    n = len(entries(path))
    code, out, err = cli("audit", "verify", "--db", str(path))
    head = entries(path)[-1]
    assert code == 0, err
    assert f"{n:,} entries" in out and f"head entry {head['id']}, {head['hash']}" in out
    sql(path, ("UPDATE audit_log SET user = 'Mallory' WHERE id = 5", ()))
    code, out, _err = cli("audit", "verify", "--db", str(path))
    assert code == 1 and "BROKEN at entry 5" in out and "edited" in out


def test_export_csv_every_column_formula_escaped(tmp_path):
    db = open_database(tmp_path / "x.db", user="=cmd|'/c calc'!A1", daily_backup=False)
    from inspector_app.services import agencies as ag

    ag.create_agency(db, name="@SUM(A1)", state="GA")
    audit.record_event(db, "print", "success", "-1", "+2", note="=x")
    out = tmp_path / "audit.csv"
    assert audit.export_csv(db, date(2000, 1, 1), out) == 2
    assert audit.export_csv(db, date(2999, 1, 1), tmp_path / "none.csv") == 0
    db.close()
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[0] == list(audit.COLUMNS)
    body = rows[1:]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in body for cell in r)
    assert body[0][4] == "'=cmd|'/c calc'!A1" and body[1][6:8] == ["'-1", "'+2"]
    assert json.loads(body[0][8]) == {"name": "@SUM(A1)", "state": "GA"}


def test_cli_export(demo_db_path, tmp_path):
    out = tmp_path / "trail.csv"
    code, text, err = cli("audit", "export", "--since", "2000-01-01", "--out", str(out),
                          "--db", str(demo_db_path))  # fmt: skip
    assert code == 0, err and "written to" in text
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert len(rows) > 10
    last = entries(demo_db_path)[-1]  # the export itself is audited, by the CLI
    assert (last["event"], last["component"]) == ("export", "cli")
    with pytest.raises(SystemExit) as refused:
        cli("audit", "export", "--since", "yesterday", "--out", str(out), "--db", str(demo_db_path))
    assert refused.value.code == 2


# --- the head on the final report --------------------------------------------------------


def test_the_final_report_prints_the_chain_head_of_its_finalization(demo_db):
    draft = _review(demo_db, "Alder", "report_draft")
    lifecycle.finalize_review(demo_db, draft.id)
    finalize = [e for e in entries(demo_db.path)
                if e["event"] == "finalize" and e["entity_id"] == draft.id][-1]  # fmt: skip
    rendered = report_service.render_report(demo_db, "inspection", draft.id)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert f"Audit chain head: entry {finalize['id']}, {finalize['hash'][:16]}" in text
    again = report_service.render_report(demo_db, "inspection", draft.id)
    assert again.sha256 == rendered.sha256  # the same data still gives the same bytes


def test_a_draft_report_prints_no_head(demo_db):
    draft = _review(demo_db, "Alder", "report_draft")
    rendered = report_service.render_report(demo_db, "inspection", draft.id)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "Audit chain head" not in text
    assert re.search(r"DRAFT", text)
