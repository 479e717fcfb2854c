"""The fiscal-year JEM inspection plan dialog, opened from the Due view.

fy_plan_dialog(ctx, parent, fiscal_year) -> Plan | None: accept or change the plan.
It shares the base dialog (one-line refusals, StaleEdit handling) of lifecycle_dialogs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from inspector_app.services import schedule
from inspector_app.services.errors import StaleEdit

from .context import AppContext
from .errors import KNOWN_ERRORS, error_text
from .lifecycle_dialogs import ID_ROLE, _Dialog, _exec
from .qt import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QTableView,
    QWidget,
)


class FyPlanDialog(_Dialog):
    HEADERS = ["Inspect", "Agency", "Last inspection ended", "Due", "Why"]

    def __init__(self, ctx: AppContext, parent: QWidget | None, fiscal_year: int):
        super().__init__(ctx, parent, f"FY{fiscal_year} JEM inspection plan")
        self.fiscal_year = fiscal_year
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.model = QStandardItemModel(0, len(self.HEADERS), self)
        self.model.setHorizontalHeaderLabels(self.HEADERS)
        self.model.itemChanged.connect(lambda _item: self._update_summary())
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(self)
        self.accept_button = buttons.addButton(
            "Accept plan", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).clicked.connect(self.reject)
        self.accept_button.clicked.connect(self._on_accept)
        for w in (self.summary, self.table, self.error, buttons):
            self.layout_.addWidget(w)
        self.resize(860, 520)
        self.plan = self.run(schedule.fy_plan, ctx.db, fiscal_year)
        self._fill()

    def _fill(self) -> None:
        self.model.blockSignals(True)
        self.model.removeRows(0, self.model.rowCount())
        for r in self.plan.rows if self.plan else []:
            check = QStandardItem()
            check.setCheckable(True)
            check.setCheckState(Qt.CheckState.Checked if r.included else Qt.CheckState.Unchecked)
            check.setData(r.agreement_id, ID_ROLE)
            why = r.reason + ("" if r.included == r.proposed else " (changed from proposal)")
            self.model.appendRow([check, QStandardItem(f"{r.agency_name} ({r.agency_state})"),
                                  QStandardItem(r.last_review_end.isoformat()
                                                if r.last_review_end else "never"),
                                  QStandardItem(r.due.isoformat()), QStandardItem(why)])  # fmt: skip
        self.model.blockSignals(False)
        self._update_summary()

    def included(self) -> dict[str, bool]:
        out = {}
        for n in range(self.model.rowCount()):
            item = self.model.item(n, 0)
            out[item.data(ID_ROLE)] = item.checkState() == Qt.CheckState.Checked
        return out

    def _update_summary(self) -> None:
        if not self.plan:
            return
        chosen = self.included()
        n = sum(chosen.values())
        end = date(self.fiscal_year, 9, 30)
        gaps = [r for r in self.plan.rows if not chosen.get(r.agreement_id) and r.due <= end]
        text = (f"{n} of {len(self.plan.rows)} JEM LEAs planned (about half each year keeps "
                f"every LEA within two years). "
                f"{'Accepted.' if self.plan.accepted else 'Proposed, not yet accepted.'}")  # fmt: skip
        if gaps:
            text += (f"<br><span style='color:#a61b1b'>Left out although due by the end of "
                     f"FY{self.fiscal_year}: " + ", ".join(r.agency_name for r in gaps)
                     + " — they would pass two years.</span>")  # fmt: skip
        self.summary.setText(text)

    def _on_accept(self) -> None:
        self.error.clear()
        try:
            plan = schedule.save_plan(self.ctx.db, self.fiscal_year, included=self.included(),
                                      accept=True, based_on=self.plan)  # fmt: skip
        except StaleEdit as exc:
            # Someone saved the plan since it was shown: nothing was written. Their plan
            # becomes the base, the ticks here stay, and a second Accept keeps them.
            self.plan = self.run(schedule.fy_plan, self.ctx.db, self.fiscal_year) or self.plan
            self.error.setText(f"{exc} "
                               "Press Accept plan again to keep your choices.")  # fmt: skip
            return
        except KNOWN_ERRORS as exc:
            self.error.setText(error_text(exc))
            return
        self.result_ = plan
        self.accept()


def fy_plan_dialog(ctx: AppContext, parent: QWidget | None, fiscal_year: int) -> Any:
    return _exec(FyPlanDialog(ctx, parent, fiscal_year))
