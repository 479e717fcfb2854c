"""`serve --tls-cert/--tls-key`: a laptop syncs over HTTPS when it trusts the
certificate, and refuses in one line (exit 2, nothing sent) when it does not."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.serverfixtures import running_server

pytestmark = pytest.mark.slow


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return cert_file, key_file


def _sync(db: Path, url: str, token: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspector_app", "sync", "--db", str(db), "--server", url,
         "--token", token],
        capture_output=True, text=True, timeout=120, env={**os.environ, **env},
    )  # fmt: skip


def test_a_laptop_syncs_over_https_only_with_a_certificate_it_trusts(tmp_path: Path):
    cert, key = _self_signed(tmp_path)
    with running_server(str(tmp_path / "server.db"), tmp_path, tls=(cert, key)) as server:
        assert server.url.startswith("https://")
        token = server.add_user("dana", "inspector", "ATL")
        laptop = tmp_path / "laptop.db"
        refused = _sync(laptop, server.url, token)
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1
        assert "certificate does not verify" in refused.stderr and "SSL_CERT_FILE" in refused.stderr
        trusted = _sync(laptop, server.url, token, SSL_CERT_FILE=str(cert))
        assert trusted.returncode == 0, trusted.stderr
        assert f"synced with {server.url}" in trusted.stdout


def test_serve_with_a_missing_key_file_is_one_line(tmp_path: Path):
    cert, _key = _self_signed(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "inspector_app", "serve", "--db", str(tmp_path / "s.db"),
         "--tls-cert", str(cert), "--tls-key", str(tmp_path / "absent.pem")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "absent.pem" in done.stderr
