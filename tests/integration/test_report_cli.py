"""`inspector-app report ...` end to end: files written, one-line errors, exit status 2."""

from __future__ import annotations

from pypdf import PdfReader

from inspector_app.cli.main import run
from inspector_app.store.database import open_database
from inspector_app.store.queries import list_reviews


def _ids(path) -> dict[tuple[str, str], str]:
    db = open_database(path, daily_backup=False)
    try:
        with db.read() as s:
            return {(r.review.kind, r.review.status): r.review.id for r in list_reviews(s)}
    finally:
        db.close()


def test_inspection_report_by_id_prefix(demo_db_path, tmp_path, capsys):
    review_id = _ids(demo_db_path)[("jem_inspection", "report_draft")]
    out = tmp_path / "alder.pdf"
    assert (
        run(["report", "inspection", review_id[:8], "--out", str(out), "--db", str(demo_db_path)])
        == 0
    )
    reader = PdfReader(out)
    assert "Page 1 of" in reader.pages[0].extract_text()
    assert str(out) in capsys.readouterr().out


def test_unknown_id_and_wrong_kind_are_one_line(demo_db_path, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    db = ["--db", str(demo_db_path)]
    assert run(["report", "inspection", "nonexistent", "--out", str(out), *db]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no review with id 'nonexistent'" in err
    inspection = _ids(demo_db_path)[("jem_inspection", "report_draft")]
    assert run(["report", "focus-review", inspection, "--out", str(out), *db]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is for a focus review" in err
    assert not out.exists()


def test_closeout_with_open_findings_lists_them(demo_db_path, tmp_path, capsys):
    inspection = _ids(demo_db_path)[("jem_inspection", "report_draft")]
    out = tmp_path / "closeout.pdf"
    assert (
        run(["report", "closeout", inspection, "--out", str(out), "--db", str(demo_db_path)]) == 2
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 5  # the demo's 3 deficiencies and 2 areas of concern have no action
    assert all("open finding: F-" in line for line in lines)
    assert not out.exists()


def test_output_folder_missing_is_one_line(demo_db_path, tmp_path, capsys):
    inspection = _ids(demo_db_path)[("jem_inspection", "report_draft")]
    out = tmp_path / "missing" / "r.pdf"
    assert (
        run(["report", "inspection", inspection, "--out", str(out), "--db", str(demo_db_path)]) == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such folder" in err


def test_request_form_and_focus_review_commands(demo_db_path, tmp_path):
    ids = _ids(demo_db_path)
    db = ["--db", str(demo_db_path)]
    wso = ids[("wso_review", "planned")]
    assert run(["report", "request-form", wso, "--out", str(tmp_path / "req.pdf"), *db]) == 0
    assert "request form" in PdfReader(tmp_path / "req.pdf").pages[0].extract_text()
    focus = ids[("focus_review", "planned")]
    assert run(["report", "focus-review", focus, "--out", str(tmp_path / "f.pdf"), *db]) == 0
    assert "Focus review report" in PdfReader(tmp_path / "f.pdf").pages[0].extract_text()
