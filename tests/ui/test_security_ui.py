"""The desktop side of issue 11: sign-in, idle lock, encrypt / change passphrase,
approve and sign, the plaintext notice (docs/security.md)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inspector_app.services.encryption import encrypt_database
from inspector_app.store import crypto
from inspector_app.store.database import Database
from inspector_app.store.keyfile import KeyFile, keyfile_path
from inspector_app.ui.idle_lock import IDLE_KEY, idle_minutes, set_idle_minutes
from inspector_app.ui.main_window import MainWindow
from inspector_app.ui.qt import QDialog, QSettings, Qt
from inspector_app.ui.sign_in_dialog import SignInDialog
from tests.conftest import copy_database
from tests.ui.conftest import make_ctx, wait_loaded

pytestmark = pytest.mark.gui

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN, LEAD, SUPERVISOR = "Ada Admin", "Dana Whitfield", "Sam Reyes"
PASS = "correct horse battery"
ROLES = {LEAD: frozenset({"inspector"}), SUPERVISOR: frozenset({"supervisor"})}
CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024, "ARGON2_PARALLELISM": 1}


class Clock:
    """An injectable now() that a test moves forward."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Key slots at the KDF's smallest cost (the template below is made with it too)."""
    for name, value in CHEAP_ARGON2.items():
        monkeypatch.setattr(crypto, name, value)


@pytest.fixture(scope="session")
def _encrypted_template(tmp_path_factory: pytest.TempPathFactory, _demo_template: Path) -> Path:
    """The demo, encrypted once per session: an admin, the lead inspector, a supervisor."""
    path = copy_database(_demo_template, tmp_path_factory.mktemp("enc-template") / "enc.db")
    saved = {name: getattr(crypto, name) for name in CHEAP_ARGON2}
    try:
        for name, value in CHEAP_ARGON2.items():
            setattr(crypto, name, value)
        data_key = encrypt_database(path, name=ADMIN, passphrase=PASS)
        keys = KeyFile.load(keyfile_path(path))
        for name, roles in ROLES.items():
            keys.add_account(name, PASS, roles, data_key, now=T0)
    finally:
        for name, value in saved.items():
            setattr(crypto, name, value)
    return path


@pytest.fixture
def enc_path(tmp_path: Path, _encrypted_template: Path) -> Path:
    path = copy_database(_encrypted_template, tmp_path / "enc.db")
    shutil.copy2(keyfile_path(_encrypted_template), keyfile_path(path))
    return path


@pytest.fixture
def window_of(qtbot) -> Iterator[Callable[..., MainWindow]]:  # noqa: ANN001
    """A MainWindow over a database (with an injected clock); closed with its database."""
    windows: list[MainWindow] = []

    def _open(db: Database, settings: QSettings, clock: Clock | None = None) -> MainWindow:
        window = MainWindow(make_ctx(db, settings), settings, clock=clock)
        window.owns_database = True
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        wait_loaded(qtbot, window.agencies, window.reviews, window.findings)
        windows.append(window)
        return window

    yield _open
    for window in windows:
        window.security.shutdown()
        if window.isVisible():
            window.close()
        window.ctx.db.close()


def _sign_in_dialog(qtbot, path: Path, clock: Clock) -> SignInDialog:  # noqa: ANN001
    dialog = SignInDialog(path, clock=clock)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _try(qtbot, dialog: SignInDialog, name: str, passphrase: str) -> None:  # noqa: ANN001
    dialog.name_box.setCurrentText(name)
    dialog.passphrase.setText(passphrase)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


@pytest.fixture
def lead_db(enc_path: Path) -> Database:
    from inspector_app.services.accounts import sign_in

    return sign_in(enc_path, LEAD, PASS, now=T0, daily_backup=False)


# --- sign-in ---------------------------------------------------------------------------


def test_wrong_passphrase_stays_then_right_one_opens_the_window(qtbot, enc_path, settings,
                                                                window_of):  # fmt: skip
    dialog = _sign_in_dialog(qtbot, enc_path, Clock())
    offered = [dialog.name_box.itemText(i) for i in range(dialog.name_box.count())]
    assert offered == sorted([ADMIN, LEAD, SUPERVISOR])  # read without unlocking anything
    _try(qtbot, dialog, LEAD, "not my passphrase")
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "wrong passphrase" in dialog.message.text() and "4 more tries" in dialog.message.text()
    assert dialog.passphrase.text() == "" and dialog.focusWidget() is dialog.passphrase
    _try(qtbot, dialog, "Nobody", PASS)
    assert "no account named 'Nobody'" in dialog.message.text()
    _try(qtbot, dialog, LEAD, PASS)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.db is not None
    window = window_of(dialog.db, settings)
    assert window.user_label.text() == f"Signed in: {LEAD} (inspector)"
    assert window.security.label.text() == "Encrypted"
    assert window.agencies.model.rowCount() > 0  # the window works on the decrypted data


def test_five_failures_lock_the_account_in_local_time(qtbot, enc_path):  # noqa: ANN001
    clock = Clock()
    dialog = _sign_in_dialog(qtbot, enc_path, clock)
    for _ in range(5):
        _try(qtbot, dialog, SUPERVISOR, "not my passphrase")
    until = (T0 + timedelta(minutes=10)).astimezone().strftime("%Y-%m-%d %H:%M")
    text = dialog.message.text()
    assert "is locked after 5 failed sign-ins" in text and f"until {until} (local time)" in text
    _try(qtbot, dialog, SUPERVISOR, PASS)  # the right one does not help while locked
    assert "is locked" in dialog.message.text() and dialog.isVisible()
    clock.advance(minutes=11)
    _try(qtbot, dialog, SUPERVISOR, PASS)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.db is not None
    dialog.db.close()


def test_quit_at_sign_in_exits_0(qapp, enc_path, monkeypatch):  # noqa: ANN001
    import sys

    from inspector_app.ui import launch as launch_mod

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # launch installs its own
    monkeypatch.setattr(SignInDialog, "exec", lambda self: self.quit_button.click() or 0)
    assert launch_mod.launch(["--db", str(enc_path)]) == 0


def test_plaintext_database_says_not_encrypted(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    assert window.security.label.text() == "Not encrypted"
    assert "Encrypt database" in window.security.label.toolTip()
    assert window.user_label.text() == "Signed in: Dana Whitfield"
    assert not window.commands["lock_now"].isEnabled()
    window.security.idle.check()  # no accounts: nothing ever locks
    assert not window.security.idle.locked


# --- idle lock -------------------------------------------------------------------------


def test_idle_lock_hides_the_content_until_the_passphrase(qtbot, lead_db, settings, window_of):  # noqa: ANN001
    clock = Clock()
    set_idle_minutes(settings, 5)
    window = window_of(lead_db, settings, clock)
    idle = window.security.idle
    clock.advance(minutes=4)
    qtbot.keyClick(window.reviews.search, Qt.Key.Key_A)  # input: the idle time starts again
    clock.advance(minutes=4)
    idle.check()
    assert not idle.locked
    clock.advance(minutes=1)
    idle.check()
    assert idle.locked and idle.dialog is not None and idle.dialog.isVisible()
    assert not window.centralWidget().isVisible()  # the reviews are not behind the lock
    assert "after 5 idle minutes" in idle.dialog.findChild(type(window.user_label)).text()
    idle.dialog.passphrase.setText("not my passphrase")
    qtbot.mouseClick(idle.dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert idle.locked and "wrong passphrase" in idle.dialog.message.text()
    assert idle.dialog.passphrase.text() == ""
    idle.dialog.reject()  # Escape does not unlock
    assert idle.locked
    idle.dialog.passphrase.setText(PASS)
    qtbot.mouseClick(idle.dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert not idle.locked and window.centralWidget().isVisible()


def test_lock_now_and_lockout_at_the_lock(qtbot, lead_db, settings, window_of):  # noqa: ANN001
    window = window_of(lead_db, settings, Clock())
    window.commands["lock_now"].trigger()
    dialog = window.security.idle.dialog
    assert dialog is not None and not window.centralWidget().isVisible()
    for _ in range(5):
        dialog.passphrase.setText("not my passphrase")
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert "is locked after 5 failed sign-ins" in dialog.message.text()
    assert "(local time)" in dialog.message.text()
    assert window.security.idle.locked


def test_idle_minutes_clamp_at_30(settings):  # noqa: ANN001
    assert idle_minutes(settings) == 15
    settings.setValue(IDLE_KEY, 45)
    assert idle_minutes(settings) == 30
    assert set_idle_minutes(settings, 99) == 30 and idle_minutes(settings) == 30
    assert set_idle_minutes(settings, 0) == 1
    settings.setValue(IDLE_KEY, "soon")
    assert idle_minutes(settings) == 15


# --- approve and sign ------------------------------------------------------------------


@pytest.fixture(scope="session")
def supervisor_p12() -> bytes:
    from tests.signing.certs import make_ca

    return make_ca().issue("Sam Reyes (Supervisor)")


def _reports(window: MainWindow):  # noqa: ANN202
    window.show_page("reports")
    return window.pages["reports"]


def _final_review(view) -> str:  # noqa: ANN001
    return next(rid for rid, row in view._reviews.items() if row[0] == "final")


@pytest.mark.slow
def test_supervisor_approves_and_signs_a_final_review(qtbot, enc_path, settings, window_of,
                                                      supervisor_p12, tmp_path):  # fmt: skip
    from inspector_app.services.accounts import sign_in
    from inspector_app.services.approval import approval_of
    from tests.signing.certs import PASSPHRASE

    db = sign_in(enc_path, SUPERVISOR, PASS, now=T0, daily_backup=False)
    view = _reports(window_of(db, settings))
    review_id = _final_review(view)
    view.select_review(review_id)
    assert view.approve_button.isEnabled() and not view.approval_label.text()
    dialog = view.open_approve_dialog()
    assert dialog is not None and dialog.isVisible()
    (tmp_path / "me.p12").write_bytes(supervisor_p12)
    out = tmp_path / "signed.pdf"
    dialog.p12_edit.setText(str(tmp_path / "me.p12"))
    dialog.out_edit.setText(str(out))
    dialog.p12_passphrase.setText("not the certificate's")
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.message.text()), timeout=10000)
    assert "passphrase" in dialog.message.text().lower() and not out.exists()
    assert approval_of(db, review_id) is None and dialog.p12_passphrase.text() == ""
    dialog.p12_passphrase.setText(PASSPHRASE.decode())
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.done_label.text()), timeout=20000)
    assert dialog.done_label.text().startswith("Signed by Sam Reyes (Supervisor) at ")
    assert f"saved to {out}" in dialog.done_label.text() and not dialog.message.text()
    assert out.read_bytes().startswith(b"%PDF")
    row = approval_of(db, review_id)
    assert row is not None and row.approved_by == SUPERVISOR
    dialog.close_button.click()
    qtbot.waitUntil(lambda: view.approval_label.text().startswith(f"Approved by {SUPERVISOR} "))
    assert not view.approve_button.isEnabled()
    assert view.approve_button.toolTip().startswith("already approved at this content")


def test_approve_is_disabled_with_the_reason(qtbot, lead_db, settings, window_of, demo_ctx,
                                             open_window):  # fmt: skip
    view = _reports(window_of(lead_db, settings))
    view.select_review(_final_review(view))
    assert not view.approve_button.isEnabled()
    assert "only a supervisor may approve" in view.approve_button.toolTip()
    assert view.open_approve_dialog() is None
    plain = _reports(open_window(demo_ctx, settings))  # plaintext: anyone, but only a final review
    draft = next(rid for rid, row in plain._reviews.items() if row[0] != "final")
    plain.select_review(draft)
    assert not plain.approve_button.isEnabled()
    assert "only a final review" in plain.approve_button.toolTip()
    plain.select_review(_final_review(plain))
    assert plain.approve_button.isEnabled()


# --- printing is audited ---------------------------------------------------------------


def _events(db: Database, event: str) -> list[tuple[str, str, str]]:
    with db.read() as s:
        driver = s.connection().connection.driver_connection
        assert driver is not None
        return [tuple(r) for r in driver.execute(
            'SELECT "user", entity, entity_id FROM audit_log WHERE event = ? ORDER BY id',
            (event,))]  # fmt: skip


def test_a_printed_report_is_in_the_audit_trail(qtbot, lead_db, settings, window_of,
                                                monkeypatch):  # fmt: skip
    from inspector_app.ui.qt import QPrintDialog
    from inspector_app.ui.reports_view import ReportWindow

    view = _reports(window_of(lead_db, settings))
    review_id = _final_review(view)
    view.select_review(review_id)
    view._on_produce()
    report = view.windows[-1]
    qtbot.waitUntil(lambda: report.act_print.isEnabled(), timeout=20000)
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QPrintDialog.DialogCode.Accepted)
    monkeypatch.setattr(ReportWindow, "print_to", lambda self, printer: 3)
    report.act_print.trigger()
    assert _events(lead_db, "print") == [(LEAD, "review", review_id)]
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QPrintDialog.DialogCode.Rejected)
    report.act_print.trigger()  # cancelled at the print dialog: nothing printed, nothing audited
    assert len(_events(lead_db, "print")) == 1
    report.close()


# --- encrypt and change passphrase -----------------------------------------------------


@pytest.mark.slow
def test_encrypt_from_the_menu_reopens_signed_in(qtbot, demo_db_path, settings, window_of,
                                                 monkeypatch):  # fmt: skip
    from inspector_app.services.encryption import is_encrypted
    from inspector_app.store.database import open_database
    from inspector_app.ui.passphrase_dialogs import EncryptDialog

    window = window_of(open_database(demo_db_path, user=LEAD, daily_backup=False), settings)
    assert window.commands["encrypt_database"].isEnabled()
    assert not window.commands["change_passphrase"].isEnabled()

    def fill(dialog: EncryptDialog) -> int:
        assert "cannot be recovered" in dialog.warning.text()
        assert "demo.db.keys" in dialog.warning.text() and dialog.account() == LEAD
        for first, again, said in [("short", "short", "at least 12 characters"),
                                   (PASS, PASS + "!", "differ")]:  # fmt: skip
            dialog.new.setText(first)
            dialog.again.setText(again)
            dialog.ok_button.click()
            assert said in dialog.message.text()
            assert dialog.result() != QDialog.DialogCode.Accepted
        dialog.new.setText(PASS)
        dialog.again.setText(PASS)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(EncryptDialog, "exec", fill)
    window.commands["encrypt_database"].trigger()
    qtbot.waitUntil(lambda: window.security.reopened is not None, timeout=30000)
    reopened = window.security.reopened
    qtbot.addWidget(reopened)
    try:
        assert is_encrypted(demo_db_path) and not window.isVisible()
        assert reopened.ctx.db.user == LEAD and reopened.ctx.db.roles == {"inspector", "admin"}
        assert reopened.user_label.text() == f"Signed in: {LEAD} (admin, inspector)"
        assert reopened.security.label.text() == "Encrypted"
        assert "demo.db.keys" in reopened.statusBar().currentMessage()
        wait_loaded(qtbot, reopened.agencies, reopened.reviews)
        assert reopened.agencies.model.rowCount() > 0  # the window works on the encrypted file
    finally:
        reopened.security.shutdown()
        reopened.close()
        reopened.ctx.db.close()


def test_change_passphrase_from_the_menu(qtbot, lead_db, enc_path, settings, window_of,
                                         monkeypatch):  # fmt: skip
    from inspector_app.services.accounts import sign_in
    from inspector_app.store.keyfile import WrongPassphrase
    from inspector_app.ui.passphrase_dialogs import ChangePassphraseDialog

    new = "a brand new passphrase"
    window = window_of(lead_db, settings, Clock())
    assert not window.commands["encrypt_database"].isEnabled()

    def fill(dialog: ChangePassphraseDialog) -> int:
        dialog.current.setText("not my passphrase")
        dialog.new.setText(new)
        dialog.again.setText(new)
        dialog.ok_button.click()
        assert "wrong passphrase" in dialog.message.text() and dialog.current.text() == ""
        dialog.current.setText(PASS)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(ChangePassphraseDialog, "exec", fill)
    window.commands["change_passphrase"].trigger()
    assert window.statusBar().currentMessage() == "Passphrase changed."
    with pytest.raises(WrongPassphrase):
        sign_in(enc_path, LEAD, PASS, now=T0, daily_backup=False)
    sign_in(enc_path, LEAD, new, now=T0, daily_backup=False).close()


# --- accounts (an admin) ---------------------------------------------------------------


def test_admin_adds_changes_and_disables_accounts(qtbot, enc_path, lead_db, settings,
                                                  window_of, monkeypatch):  # fmt: skip
    from inspector_app.services.accounts import list_accounts, sign_in
    from inspector_app.ui.accounts_dialog import AccountsDialog, RolesForm

    lead_window = window_of(lead_db, settings)
    assert not lead_window.commands["accounts"].isEnabled()
    assert "only an admin may manage accounts" in lead_window.commands["accounts"].toolTip()
    admin = sign_in(enc_path, ADMIN, PASS, now=T0, daily_backup=False)
    try:
        dialog = AccountsDialog(admin)
        qtbot.addWidget(dialog)
        names = [
            dialog.table.topLevelItem(i).text(0) for i in range(dialog.table.topLevelItemCount())
        ]
        assert names == sorted([ADMIN, LEAD, SUPERVISOR])

        def fill_new(form: RolesForm) -> int:
            form.name.setText("Kim New")
            form.passphrase.setText("short")
            form.again.setText("short")
            form.ok_button.click()
            assert "at least 12 characters" in form.message.text()
            form.passphrase.setText(PASS)
            form.again.setText(PASS)
            form.boxes["supervisor"].setChecked(True)
            form.ok_button.click()
            return form.result()

        monkeypatch.setattr(RolesForm, "exec", fill_new)
        dialog.add()
        kim = next(a for a in list_accounts(admin) if a.name == "Kim New")
        assert kim.roles == {"inspector", "supervisor"}
        dialog.select("Kim New")
        dialog.disable()
        assert next(a for a in list_accounts(admin) if a.name == "Kim New").disabled
        dialog.select(ADMIN)
        assert not dialog.disable_button.isEnabled()  # not oneself

        def drop_admin(form: RolesForm) -> int:
            form.boxes["admin"].setChecked(False)
            form.ok_button.click()
            return form.result()

        monkeypatch.setattr(RolesForm, "exec", drop_admin)
        dialog.change_roles()
        assert "last admin" in dialog.message.text()
    finally:
        admin.close()
