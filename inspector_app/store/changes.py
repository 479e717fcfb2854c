"""What one committed user action changed: one value per transaction (Anki's OpChanges).

The unit of work collects a RowChange for every row it saved or deleted and, after the
commit, hands the database's listeners a single Changes. Views ask it typed questions
(`touches_review`, `answers`, `schedule`...) instead of comparing table names, and a
view that cannot be affected does nothing.

Which tables count for what (keep in step with the reads the views make):
- schedule: anything a due date or due state is computed from (services.schedule):
  agreements and their agency, reviews (dates, status, finalization), findings (their
  kind decides the focus review), corrective actions, request forms, the FY plan.
  Answers, notes, interviews, photos, officers and reports never move a due date, so
  answering does not recompute the Due list.
- agencies: the agencies list and agency page (agencies, agreements, officers,
  training, field offices) plus reviews, which show there as past/next reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANSWER_TABLES = frozenset({"checklist_response", "interview_answer"})
FINDING_TABLES = frozenset({"finding"})
ACTION_TABLES = frozenset({"corrective_action"})
ATTACHMENT_TABLES = frozenset({"attachment"})
INTERVIEW_TABLES = frozenset({"interview"})
TRAINING_TABLES = frozenset({"officer", "training_record"})
REPORT_TABLES = frozenset({"report_artifact"})
SCHEDULE_TABLES = frozenset({
    "agency", "agreement", "review", "finding", "corrective_action", "info_request",
    "info_request_item", "plan_entry",
})  # fmt: skip
AGENCY_TABLES = frozenset({
    "field_office", "agency", "agreement", "officer", "training_record", "warrant_count",
    "review",
})  # fmt: skip


@dataclass(frozen=True)
class RowChange:
    """One row version a transaction wrote (op: insert, update or delete; rev: the
    revision written, so a view holding that revision already has nothing to read)."""

    table: str
    row_id: str
    review_id: str | None = None
    op: str = "update"
    rev: int = 0


@dataclass(frozen=True)
class Changes:
    """Everything one action changed. `everything`: a bulk write, reload all once."""

    action: str
    rows: tuple[RowChange, ...] = ()
    everything: bool = False
    review_ids: frozenset[str] = field(init=False)
    tables: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        ids = {r.review_id for r in self.rows if r.review_id}
        ids |= {r.row_id for r in self.rows if r.table == "review"}
        object.__setattr__(self, "review_ids", frozenset(ids))
        object.__setattr__(self, "tables", frozenset(r.table for r in self.rows))

    @classmethod
    def bulk(cls, action: str) -> Changes:
        """Too many rows to list (an import, a demo load): every view reloads once."""
        return cls(action, everything=True)

    # -- questions views ask ---------------------------------------------------------

    def touches_review(self, review_id: str) -> bool:
        return self.everything or review_id in self.review_ids

    def touches(self, tables: frozenset[str]) -> bool:
        return self.everything or not self.tables.isdisjoint(tables)

    def rows_of(self, table: str, review_id: str | None = None) -> tuple[RowChange, ...]:
        """The rows of `table` written (those of `review_id` only, if given)."""
        return tuple(r for r in self.rows if r.table == table
                     and (review_id is None or review_id in (r.review_id, r.row_id)))  # fmt: skip

    @property
    def answers(self) -> bool:
        return self.touches(ANSWER_TABLES)

    @property
    def findings(self) -> bool:
        return self.touches(FINDING_TABLES)

    @property
    def schedule(self) -> bool:
        """Could a due date or due state have moved (see the module docstring)?"""
        return self.touches(SCHEDULE_TABLES)

    @property
    def agencies(self) -> bool:
        return self.touches(AGENCY_TABLES)

    @property
    def training(self) -> bool:
        return self.touches(TRAINING_TABLES)

    @property
    def reports(self) -> bool:
        """Could the reports screen (kept reports, what can be produced) change?"""
        return self.touches(REPORT_TABLES | FINDING_TABLES | ACTION_TABLES | {"review"})

    @property
    def only_answers(self) -> bool:
        """Nothing but answers and notes: nothing outside a workspace can change."""
        return not self.everything and bool(self.tables) and self.tables <= ANSWER_TABLES
