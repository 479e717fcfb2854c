"""The finding editor: kind (with each definition beside it), topic, responsible
party, citation, description, evidence and evidence files.

It refuses to save without a kind and a topic and says why beside the field; the
service's own refusals (services.errors.Invalid names the field) land there too.

An existing finding is saved from the revision the editor loaded: if someone saved it
since (another window or instance), the save is refused (StaleEdit), the editor stays
open with the user's text, shows their change and offers "Keep mine" or "Load theirs".
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from inspector_app.domain.enums import FindingKind, ResponsibleParty
from inspector_app.services import attachments, findings, review_views
from inspector_app.services.errors import Invalid, ServiceError, StaleEdit
from inspector_app.services.findings import FindingDraft
from inspector_app.services.forms import topics
from inspector_app.services.review_views import Attachment, Finding

from ..qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QUndoStack,
    QVBoxLayout,
    QWidget,
)
from ..stale_edit import StaleEditBar
from .attachments_view import AttachmentList

_ERROR_STYLE = "color: #b3261e;"
# Who must fix the finding, as the editor offers it (the forms prefill it per item).
RESPONSIBLE_LABELS = {
    ResponsibleParty.LEA: "LEA (its officers or jail)",
    ResponsibleParty.ICE: "ICE (field office / supervisors)",
    ResponsibleParty.BOTH: "Both ICE and the LEA",
}


def _error_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setStyleSheet(_ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class FindingEditor(QDialog):
    """New finding (from a draft) or an existing one (finding_id). `.finding_id` after saving."""

    def __init__(self, ctx, parent: QWidget | None = None, *, draft: FindingDraft | None = None,  # noqa: ANN001
                 finding_id: str | None = None, review_id: str | None = None,
                 read_only: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.draft = draft
        self.finding_id = finding_id
        self.read_only = read_only
        self.pending_files: list[Path] = []
        self.base_rev: int | None = None  # the revision of the finding being edited
        self.loaded: dict[str, str | None] = {}  # the values it was opened with
        finding: Finding | None = None
        existing: list[Attachment] = []
        if finding_id:
            finding = review_views.finding(ctx.db, finding_id)
            if finding is None:
                raise Invalid("finding_id", f"no finding with id {finding_id!r}")
            existing = review_views.finding_attachments(ctx.db, finding_id)
        self.review_id = finding.review_id if finding else (draft.review_id if draft else review_id)
        if self.review_id is None:
            raise ValueError("FindingEditor needs a draft, a finding_id or a review_id")
        self.setWindowTitle(f"Finding F-{finding.number}" if finding else "New finding")
        self.setMinimumWidth(640)

        # kind: one radio button per kind with its definition beside it
        kind_box = QWidget(self)
        kind_grid = QGridLayout(kind_box)
        kind_grid.setContentsMargins(0, 0, 0, 0)
        self.kind_buttons: dict[FindingKind, QRadioButton] = {}
        for row, kind in enumerate(FindingKind):
            button = QRadioButton(kind.label, kind_box)
            button.setObjectName(f"kind_{kind.value}")
            definition = QLabel(kind.definition, kind_box)
            definition.setWordWrap(True)
            definition.setStyleSheet("color: #555;")
            kind_grid.addWidget(button, row, 0)
            kind_grid.addWidget(definition, row, 1)
            self.kind_buttons[kind] = button
        kind_grid.setColumnStretch(1, 1)
        self.kind_error = _error_label(self, "kind_error")

        self.topic = QComboBox(self)
        self.topic.setObjectName("topic")
        self.topic.addItem("— choose a topic —", None)
        for code, title in topics().items():
            self.topic.addItem(title, code)
        self.topic_error = _error_label(self, "topic_error")

        self.responsible = QComboBox(self)
        self.responsible.setObjectName("responsible")
        for party in ResponsibleParty:
            self.responsible.addItem(RESPONSIBLE_LABELS[party], party.value)
        self.citation = QLineEdit(self)
        self.citation.setObjectName("citation")
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("description")
        self.evidence = QPlainTextEdit(self)
        self.evidence.setObjectName("evidence")
        self.evidence.setMaximumHeight(80)
        self.other_error = _error_label(self, "other_error")
        self.stale = StaleEditBar(self, {"kind": "Kind", "topic": "Topic",
                                         "responsible": "Responsible"})  # fmt: skip
        self.stale.sig_keep_mine.connect(self.keep_mine)
        self.stale.sig_load_theirs.connect(self.load_theirs)

        # Photos open in the viewer (caption, markup); a removal is undone here. (The
        # stack before the list: it is destroyed first, its last signals find the list.)
        self.file_undo = QUndoStack(self)
        self.files = AttachmentList(self)
        self.files.setMinimumHeight(128)  # one row of thumbnails with their names, whole
        self.files.setMaximumHeight(150)
        self.files.bind(ctx.db, self.file_undo, lambda exc: self._show_error("file", str(exc)),
                        lambda: self.read_only)  # fmt: skip
        self.files.sig_changed.connect(self._reload_files)
        self.file_undo.indexChanged.connect(lambda _i: self._reload_files())
        self.attach_button = QPushButton("Attach evidence files…", self)
        self.attach_button.setObjectName("attach_evidence")
        self.attach_button.clicked.connect(self._on_attach)
        self.undo_button = QPushButton("Undo", self)
        self.undo_button.setObjectName("undo_file")
        self.undo_button.setToolTip("Undo the last removal, markup or caption of a file")
        self.undo_button.setAutoDefault(False)
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.file_undo.undo)
        self.file_undo.canUndoChanged.connect(self.undo_button.setEnabled)
        self._existing = existing

        form = QFormLayout()
        form.addRow("Kind", kind_box)
        form.addRow("", self.kind_error)
        form.addRow("Topic", self.topic)
        form.addRow("", self.topic_error)
        form.addRow("Responsible", self.responsible)
        form.addRow("Citation", self.citation)
        form.addRow("Description", self.description)
        form.addRow("Evidence", self.evidence)
        files_row = QHBoxLayout()
        files_row.addWidget(self.files, 1)
        file_buttons = QVBoxLayout()
        file_buttons.addWidget(self.attach_button)
        file_buttons.addWidget(self.undo_button)
        file_buttons.addStretch(1)
        files_row.addLayout(file_buttons)
        form.addRow("Files", files_row)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.stale)
        layout.addWidget(self.other_error)
        layout.addWidget(self.buttons)

        self._fill(finding, draft)
        self._show_files()
        if read_only:
            for w in (
                *self.kind_buttons.values(),
                self.topic,
                self.responsible,
                self.attach_button,
            ):
                w.setEnabled(False)
            for w in (self.citation, self.description, self.evidence):
                w.setReadOnly(True)
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)

    # -- values ---------------------------------------------------------------------

    def _fill(self, finding: Finding | None, draft: FindingDraft | None) -> None:
        source = finding or draft
        if source is None:
            return
        if finding is not None:
            self.base_rev = finding.rev
        if source.kind:
            self.kind_buttons[FindingKind(source.kind)].setChecked(True)
        if source.topic:
            self.topic.setCurrentIndex(max(0, self.topic.findData(source.topic)))
        self.responsible.setCurrentIndex(max(0, self.responsible.findData(str(source.responsible))))
        self.citation.setText(source.citation)
        self.description.setPlainText(source.description)
        if finding is not None:
            self.evidence.setPlainText(finding.evidence)
            self.loaded = self.values()

    def kind(self) -> FindingKind | None:
        return next((k for k, b in self.kind_buttons.items() if b.isChecked()), None)

    def values(self) -> dict[str, str | None]:
        kind = self.kind()
        return {
            "kind": kind.value if kind else None,
            "topic": self.topic.currentData(),
            "responsible": self.responsible.currentData(),
            "citation": self.citation.text().strip(),
            "description": self.description.toPlainText().strip(),
            "evidence": self.evidence.toPlainText().strip(),
        }

    # -- saving ---------------------------------------------------------------------

    def _show_error(self, field: str, message: str) -> None:
        label = {"kind": self.kind_error, "topic": self.topic_error}.get(field, self.other_error)
        label.setText(message if label is not self.other_error else f"{field}: {message}")
        label.show()

    def _clear_errors(self) -> None:
        for label in (self.kind_error, self.topic_error, self.other_error):
            label.clear()
            label.hide()

    def _add(self, values: dict[str, str | None]) -> str:
        """Record the new finding (kind and topic checked by save); its id."""
        kind, topic, draft = values.pop("kind"), values.pop("topic"), self.draft
        assert kind and topic and self.review_id, "save checked them; __init__ the review"
        finding = findings.add_finding(
            self.ctx.db, review_id=self.review_id, kind=kind, topic=topic,
            responsible=values["responsible"] or ResponsibleParty.LEA.value,
            citation=values["citation"] or "", description=values["description"] or "",
            evidence=values["evidence"] or "",
            item_key=draft.item_key if draft else None,
            interview_answer_id=draft.interview_answer_id if draft else None,
        )  # fmt: skip
        return finding.id

    def save(self) -> bool:
        """Save and close; False (dialog stays open, reason beside the field) if refused."""
        if self.read_only:
            return False
        self._clear_errors()
        values = self.values()
        missing = False
        if not values["kind"]:
            self._show_error("kind", "Choose a kind: deficiency, area of concern or best practice.")
            missing = True
        if not values["topic"]:
            self._show_error("topic", "Choose the topic the finding falls under.")
            missing = True
        if missing:
            return False
        try:
            if self.finding_id:
                findings.update_finding(
                    self.ctx.db, self.finding_id, base_rev=self.base_rev, **values
                )
            else:
                self.finding_id = self._add(values)
            for path in self.pending_files:
                attachments.add_attachment(self.ctx.db, source=path, finding_id=self.finding_id,
                                           review_id=self.review_id)  # fmt: skip
            self.pending_files = []
        except StaleEdit as exc:  # someone saved it since it was opened: keep the user's text
            self.stale.show_conflict(exc, self.loaded)
            return False
        except Invalid as exc:
            self._show_error(exc.field, exc.message)
            return False
        except ServiceError as exc:
            self._show_error("finding", str(exc))
            return False
        self.stale.clear()
        self.accept()
        return True

    def keep_mine(self) -> bool:
        """Save the user's version over the one saved meanwhile (deliberately)."""
        exc = self.stale.exc
        if exc is None:
            return False
        self.base_rev = exc.current_rev
        return self.save()

    def load_theirs(self) -> None:
        """Replace the fields with the finding as saved now (the user's text is dropped)."""
        finding = review_views.finding(self.ctx.db, self.finding_id)
        self.stale.clear()
        self._clear_errors()
        if finding is None:
            self._show_error("finding", "it was removed meanwhile; Cancel to close")
            return
        self._fill(finding, None)

    def _on_attach(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Attach evidence", "", "All files (*)")
        self.pending_files.extend(Path(n) for n in names)
        self._show_files()

    def _reload_files(self) -> None:
        """After a file was removed, restored, marked up or captioned."""
        if self.finding_id:
            self._existing = review_views.finding_attachments(self.ctx.db, self.finding_id)
        self._show_files()

    def _show_files(self) -> None:
        # Files chosen for a finding not yet saved are stored with it on Save.
        local: dict[str, Path] = {}
        pending = []
        for path in self.pending_files:
            record = review_views.attachment_record(
                path.name, path.stat().st_size if path.exists() else 0
            )
            record.mime_type = mimetypes.guess_type(path.name)[0] or record.mime_type
            local[record.id] = path  # its thumbnail from the file chosen
            pending.append(record)
        self.files.show_attachments(self.ctx.db.attachments_dir, self._existing + pending, local)
