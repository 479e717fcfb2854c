"""Removing the program's records (field offices, agencies, agreements, officers,
training records) and undoing a removal; the reads the record dialogs need.

A removal is a tombstone (`deleted`, synced like any change) written in one unit of
work with its audit entry. It is refused, in one line, while other records still
depend on the row (an agency's reviews, an officer's interviews...); an officer takes
their training records along. `remove_record` returns what it tombstoned, and
`undo_remove` brings exactly those rows back (one unit of work too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from inspector_app.store.database import Database
from inspector_app.store.models import (
    Agency,
    Agreement,
    FieldOffice,
    Interview,
    Officer,
    Review,
    SyncFields,
    TrainingRecord,
    WarrantCount,
)
from inspector_app.store.queries import live

from .errors import Conflict, Invalid
from .uow import UnitOfWork, unit_of_work

MODELS: dict[str, type[SyncFields]] = {
    "field_office": FieldOffice, "agency": Agency, "agreement": Agreement,
    "officer": Officer, "training_record": TrainingRecord,
}  # fmt: skip
LABELS = {"field_office": "field office", "agency": "agency", "agreement": "agreement",
          "officer": "officer", "training_record": "training record"}  # fmt: skip


@dataclass(frozen=True)
class Removed:
    """What one removal tombstoned: the row asked for first, then what went with it."""

    kind: str
    label: str
    rows: tuple[tuple[str, str], ...]  # (kind, id)


def _count(session: Session, model: type[SyncFields], *where: Any) -> int:
    return len(live(session, model, *where))


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# What keeps a record from being removed: (model, its column naming the record, one, many)
_DEPENDENTS: dict[str, list[tuple[type[SyncFields], Any, str, str]]] = {
    "field_office": [(Agency, Agency.field_office_id, "agency", "agencies")],
    "agency": [
        (Review, Review.agency_id, "review", "reviews"),
        (Agreement, Agreement.agency_id, "agreement", "agreements"),
        (Officer, Officer.agency_id, "officer", "officers"),
    ],
    "agreement": [
        (Review, Review.agreement_id, "review", "reviews"),
        (Officer, Officer.agreement_id, "officer", "officers"),
        (WarrantCount, WarrantCount.agreement_id, "month of warrant counts",
         "months of warrant counts"),
    ],
    "officer": [(Interview, Interview.officer_id, "interview", "interviews")],
    "training_record": [],
}  # fmt: skip


def _blockers(s: Session, kind: str, row: Any) -> list[str]:
    counts = ((_count(s, model, column == row.id), one, many)
              for model, column, one, many in _DEPENDENTS[kind])  # fmt: skip
    return [_n(n, one, many) for n, one, many in counts if n]


def record_label(kind: str, row: Any) -> str:
    if kind == "agreement":
        return f"{row.model} agreement {row.moa_number}".strip()
    if kind == "training_record":
        return f"{row.kind} of {row.completed_on.isoformat()}"
    return str(row.name)


def _model(kind: str) -> type[SyncFields]:
    if kind not in MODELS:
        raise Invalid("kind", f"{kind!r} is not one of {', '.join(MODELS)}")
    return MODELS[kind]


def remove_record(db: Database, kind: str, record_id: str, *, base_rev: int | None = None
                  ) -> Removed:  # fmt: skip
    """Tombstone one record (an officer with their training records); refused while
    other records depend on it."""
    model = _model(kind)
    with unit_of_work(db, f"remove_{kind}") as uow:
        row = uow.get_for_update(model, record_id, LABELS[kind], base_rev, {"deleted": True})
        label = record_label(kind, row)
        blockers = _blockers(uow.session, kind, row)
        if blockers:
            raise Conflict(f"{LABELS[kind]} {label} has {', '.join(blockers)}: "
                           "remove or move them first")  # fmt: skip
        rows = [(kind, row.id), *_take_along(uow, kind, row.id)]
        uow.delete(row)
        uow.audit(kind, row.id, removed=label, with_rows=len(rows) - 1)
        return Removed(kind, label, tuple(rows))


def _take_along(uow: UnitOfWork, kind: str, record_id: str) -> list[tuple[str, str]]:
    if kind != "officer":
        return []
    out = []
    for record in live(uow.session, TrainingRecord, TrainingRecord.officer_id == record_id):
        uow.delete(record)
        out.append(("training_record", record.id))
    return out


def undo_remove(db: Database, removed: Removed) -> None:
    """Bring back exactly the rows a removal tombstoned (an ordinary, synced change)."""
    with unit_of_work(db, f"restore_{removed.kind}") as uow:
        for kind, ident in removed.rows:
            row = uow.session.get(MODELS[kind], ident)
            if row is None or not row.deleted:
                continue
            row.deleted = False
            uow.save(row)
        uow.audit(removed.kind, removed.rows[0][1], restored=removed.label,
                  rows=len(removed.rows))  # fmt: skip


# --- reads for the record dialogs ---------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: str
    text: str


def field_office_choices(db: Database) -> list[Choice]:
    with db.read() as s:
        rows = live(s, FieldOffice)
    return sorted((Choice(o.id, f"{o.code} – {o.name}" if o.code else o.name) for o in rows),
                  key=lambda c: c.text.casefold())  # fmt: skip


def agency_choices(db: Database) -> list[Choice]:
    with db.read() as s:
        rows = live(s, Agency)
    return sorted((Choice(a.id, f"{a.name} ({a.state})") for a in rows),
                  key=lambda c: c.text.casefold())  # fmt: skip


@dataclass(frozen=True)
class AgreementChoice:
    id: str
    model: str
    text: str


def agreement_choices(db: Database, agency_id: str) -> list[AgreementChoice]:
    with db.read() as s:
        rows = live(s, Agreement, Agreement.agency_id == agency_id)
    return [AgreementChoice(g.id, g.model, f"{g.model} {g.moa_number or ''} (signed "
                            f"{g.signed_on.isoformat()}, {g.status})".replace("  ", " "))
            for g in sorted(rows, key=lambda g: (g.model, g.signed_on))]  # fmt: skip


@dataclass(frozen=True)
class OfficerChoice:
    id: str
    model: str
    text: str


def officer_choices(db: Database, agency_id: str) -> list[OfficerChoice]:
    with db.read() as s:
        rows = live(s, Officer, Officer.agency_id == agency_id)
    return [OfficerChoice(o.id, o.model, f"{o.name} ({o.model}"
                          + (f", {o.credential_number})" if o.credential_number else ")"))
            for o in sorted(rows, key=lambda o: o.name.casefold())]  # fmt: skip


def training_of(db: Database, officer_id: str) -> list[TrainingRecord]:
    with db.read() as s:
        rows = live(s, TrainingRecord, TrainingRecord.officer_id == officer_id)
    return sorted(rows, key=lambda r: r.completed_on, reverse=True)


def agencies_matching(db: Database, text: str) -> list[Choice]:
    """Agencies whose id starts with `text`, else whose name is `text` (any case), else
    whose name contains it: how `--agency NAME_OR_ID` is resolved."""
    wanted = text.strip().casefold()
    choices = agency_choices(db)
    with db.read() as s:
        names = {a.id: a.name.casefold() for a in live(s, Agency)}
    for test in (lambda c: c.id.startswith(wanted), lambda c: names[c.id] == wanted,
                 lambda c: wanted in names[c.id]):  # fmt: skip
        found = [c for c in choices if wanted and test(c)]
        if found:
            return found
    return []
