"""History import: every bad row reported as FILE:LINE: column: message, all or nothing,
idempotent, and the written rows carry sync fields and change-log entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from inspector_app.services.history_import import HistoryImportError, import_history
from inspector_app.store.models import Agency, AuditLog, ChangeLog, Finding, Review

DATA = Path(__file__).parents[1] / "data" / "history"
HEADER = ("review_ref,agency,state,model,review_type,start_date,end_date,mode,follow_up_of,"
          "finding_ref,kind,topic,responsible,description,resolution")  # fmt: skip


def write(tmp_path: Path, *rows: str, name: str = "h.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def counts(db) -> dict[str, int]:
    with db.read() as s:
        return {m.__tablename__: len(s.exec(select(m)).all())
                for m in (Agency, Review, Finding, ChangeLog, AuditLog)}  # fmt: skip


def test_import_writes_rows_with_sync_fields_change_log_and_one_audit(db):
    result = import_history(db, DATA / "hand_built.csv")
    assert (result.reviews, result.findings, result.agencies) == (8, 13, 4)
    assert result.judged == 6
    with db.read() as s:
        reviews = s.exec(select(Review)).all()
        assert {r.status for r in reviews} == {"final"} and {r.form_id for r in reviews} == {None}
        assert all(r.rev == 1 and r.updated_by == "Test Inspector" and r.device_id for r in reviews)
        fr1 = s.exec(select(Review).where(Review.source_ref == "history:FR1")).one()
        i1 = s.exec(select(Review).where(Review.source_ref == "history:I1")).one()
        assert fr1.kind == "focus_review" and fr1.parent_review_id == i1.id
        d2 = s.exec(select(Finding).where(Finding.source_ref == "history:D2")).one()
        assert (d2.status, d2.resolved_by_review_id) == ("unresolved", fr1.id)
        d1 = s.exec(select(Finding).where(Finding.source_ref == "history:D1")).one()
        assert (d1.status, d1.resolved_on.isoformat()) == ("resolved", "2024-04-01")
        log = s.exec(select(ChangeLog)).all()
        assert len(log) == 4 + 8 + 13
        entry = next(c for c in log if c.row_id == d1.id)
        assert entry.op == "insert" and entry.payload["status"] == "resolved"
        assert entry.payload["source_ref"] == "history:D1"
        audits = s.exec(select(AuditLog)).all()
        assert len(audits) == 1 and audits[0].detail["findings"] == 13


def test_second_import_of_the_same_file_changes_nothing(db):
    import_history(db, DATA / "hand_built.csv")
    before = counts(db)
    again = import_history(db, DATA / "hand_built.csv")
    assert again.new == 0 and "0 new" in again.describe()
    assert counts(db) == before


def test_existing_agency_is_matched_by_name_and_state(db):
    from inspector_app.services.agencies import create_agency

    alder = create_agency(db, name="Alder County Sheriff's Office", state="GA")
    import_history(db, DATA / "hand_built.csv")
    with db.read() as s:
        i1 = s.exec(select(Review).where(Review.source_ref == "history:I1")).one()
        assert i1.agency_id == alder.id
        assert len(s.exec(select(Agency).where(Agency.name == alder.name)).all()) == 1


def test_every_bad_row_is_reported_and_nothing_is_written(db, tmp_path):
    path = write(
        tmp_path,
        "R1,Alder,GA,JEM,inspection,2023-11-06,,,,F1,deficiency,trainingz,lea,x,",
        "R2,Bexley,GA,JEM,inspection,2023-13-01,,,,F2,deficiency,training,lea,y,",
        "R3,Bexley,GA,JEM,inspection,2023-12-01,,,,F1,deficiency,training,lea,other,",
        "R4,Bexley,GA,JEM,focus_review,2024-01-01,,,R9,,,,,,",
        "R5,Bexley,GA,JEM,inspection,2024-02-01,,,,F5,deficiency,training,lea,ok,",
    )
    before = counts(db)
    with pytest.raises(HistoryImportError) as info:
        import_history(db, path)
    errors = info.value.errors
    assert f"{path}:2: topic: 'trainingz' is not a topic code (see forms/topics.yaml)" in errors
    assert f"{path}:3: start_date: '2023-13-01' is not a date (YYYY-MM-DD)" in errors
    assert any(
        e.startswith(f"{path}:4: finding_ref: 'F1' is a duplicate of line 2") for e in errors
    )
    assert (f"{path}:5: follow_up_of: no inspection with review_ref 'R9' in this file or "
            "imported before") in errors  # fmt: skip
    assert not any(f"{path}:6:" in e for e in errors)  # the good row is not blamed
    assert counts(db) == before  # all or nothing


def test_line_numbers_count_the_header_and_quoted_line_breaks(db, tmp_path):
    path = write(
        tmp_path,
        'R1,Alder,GA,JEM,inspection,2023-11-06,,,,F1,deficiency,training,lea,"two\nlines",',
        "R1,Alder,GA,JEM,inspection,2023-11-06,,,,F2,deficiency,nope,lea,x,",
    )
    with pytest.raises(HistoryImportError) as info:
        import_history(db, path)
    assert info.value.errors == [
        f"{path}:4: topic: 'nope' is not a topic code (see forms/topics.yaml)"
    ]


def test_required_columns_and_choices(db, tmp_path):
    path = write(
        tmp_path,
        ",Alder,GA,JEM,inspection,2023-11-06,,,,,,,,,",
        "R2,Alder,Georgia,XYZ,audit,2023-11-06,,,,,,,,,",
        "R3,Alder,GA,JEM,inspection,2023-11-06,2023-11-01,,,F3,,training,lea,,",
        "R4,Alder,GA,JEM,focus_review,2023-12-06,,,,,,,,,",
    )
    with pytest.raises(HistoryImportError) as info:
        import_history(db, path)
    errors = "\n".join(info.value.errors)
    assert f"{path}:2: review_ref: is required" in errors
    assert f"{path}:3: state: 'GEORGIA' is not a two-letter state code" in errors
    assert f"{path}:3: model: 'XYZ' is not one of JEM, WSO" in errors
    assert f"{path}:3: review_type: 'audit' is not one of inspection, focus_review" in errors
    assert f"{path}:4: end_date: 2023-11-01 is before the start_date" in errors
    assert f"{path}:4: kind: is required on a finding row" in errors
    assert f"{path}:5: follow_up_of: is required on focus_review rows" in errors


def test_missing_header_column(db, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("review_ref,agency,state\nR1,A,GA\n", encoding="utf-8")
    with pytest.raises(HistoryImportError) as info:
        import_history(db, path)
    assert f"{path}:1: model: required column missing from the header row" in info.value.errors


def test_a_later_file_may_judge_findings_imported_before(db, tmp_path):
    first = write(tmp_path, "I1,Alder,GA,JEM,inspection,2023-11-06,,,,F1,deficiency,training,lea,x,",
                  name="first.csv")  # fmt: skip
    import_history(db, first)
    later = write(tmp_path, "FR1,Alder,GA,JEM,focus_review,2024-03-01,,,I1,F1,,,,,resolved",
                  name="later.csv")  # fmt: skip
    result = import_history(db, later)
    assert (result.reviews, result.judged) == (1, 1)
    with db.read() as s:
        f1 = s.exec(select(Finding).where(Finding.source_ref == "history:F1")).one()
        assert (f1.status, f1.rev) == ("resolved", 2)
        ops = [c.op for c in s.exec(select(ChangeLog).where(ChangeLog.row_id == f1.id))]
        assert ops == ["insert", "update"]
    assert import_history(db, later).new == 0


def test_a_ref_imported_before_with_other_content_is_refused(db, tmp_path):
    import_history(
        db, write(tmp_path, "I1,Alder,GA,JEM,inspection,2023-11-06,,,,,,,,,", name="a.csv")
    )
    changed = write(tmp_path, "I1,Alder,GA,JEM,inspection,2023-12-06,,,,,,,,,", name="b.csv")
    with pytest.raises(HistoryImportError) as info:
        import_history(db, changed)
    assert info.value.errors == [
        f"{changed}:2: review_ref: 'I1' was imported before with start_date 2023-11-06; "
        "correct the file or use a new review_ref"
    ]


def test_not_utf8(db, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + "\nR1,Nuñez,TX,JEM,inspection,2023-11-06,,,,,,,,,\n").encode("latin-1")
    )
    with pytest.raises(HistoryImportError) as info:
        import_history(db, path)
    assert info.value.errors[0].startswith(f"{path}:2: -: not UTF-8 text")


@pytest.mark.slow
def test_generated_history_imports_and_reimports(db, tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
    import make_history

    path = tmp_path / "gen.csv"
    make_history.main([str(path), "--scale", "0.01"])
    first = import_history(db, path)
    assert first.reviews > 150 and first.findings > 300
    assert import_history(db, path).new == 0


def test_change_log_payloads_equal_model_dump_and_ids_are_uuid4(db, tmp_path):
    """The bulk path writes exactly what the ordinary save would log, text included."""
    import json
    import uuid

    from inspector_app.services.history_import import sorted_ids

    path = write(tmp_path, "R1,Ålder Ünïcode,ga,JEM,inspection,2023-11-06,,,,F1,deficiency,"
                 'training,lea,"say ""hi"", \\ ünïcode",')  # fmt: skip
    import_history(db, DATA / "hand_built.csv")
    import_history(db, path)
    models = {m.__tablename__: m for m in (Agency, Review, Finding)}
    with db.read() as s:
        log = s.exec(select(ChangeLog)).all()
        raw = dict(s.connection().exec_driver_sql("SELECT row_id, payload FROM change_log").all())
        assert len(log) == 4 + 8 + 13 + 3
        for entry in log:
            row = s.get(models[entry.table_name], entry.row_id)
            assert entry.payload == row.model_dump(mode="json"), entry.table_name
            assert json.loads(raw[entry.row_id]) == entry.payload
        assert s.exec(select(Finding).where(Finding.source_ref == "history:F1")).one(
        ).description == 'say "hi", \\ ünïcode'  # fmt: skip
    ids = sorted_ids(1000)
    assert ids == sorted(ids) and len(set(ids)) == 1000
    assert all(uuid.UUID(i).version == 4 and str(uuid.UUID(i)) == i for i in ids)
    assert {uuid.UUID(i).variant for i in ids} == {uuid.RFC_4122}


def test_line_numbers_with_crlf_and_cr_breaks_blank_lines_and_reader_errors(db, tmp_path):
    """Records are read in one go; their line numbers still count every physical line."""
    row = "R1,Alder,GA,JEM,inspection,2023-11-06,,,,{ref},deficiency,training,lea,{desc},"
    text = "\r\n".join([
        HEADER,
        row.format(ref="F1", desc='"crlf\r\nand\rcr"'),  # lines 2-4
        "",  # line 5
        " , ,",  # line 6: blank
        row.format(ref="F2", desc="x") + ",extra",  # line 7
        row.format(ref="F3", desc='"' + "y" * 200_000 + '"'),  # line 8: over the field limit
    ]) + "\r\n"  # fmt: skip
    path = tmp_path / "h.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(HistoryImportError) as info:
        import_history(db, path)
    assert info.value.errors[:2] == [
        f"{path}:7: -: 16 fields but the header has 15; quote values that contain commas",
        f"{path}:8: -: a field longer than 131072 characters; shorten it, or close the quote "
        "that runs on from it",
    ]


def refused(db, path) -> list[str]:
    """The import's error lines; nothing may be written."""
    before = counts(db)
    with pytest.raises(HistoryImportError) as info:
        import_history(db, path)
    assert counts(db) == before
    return info.value.errors


def test_reader_errors_are_one_line_at_the_record_or_quote_that_starts_them(db, tmp_path):
    row = "R1,Alder,GA,JEM,inspection,2023-11-06,,,,{ref},deficiency,training,lea,{desc},"
    huge = write(tmp_path, row.format(ref="F1", desc="x" * 10_000_000), name="huge.csv")
    assert refused(db, huge) == [
        f"{huge}:2: -: a field longer than 131072 characters; shorten it, or close the quote "
        "that runs on from it"
    ]  # and no "no data rows after the header"
    # Line 5 starts a record whose description (lines 5-6) is closed, then a field opens
    # on line 6 and is never closed: it would swallow every row after it.
    open_quote = write(
        tmp_path,
        row.format(ref="F1", desc="ok"),
        row.format(ref="F2", desc='"two\nlines"'),
        row.format(ref="F3", desc='"two\nlines"') + '"never closed',
        row.format(ref="F4", desc="swallowed"),
        name="quote.csv",
    )
    assert refused(db, open_quote) == [
        f"{open_quote}:6: -: a quoted field starts on this line and is never closed; add the "
        'closing quote (")'
    ]
    after = write(tmp_path, row.format(ref="F1", desc='"Smith" Jr'), name="after.csv")
    assert refused(db, after) == [
        f"{after}:2: -: text after the closing quote of a quoted field; put the whole value in "
        'quotes and double the quotes inside it ("")'
    ]


def test_impossible_dates_are_refused_not_crashed_on(db, tmp_path):
    path = write(
        tmp_path,
        "R1,Alder,GA,JEM,inspection,0000-01-01,,,,,,,,,",
        "R2,Alder,GA,JEM,inspection,２０２３-０１-０５,,,,,,,,,",
        "R3,Alder,GA,JEM,inspection,2099-12-31,,,,,,,,,",
        "R4,Alder,GA,JEM,focus_review,9999-12-31,,,R3,,,,,,",
        "R5,Alder,GA,JEM,inspection,2023-01-01,1899-12-31,,,,,,,,",
    )
    assert refused(db, path) == [
        f"{path}:2: start_date: '0000-01-01' is not a date (YYYY-MM-DD)",
        f"{path}:3: start_date: '２０２３-０１-０５' is not a date (YYYY-MM-DD): type it with "
        "the digits 0-9",
        f"{path}:5: start_date: '9999-12-31' is outside 1996-01-01 to 2099-12-31; check the "
        "year (287(g) began in 1996)",
        f"{path}:6: end_date: '1899-12-31' is outside 1996-01-01 to 2099-12-31; check the "
        "year (287(g) began in 1996)",
    ]
    # The last possible day still gets its focus review's due date (six months on).
    last = write(tmp_path, "R3,Alder,GA,JEM,inspection,2099-12-31,,,,,,,,,",
                 "R4,Alder,GA,JEM,focus_review,2099-12-31,,,R3,,,,,,", name="last.csv")  # fmt: skip
    assert import_history(db, last).reviews == 2


def test_a_focus_review_before_its_inspection_is_refused(db, tmp_path):
    path = write(
        tmp_path,
        "I1,Alder,GA,JEM,inspection,2023-11-06,2023-11-08,,,F1,deficiency,training,lea,x,",
        "FR1,Alder,GA,JEM,focus_review,2023-11-07,,,I1,F1,,,,,resolved",
        "FR1,Alder,GA,JEM,focus_review,2023-11-07,,,I1,F1,,,,,resolved",
        "FR2,Alder,GA,JEM,focus_review,2023-11-08,,,I1,,,,,,",  # on the last day: fine
    )
    assert refused(db, path) == [
        f"{path}:3: start_date: a focus review cannot be before the inspection it follows "
        "('I1' ended 2023-11-08; this one starts 2023-11-07)"
    ]
    # The same against an inspection imported earlier.
    import_history(db, write(tmp_path, "I1,Alder,GA,JEM,inspection,2023-11-06,2023-11-08,,,,,,,,",
                             name="first.csv"))  # fmt: skip
    later = write(tmp_path, "FR1,Alder,GA,JEM,focus_review,2022-01-01,,,I1,,,,,,", name="l.csv")
    assert refused(db, later) == [
        f"{later}:2: start_date: a focus review cannot be before the inspection it follows "
        "('I1' ended 2023-11-08; this one starts 2022-01-01)"
    ]


def test_a_reimport_with_corrections_lists_each_difference_and_keeps_the_database(db, tmp_path):
    rows = [
        "I1,Alder,GA,JEM,inspection,2023-11-06,2023-11-08,site_visit,,F1,deficiency,training,lea,"
        "Officers lacked training,",
        "I1,Alder,GA,JEM,inspection,2023-11-06,2023-11-08,site_visit,,F2,deficiency,training,lea,"
        "Old text,",
        "I2,Alder,GA,JEM,inspection,2024-02-01,,,,,,,,,",
        "FR1,Alder,GA,JEM,focus_review,2024-03-01,,desk_review,I1,F1,,,,,resolved",
    ]
    import_history(db, write(tmp_path, *rows, name="first.csv"))
    before = counts(db)
    corrected = [
        rows[0].replace("2023-11-08", "2023-11-09"),
        rows[1].replace("2023-11-08", "2023-11-09").replace("Old text", "Corrected text"),
        rows[2],
        rows[3].replace("desk_review", "site_visit"),
        "I3,Alder,GA,JEM,inspection,2024-06-01,,,,,,,,,",  # new: imported
    ]
    path = write(tmp_path, *corrected, name="again.csv")
    result = import_history(db, path)
    assert result.differences == (
        f"{path}:2: end_date: review_ref 'I1' has '2023-11-08' in the database, '2023-11-09' in "
        "the file; not applied",
        f"{path}:3: description: finding_ref 'F2' has 'Old text' in the database, "
        "'Corrected text' in the file; not applied",
        f"{path}:5: mode: review_ref 'FR1' has 'desk_review' in the database, 'site_visit' in "
        "the file; not applied",
    )
    text = result.describe()
    assert text.startswith("5 rows read: 1 new reviews, 0 new findings, 0 new agencies, 0 findings"
                           " judged by focus reviews; 3 values in the file differ from what was "
                           "imported before and were NOT applied")  # fmt: skip
    assert text.splitlines()[1:] == list(result.differences)
    assert counts(db)["review"] == before["review"] + 1
    with db.read() as s:
        i1 = s.exec(select(Review).where(Review.source_ref == "history:I1")).one()
        f2 = s.exec(select(Finding).where(Finding.source_ref == "history:F2")).one()
        assert (i1.end_date.isoformat(), i1.rev, f2.description) == ("2023-11-08", 1, "Old text")
    # Nothing new and one difference: not "everything was imported before".
    only = write(tmp_path, corrected[0], name="only.csv")
    again = import_history(db, only)
    assert again.new == 0 and "everything" not in again.describe()
    assert again.describe().startswith("1 rows read, 0 new; 1 value in the file differs")
