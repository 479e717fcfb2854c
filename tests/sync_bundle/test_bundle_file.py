"""The bundle file: written atomically, every byte covered by the signature or a hash."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inspector_app.domain.sync import Change
from inspector_app.services.sync.bundle_file import (
    BundleProblem,
    new_signing_key,
    public_key_of,
    read_bundle,
    write_bundle,
)


def _change(n: int) -> Change:
    return Change(
        change_id=f"c-{n}", table="checklist_response", row_id=f"r-{n}", op="insert",
        base_rev=0, fields={"item_key": f"1.{n}", "value": "yes"},
        made_at=datetime(2026, 12, 1, tzinfo=UTC), made_by="Dana",
    )  # fmt: skip


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    key = new_signing_key()
    out = tmp_path / "out.inspector-bundle"
    files = {_sha(d): d for d in (b"photo one", b"photo two" * 1000)}
    size = write_bundle(out, signing_key=key, device_id="dev-1", user="Dana",
                        schema_version=2, changes=[_change(1), _change(2)],
                        blobs=list(files), read_blob=files.__getitem__)  # fmt: skip
    assert size == out.stat().st_size
    return out


def test_a_written_bundle_reads_back_with_its_changes_and_blobs(bundle: Path):
    read = read_bundle(bundle)
    assert [c.change_id for c in read.changes] == ["c-1", "c-2"]
    assert read.device_id == "dev-1" and read.user == "Dana" and read.schema_version == 2
    assert len(read.blobs) == 2
    with read.open_blob(read.blobs[0].sha256) as f:
        assert f.read() == b"photo one"
    assert not list(bundle.parent.glob(".*.tmp"))


def _rewrite(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as old:
        members = {n: old.read(n) for n in old.namelist()}
    members[name] = data
    with zipfile.ZipFile(path, "w") as new:
        for n, d in members.items():
            new.writestr(n, d)


def test_an_edited_manifest_fails_the_signature(bundle: Path):
    with zipfile.ZipFile(bundle) as z:
        manifest = z.read("manifest.json")
    _rewrite(bundle, "manifest.json", manifest.replace(b'"yes"', b'"no"'))
    with pytest.raises(BundleProblem, match="changed after it was signed"):
        read_bundle(bundle)


def test_a_swapped_blob_fails_its_hash(bundle: Path):
    sha = hashlib.sha256(b"photo one").hexdigest()
    _rewrite(bundle, f"blobs/{sha}", b"photo 1")
    with pytest.raises(BundleProblem, match="does not match its SHA-256"):
        read_bundle(bundle)


def test_re_signing_with_another_key_is_visible_as_another_key(bundle: Path):
    read = read_bundle(bundle)
    assert read.public_key != public_key_of(new_signing_key())


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04garbage"])
def test_a_file_that_is_not_a_bundle_is_one_line(tmp_path: Path, content: bytes):
    path = tmp_path / "x.bundle"
    path.write_bytes(content)
    with pytest.raises(BundleProblem) as err:
        read_bundle(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_missing_file_is_one_line(tmp_path: Path):
    with pytest.raises(BundleProblem, match="no such file"):
        read_bundle(tmp_path / "absent.bundle")
