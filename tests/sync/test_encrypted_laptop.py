"""Sync between an encrypted laptop and a plaintext one, through the real service
(a subprocess on loopback, SQLite and PostgreSQL back ends) (issue 11).

The encrypted laptop (the demo, encrypted, signed in with a passphrase) pushes its
photos; the plaintext laptop pulls them and reads the same bytes. Then a photo taken
on the plaintext laptop goes the other way: the encrypted laptop reads its bytes back
through read_blob, stores it encrypted (b"INSPENC1"...), and no file under its data
folder holds a piece of it, nor of the demo's photos, names or notes, in plaintext.
"""

from __future__ import annotations

import io
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from inspector_app.services import accounts, attachments
from inspector_app.services.encryption import encrypt_database
from inspector_app.services.sync import sync
from inspector_app.store import crypto
from inspector_app.store.database import Database, open_database
from inspector_app.store.files import blob_path, read_blob
from inspector_app.store.models import Attachment, Review
from tests.security.test_encryption import PASS, USER, assert_no_plaintext, plaintext_demo
from tests.serverfixtures import ServerProc, running_server

pytestmark = pytest.mark.slow


@pytest.fixture
def server(server_db_url: str, tmp_path: Path) -> Iterator[ServerProc]:
    logs = tmp_path / "server-logs"
    logs.mkdir()
    with running_server(server_db_url, logs) as proc:
        yield proc


def photo(seed: int) -> bytes:
    """A JPEG of noise: every piece of it is unlike anything else on disk."""
    from PIL import Image

    rng = random.Random(seed)
    pixels = bytes(rng.getrandbits(8) for _ in range(160 * 120 * 3))
    buf = io.BytesIO()
    Image.frombytes("RGB", (160, 120), pixels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def photos(db: Database) -> dict[str, bytes]:
    """sha256 -> the bytes read_blob gives, for every live attachment row."""
    with db.read() as s:
        shas = {a.sha256 for a in s.exec(select(Attachment).where(Attachment.deleted == False))}  # noqa: E712
    out = {}
    for sha in shas:
        data = read_blob(db.attachments_dir, sha)
        assert data is not None, f"{sha[:12]}: missing or damaged on {db.path}"
        out[sha] = data
    return out


def editable_review(db: Database) -> str:
    """A review in progress that both laptops hold (it belongs to the synced office)."""
    with db.read() as s:
        review = s.exec(select(Review).where(Review.status == "in_progress",
                                             Review.deleted == False)).first()  # noqa: E712  # fmt: skip
    assert review is not None
    return review.id


def chunks_of(data: bytes, n: int = 4) -> list[bytes]:
    step = len(data) // (n + 1)
    return [data[step * i : step * i + 48] for i in range(1, n + 1)]


def test_photos_round_trip_between_an_encrypted_and_a_plaintext_laptop(
    server: ServerProc, tmp_path: Path
) -> None:
    path, demo_chunks, _n = plaintext_demo(tmp_path / "a")
    encrypt_database(path, name=USER, passphrase=PASS)
    enc = accounts.sign_in(path, USER, PASS)
    plain = open_database(tmp_path / "b" / "laptop.db", user="Bob Plain", daily_backup=False)
    try:
        up = sync(enc, server=server.url, token=server.add_user("ann", "inspector", "ATL"))
        assert up.pushed > 100 and up.blobs_up > 0
        down = sync(plain, server=server.url, token=server.add_user("bob", "inspector", "ATL"))
        assert down.pulled > 100 and down.blobs_down == up.blobs_up

        # Encrypted -> plaintext: the same bytes, and they are the demo's photos.
        mine, theirs = photos(enc), photos(plain)
        assert len(theirs) == up.blobs_up and all(mine[sha] == theirs[sha] for sha in theirs)
        carried = b"".join(theirs.values())
        assert any(chunk in carried for chunk in demo_chunks)
        for sha in theirs:  # stored as plaintext on the plaintext laptop
            assert blob_path(plain.attachments_dir, sha).read_bytes() == theirs[sha]

        # Plaintext -> encrypted: stored encrypted there, read back whole.
        new = photo(int.from_bytes(os.urandom(4), "big"))
        added = attachments.add_attachment(plain, source=new, filename="sally-port.jpg",
                                           review_id=editable_review(plain))  # fmt: skip
        assert sync(plain).blobs_up == 1
        assert sync(enc).blobs_down == 1
        assert read_blob(enc.attachments_dir, added.sha256) == new
        stored = blob_path(enc.attachments_dir, added.sha256).read_bytes()
        assert crypto.is_encrypted(stored) and stored != new
        assert photos(enc)[added.sha256] == new
    finally:
        enc.close()
        plain.close()
    # Nothing readable under the encrypted laptop's folder: database, -wal, files, backups.
    assert_no_plaintext(path.parent, [*demo_chunks, *chunks_of(new)])
