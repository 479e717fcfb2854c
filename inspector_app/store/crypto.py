"""The key hierarchy of docs/security.md ("Keys"): derivations, files, key slots.

One random 32-byte data key (DK) per encrypted database. From it, by HKDF-SHA256:
the SQLCipher raw key and the file key. Files are b"INSPENC1" + nonce(12) + AES-256-GCM
ciphertext+tag. The DK itself is stored only wrapped, once per person, with a KEK from
Argon2id(passphrase): a slot that decrypts proves the passphrase.
"""

from __future__ import annotations

import os

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_SIZE = 32
NONCE_SIZE = 12
SALT_SIZE = 16
FILE_MAGIC = b"INSPENC1"
# Argon2id parameters of every key slot (docs/security.md): 64 MiB, 3 passes, 2 lanes.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 65536
ARGON2_PARALLELISM = 2


class DecryptionFailed(Exception):
    """The key does not open these bytes (wrong key, or the bytes were changed)."""


def new_data_key() -> bytes:
    return os.urandom(KEY_SIZE)


def _hkdf(data_key: bytes, info: bytes) -> bytes:
    if len(data_key) != KEY_SIZE:
        raise ValueError("a data key is 32 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=info).derive(data_key)


def sqlcipher_key(data_key: bytes) -> bytes:
    """The raw SQLCipher key: HKDF-SHA256(DK, info=b"inspector sqlcipher")."""
    return _hkdf(data_key, b"inspector sqlcipher")


def file_key(data_key: bytes) -> bytes:
    """The key of attachments and report PDFs: HKDF-SHA256(DK, info=b"inspector files")."""
    return _hkdf(data_key, b"inspector files")


def key_check(data_key: bytes) -> str:
    """A public fingerprint of the DK (HKDF output): tells a right key from a wrong one."""
    return _hkdf(data_key, b"inspector key check").hex()[:32]


def sqlcipher_pragma(data_key: bytes) -> str:
    """The PRAGMA that keys a SQLCipher connection with the raw key (no second KDF)."""
    return f"PRAGMA key = \"x'{sqlcipher_key(data_key).hex()}'\""


def encrypt_bytes(key: bytes, data: bytes) -> bytes:
    nonce = os.urandom(NONCE_SIZE)
    return FILE_MAGIC + nonce + AESGCM(key).encrypt(nonce, data, FILE_MAGIC)


def is_encrypted(blob: bytes) -> bool:
    return blob.startswith(FILE_MAGIC)


def decrypt_bytes(key: bytes, blob: bytes) -> bytes:
    if not is_encrypted(blob) or len(blob) < len(FILE_MAGIC) + NONCE_SIZE + 16:
        raise DecryptionFailed("not an encrypted Inspector file")
    start = len(FILE_MAGIC)
    nonce = blob[start : start + NONCE_SIZE]
    try:
        return AESGCM(key).decrypt(nonce, blob[start + NONCE_SIZE :], FILE_MAGIC)
    except InvalidTag as exc:
        raise DecryptionFailed("wrong key, or the file was changed") from exc


def derive_kek(passphrase: str, salt: bytes) -> bytes:
    """KEK = Argon2id(passphrase, salt, t=3, m=64 MiB, p=2, 32 bytes)."""
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        hash_len=KEY_SIZE,
        type=Type.ID,
    )


def wrap_key(passphrase: str, data_key: bytes, label: bytes) -> tuple[bytes, bytes, bytes]:
    """(salt, nonce, AES-GCM(KEK, DK)); `label` (the account) is bound as associated data."""
    salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
    wrapped = AESGCM(derive_kek(passphrase, salt)).encrypt(nonce, data_key, label)
    return salt, nonce, wrapped


def unwrap_key(passphrase: str, salt: bytes, nonce: bytes, wrapped: bytes, label: bytes) -> bytes:
    """The DK, or DecryptionFailed: the passphrase is not this slot's."""
    try:
        return AESGCM(derive_kek(passphrase, salt)).decrypt(nonce, wrapped, label)
    except InvalidTag as exc:
        raise DecryptionFailed("wrong passphrase") from exc
