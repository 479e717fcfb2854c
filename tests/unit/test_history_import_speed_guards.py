"""What the fast history-import path must keep: the change log it writes in bulk is
the one the ordinary save would write, its ids are proper random UUIDs, and the
topics it checks against follow forms/topics.yaml."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from inspector_app.domain.forms.registry import topics_in
from inspector_app.paths import forms_dir
from inspector_app.services.history_import import import_history, sorted_ids
from inspector_app.store.models import Agency, ChangeLog, Finding, Review

DATA = Path(__file__).parents[1] / "data" / "history"
MODELS = {m.__tablename__: m for m in (Agency, Review, Finding)}


def test_bulk_change_log_is_what_the_orm_save_writes(db):
    """Each insert entry's payload text is what the ordinary save of the same new row
    writes: json.dumps of model_dump(mode="json") of the model built from the stored
    values (built, not loaded: a loaded row lists its fields in load order)."""
    import_history(db, DATA / "hand_built.csv")
    with db.read() as s:
        entries = s.exec(select(ChangeLog).where(ChangeLog.op == "insert")).all()
        raw = dict(
            s.connection().exec_driver_sql("SELECT change_id, payload FROM change_log").all()
        )
        assert len(entries) == sum(len(s.exec(select(m)).all()) for m in MODELS.values())
        for entry in entries:
            model = MODELS[entry.table_name]
            row = s.get(model, entry.row_id)
            expected = model(**row.model_dump()).model_dump(mode="json")
            assert entry.rev == row.rev == 1 and entry.device_id == row.device_id
            assert json.loads(raw[entry.change_id]) == expected
            # Byte for byte as json.dumps lays it out (stamps as pydantic writes them).
            assert raw[entry.change_id] == json.dumps(expected)


def test_sorted_ids_are_sorted_distinct_random_uuid4():
    ids = sorted_ids(500)
    assert ids == sorted(ids) and len(set(ids)) == 500
    for i in ids:
        parsed = uuid.UUID(i)
        assert str(parsed) == i and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert sorted_ids(0) == []


def test_topics_follow_the_file_when_it_changes(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(forms_dir() / "topics.yaml", folder / "topics.yaml")
    first = topics_in(folder)
    assert first == topics_in(forms_dir()) and "training" in first
    first["training"] = "changed by a caller"  # callers get their own copy
    assert topics_in(folder)["training"] != "changed by a caller"
    path = folder / "topics.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - code: zz-new\n    title: New\n",
                    encoding="utf-8")  # fmt: skip
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # a later mtime
    assert "zz-new" in topics_in(folder)


def _indexes(db) -> list[tuple[str, str, str | None]]:
    with db.read() as s:
        return sorted(s.connection().exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'").all())  # fmt: skip


def test_indexes_dropped_for_a_bulk_insert_come_back_the_same(db, monkeypatch):
    """A large import builds a table's secondary indexes after its rows (here forced
    for a small file): afterwards the same indexes, the same SQL, and consistent."""
    from inspector_app.services import history_import

    monkeypatch.setattr(history_import, "REBUILD_MIN_ROWS", 0)
    before = _indexes(db)
    import_history(db, DATA / "hand_built.csv")
    assert _indexes(db) == before
    with db.read() as s:
        assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        plan = s.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM finding WHERE review_id = 'x'").all()  # fmt: skip
        assert "ix_finding_review_id" in str(plan)


def test_a_failure_after_the_indexes_were_dropped_leaves_them_and_no_rows(db, monkeypatch):
    from inspector_app.services import history_import

    def fail(self):  # noqa: ANN001, ANN202
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(history_import, "REBUILD_MIN_ROWS", 0)
    monkeypatch.setattr(history_import._BulkWriter, "flush_log", fail)
    before = _indexes(db)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_history(db, DATA / "hand_built.csv")
    assert _indexes(db) == before
    with db.read() as s:
        assert s.exec(select(Review)).all() == [] and s.exec(select(ChangeLog)).all() == []
