"""The air-gapped bundle: waiting changes and their blobs in one signed file.

Some facilities never allow a network. A laptop exports what its outbox holds to a
file (`inspector-app bundle export`), the file travels on approved media, and another
laptop or the central service imports it with the same merge rules as a push.

Format (a ZIP archive, stored uncompressed: photos do not shrink):
- `manifest.json`: format name and version, the exporting device, user and public key,
  the schema position, the changes (domain.sync.Change as JSON) and the blobs' hashes
  and sizes;
- `blobs/<sha256>`: each blob's bytes, named by their SHA-256;
- `signature`: the Ed25519 signature (hex) of manifest.json's exact bytes.

The signature covers the manifest, and the manifest names every blob by its hash, so
a change to any byte of the file is detected: the manifest fails the signature, a blob
fails its hash. The public key travels in the bundle: the server accepts it only when
it is the key the device registered at enrollment; a laptop shows whose key signed it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import ValidationError

from inspector_app.domain.errors import KnownError
from inspector_app.domain.sync import Change

FORMAT = "inspector-bundle"
VERSION = 1
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


class BundleProblem(KnownError):
    """A bundle that cannot be used: damaged, edited after signing, or not a bundle."""

    def __init__(self, where: str, problem: str):
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class BundleBlob:
    sha256: str
    size: int


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: its manifest read, the signature and every blob checked."""

    device_id: str
    user: str
    public_key: str  # hex of the raw Ed25519 key that signed it
    created_at: datetime
    schema_version: int
    changes: list[Change]
    blobs: list[BundleBlob]
    path: Path

    @contextlib.contextmanager
    def open_blob(self, sha256: str) -> Iterator[IO[bytes]]:
        with zipfile.ZipFile(self.path) as archive, archive.open(f"blobs/{sha256}") as f:
            yield f


# --- keys -----------------------------------------------------------------------


def new_signing_key() -> str:
    """A new Ed25519 private key as hex (kept in the laptop's meta table)."""
    return Ed25519PrivateKey.generate().private_bytes_raw().hex()


def public_key_of(private_hex: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    return key.public_key().public_bytes_raw().hex()


def fingerprint(public_hex: str) -> str:
    """A short, readable name of a public key (the first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


# --- writing --------------------------------------------------------------------


def write_bundle(
    out: Path,
    *,
    signing_key: str,
    device_id: str,
    user: str,
    schema_version: int,
    changes: list[Change],
    blobs: list[str],
    read_blob: Callable[[str], bytes],
) -> int:
    """Write the bundle to `out` atomically (a temporary file renamed into place);
    returns its size in bytes. `blobs` are SHA-256s; `read_blob` gives their bytes (the
    caller decrypts and checks them)."""
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            sizes = []
            for sha in blobs:  # first, so the manifest can give each one's size
                data = read_blob(sha)
                archive.writestr(f"blobs/{sha}", data)
                sizes.append(BundleBlob(sha, len(data)))
            manifest = _manifest(signing_key, device_id, user, schema_version, changes, sizes)
            signature = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(signing_key))
            archive.writestr("manifest.json", manifest)
            archive.writestr("signature", signature.sign(manifest).hex())
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out.stat().st_size


def _manifest(
    signing_key: str, device_id: str, user: str, schema_version: int, changes: list[Change],
    blobs: list[BundleBlob],
) -> bytes:  # fmt: skip
    return json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "device_id": device_id,
            "user": user,
            "public_key": public_key_of(signing_key),
            "created_at": datetime.now(UTC).isoformat(),
            "schema_version": schema_version,
            "changes": [c.model_dump(mode="json") for c in changes],
            "blobs": [{"sha256": b.sha256, "size": b.size} for b in blobs],
        },  # fmt: skip
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


# --- reading --------------------------------------------------------------------


def read_bundle(path: Path) -> Bundle:
    """Open and verify a bundle: the signature over the manifest, then every blob's
    SHA-256. Raises BundleProblem (one line) for anything wrong; nothing is applied
    by reading."""
    where = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest_bytes = _member(archive, "manifest.json", where)
            signature = _member(archive, "signature", where)
            manifest = _verified_manifest(manifest_bytes, signature, where)
            bundle = _bundle_from(manifest, path, where)
            _check_blobs(archive, bundle, where)
    except FileNotFoundError:
        raise BundleProblem(where, "no such file") from None
    except IsADirectoryError:
        raise BundleProblem(where, "is a folder, not a bundle file") from None
    except zipfile.BadZipFile:
        raise BundleProblem(where, "not an Inspector bundle (not a ZIP archive)") from None
    except OSError as exc:
        raise BundleProblem(where, f"cannot read it ({exc.strerror or exc})") from None
    return bundle


def _member(archive: zipfile.ZipFile, name: str, where: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise BundleProblem(where, f"not an Inspector bundle (no {name})") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise BundleProblem(where, f"{name} is implausibly large ({info.file_size} bytes)")
    try:
        return archive.read(name)
    except zipfile.BadZipFile as exc:  # CRC mismatch: the archive was altered
        raise BundleProblem(where, f"{name} is damaged ({exc})") from None


def _verified_manifest(manifest: bytes, signature: bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(manifest)
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(data["public_key"]))
        key.verify(bytes.fromhex(signature.decode("ascii").strip()), manifest)
    except InvalidSignature:
        raise BundleProblem(
            where, "the bundle was changed after it was signed (signature does not match); "
            "ask the sender for a new export",
        ) from None  # fmt: skip
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BundleProblem(where, "not an Inspector bundle (unreadable manifest)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BundleProblem(where, "not an Inspector bundle")
    if data.get("version") != VERSION:
        raise BundleProblem(
            where, f"bundle format version {data.get('version')} is not known to this "
            f"Inspector (it reads version {VERSION}); update the app",
        )  # fmt: skip
    return data


def _bundle_from(data: dict[str, Any], path: Path, where: str) -> Bundle:
    try:
        changes = [Change.model_validate(c) for c in data["changes"]]
        blobs = [BundleBlob(str(b["sha256"]), int(b["size"])) for b in data["blobs"]]
        return Bundle(
            device_id=str(data["device_id"]), user=str(data["user"]),
            public_key=str(data["public_key"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            schema_version=int(data["schema_version"]), changes=changes, blobs=blobs,
            path=path,
        )  # fmt: skip
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(p) for p in first["loc"])
        raise BundleProblem(where, f"change {at}: {first['msg']}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleProblem(where, f"not an Inspector bundle (manifest lacks {exc})") from None


def _check_blobs(archive: zipfile.ZipFile, bundle: Bundle, where: str) -> None:
    for blob in bundle.blobs:
        digest = hashlib.sha256()
        try:
            with archive.open(f"blobs/{blob.sha256}") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
        except KeyError:
            raise BundleProblem(where, f"blob {blob.sha256[:12]} is missing") from None
        except zipfile.BadZipFile:
            raise BundleProblem(where, f"blob {blob.sha256[:12]} is damaged") from None
        if digest.hexdigest() != blob.sha256:
            raise BundleProblem(
                where, f"blob {blob.sha256[:12]} does not match its SHA-256 (edited or damaged)"
            )
