"""Corrective actions per finding (ERO's corrective action plan) and the closeout state.

Whether an action was remediated on time is computed with domain.closeout when it is
done and stored on the row (CorrectiveAction.on_time): the performance measure
"share of MOA deficiencies remediated on time" reads it without recomputing history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col

from inspector_app.domain.closeout import (
    ActionFacts,
    FindingFacts,
    closeout_blockers,
    needs_corrective_action,
    remediated_on_time,
)
from inspector_app.domain.enums import ActionStatus, ResponsibleParty
from inspector_app.store import queries
from inspector_app.store.database import Database
from inspector_app.store.models import CorrectiveAction, Finding, Review

from .errors import Invalid, NotFound
from .uow import UnitOfWork, unit_of_work
from .validate import enum_value, parse_date, required_text


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Audit details are JSON: dates as ISO strings."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _facts(a: CorrectiveAction) -> ActionFacts:
    return ActionFacts(a.status, a.due_on, a.completed_on)


def _settle(action: CorrectiveAction, today: date) -> None:
    """Keep status, completion date and on_time consistent with each other."""
    if action.status == ActionStatus.DONE:
        action.completed_on = action.completed_on or today
    else:
        action.completed_on = None
    action.on_time = remediated_on_time(_facts(action))


def _finding_label(f: Finding) -> str:
    return f"F-{f.number} {f.topic or ''}".strip()


def _audit_closeout(uow: UnitOfWork, review_id: str) -> None:
    """Say in the audit log when the last action of a review is done (closeout possible)."""
    blockers = _blockers(uow.session, review_id)
    if not blockers:
        uow.audit("review", review_id, closed_out=True)


def add_action(
    db: Database, *, finding_id: str, action: str, owner: str = ResponsibleParty.LEA,
    due_on: date | str | None = None, status: str = ActionStatus.PLANNED,
    completed_on: date | str | None = None, evidence: str = "", today: date | None = None,
) -> CorrectiveAction:  # fmt: skip
    """Record a corrective action for a deficiency or area of concern."""
    text = required_text(action, "action")
    with unit_of_work(db, "add_corrective_action") as uow:
        finding = uow.get(Finding, finding_id, "finding")
        if not needs_corrective_action(finding.kind):
            raise Invalid(
                "finding_id", f"F-{finding.number} is a best practice; it needs no action"
            )
        row = CorrectiveAction(
            finding_id=finding.id, action=text,
            owner=enum_value(ResponsibleParty, owner, "owner"),
            due_on=parse_date(due_on, "due_on"), status=enum_value(ActionStatus, status, "status"),
            completed_on=parse_date(completed_on, "completed_on"), evidence=evidence.strip(),
        )  # fmt: skip
        _settle(row, today or date.today())
        uow.save(row, review_id=finding.review_id)
        uow.audit("corrective_action", row.id, finding_id=finding.id, review_id=finding.review_id,
                  action=text, owner=row.owner, due_on=row.due_on, status=row.status)  # fmt: skip
        if row.status == ActionStatus.DONE:
            _audit_closeout(uow, finding.review_id)
        return row


_EDITABLE = {"action", "owner", "due_on", "status", "completed_on", "evidence"}


def update_action(
    db: Database,
    action_id: str,
    *,
    today: date | None = None,
    base_rev: int | None = None,
    **changes: Any,
) -> CorrectiveAction:
    """Change an action's fields; on_time is recomputed from the result. `base_rev`: the
    revision the user started from (StaleEdit, nothing written, if it moved on)."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise Invalid(sorted(unknown)[0], "cannot be changed here")
    with unit_of_work(db, "update_corrective_action") as uow:
        row = uow.get_for_update(
            CorrectiveAction, action_id, "corrective action", base_rev, changes
        )
        finding = uow.get(Finding, row.finding_id, "finding")
        old = _plain({k: getattr(row, k) for k in changes})
        if "action" in changes:
            row.action = required_text(changes["action"], "action")
        if "owner" in changes:
            row.owner = enum_value(ResponsibleParty, changes["owner"], "owner")
        if "due_on" in changes:
            row.due_on = parse_date(changes["due_on"], "due_on")
        if "status" in changes:
            row.status = enum_value(ActionStatus, changes["status"], "status")
        if "completed_on" in changes:
            row.completed_on = parse_date(changes["completed_on"], "completed_on")
        if "evidence" in changes:
            row.evidence = (changes["evidence"] or "").strip()
        if row.completed_on and row.status != ActionStatus.DONE and "completed_on" in changes:
            row.status = ActionStatus.DONE  # a completion date means it is done
        _settle(row, today or date.today())
        uow.save(row, review_id=finding.review_id)
        uow.audit("corrective_action", row.id, finding_id=finding.id, old=old,
                  new=_plain({k: getattr(row, k) for k in changes}), on_time=row.on_time)  # fmt: skip
        if row.status == ActionStatus.DONE:
            _audit_closeout(uow, finding.review_id)
        return row


def complete_action(
    db: Database, action_id: str, *, completed_on: date | str | None = None,
    evidence: str | None = None, today: date | None = None, base_rev: int | None = None,
) -> CorrectiveAction:  # fmt: skip
    changes: dict[str, Any] = {"status": ActionStatus.DONE,
                               "completed_on": parse_date(completed_on, "completed_on")
                               or today or date.today()}  # fmt: skip
    if evidence is not None:
        changes["evidence"] = evidence
    return update_action(db, action_id, today=today, base_rev=base_rev, **changes)


def remove_action(db: Database, action_id: str) -> CorrectiveAction:
    with unit_of_work(db, "remove_corrective_action") as uow:
        row = uow.get(CorrectiveAction, action_id, "corrective action")
        finding = uow.get(Finding, row.finding_id, "finding")
        uow.delete(row, review_id=finding.review_id)
        uow.audit("corrective_action", row.id, finding_id=finding.id, action=row.action)
        return row


def actions_of(db: Database, finding_id: str) -> list[CorrectiveAction]:
    with db.read() as s:
        rows = queries.live(s, CorrectiveAction, CorrectiveAction.finding_id == finding_id)
    return sorted(rows, key=lambda a: (a.due_on or date.max, a.action))


# --- closeout ---------------------------------------------------------------------


def _blockers(session: Session, review_id: str) -> list[str]:
    findings = queries.live(session, Finding, Finding.review_id == review_id)
    actions: dict[str, list[CorrectiveAction]] = {f.id: [] for f in findings}
    if findings:
        for a in queries.live(session, CorrectiveAction,
                              col(CorrectiveAction.finding_id).in_(list(actions))):  # fmt: skip
            actions[a.finding_id].append(a)
    facts = [
        FindingFacts(_finding_label(f), f.kind, [_facts(a) for a in actions[f.id]])
        for f in sorted(findings, key=lambda f: f.number)
    ]
    return closeout_blockers(facts)


@dataclass
class CloseoutState:
    review_id: str
    blockers: list[str]
    actions: int = 0
    done: int = 0
    on_time: int = 0
    late: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def closed_out(self) -> bool:
        """Every deficiency and area of concern has its actions done: the closeout memo
        may be produced."""
        return not self.blockers


def closeout_state(db: Database, review_id: str) -> CloseoutState:
    with db.read() as s:
        if queries.get_live(s, Review, review_id) is None:
            raise NotFound("review", review_id)
        blockers = _blockers(s, review_id)
        ids = [f.id for f in queries.live(s, Finding, Finding.review_id == review_id)]
        actions = (
            queries.live(s, CorrectiveAction, col(CorrectiveAction.finding_id).in_(ids))
            if ids
            else []
        )
    state = CloseoutState(review_id, blockers, actions=len(actions))
    for a in actions:
        state.by_status[a.status] = state.by_status.get(a.status, 0) + 1
        if a.status == ActionStatus.DONE:
            state.done += 1
            state.on_time += a.on_time is True
            state.late += a.on_time is False
    return state
