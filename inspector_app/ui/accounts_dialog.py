"""File > Accounts… (an admin): who may sign in, with which roles (docs/security.md).

Lists the key file's accounts (name, roles, locked until, disabled) with Add…, Roles…
and Disable. Each change goes through services.accounts (admin only, audited; the last
admin is kept); a refusal is its one line in red.
"""

from __future__ import annotations

from collections.abc import Callable

from inspector_app.domain.errors import KnownError
from inspector_app.services import accounts
from inspector_app.services.accounts import AccountView
from inspector_app.store.database import Database
from inspector_app.store.keyfile import ROLES

from .passphrase_dialogs import new_passphrase_problem
from .qt import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from .sign_in_dialog import error_label, local_time, passphrase_field, roles_text

ROLE_ORDER = ("inspector", "supervisor", "program-manager", "admin")


class RolesForm(QDialog):
    """Roles as check boxes; with `new=True` also a name and a passphrase twice."""

    def __init__(self, title: str, roles: frozenset[str], parent: QWidget | None = None,
                 *, new: bool = False):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.new = new
        self.name = QLineEdit(self)
        self.passphrase = passphrase_field(self, f"At least {accounts.MIN_PASSPHRASE} characters")
        self.again = passphrase_field(self, "The same again")
        self.boxes = {r: QCheckBox(r, self) for r in ROLE_ORDER if r in ROLES}
        for role, box in self.boxes.items():
            box.setChecked(role in roles)
        form = QFormLayout()
        if new:
            form.addRow("&Name:", self.name)
            form.addRow("&Passphrase:", self.passphrase)
            form.addRow("&Again:", self.again)
        row = QHBoxLayout()
        for box in self.boxes.values():
            row.addWidget(box)
        form.addRow("Roles:", row)
        self.message = error_label(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def roles(self) -> frozenset[str]:
        return frozenset(r for r, box in self.boxes.items() if box.isChecked())

    def problem(self) -> str | None:
        if not self.roles():
            return "Choose at least one role."
        if not self.new:
            return None
        if not self.name.text().strip():
            return "Enter the new account's name."
        return new_passphrase_problem(self.passphrase.text(), self.again.text())

    def accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.message.setText(problem)
            return
        super().accept()


class AccountsDialog(QDialog):
    """The accounts of an encrypted database, for an admin."""

    COLUMNS = ("Name", "Roles", "Locked until", "Disabled")

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.form: RolesForm | None = None  # the open Add / Roles form (tests fill it)
        self.setWindowTitle("Accounts")
        self.resize(680, 360)
        self.table = QTreeWidget(self)
        self.table.setHeaderLabels(list(self.COLUMNS))
        self.table.setRootIsDecorated(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.add_button = QPushButton("&Add…", self)
        self.roles_button = QPushButton("&Roles…", self)
        self.disable_button = QPushButton("&Disable", self)
        self.add_button.clicked.connect(self.add)
        self.roles_button.clicked.connect(self.change_roles)
        self.disable_button.clicked.connect(self.disable)
        self.message = error_label(self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        side = QVBoxLayout()
        for button in (self.add_button, self.roles_button, self.disable_button):
            side.addWidget(button)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.table, 1)
        top.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Who may sign in to <b>{db.path.name}</b>. An account "
                                "signs in with its own passphrase.", self))  # fmt: skip
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.reload()

    def reload(self) -> None:
        self.table.clear()
        for acc in accounts.list_accounts(self.db):
            self.table.addTopLevelItem(QTreeWidgetItem(self._cells(acc)))
        for column in range(len(self.COLUMNS)):
            self.table.resizeColumnToContents(column)
        self._update_buttons()

    @staticmethod
    def _cells(acc: AccountView) -> list[str]:
        locked = local_time(acc.locked_until) if acc.locked_until else ""
        return [acc.name, roles_text(acc.roles), locked, "yes" if acc.disabled else ""]

    def selected(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].text(0) if items else None

    def select(self, name: str) -> None:
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item is not None and item.text(0) == name:
                self.table.setCurrentItem(item)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.roles_button.setEnabled(chosen)
        self.disable_button.setEnabled(chosen and self.selected() != self.db.user)

    def _run(self, change: Callable[[], None]) -> bool:
        try:
            change()
        except KnownError as exc:
            self.message.setText(str(exc))
            return False
        self.message.clear()
        self.reload()
        return True

    def _ask(self, form: RolesForm) -> bool:
        self.form = form
        try:
            return bool(form.exec())
        finally:
            self.form = None
            form.deleteLater()

    def add(self) -> None:
        form = RolesForm("Add an account", frozenset({"inspector"}), self, new=True)
        if self._ask(form):
            name, passphrase, roles = (form.name.text().strip(), form.passphrase.text(),
                                       form.roles())  # fmt: skip
            self._run(lambda: accounts.add_account(self.db, name, passphrase, roles))

    def change_roles(self) -> None:
        name = self.selected()
        if name is None:
            return
        current = next(a.roles for a in accounts.list_accounts(self.db) if a.name == name)
        form = RolesForm(f"Roles of {name}", current, self)
        if self._ask(form):
            roles = form.roles()
            self._run(lambda: accounts.set_roles(self.db, name, roles))

    def disable(self) -> None:
        name = self.selected()
        if name is not None:
            self._run(lambda: accounts.disable_account(self.db, name))
