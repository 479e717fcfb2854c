"""The "Connect to server" dialog: the first sync of a laptop that was never enrolled
asks for the central service's address and the one-time enrollment token an
administrator gave (`inspector-app server user add`). Connect stays disabled until
both are given and the address is an http(s) URL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def url_problem(text: str) -> str:
    """'' when `text` is a usable server address, else what is wrong with it (one line)."""
    text = text.strip()
    if not text:
        return "Enter the server's address."
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return "The address starts with https:// (for example https://inspector.example.gov)."
    if not parts.hostname or " " in text:
        return "The address needs a server name after https://."
    try:
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return "The port after ':' must be a number from 1 to 65535."
    if parts.query or parts.fragment:
        return "The address ends before any '?' or '#'."
    return ""


def url_warning(text: str) -> str:
    """A usable address that sends the token in the clear (plain http to another host)."""
    parts = urlsplit(text.strip())
    if parts.scheme.lower() == "http" and (parts.hostname or "") not in LOCAL_HOSTS:
        return "Plain http: the token travels unencrypted. Use https unless told otherwise."
    return ""


class ConnectDialog(QDialog):
    """Server address and enrollment token; `server()` / `token()` once accepted."""

    def __init__(self, parent: QWidget | None = None, server: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to server")
        self.setMinimumWidth(460)
        intro = QLabel(
            "This laptop has not synced yet. Enter the address of your office's Inspector "
            "server and the enrollment token your administrator gave you (it works once).",
            self,
        )
        intro.setWordWrap(True)
        self.url_edit = QLineEdit(server, self)
        self.url_edit.setPlaceholderText("https://inspector.example.gov")
        self.url_edit.setAccessibleName("Server address")
        self.token_edit = QLineEdit(self)
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("Enrollment token")
        self.token_edit.setAccessibleName("Enrollment token")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #a61b1b")
        form = QFormLayout()
        form.addRow("Server &address:", self.url_edit)
        form.addRow("Enrollment &token:", self.token_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Connect and sync")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.url_edit.textChanged.connect(self._validate)
        self.token_edit.textChanged.connect(self._validate)
        self._validate()

    def server(self) -> str:
        return self.url_edit.text().strip().rstrip("/")

    def token(self) -> str:
        return self.token_edit.text().strip()

    def problem(self) -> str:
        """Why Connect is disabled ('' when it is enabled)."""
        return url_problem(self.url_edit.text()) or (
            "" if self.token() else "Enter the enrollment token."
        )

    def _validate(self) -> None:
        problem = self.problem()
        self.ok_button.setEnabled(not problem)
        # Say what is wrong with the address once something is typed; the empty form
        # speaks for itself.
        typed = self.url_edit.text().strip()
        shown = url_problem(typed) if typed else ""
        self.hint.setStyleSheet("color: #a61b1b" if shown else "color: #7a5a00")
        self.hint.setText(shown or (url_warning(typed) if typed else ""))
        self.ok_button.setToolTip(problem)

    def accept(self) -> None:
        if self.problem():  # Enter pressed while Connect is disabled
            return
        super().accept()
