"""The review's findings: a table, counts by kind, and new / edit / remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector_app.domain.enums import FindingKind, ResponsibleParty
from inspector_app.domain.rules import FindingCounts
from inspector_app.services.forms import topics
from inspector_app.services.review_views import Finding

from ..qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QPainter,
    QPushButton,
    QSize,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from .checklist_model import AnyIndex

_COLUMNS = ["#", "Kind", "Topic", "Party", "Description"]
# labels looked up once: a member's .label goes through domain.labels on every call
_KIND_LABELS = {k: k.label for k in FindingKind}
_PARTY_LABELS = {p: p.label for p in ResponsibleParty}


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.findings: list[Finding] = []
        self._rows: list[tuple[str, ...]] = []
        self._topics = topics()

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self.findings = list(findings)
        # display text computed once here, not on every paint of every cell
        self._rows = [
            (
                f"F-{f.number}",
                _KIND_LABELS[FindingKind(f.kind)] if f.kind else "(no kind)",
                self._topics.get(f.topic or "", f.topic or "(no topic)"),
                _PARTY_LABELS[ResponsibleParty(f.responsible)] if f.responsible else "",
                " ".join(f.description.split()),
            )
            for f in self.findings
        ]
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.findings)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return len(_COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        f = self.findings[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return f.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return f.description
        return None


class _ElidedLabel(QLabel):
    """One line of plain text, cut with "…" when narrow; the whole text is its tooltip."""

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(
            self.fontMetrics().horizontalAdvance("⚠ 1 officer…"), super().sizeHint().height()
        )

    def paintEvent(self, event) -> None:  # noqa: ANN001, N802
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), text)


_NOTICE_STYLE = (
    "#training_notice { background: #fff4ce; border: 1px solid #e0b100; border-radius: 3px; }"
)


class FindingsPanel(QWidget):
    sig_new = Signal()
    sig_edit = Signal(str)  # finding id
    sig_remove = Signal(str)
    sig_training_finding = Signal()  # "Raise training finding…" on the lapsed-training notice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = FindingsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("findings_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        # compact rows and header: on a 600-pixel screen the panel has ~130 pixels, and
        # every pixel of chrome is a finding less
        row = self.table.fontMetrics().height() + 4
        self.table.verticalHeader().setDefaultSectionSize(row)
        self.table.verticalHeader().setMinimumSectionSize(row)
        header = self.table.horizontalHeader()
        header.setFixedHeight(row + 2)
        # fixed widths: measuring every row's contents would cost more than the rest
        for col, width in enumerate((48, 120, 300, 50)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(
            lambda idx: self.sig_edit.emit(idx.data(Qt.ItemDataRole.UserRole))
        )

        self.counts = QLabel(self)
        self.counts.setObjectName("finding_counts")
        self.new_button = QPushButton("New finding…", self)
        self.edit_button = QPushButton("Open…", self)
        self.remove_button = QPushButton("Remove", self)
        self.new_button.clicked.connect(self.sig_new)
        self.edit_button.clicked.connect(lambda: self._emit_selected(self.sig_edit))
        self.remove_button.clicked.connect(lambda: self._emit_selected(self.sig_remove))

        # shown when officers of the agency have lapsed training (set_lapsed_training), on
        # the title row rather than a row of its own: a row is a finding less at 600 pixels
        self.training_notice = QWidget(self)
        self.training_notice.setObjectName("training_notice")
        self.training_notice.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.training_notice.setStyleSheet(_NOTICE_STYLE)
        self.training_text = _ElidedLabel(self.training_notice)
        self.training_text.setObjectName("training_notice_text")
        self.training_button = QPushButton("Raise finding…", self.training_notice)
        self.training_button.setObjectName("raise_training_finding")
        self.training_button.setToolTip("Raise a training finding for these officers")
        self.training_button.clicked.connect(self.sig_training_finding)
        notice = QHBoxLayout(self.training_notice)
        notice.setContentsMargins(6, 0, 0, 0)
        notice.addWidget(self.training_text, 1)
        notice.addWidget(self.training_button)
        self.training_notice.hide()

        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Findings</b>", self))
        top.addWidget(self.counts)
        top.addWidget(self.training_notice)  # its text cut short ("…") when narrow
        top.addStretch(1)
        # the commands beside the table, not above it: one row more for the findings
        commands = QVBoxLayout()
        commands.setSpacing(4)
        for b in (self.new_button, self.edit_button, self.remove_button):
            commands.addWidget(b)
        commands.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(commands)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.set_findings([])

    def set_findings(self, findings: list[Finding]) -> FindingCounts:
        self.model.set_findings(findings)
        counts = FindingCounts.of(f.kind for f in findings if f.kind)
        self.counts.setText(
            f"Deficiencies: <b>{counts.deficiencies}</b> · "
            f"Areas of concern: <b>{counts.areas_of_concern}</b> · "
            f"Best practices: <b>{counts.best_practices}</b>"
        )
        self.edit_button.setEnabled(bool(findings))
        return counts

    def set_read_only(self, read_only: bool) -> None:
        self.new_button.setEnabled(not read_only)
        self.remove_button.setEnabled(not read_only)
        self.training_button.setEnabled(not read_only)

    def set_lapsed_training(self, names: list[str]) -> None:
        """Offer a training finding for these officers (none: hide the notice)."""
        self.training_notice.setVisible(bool(names))
        if names:
            whose = "1 officer's" if len(names) == 1 else f"{len(names)} officers'"
            self.training_text.setText(f"⚠ {whose} training has lapsed: {', '.join(names)}")

    def select_finding(self, finding_id: str) -> None:
        for row, f in enumerate(self.model.findings):
            if f.id == finding_id:
                self.table.selectRow(row)
                return

    def _emit_selected(self, signal) -> None:  # noqa: ANN001
        rows = self.table.selectionModel().selectedRows()
        if rows:
            signal.emit(rows[0].data(Qt.ItemDataRole.UserRole))
