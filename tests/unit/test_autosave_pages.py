"""An answer changed again writes only the columns that change: SQLite rewrites the
index entries of every indexed column an UPDATE sets, changed or not, so setting them
all made each re-answer write the four index pages of checklist_response as well
(15 WAL pages per autosave instead of 11; bench/autosave.py)."""

from __future__ import annotations

import sqlite3
import struct
from collections import Counter
from pathlib import Path

from sqlalchemy import event

from inspector_app.services import agencies, reviews
from inspector_app.store.database import open_database


def _pages_written(wal: Path, db_path: Path) -> Counter[str]:
    """The b-tree (table or index) of every page frame in the WAL file."""
    data = wal.read_bytes()
    page_size = struct.unpack(">I", data[8:12])[0]
    pages = [struct.unpack(">I", data[off:off + 4])[0]
             for off in range(32, len(data) - 23, 24 + page_size)]  # fmt: skip
    with sqlite3.connect(db_path) as con:
        names = dict(con.execute("SELECT pageno, name FROM dbstat"))
    return Counter(names.get(p, "?") for p in pages)


def test_a_changed_answer_rewrites_no_index_of_its_row(tmp_path: Path) -> None:
    path = tmp_path / "pages.db"
    db = open_database(path, user="T", daily_backup=False)
    try:
        agency = agencies.create_agency(db, name="Alder County Sheriff's Office", state="GA")
        agencies.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2024-01-01")
        review = reviews.start_review(db, reviews.schedule_review(
            db, agency_id=agency.id, kind="jem_inspection").id)  # fmt: skip
        item = next(i for s in reviews.form_for(review).sections if not s.repeat
                    for i in s.items if i.valid_values() and "no" in i.valid_values())  # fmt: skip
        reviews.record_answer(db, review_id=review.id, item_key=item.key, value="yes")

        event.listen(db.engine, "connect",
                     lambda dbapi, _rec: dbapi.execute("PRAGMA wal_autocheckpoint=0"))  # fmt: skip
        db.engine.dispose()  # connections from now on never checkpoint by themselves
        with db.engine.connect() as con:
            con.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        reviews.record_answer(db, review_id=review.id, item_key=item.key, value="no")

        written = _pages_written(Path(f"{path}-wal"), path)
        assert written["checklist_response"] >= 1  # the row itself
        assert written["change_log"] >= 1 and written["audit_log"] >= 1
        rewritten = {n for n in written if n.startswith(("sqlite_autoindex_checklist_response",
                                                         "ix_checklist_response"))}  # fmt: skip
        assert rewritten == set(), f"index pages of the answer's row written: {rewritten}"
    finally:
        db.close()
