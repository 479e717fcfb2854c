"""`inspector-app --self-test`: does this installation work, without a display?

Runs in a temporary folder (the user's data folder is never touched): creates a
database (every migration), writes the demo data through the services, plans and
starts a JEM inspection, answers its checklist, renders its inspection report and
reads the PDF back with pypdf. Prints `OK` with the steps' times, or the step that
failed and why, with exit status 2. Qt is not imported: this checks the bundle's
Python side (forms, resources, migrations, fonts, ReportLab) on any machine.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_PROBLEM = 2


class SelfTestFailed(Exception):
    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")


def _step(name: str, func: Callable[[], Any], log: list[str]) -> Any:
    started = time.perf_counter()
    try:
        result = func()
    except SelfTestFailed:
        raise
    except Exception as exc:  # any failure is the answer: name the step and the reason
        raise SelfTestFailed(name, f"{type(exc).__name__}: {exc}") from exc
    log.append(f"{name} ({(time.perf_counter() - started) * 1000:.0f} ms)")
    return result


def _forms_and_resources() -> None:
    from inspector_app import paths

    for folder in (paths.forms_dir(), paths.resources_dir()):
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is missing")
    from inspector_app.services import forms

    if not forms.registry().all():
        raise FileNotFoundError(f"no form in {paths.forms_dir()}")


def _jem_agency(db: Any) -> str:
    from inspector_app.services.review_views import agencies_and_agreements

    agencies, agreements = agencies_and_agreements(db)
    with_jem = {a.agency_id for a in agreements if a.model == "JEM"}
    for agency in agencies:
        if agency.id in with_jem:
            return str(agency.id)
    raise LookupError("the demo data has no agency with a JEM agreement")


def _answer_review(db: Any, agency_id: str) -> tuple[str, int]:
    """Plan, start and answer a JEM inspection through the services."""
    from inspector_app.services import reviews

    review = reviews.schedule_review(db, agency_id=agency_id, kind="jem_inspection")
    review = reviews.start_review(db, review.id)
    keys = []
    for section in reviews.form_for(review).sections:
        if section.repeat:  # answered per case file: "section[n].item"
            continue
        for item in section.items:
            allowed = item.valid_values()
            if allowed:
                reviews.record_answer(db, review_id=review.id, item_key=item.key, value=allowed[0])
                keys.append(item.key)
    if not keys:
        raise LookupError("the JEM form has no item with fixed answers")
    reviews.set_note(db, review_id=review.id, item_key=keys[-1], note="Self-test note: José Núñez")
    return str(review.id), len(keys)


def _render(db: Any, review_id: str) -> bytes:
    from inspector_app.services.report_service import render_report

    rendered = render_report(db, "inspection", review_id)
    return bytes(rendered.pdf)


def _read_back(pdf: bytes, must_contain: str) -> int:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    if must_contain not in text:
        raise ValueError(f"{must_contain!r} is not in the report's text")
    return len(reader.pages)


def _agency_name(db: Any, agency_id: str) -> str:
    from inspector_app.services.review_views import agencies_and_agreements

    agencies, _ = agencies_and_agreements(db)
    return next(str(a.name) for a in agencies if a.id == agency_id)


def run_checks(folder: Path, log: list[str]) -> None:
    from inspector_app.services.demo_file import create_demo_database
    from inspector_app.store.database import open_database

    path = folder / "self-test.db"
    _step("forms and resources", _forms_and_resources, log)
    _step("demo database", lambda: create_demo_database(path, user="Self Test"), log)
    db = _step("open database", lambda: open_database(path, user="Self Test"), log)
    try:
        agency_id = _step("find an agency", lambda: _jem_agency(db), log)
        review_id, answered = _step("answer a review", lambda: _answer_review(db, agency_id), log)
        log[-1] += f": {answered} answers"
        pdf = _step("render report", lambda: _render(db, review_id), log)
        name = _agency_name(db, agency_id)
        pages = _step("read report back", lambda: _read_back(pdf, name), log)
        log[-1] += f": {pages} pages, {len(pdf) // 1024} KiB"
    finally:
        db.close()


def _log_file() -> Any:
    from inspector_app.paths import data_dir

    path = data_dir() / "logs" / "self-test.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8")


def main(out: Any = None) -> int:
    # A windowed Windows build has no stdout: the answer goes to a file in the data folder.
    out = out or sys.stdout or _log_file()
    log: list[str] = []
    with tempfile.TemporaryDirectory(prefix="inspector-self-test-") as tmp:
        try:
            run_checks(Path(tmp), log)
        except SelfTestFailed as exc:
            for line in log:
                out.write(f"  ok: {line}\n")
            out.write(f"self-test FAILED at {exc}\n")
            return EXIT_PROBLEM
    for line in log:
        out.write(f"  ok: {line}\n")
    out.write("OK\n")
    return 0
