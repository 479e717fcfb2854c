"""Opening a big review in the workspace, against a bare table of the same rows.

    .venv/bin/python bench/open_review.py [--items 300] [--findings 60] [--files 20] [--runs 7]

Setup: no shipped form has 300 items, so a generated JEM checklist of --items items
is written to a temporary forms folder (with copies of forms/topics.yaml and
forms/references.yaml) and the services' form registry is pointed at it
(services.forms.forms_dir is replaced and registry.cache_clear() called). A review
of that form is answered in full, with --findings findings and --files photo
attachments, in a temporary database.

Measured (median of --runs, after one warm-up each):
  figure   : ReviewWorkspace(ctx, review_id) built, shown, and its first paint processed
  baseline : the 300 responses read with one query into a QAbstractTableModel, shown in
             a bare QTableView, first paint processed - in the same run
Target: under 200 ms, ratio under 2x.

With encryption on: the same review built in an encrypted (SQLCipher, keyed open, files
AES-GCM) database, and its workspace opened the same way, interleaved run by run with
the plaintext one; printed: the encrypted figure, the plaintext baseline (the figure
above) and the ratio encrypted/plaintext.

Then, on the demo database, the longest GUI-thread handler times (target < 100 ms):
answering by keyboard, moving between items, saving a note, raising a finding
(the editor opening), opening the interviews tab and a WSO workspace.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402

from inspector_app.domain.forms import load_references  # noqa: E402
from inspector_app.paths import forms_dir  # noqa: E402
from inspector_app.services import agencies, attachments, findings, reviews  # noqa: E402
from inspector_app.services import forms as form_service  # noqa: E402
from inspector_app.store import queries  # noqa: E402
from inspector_app.store.database import open_database  # noqa: E402
from inspector_app.store.models import ChecklistResponse  # noqa: E402
from inspector_app.ui.context import AppContext  # noqa: E402
from inspector_app.ui.qt import (  # noqa: E402
    QAbstractTableModel,
    QApplication,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    QTableView,
    QWidget,
)

TOPICS = ["training", "complaints", "interpreter", "processing", "detainers", "authorization"]


def write_big_form(folder: Path, n_items: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(forms_dir() / "topics.yaml", folder / "topics.yaml")
    shutil.copy(forms_dir() / "references.yaml", folder / "references.yaml")
    citations = sorted(load_references(folder))
    per_section = 30
    sections = []
    for s in range(0, n_items, per_section):
        items = []
        for i in range(s, min(s + per_section, n_items)):
            items.append({
                "key": f"s{s // per_section}.item_{i:03d}",
                "prompt": f"Item {i + 1}: was the 287(g) requirement number {i + 1} met on site?",
                "answer": "yes_no_na",
                "help": "Check the records and observe the procedure; say what you saw in the note.",
                "citation": citations[i % len(citations)],
                "topic": TOPICS[i % len(TOPICS)],
                "responsible": ("lea", "ice", "both")[i % 3],
                "on_failure": "deficiency" if i % 2 else "area_of_concern",
            })  # fmt: skip
        sections.append({"key": f"s{s // per_section}", "title": f"Section {s // per_section + 1}",
                         "items": items})  # fmt: skip
    form = {"id": "jem_inspection", "version": 1, "title": "Generated JEM checklist",
            "program": "JEM", "kind": "checklist", "review_kind": "jem_inspection",
            "sections": sections}  # fmt: skip
    (folder / "jem_inspection.v1.yaml").write_text(yaml.safe_dump(form, sort_keys=False))


def jpeg(n: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), (20 + 9 * n % 200, 90, 140)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def build_review(db, n_findings: int, n_files: int) -> str:  # noqa: ANN001
    office = agencies.create_field_office(db, name="Atlanta", code="ATL", state="GA")
    agency = agencies.create_agency(db, name="Bench County Sheriff's Office", state="GA",
                                    field_office_id=office.id)  # fmt: skip
    agencies.create_agreement(db, agency_id=agency.id, model="JEM", signed_on=date(2024, 1, 1))
    review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection")
    review = reviews.start_review(db, review.id)
    items = list(reviews.form_for(review).items())
    for n, item in enumerate(items):
        reviews.record_answer(db, review_id=review.id, item_key=item.key,
                              value="no" if n % 5 == 0 else "yes",
                              note="Seen on site." if n % 3 == 0 else None)  # fmt: skip
    for n in range(n_findings):
        item = items[(n * 5) % len(items)]
        findings.add_finding(db, review_id=review.id, kind=item.on_failure, topic=item.topic,
                             citation=item.citation, description=f"Finding {n + 1}: {item.prompt}",
                             item_key=item.key)  # fmt: skip
    for n in range(n_files):
        attachments.add_attachment(db, source=jpeg(n), filename=f"photo-{n + 1}.jpg",
                                   review_id=review.id, item_key=items[n * 3].key)  # fmt: skip
    return review.id


class _Painted(QObject):
    """Notes the first paint of a widget."""

    def __init__(self, target: QWidget) -> None:
        super().__init__()
        self.done = False
        target.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: ANN001, N802
        if event.type() == QEvent.Type.Paint:
            self.done = True
        return False


def until_painted(app: QApplication, target: QWidget) -> None:
    painted = _Painted(target)
    deadline = time.perf_counter() + 10
    while not painted.done and time.perf_counter() < deadline:
        app.processEvents()
    target.removeEventFilter(painted)


class BareModel(QAbstractTableModel):
    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 3

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        return None


def open_bare(app: QApplication, db, review_id: str) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    with db.read() as s:
        rows = queries.live(s, ChecklistResponse, ChecklistResponse.review_id == review_id)
    view = QTableView()
    view.setModel(BareModel([(r.item_key, r.value or "", r.note) for r in rows]))
    view.resize(1280, 860)
    view.show()
    until_painted(app, view.viewport())
    elapsed = time.perf_counter() - t0
    view.close()
    view.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # really delete it
    return elapsed


def open_workspace(app: QApplication, ctx: AppContext, review_id: str) -> float:
    from inspector_app.ui.workspace import ReviewWorkspace

    t0 = time.perf_counter()
    ws = ReviewWorkspace(ctx, review_id)
    ws.resize(1280, 860)
    ws.show()
    until_painted(app, ws.checklist.view.viewport())
    elapsed = time.perf_counter() - t0
    ws.shutdown()
    ws.close()
    ws.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # delete it now
    return elapsed


def encrypted_copy(tmp: Path, n_findings: int, n_files: int):  # noqa: ANN201
    """An encrypted database holding the same review: (database, review id, setup s)."""
    from inspector_app.store.keyfile import KeyFile, keyfile_path

    path = tmp / "bench-encrypted.db"
    _, key = KeyFile.create(keyfile_path(path), "Bench", "bench-pass", frozenset({"inspector"}))
    db = open_database(path, user="Bench", daily_backup=False, data_key=key)
    t0 = time.perf_counter()
    review_id = build_review(db, n_findings, n_files)
    return db, review_id, time.perf_counter() - t0


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def handler_times(app: QApplication, tmp: Path) -> dict[str, float]:
    """The longest GUI-thread handlers on the demo data, in ms (max over repeats)."""
    from inspector_app.services.demo import seed_demo
    from inspector_app.ui.qt import QKeyEvent

    def press(widget: QWidget, key: Qt.Key) -> None:
        event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)

    from inspector_app.ui.workspace import ReviewWorkspace

    form_service.registry.cache_clear()
    path = tmp / "demo.db"
    db = open_database(path, user="Dana Whitfield", daily_backup=False)
    seed_demo(db, today=date(2026, 11, 2))
    ctx = AppContext(db)
    with db.read() as s:
        rows = queries.list_reviews(s)
    jem = next(r.review.id for r in rows if r.review.kind == "jem_inspection"
               and r.review.status == "report_draft")  # fmt: skip
    wso = next(r.review.id for r in rows if r.review.kind == "wso_review"
               and r.review.status == "in_progress")  # fmt: skip
    form_service.registry()  # loaded once at start-up in the app
    out: dict[str, float] = {}

    def note(name: str, ms: float) -> None:
        out[name] = max(out.get(name, 0.0), ms)

    def one_round() -> None:
        ws = None

        def make(rid: str) -> None:
            nonlocal ws
            ws = ReviewWorkspace(ctx, rid)
            ws.resize(1280, 860)
            ws.show()
            until_painted(app, ws.checklist.view.viewport())

        note("open demo JEM workspace", timed(lambda: make(jem)))
        view = ws.checklist.view
        view.setFocus()
        for key in (Qt.Key.Key_2, Qt.Key.Key_1, Qt.Key.Key_3):
            note("answer by keyboard (1/2/3)",
                 timed(lambda k=key: (press(view, k), app.processEvents())))  # fmt: skip
        for _ in range(5):
            note("move to the next item (Down)",
                 timed(lambda: (press(view, Qt.Key.Key_Down), app.processEvents())))  # fmt: skip
        view.select_key(ws.model.entries()[4].key)
        ws.detail.note.setPlainText("A note typed by the inspector")
        ws.detail._note_dirty = True  # as typing does
        note(
            "save a note (debounce fired)",
            timed(lambda: (ws.detail.flush_note(), app.processEvents())),
        )
        note("undo an answer (Ctrl+Z)", timed(lambda: (ws.undo_stack.undo(), app.processEvents())))
        key = ws.model.entries()[0].key  # an item (the cursor may be on a section title)

        def raise_finding() -> None:
            editor = ws.raise_finding(ws.target, key)
            app.processEvents()
            if editor is None:
                raise SystemExit(f"raise finding refused: {ws.error.text()}")
            editor.reject()

        note("open the finding editor (Raise finding)", timed(raise_finding))
        ws.shutdown()
        ws.close()
        ws.deleteLater()
        app.processEvents()

        note("open demo WSO workspace (3 interviews)", timed(lambda: make(wso)))
        note("switch to the Interviews tab",
             timed(lambda: (ws.tabs.setCurrentIndex(1), app.processEvents())))  # fmt: skip
        row = ws.interviews.list_model.index(0, 0)
        note("switch to another officer's interview",
             timed(lambda: (ws.interviews.list.setCurrentIndex(row), app.processEvents())))  # fmt: skip
        ws.shutdown()
        ws.close()
        ws.deleteLater()
        app.processEvents()

    for _ in range(3):
        one_round()
    ctx.close()
    db.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--findings", type=int, default=60)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "forms"
        write_big_form(folder, args.items)
        form_service.forms_dir = lambda: folder  # the registry reads this folder from now on
        form_service.registry.cache_clear()
        form_service.registry()
        db = open_database(tmp / "bench.db", user="Bench", daily_backup=False)
        t0 = time.perf_counter()
        review_id = build_review(db, args.findings, args.files)
        print(f"setup: {args.items} answered items, {args.findings} findings, {args.files} photos "
              f"({time.perf_counter() - t0:.1f} s)")  # fmt: skip
        enc_db, enc_review_id, enc_setup = encrypted_copy(tmp, args.findings, args.files)
        ctx, enc_ctx = AppContext(db), AppContext(enc_db)
        open_bare(app, db, review_id)  # warm-ups: first-use costs of Qt and SQLAlchemy
        open_workspace(app, ctx, review_id)
        open_workspace(app, enc_ctx, enc_review_id)
        bare, work, enc = [], [], []
        for _ in range(args.runs):  # interleaved: each run meets the same machine load
            bare.append(open_bare(app, db, review_id))
            work.append(open_workspace(app, ctx, review_id))
            enc.append(open_workspace(app, enc_ctx, enc_review_id))
        b, w = statistics.median(bare) * 1000, statistics.median(work) * 1000
        e = statistics.median(enc) * 1000
        print(f"open review workspace ({args.items} items): {w:7.1f} ms  (target < 200 ms)")
        print(f"baseline bare QTableView, same rows:      {b:7.1f} ms")
        print(f"ratio:                                    {w / b:7.2f}x (target < 2x)")
        print(f"\nwith encryption on (SQLCipher; same review, set up in {enc_setup:.1f} s):")
        print(f"open review workspace, encrypted:         {e:7.1f} ms")
        print(f"baseline, plaintext (interleaved):        {w:7.1f} ms")
        print(f"ratio encrypted/plaintext:                {e / w:7.2f}x")
        enc_ctx.close()
        enc_db.close()
        ctx.close()
        db.close()
        form_service.forms_dir = forms_dir
        print("\nlongest GUI-thread handlers on the demo data (max of 3, target < 100 ms):")
        for name, ms in handler_times(app, tmp).items():
            print(f"  {name:42s} {ms:7.1f} ms{'  OVER' if ms > 100 else ''}")


if __name__ == "__main__":
    main()
