"""The SQLite store: pragmas, migrations, refusing bad files untouched, backups, round trips."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlmodel import select

from inspector_app.services import agencies as ag
from inspector_app.services import attachments, findings, interviews, reviews
from inspector_app.store import database
from inspector_app.store.database import (
    ROLLING_BACKUPS,
    _alembic_config,
    head_revision,
    open_database,
)
from inspector_app.store.errors import (
    CorruptDatabase,
    DatabaseProblem,
    DatabaseTooNew,
    NotADatabase,
)
from inspector_app.store.files import blob_path, read_blob, sha256_of
from inspector_app.store.models import (
    Agency,
    Agreement,
    Attachment,
    ChecklistResponse,
    FieldOffice,
    Finding,
    Interview,
    InterviewAnswer,
    Officer,
    Review,
    TrainingRecord,
    WarrantCount,
)

APP_TABLES = {
    "agency", "agreement", "attachment", "audit_log", "change_log", "checklist_response",
    "corrective_action", "field_office", "finding", "info_request", "info_request_item",
    "interview", "interview_answer", "meta", "officer", "plan_entry", "report_artifact",
    "review", "training_record", "warrant_count", "sync_base", "sync_conflict", "approval",
}  # fmt: skip


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(path: Path) -> list[Path]:
    return [p for p in (path.with_name(path.name + s) for s in ("-wal", "-shm")) if p.exists()]


def tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


def alembic_version(path: Path) -> str | None:
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def make_agency(db, name: str = "Alder County Sheriff's Office") -> tuple[Agency, Agreement]:
    office = ag.create_field_office(db, name="Atlanta", code="atl", state="ga")
    agency = ag.create_agency(db, name=name, state="ga", county="Alder", field_office_id=office.id)
    agreement = ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2023-05-17")
    return agency, agreement


def filled_database(path: Path) -> Path:
    """A closed database holding one agency, written through the services."""
    db = open_database(path, user="Test Inspector", daily_backup=False)
    make_agency(db)
    db.close()
    return path


# --- opening a new file ------------------------------------------------------------


def test_new_database_has_the_pragmas_every_connection_needs(db):
    with db.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000,
                      "synchronous": 2}  # fmt: skip


def test_new_database_is_migrated_to_head(db):
    assert tables(db.path) >= APP_TABLES
    assert alembic_version(db.path) == head_revision() != ""
    assert database.current_revision(db.engine) == head_revision()
    assert db.attachments_dir.is_dir()
    assert len(db.device_id) == 36


def test_device_id_is_kept_across_opens(tmp_path):
    path = tmp_path / "x.db"
    with database.opened(path) as first:
        device = first.device_id
    with database.opened(path, daily_backup=False) as second:
        assert second.device_id == device


def test_zero_byte_file_opens_as_a_new_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with database.opened(path, daily_backup=False) as db:
        assert alembic_version(db.path) == head_revision()
        assert tables(path) >= APP_TABLES


def test_foreign_keys_are_enforced(db):
    with pytest.raises(Exception, match="FOREIGN KEY"), db.write() as s:
        s.add(Agreement(agency_id="no-such-agency", model="JEM", signed_on=date(2024, 1, 1)))
        s.commit()


# --- refusing files, leaving them as they were ---------------------------------------


def corrupt_copy(src: Path, dst: Path) -> Path:
    """A real database with a run of pages in the middle overwritten."""
    data = bytearray(src.read_bytes())
    page = 4096
    pages = len(data) // page
    assert pages >= 8, "need a database with some pages"
    start, end = pages // 3 * page, 2 * pages // 3 * page
    data[start:end] = b"\xff" * (end - start)
    dst.write_bytes(bytes(data))
    return dst


def too_new_copy(src: Path, dst: Path) -> Path:
    shutil.copy2(src, dst)
    con = sqlite3.connect(dst)
    con.execute("UPDATE alembic_version SET version_num='ffffffffffff'")
    con.commit()
    con.close()
    assert not sidecars(dst)  # still a WAL file, checkpointed on close
    return dst


def other_app_copy(_src: Path, dst: Path) -> Path:
    con = sqlite3.connect(dst)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO recipes (name) VALUES ('soup')")
    con.commit()
    con.close()
    return dst


def text_file(_src: Path, dst: Path) -> Path:
    dst.write_text("name,state\nAlder County,GA\n" * 50)
    return dst


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """A demo-sized database (enough pages to damage some in the middle)."""
    from inspector_app.services.demo import seed_demo

    path = tmp_path_factory.mktemp("store-demo") / "demo.db"
    db = open_database(path, user="Dana Whitfield", daily_backup=False)
    seed_demo(db, today=date(2026, 11, 2))
    db.close()
    return path


@pytest.mark.parametrize(
    ("make", "problem", "says"),
    [
        (text_file, NotADatabase, "not a SQLite file"),
        (other_app_copy, NotADatabase, "choose another file with --db"),
        (corrupt_copy, CorruptDatabase, "restore the latest backup"),
        (too_new_copy, DatabaseTooNew, "update the app"),
    ],
    ids=["text-file", "other-sqlite-app", "corrupt", "too-new"],
)
def test_refused_file_is_left_untouched(tmp_path, demo_file, make, problem, says):
    path = make(demo_file, tmp_path / "refused.db")
    before = sha(path)
    with pytest.raises(problem) as caught:
        open_database(path, user="Test Inspector")
    message = str(caught.value)
    assert isinstance(caught.value, DatabaseProblem)
    assert "\n" not in message and len(message) < 300
    assert message.startswith(f"{path}: ")
    assert says in message
    assert sha(path) == before
    assert sidecars(path) == []
    assert not (tmp_path / "backups").exists()
    assert not (tmp_path / "refused-files").exists()


def test_too_new_names_the_revision(tmp_path, demo_file):
    path = too_new_copy(demo_file, tmp_path / "new.db")
    with pytest.raises(DatabaseTooNew, match="ffffffffffff"):
        open_database(path)


def test_a_folder_is_not_a_database(tmp_path):
    with pytest.raises(NotADatabase):
        open_database(tmp_path)


# --- migrations -----------------------------------------------------------------------

NEXT_REVISION = '''"""test: a later schema"""
import sqlalchemy as sa
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("later_table", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("nickname", sa.String(), nullable=False, server_default=""))
    {fail}


def downgrade() -> None:
    op.drop_table("later_table")
'''


def later_migrations(tmp_path: Path, *, fail: bool = False) -> Path:
    """A copy of the migrations with one more revision on top of today's head."""
    target = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    text = NEXT_REVISION.format(
        head=head_revision(), fail='raise RuntimeError("migration bug")' if fail else "pass"
    )
    (target / "versions" / "a1b2c3d4e5f6_later.py").write_text(text)
    return target


def test_older_database_is_backed_up_then_upgraded(tmp_path, monkeypatch):
    old_head = head_revision()
    path = filled_database(tmp_path / "old.db")
    monkeypatch.setattr(database, "MIGRATIONS_DIR", later_migrations(tmp_path))
    assert head_revision() == "a1b2c3d4e5f6"

    with database.opened(path, daily_backup=False) as db:
        with db.read() as s:
            assert [a.name for a in s.exec(select(Agency))] == ["Alder County Sheriff's Office"]
        assert database.current_revision(db.engine) == "a1b2c3d4e5f6"
    assert {"later_table"} <= tables(path)

    backups = list((tmp_path / "backups").glob("old-*-before-a1b2c3d4e5f6.db"))
    assert len(backups) == 1
    assert alembic_version(backups[0]) == old_head
    assert "later_table" not in tables(backups[0])
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT name FROM agency").fetchall() == [("Alder County Sheriff's Office",)]
    con.close()


def test_failed_upgrade_changes_nothing(tmp_path, monkeypatch):
    old_head = head_revision()
    path = filled_database(tmp_path / "old.db")
    monkeypatch.setattr(database, "MIGRATIONS_DIR", later_migrations(tmp_path, fail=True))
    with pytest.raises(RuntimeError, match="migration bug"):
        open_database(path, daily_backup=False)
    monkeypatch.undo()
    assert alembic_version(path) == old_head
    assert "later_table" not in tables(path)
    with database.opened(path, daily_backup=False) as db, db.read() as s:
        assert len(list(s.exec(select(Agency)))) == 1


def test_database_downgraded_to_base_is_upgraded_to_head(tmp_path):
    path = tmp_path / "base.db"
    db = open_database(path, daily_backup=False)
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    db.close()
    assert not (APP_TABLES & tables(path))
    with database.opened(path, daily_backup=False) as db:
        assert database.current_revision(db.engine) == head_revision()
    assert tables(path) >= APP_TABLES


def test_schema_1_database_upgrades_to_the_sync_tables(tmp_path):
    """A file written at migration 1 (before sync) opens at head: its rows are kept,
    sync_base and sync_conflict exist, user_version is the head's position; the
    downgrade removes them again."""
    path = filled_database(tmp_path / "v1.db")
    db = open_database(path, daily_backup=False)
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "8f803633833d")
        conn.exec_driver_sql("PRAGMA user_version=1")
    db.close()
    assert not {"sync_base", "sync_conflict"} & tables(path)
    assert alembic_version(path) == "8f803633833d"

    with database.opened(path, daily_backup=False) as db:
        assert database.current_revision(db.engine) == head_revision()
        with db.read() as s:
            assert [a.name for a in s.exec(select(Agency))] == ["Alder County Sheriff's Office"]
    assert {"sync_base", "sync_conflict"} <= tables(path)
    con = sqlite3.connect(path)
    try:
        position = con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()
    assert position == database.schema_position(head_revision()) >= 2
    assert list((tmp_path / "backups").glob("v1-*-before-*.db"))


def test_schema_2_database_upgrades_to_the_audit_chain_and_approvals(tmp_path):
    """A file written at migration 2 (before the audit chain) opens at head: its audit
    entries get component, event and outcome and are chained in id order (each hash is
    the SHA-256 of the entry's canonical JSON with the hash before it), so the file
    verifies; approval exists. The downgrade removes them again."""
    path = filled_database(tmp_path / "v2.db")
    db = open_database(path, daily_backup=False)
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "c4e1a7b2d9f0")
        conn.exec_driver_sql("PRAGMA user_version=2")
    db.close()
    assert "approval" not in tables(path)
    assert alembic_version(path) == "c4e1a7b2d9f0"

    with database.opened(path, daily_backup=False) as db:
        assert database.current_revision(db.engine) == head_revision()
    assert "approval" in tables(path)
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            'SELECT id, at, component, event, "user", outcome, entity, entity_id, detail, '
            "device_id, action, prev_hash, hash FROM audit_log ORDER BY id"
        ).fetchall()
    finally:
        con.close()
    assert [(r[3], r[10]) for r in rows] == [
        ("create", "create_field_office"), ("create", "create_agency"),
        ("create", "create_agreement"),
    ]  # fmt: skip
    prev = "0" * 64
    for _id, at, component, event, user, outcome, entity, entity_id, detail, device, action, \
            prev_hash, digest in rows:  # fmt: skip
        assert component == "app" and outcome == "success" and prev_hash == prev
        entry = {
            "at": at.replace(" ", "T") + "+00:00", "component": component, "event": event,
            "user": user, "outcome": outcome, "entity": entity, "entity_id": entity_id,
            "detail": json.loads(detail), "device_id": device, "action": action,
            "prev_hash": prev_hash,
        }  # fmt: skip
        canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"))
        assert digest == hashlib.sha256(canonical.encode()).hexdigest()
        prev = digest


# --- backups ---------------------------------------------------------------------------


def test_manual_backup_is_a_consistent_copy(db):
    agency, _ = make_agency(db)
    target = db.backup()
    assert target.parent == db.backups_dir and target.name.endswith("-manual.db")
    con = sqlite3.connect(target)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT id FROM agency").fetchall() == [(agency.id,)]
    con.close()


def test_daily_backup_once_a_day_on_reopen(tmp_path):
    path = filled_database(tmp_path / "work.db")
    assert not (tmp_path / "backups").exists()  # a new file has nothing to back up
    with database.opened(path):
        pass
    daily = list((tmp_path / "backups").glob("work-*-daily.db"))
    assert len(daily) == 1
    with database.opened(path):
        pass
    assert list((tmp_path / "backups").glob("work-*-daily.db")) == daily


def test_daily_backups_keep_the_latest_seven(tmp_path):
    path = filled_database(tmp_path / "work.db")
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"work-202001{d:02d}T080000-daily.db" for d in range(1, 11)]
    for p in old:
        p.write_bytes(b"old")
    with database.opened(path):
        pass
    kept = sorted(backups.glob("work-*-daily.db"))
    assert len(kept) == ROLLING_BACKUPS
    assert kept[-1] not in old  # today's copy is kept
    assert kept[:-1] == old[-(ROLLING_BACKUPS - 1) :]


# --- round trips through the services ------------------------------------------------


def test_every_table_round_trips_through_the_services(tmp_path):
    path = tmp_path / "trip.db"
    db = open_database(path, user="Inés Carvalho")
    agency, agreement = make_agency(db)
    wso = ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on=date(2024, 2, 29))
    officers = [
        ag.add_officer(db, agency_id=agency.id, name=n, model="JEM", credential_number=f"J{i}")
        for i, n in enumerate(["José Núñez", "Zoë Hartmann", "Nguyễn Thị Lan"])
    ]
    training = ag.add_training(db, officer_id=officers[0].id, kind="initial_course",
                               completed_on="2024-02-29", hours=160)  # fmt: skip
    warrants = ag.record_warrants(db, agreement_id=wso.id, year=2026, month=3, count=7)
    review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                     planned_start="2026-10-05", team=["Marcus Oyelaran"])  # fmt: skip
    review = reviews.start_review(db, review.id)
    answer = reviews.record_answer(db, review_id=review.id, item_key="complaints.poster_spanish",
                                   value="no", note="Only the English poster — ñ test")  # fmt: skip
    interview = interviews.start_interview(db, review_id=review.id, role="officer",
                                           officer_id=officers[1].id, on="2026-10-06")  # fmt: skip
    ianswer = interviews.record_interview_answer(
        db, interview_id=interview.id, question_key=_first_question(interview), value="yes"
    )
    finding = findings.add_finding(db, review_id=review.id, kind="area_of_concern",
                                   topic="complaints", item_key="complaints.poster_spanish",
                                   description="Spanish poster missing")  # fmt: skip
    photo = b"\xff\xd8\xff\xe0 not really a jpeg \x00\x01" * 10
    attachment = attachments.add_attachment(db, source=photo, filename="poster.jpg",
                                            finding_id=finding.id, caption="Wall")  # fmt: skip
    attachments_dir = db.attachments_dir
    db.close()

    db = open_database(path, daily_backup=False)
    with db.read() as s:
        assert s.get(FieldOffice, agency.field_office_id).code == "ATL"
        got = s.get(Agency, agency.id)
        assert (got.name, got.state, got.county) == ("Alder County Sheriff's Office", "GA", "Alder")
        assert s.get(Agreement, agreement.id).signed_on == date(2023, 5, 17)
        assert s.get(Agreement, wso.id).signed_on == date(2024, 2, 29)
        assert sorted(o.name for o in s.exec(select(Officer))) == sorted(o.name for o in officers)
        t = s.get(TrainingRecord, training.id)
        assert (t.kind, t.completed_on, t.hours) == ("initial_course", date(2024, 2, 29), 160)
        assert s.get(WarrantCount, warrants.id).count == 7
        r = s.get(Review, review.id)
        assert (r.status, r.form_id, r.form_version) == ("in_progress", "jem_inspection", 2)
        assert r.start_date == date(2026, 10, 5)
        assert r.team == ["Inés Carvalho", "Marcus Oyelaran"]
        resp = s.get(ChecklistResponse, answer.id)
        assert (resp.value, resp.note, resp.answered_by) == (
            "no", "Only the English poster — ñ test", "Inés Carvalho")  # fmt: skip
        assert resp.answered_at.tzinfo is not None and resp.updated_at.tzinfo is not None
        i = s.get(Interview, interview.id)
        assert (i.interviewee_name, i.conducted_on) == ("Zoë Hartmann", date(2026, 10, 6))
        assert s.get(InterviewAnswer, ianswer.id).value == "yes"
        f = s.get(Finding, finding.id)
        assert (f.number, f.kind, f.topic, f.item_key) == (
            1, "area_of_concern", "complaints", "complaints.poster_spanish")  # fmt: skip
        a = s.get(Attachment, attachment.id)
        assert (a.sha256, a.size, a.mime_type, a.review_id) == (
            sha256_of(photo), len(photo), "image/jpeg", review.id)  # fmt: skip
    assert db.attachments_dir == attachments_dir == tmp_path / "trip-files"
    assert blob_path(db.attachments_dir, a.sha256).is_file()
    assert read_blob(db.attachments_dir, a.sha256) == photo
    db.close()


def _first_question(interview: Interview) -> str:
    from inspector_app.services import forms

    return next(
        q.key
        for q in forms.form_of(interview.form_id, interview.form_version).items()
        if q.answer in ("yes_no", "yes_no_na")
    )


def test_same_file_attached_twice_is_stored_once(db):
    agency, _ = make_agency(db)
    review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection")
    one = attachments.add_attachment(db, source=b"photo", filename="a.jpg", review_id=review.id)
    two = attachments.add_attachment(db, source=b"photo", filename="b.jpg", review_id=review.id)
    assert one.id != two.id and one.sha256 == two.sha256
    files = [p for p in db.attachments_dir.rglob("*") if p.is_file()]
    assert files == [blob_path(db.attachments_dir, one.sha256)]


def test_read_blob_refuses_a_file_that_no_longer_matches_its_hash(db):
    from inspector_app.store.files import put_blob

    digest = put_blob(db.attachments_dir, b"original bytes")
    blob_path(db.attachments_dir, digest).write_bytes(b"tampered")
    assert read_blob(db.attachments_dir, digest) is None
    assert read_blob(db.attachments_dir, "0" * 64) is None
