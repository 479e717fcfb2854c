"""`python -m inspector_app.ui.gallery OUTDIR`: a picture of every view, without a display.

Runs offscreen on a demo database created in a temporary folder (never the user's
data), opens the main window at 1280x800 and saves one PNG per view. Used to look at
the UI from a headless machine and for the README's pictures.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KNOWN_ERRORS

if TYPE_CHECKING:
    from inspector_app.store.database import Database

SIZE = (1280, 800)
SMALL_SCREENS = [(1366, 768), (1024, 600)]


def _settle(app: object, seconds: float = 0.4, until: Callable[[], bool] | None = None) -> None:
    """Let queued events, background loads and repaints finish."""
    deadline = time.monotonic() + 10
    end = time.monotonic() + seconds
    while time.monotonic() < end or (until is not None and not until()):
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)
        if time.monotonic() > deadline:
            break


def _save(widget: object, path: Path, app: object) -> Path:
    _settle(app)
    pixmap = widget.grab()  # type: ignore[attr-defined]
    # Colour PNG of a flat UI: small enough for the README without losing legibility.
    pixmap.toImage().save(str(path), "PNG", 9)
    return path


def _agency_to_show(db: Database, rows: list[Any]) -> str:
    """The agency whose page shows the most: lapsed training first, then reviews."""
    from .agency_page import load_agency

    def score(agency_id: str) -> tuple[int, int]:
        details = load_agency(db, agency_id, date.today())
        if details is None:
            return (0, 0)
        return (sum(not o.compliant for o in details.officers), len(details.reviews))

    return max((r.id for r in rows), key=score)


def _approval_dialog(ctx: Any, rows: list[Any]) -> Any:
    """The Approve and sign dialog over the demo's final JEM inspection, filled in."""
    from .approve_dialog import ApproveDialog, signed_name

    final = next(r for r in rows if r.review.status == "final")
    title = f"{final.agency_name} · JEM inspection · {final.review.start_date}"
    dialog = ApproveDialog(ctx, final.review.id, title, final.agency_name)
    dialog.p12_edit.setText("~/certificates/sam-reyes-supervisor.p12")
    dialog.p12_passphrase.setText("certificate passphrase")
    dialog.out_edit.setText(f"~/Documents/{signed_name(final.agency_name, final.review.id)}")
    dialog.out_edit.setCursorPosition(0)
    return dialog


def _record_dialogs(ctx: Any, rows: list[Any]) -> list[tuple[str, Any]]:
    """The New agency dialog filled in, and New officer with a refusal shown."""
    from .record_dialogs import AgencyDialog, OfficerDialog

    agency = AgencyDialog(ctx)
    agency.name.setText("Harlan County Sheriff's Office")
    agency.state.setText("GA")
    agency.county.setText("Harlan")
    officer = OfficerDialog(ctx, agency_id=_agency_to_show(ctx.db, rows))
    officer.credential.setText("W-1000")
    officer.submit()  # refused: the name is required, said in one red line
    return [("14-new-agency", agency), ("15-officer", officer)]


def _sign_in_dialog(path: Path) -> Any:
    """The demo encrypted (an inspector and a supervisor), then its sign-in dialog with
    one wrong passphrase tried: what a person sees after a typo."""
    from inspector_app.services.encryption import encrypt_database
    from inspector_app.store.keyfile import KeyFile, keyfile_path

    from .sign_in_dialog import SignInDialog

    data_key = encrypt_database(path, name="Dana Whitfield", passphrase="gallery passphrase 1")
    KeyFile.load(keyfile_path(path)).add_account(
        "Sam Reyes", "gallery passphrase 2", frozenset({"supervisor"}), data_key
    )
    dialog = SignInDialog(path, user="Dana Whitfield")
    dialog.passphrase.setText("not the passphrase")
    dialog.accept()
    dialog.passphrase.setText("typing again")
    return dialog


def _repeat_group_review(db: Database) -> str:
    """A JEM inspection on the current checklist (version 2), its case files checked one
    by one (a repeated section), with the lapsed-training follow-ups shown."""
    from inspector_app.services import reviews
    from inspector_app.services.review_views import review_rows

    planned = next(r for r in review_rows(db)
                   if r.review.kind == "jem_inspection" and r.review.status == "planned")  # fmt: skip
    review_id = reviews.start_review(db, planned.review.id).id
    answers = {
        "facility.processing_observed": "yes", "facility.only_designated_officers": "yes",
        "training.any_lapsed": "yes", "case_documents[]": "1,2,3",
        "case_documents[1].reference": "A-208-114-372", "case_documents[1].i213_complete": "yes",
        "case_documents[1].i213_reviewed": "yes", "case_documents[1].i200_signed": "yes",
        "case_documents[2].reference": "A-209-551-806", "case_documents[2].i213_complete": "no",
        "case_documents[2].i213_reviewed": "yes",
        "case_documents[3].reference": "BK-2026-04417",
    }  # fmt: skip
    for key, value in answers.items():
        reviews.record_answer(db, review_id=review_id, item_key=key, value=value)
    reviews.set_note(db, review_id=review_id, item_key="case_documents[2].i213_complete",
                     note="Narrative omits the criminal history found in the fingerprint results.")  # fmt: skip
    return review_id


def _photo_markup(ctx: Any, review_id: str, parent: Any) -> Any:  # noqa: ANN401
    """The photo viewer on the review's first photo, marked up (the markup not saved)."""
    from inspector_app.services import attachments
    from inspector_app.services.review_views import review_attachments

    from .photo_viewer import PhotoViewer
    from .qt import QPointF, QRectF, QUndoStack
    from .workspace.attachments_view import ListActions

    photos = [a for a in review_attachments(ctx.db, review_id) if attachments.is_image(a)]
    if not photos:
        return None
    actions = ListActions(ctx.db, QUndoStack(parent), lambda exc: print(exc), lambda: False)
    viewer = PhotoViewer(actions, photos, 0, parent)
    viewer.resize(1000, 700)
    viewer.start_markup()
    view = viewer.view
    view.add_ellipse(QRectF(26, 122, 236, 54))  # around the poster's words
    view.add_arrow(QPointF(400, 250), QPointF(270, 165))
    view.add_text(QPointF(250, 255), "English only")
    return viewer


def _help_window(window: Any) -> Any:  # noqa: ANN401
    """F1 in the JEM inspection's checklist: the help window at the checklist topic,
    with a word searched (the topics that hold it, the word marked in the text)."""
    window.show_help()
    help_window = window.help_window
    help_window.resize(980, 660)
    help_window.search.setText("poster")
    return help_window


def run(outdir: Path) -> list[Path]:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    work = Path(tempfile.mkdtemp(prefix="inspector-gallery-"))
    os.environ["INSPECTOR_DATA_DIR"] = str(work / "data")  # never the user's data folder
    outdir.mkdir(parents=True, exist_ok=True)

    from inspector_app.services.demo import seed_demo
    from inspector_app.services.review_views import review_rows
    from inspector_app.store.database import open_database

    from .context import AppContext
    from .launch import make_application
    from .main_window import MainWindow
    from .qt import QSettings

    app = make_application()
    db = open_database(work / "demo.db", user="Dana Whitfield", daily_backup=False)
    seed_demo(db)
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(db, settings)
    window = MainWindow(ctx, settings)
    window.resize(*SIZE)
    window.show()
    pages = (window.agencies, window.reviews, window.findings)
    _settle(app, 0.5, until=lambda: all(p.loaded_once for p in pages))
    saved: list[Path] = []

    def shot(name: str, widget: object = window) -> None:
        saved.append(_save(widget, outdir / f"{name}.png", app))
        print(f"saved {outdir / (name + '.png')}")

    shot("01-agencies")
    rows = review_rows(db)
    jem = next(r for r in rows if r.review.kind == "jem_inspection" and r.review.start_date)
    wso = next(r for r in rows if r.review.kind == "wso_review" and r.review.start_date)
    window.show_agency(_agency_to_show(db, window.agencies.model.rows))
    shot("02-agency-page")
    window.show_page("reviews")
    shot("03-reviews")
    workspace = window.open_review(jem.review.id)
    shot("04-jem-inspection-workspace")
    for width, height in SMALL_SCREENS:  # a 13-inch laptop's screens
        window.resize(width, height)
        shot(f"workspace-{width}x{height}")
    window.resize(*SIZE)
    wso_workspace = window.open_review(wso.review.id)
    tabs = getattr(wso_workspace, "tabs", None)
    if tabs is not None:
        tabs.setCurrentIndex(1)  # the officer interviews
    shot("05-wso-review-interviews")
    window.open_review(jem.review.id)
    data = getattr(workspace, "data", None)
    open_finding = getattr(workspace, "open_finding", None)
    if data is not None and data.findings and callable(open_finding):
        editor = open_finding(data.findings[0].id)
        _settle(app)
        shot("06-finding-editor", editor)
        editor.close()
    viewer = _photo_markup(ctx, jem.review.id, window)
    if viewer is not None:
        viewer.show()
        shot("16-photo-markup", viewer)
        viewer.cancel_markup()
        viewer.close()
    help_window = _help_window(window)
    shot("17-help", help_window)
    help_window.close()
    window.show_page("findings")
    shot("07-findings")
    window.show_page("due")
    shot("08-due")
    try:  # one kept report, so the reports view has something to list
        from inspector_app.services.report_service import render_report

        render_report(db, "inspection", jem.review.id)
    except KNOWN_ERRORS as exc:  # the gallery still shows the empty view
        print(f"no report rendered: {exc}")
    window.show_page("reports")
    shot("09-reports")
    window.show_page("program")
    program = window.pages["program"]
    _settle(app, 1.0, until=lambda: getattr(program, "data", None) is not None)
    shot("10-program")
    approve = _approval_dialog(ctx, rows)
    approve.show()
    shot("13-approval", approve)
    approve.close()
    for name, dialog in _record_dialogs(ctx, window.agencies.model.rows):
        dialog.show()
        shot(name, dialog)
        dialog.close()
    repeats = window.open_review(_repeat_group_review(db))
    view = getattr(getattr(repeats, "checklist", None), "view", None)
    if view is not None and view.select_key("case_documents[2].i213_complete"):
        _settle(app)
        shot("18-repeat-group")
    window.close()
    ctx.close()
    db.close()
    sign_in = _sign_in_dialog(work / "demo.db")
    sign_in.show()
    shot("12-sign-in", sign_in)
    sign_in.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0].startswith("-"):
        sys.stderr.write("usage: python -m inspector_app.ui.gallery OUTDIR\n")
        return 2
    run(Path(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
