"""Importing an agency's officer roster with training dates from CSV or Excel (.xlsx).

All or nothing, like the history import: every row is checked first and every problem
reported at once as `FILE:LINE: column: problem` (the header is line 1); nothing is
written unless the whole file is good. Then one unit of work adds the officers and
their training records, with one audit entry. The CSV reader is the history import's
(strict quoting, UTF-8, line numbers: services.history_csv).

Columns (header names; order free; blank lines ignored):
  name             the officer's full name (required)
  model            JEM or WSO: the agreement the officer is designated under (required)
  credential       badge or ICE credential number (optional; unique in the agency)
  course           initial_course, annual_online, refresher (JEM) or wso_course (WSO);
                   optional: a row without it adds the officer only
  completed_on     the day the course was completed, YYYY-MM-DD (required with a course)
  hours            hours of training (optional, 0-200)
An officer on several rows (same name and model) gets one training record per row. An
officer already in the agency (same name and model) gets the training records only, and
a training record already there (same course and day) is not added twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from inspector_app.domain.enums import AgreementStatus, ProgramModel, TrainingKind
from inspector_app.store.database import Database
from inspector_app.store.models import Agency, Agreement, Officer, TrainingRecord
from inspector_app.store.queries import live

from . import record_rules as rules
from .errors import Invalid, NotFound
from .history_csv import _read as read_csv
from .history_import import HistoryImportError
from .uow import unit_of_work

COLUMNS = ("name", "model", "credential", "course", "completed_on", "hours")
REQUIRED = ("name", "model")
HELP = __doc__.split("Columns (header names; order free; blank lines ignored):\n", 1)[1]


class RosterImportError(HistoryImportError):
    """The file has problems; `errors` holds one `FILE:LINE: column: problem` line each."""


@dataclass
class RosterRow:
    line: int
    name: str
    model: ProgramModel
    credential: str
    course: TrainingKind | None
    completed_on: date | None
    hours: float | None


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lines: int = 0


@dataclass(frozen=True)
class RosterResult:
    officers_added: int
    officers_known: int
    training_added: int
    training_known: int

    def describe(self) -> str:
        return (f"{self.officers_added} officer(s) added ({self.officers_known} already there), "
                f"{self.training_added} training record(s) added "
                f"({self.training_known} already there)")  # fmt: skip


# --- reading -----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or non-Excel file: one line
        return [], [], [f"{path}:1: -: not a readable .xlsx workbook ({type(exc).__name__})"]
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    if not rows:
        return [], [], [f"{path}:1: -: the sheet is empty; expected a header row"]
    header = [_cell(h) for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        if any(cells.values()):
            out.append((number, cells))
    return header, out, []


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    header, frame, problems = read_csv(path)
    records = frame.to_dict("records") if len(frame) else []
    return header, [(int(r.pop("line")), {str(k): str(v) for k, v in r.items()})
                    for r in records], problems  # fmt: skip


# --- checking ----------------------------------------------------------------------------


def _check_header(label: str, header: list[str]) -> list[str]:
    problems = [f"{label}:1: {c}: required column missing" for c in REQUIRED if c not in header]
    problems += [f"{label}:1: {h}: unknown column (expected {', '.join(COLUMNS)})"
                 for h in header if h and h not in COLUMNS]  # fmt: skip
    return problems


def _checked(errors: list[str], where: str, column: str, fn: Callable[[], Any]) -> Any:
    """fn()'s value, or None with `FILE:LINE: column: problem` noted."""
    try:
        return fn()
    except Invalid as exc:
        errors.append(f"{where}: {column}: {exc.message}")
    except ValueError as exc:
        errors.append(f"{where}: {column}: {exc}")
    return None


def _model(text: str) -> ProgramModel:
    try:
        return ProgramModel(text.upper())
    except ValueError:
        raise Invalid("model", f"{text!r} is not JEM or WSO") from None


def _course(text: str, model: ProgramModel | None) -> TrainingKind | None:
    if not text:
        return None
    try:
        kind = TrainingKind(text.strip().lower())
    except ValueError:
        names = ", ".join(k.value for k in TrainingKind)
        raise Invalid("course", f"{text!r} is not one of {names}") from None
    return rules.course_of_model(kind, model) if model else kind


def _day(text: str, course: TrainingKind | None) -> date | None:
    if not text:
        if course is not None:
            raise Invalid("completed_on", "required with a course (YYYY-MM-DD)")
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid("completed_on", f"{text!r} is not a date (YYYY-MM-DD)") from None
    return rules.sane_date(day, "completed_on")


def _row(label: str, line: int, cells: dict[str, str], errors: list[str]) -> RosterRow | None:
    where = f"{label}:{line}"
    before = len(errors)
    for column in REQUIRED:
        if not cells.get(column, "").strip():
            errors.append(f"{where}: {column}: required")
    model = _checked(errors, where, "model", lambda: _model(cells["model"])) if cells.get(
        "model") else None  # fmt: skip
    course = _checked(errors, where, "course", lambda: _course(cells.get("course", ""), model))
    day = _checked(errors, where, "completed_on",
                   lambda: _day(cells.get("completed_on", ""), course))  # fmt: skip
    hours = _checked(errors, where, "hours", lambda: rules.training_hours(cells.get("hours")))
    if len(errors) > before or model is None:
        return None
    return RosterRow(line, cells["name"].strip(), model, cells.get("credential", "").strip(),
                     course, day, hours)  # fmt: skip


def _check_against(label: str, rows: list[RosterRow], models: set[str],
                   credentials: dict[str, str]) -> list[str]:  # fmt: skip
    """The agency's agreements in force and credential numbers held by someone else."""
    errors = []
    holder = dict(credentials)  # credential -> officer key
    for r in rows:
        if r.model not in models:
            errors.append(
                f"{label}:{r.line}: model: the agency holds no {r.model} agreement in force"
            )
        key = f"{r.name.casefold()}|{r.model}"
        if r.credential and holder.setdefault(r.credential, key) != key:
            errors.append(f"{label}:{r.line}: credential: {r.credential} is another officer's")
    return errors


def _agency_state(session: Session, agency_id: str) -> tuple[set[str], dict[str, str]]:
    models = {str(g.model) for g in live(session, Agreement, Agreement.agency_id == agency_id)
              if g.status != AgreementStatus.TERMINATED}  # fmt: skip
    creds = {o.credential_number: f"{o.name.casefold()}|{o.model}"
             for o in live(session, Officer, Officer.agency_id == agency_id)
             if o.credential_number}  # fmt: skip
    return models, creds


def check_roster(db: Database, agency_id: str, path: Path | str) -> ParsedRoster:
    """Read and check the whole file (nothing is written)."""
    path = Path(path)
    label = str(path)
    if not path.is_file():
        return ParsedRoster(errors=[f"{label}:1: -: no such file"])
    header, cells, errors = _read_rows(path)
    if header:
        errors += _check_header(label, header)
    rows = [r for line, c in cells if (r := _row(label, line, c, errors)) is not None]
    with db.read() as s:
        if s.get(Agency, agency_id) is None:
            raise NotFound("agency", agency_id)
        models, creds = _agency_state(s, agency_id)
    errors += _check_against(label, rows, models, creds)
    errors.sort(key=lambda e: int(e[len(label) + 1 :].split(":", 1)[0] or 0))  # by line
    return ParsedRoster(rows=rows, errors=errors, lines=len(cells))


# --- writing -----------------------------------------------------------------------------


def import_roster(db: Database, agency_id: str, path: Path | str) -> RosterResult:
    """Check the file, then add its officers and training records in one unit of work;
    RosterImportError (nothing written) if any row is bad."""
    parsed = check_roster(db, agency_id, path)
    if parsed.errors:
        raise RosterImportError(parsed.errors)
    with unit_of_work(db, "import_roster") as uow:
        writer = _Writer(uow, agency_id)
        for r in parsed.rows:
            writer.add(r)
        uow.audit("agency", agency_id, file=Path(path).name, **writer.counts)
    return RosterResult(**writer.counts)


class _Writer:
    """Adds the checked rows inside the import's unit of work."""

    def __init__(self, uow: Any, agency_id: str):
        s = uow.session
        self.uow, self.agency_id = uow, agency_id
        self.agreements = {g.model: g.id for g in live(s, Agreement, Agreement.agency_id == agency_id)
                           if g.status != AgreementStatus.TERMINATED}  # fmt: skip
        self.officers = {f"{o.name.casefold()}|{o.model}": o
                         for o in live(s, Officer, Officer.agency_id == agency_id)}  # fmt: skip
        ids = {o.id for o in self.officers.values()}
        self.training = {(t.officer_id, t.kind, t.completed_on)
                         for t in live(s, TrainingRecord) if t.officer_id in ids}  # fmt: skip
        self.seen: set[str] = set()
        self.counts = dict.fromkeys(("officers_added", "officers_known", "training_added",
                                     "training_known"), 0)  # fmt: skip

    def _officer(self, r: RosterRow) -> Officer:
        key = f"{r.name.casefold()}|{r.model}"
        officer = self.officers.get(key)
        if officer is None:
            officer = self.uow.save(Officer(
                agency_id=self.agency_id, agreement_id=self.agreements[r.model], model=r.model,
                name=r.name, credential_number=r.credential))  # fmt: skip
            self.officers[key] = officer
            self.counts["officers_added"] += 1
        elif key not in self.seen:
            self.counts["officers_known"] += 1
        self.seen.add(key)
        return officer

    def add(self, r: RosterRow) -> None:
        officer = self._officer(r)
        if r.course is None or r.completed_on is None:
            return
        if (officer.id, r.course, r.completed_on) in self.training:
            self.counts["training_known"] += 1
            return
        self.uow.save(TrainingRecord(officer_id=officer.id, kind=r.course,
                                     completed_on=r.completed_on, hours=r.hours))  # fmt: skip
        self.training.add((officer.id, r.course, r.completed_on))
        self.counts["training_added"] += 1
