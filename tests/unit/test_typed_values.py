"""Domain values are enums in Python and their plain strings on disk, in the change log,
the content hash and the exports; labels and the focus-review key have one home."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import SQLModel, select

from inspector_app.analytics.excel import table_csv, table_xlsx
from inspector_app.domain import content_hash as ch
from inspector_app.domain.enums import (
    AnswerType,
    AnswerValue,
    FindingKind,
    ProgramModel,
    ResponsibleParty,
    ReviewKind,
    ReviewStatus,
)
from inspector_app.domain.forms.schema import ENUMERATED_VALUES
from inspector_app.domain.keys import finding_key, parse_key
from inspector_app.domain.labels import answer_label, label
from inspector_app.reports.focus_review import VERDICT_LABELS
from inspector_app.reports.inspection import answer_text
from inspector_app.services import lifecycle
from inspector_app.store.models import Agreement, ChangeLog, Finding, Review
from tests.unit.test_reports_support import add_findings, agency_world, started_review


def test_the_migrated_schema_matches_the_typed_models(db):
    """Typed columns keep the DDL of the str columns: no migration is owed."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_rows_read_as_enums_and_are_stored_as_their_plain_values(db):
    _office, agency, agreement = agency_world(db)
    review = started_review(db, agency.id)
    (finding,) = add_findings(db, review.id, {"area_of_concern": 1})
    with db.read() as s:
        row = s.get(Review, review.id)
        assert row.kind is ReviewKind.JEM_INSPECTION and row.status is ReviewStatus.IN_PROGRESS
        assert s.get(Agreement, agreement.id).model is ProgramModel.JEM
        f = s.get(Finding, finding.id)
        assert f.kind is FindingKind.AREA_OF_CONCERN and f.responsible is ResponsibleParty.LEA
        # a query on a typed column takes the enum or its string alike
        assert s.exec(select(Review.id).where(Review.kind == "jem_inspection")).all()
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT kind, status FROM review")).one()
        assert tuple(stored) == ("jem_inspection", "in_progress")
        assert conn.execute(text("SELECT kind FROM finding")).scalar() == "area_of_concern"


def test_a_row_written_before_the_columns_were_typed_reads_and_writes(db):
    """Rows as an older app wrote them (plain text) load as enums and save unchanged."""
    _office, agency, _agreement = agency_world(db)
    review = started_review(db, agency.id)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE review SET mode='desk_review' WHERE id=:id"), {"id": review.id})
    with db.write() as s:
        row = s.get(Review, review.id)
        assert row.mode.label == "Desk review"
        row.summary = "Edited after the upgrade."
        s.commit()
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT mode, summary FROM review")).one()
        assert tuple(stored) == ("desk_review", "Edited after the upgrade.")


def test_an_unknown_value_is_refused_on_write(db):
    _office, agency, _agreement = agency_world(db)
    review = started_review(db, agency.id)
    with pytest.raises(Exception, match="not a valid ReviewStatus"), db.write() as s:
        s.get(Review, review.id).status = "finalised"  # type: ignore[assignment]
        s.commit()


def test_change_log_payloads_hold_plain_values(db):
    _office, agency, _agreement = agency_world(db)
    review = started_review(db, agency.id)
    add_findings(db, review.id, {"deficiency": 1})
    with db.read() as s:
        entry = s.exec(select(ChangeLog).where(ChangeLog.table_name == "finding")).first()
    assert entry is not None
    assert entry.payload["kind"] == "deficiency" and entry.payload["responsible"] == "lea"
    with db.engine.connect() as conn:
        raw = conn.execute(text("SELECT payload FROM change_log WHERE seq=:s"),
                           {"s": entry.seq}).scalar()  # fmt: skip
    assert '"kind": "deficiency"' in raw and "FindingKind" not in raw


def test_a_final_demo_review_still_verifies_and_hashes_plain_strings(demo_db):
    with demo_db.read() as s:
        final = s.exec(select(Review).where(Review.status == ReviewStatus.FINAL)).all()
        assert final
        content = lifecycle.review_content(s, final[0].id)
    assert all(lifecycle.verify_review(demo_db, r.id).matches for r in final)
    canonical = ch.canonical_json(content)
    assert '"kind":"jem_inspection"' in canonical
    assert "ReviewKind" not in canonical and "FindingKind" not in canonical


def test_exports_write_plain_values():
    df = pd.DataFrame({"kind": [FindingKind.DEFICIENCY], "model": [ProgramModel.WSO]})
    csv_text = table_csv(df).decode("utf-8-sig")
    assert csv_text.splitlines() == ["kind,model", "deficiency,WSO"]
    sheet = load_workbook(io.BytesIO(table_xlsx(df))).active
    assert [c.value for c in sheet[2]] == ["deficiency", "WSO"]


def test_one_answer_reads_the_same_in_the_workspace_and_the_report():
    from inspector_app.ui.workspace.entries import value_label  # no Qt in this module

    for value in AnswerValue:
        assert value_label(value) == answer_text(None, value) == label(value)
    assert answer_label("partial") == "Partly understood"
    assert answer_label("12 officers") == "12 officers"  # a free answer as typed
    assert VERDICT_LABELS[AnswerValue.RESOLVED] == label(AnswerValue.RESOLVED)


def test_every_enumerated_answer_value_is_an_answer_value():
    for values in ENUMERATED_VALUES.values():
        assert all(isinstance(v, AnswerValue) for v in values)
    assert AnswerType.UNDERSTANDING in ENUMERATED_VALUES


def test_every_member_has_a_readable_label():
    from inspector_app.domain import enums

    for enum in vars(enums).values():
        if (
            isinstance(enum, type)
            and issubclass(enum, enums.Labelled)
            and enum is not enums.Labelled
        ):
            for member in enum:
                assert member.label == label(member)
                assert member.label and "_" not in member.label


def test_finding_keys_round_trip():
    assert finding_key("abc") == "finding:abc"
    assert parse_key(finding_key("abc")) == "abc"
    assert parse_key("statistics.submitted") is None


def test_acronyms_in_labels_stay_capitals():
    from inspector_app.domain.enums import IntervieweeRole, ProgramModel
    from inspector_app.domain.labels import label

    assert label(IntervieweeRole.LEA_LEADERSHIP) == "LEA leadership"
    assert label(IntervieweeRole.FIELD_OFFICE_LEADERSHIP) == "ICE field office leadership"
    assert [label(m) for m in ProgramModel] == ["JEM", "WSO"]


def test_members_with_the_same_value_keep_their_own_labels():
    """StrEnum members equal their strings: a plain dict would give ReviewKind.FOCUS_REVIEW
    the label of ReportKind.FOCUS_REVIEW (the Reviews list once said 'Focus review report')."""
    from inspector_app.domain.enums import ReportKind, ReviewKind
    from inspector_app.domain.labels import label

    assert label(ReviewKind.FOCUS_REVIEW) == "Focus review"
    assert label(ReportKind.FOCUS_REVIEW) == "Focus review report"
    assert label(ReviewKind.JEM_INSPECTION) == "JEM inspection"


def test_an_edited_finding_keeps_its_kind_an_enum(db):
    """Editing strips free text; a kind (a StrEnum, so also a str) must not become a str."""
    from inspector_app.domain.enums import FindingKind
    from inspector_app.services import agencies, findings, reviews

    agency = agencies.create_agency(db, name="Dunmore County Detention Center", state="NC")
    agencies.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2024-04-01")
    review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                     planned_start="2026-10-05")  # fmt: skip
    reviews.start_review(db, review.id)
    f = findings.add_finding(db, review_id=review.id, kind="deficiency", topic="training")
    edited = findings.update_finding(db, f.id, kind="area_of_concern", description=" seen ")
    assert type(edited.kind) is FindingKind and edited.description == "seen"


def test_every_label_entry_names_a_real_member():
    """The table is keyed by class name and value (strings): a typo would go unnoticed."""
    from inspector_app.domain import enums
    from inspector_app.domain.labels import table

    for class_name, entries in table().items():
        enum = getattr(enums, class_name)
        assert set(entries) <= {m.value for m in enum}, class_name
