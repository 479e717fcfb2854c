"""reports.signing without a database: sign, validate, refuse unusable certificates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen import canvas

from inspector_app.domain.errors import KnownError
from inspector_app.reports import signing

from .certs import PASSPHRASE, make_ca
from .conftest import SUPERVISOR_CN


def _pdf(text: str = "Content hash 0123abcd") -> bytes:
    buf = BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def _sign(pdf: bytes, p12: bytes, passphrase: bytes | None = PASSPHRASE) -> bytes:
    return signing.sign_pdf(pdf, p12, passphrase, reason="Approved", location="HQ",
                            signer_name="Pat Okafor")  # fmt: skip


def test_signed_pdf_validates_with_pyhanko(ca, supervisor_p12):
    pdf = _pdf()
    signed = _sign(pdf, supervisor_p12)
    assert signed.startswith(pdf)  # an incremental update: the report's bytes stay
    sig = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    assert sig.field_name == "Supervisor"
    ctx = ValidationContext(trust_roots=[signing.load_trust(ca.pem)[0]], allow_fetching=False)
    status = validate_pdf_signature(sig, signer_validation_context=ctx)
    assert status.bottom_line and status.signing_cert.subject.native["common_name"] == SUPERVISOR_CN
    check = signing.verify_pdf(signed, [ca.pem])
    assert check.ok and check.signer == SUPERVISOR_CN and check.problem == ""
    assert check.signed_at is not None and abs(check.signed_at - datetime.now(UTC)) < timedelta(
        minutes=5
    )


def test_untrusted_without_the_root_and_with_another_root(supervisor_p12):
    signed = _sign(_pdf(), supervisor_p12)
    for trust in ([], [make_ca("Someone Else's CA").pem]):
        check = signing.verify_pdf(signed, trust)
        assert check.intact and check.covers_whole_file and not check.trusted and not check.ok


def test_unsigned_and_not_a_pdf():
    assert not signing.verify_pdf(_pdf(), []).signed
    with pytest.raises(signing.UnusableInput):
        signing.verify_pdf(b"hello, not a pdf", [])
    with pytest.raises(signing.UnusableInput, match="trust root 1: not a PEM or DER"):
        signing.verify_pdf(_pdf(), [b"garbage"])


def _refusal(p12: bytes, passphrase: bytes | None = PASSPHRASE) -> str:
    with pytest.raises(signing.SigningError) as info:
        _sign(_pdf(), p12, passphrase)
    assert isinstance(info.value, KnownError)
    text = str(info.value)
    assert "\n" not in text
    return text


def test_refusals_are_one_line(ca, supervisor_p12):
    now = datetime.now(UTC)
    assert "wrong passphrase" in _refusal(supervisor_p12, b"not it")
    assert "protected by a passphrase" in _refusal(supervisor_p12, None)
    assert "not a PKCS#12" in _refusal(b"\x30\x03\x02\x01\x05")
    expired = ca.issue("Old Cert", not_before=now - timedelta(days=400),
                       not_after=now - timedelta(days=1))  # fmt: skip
    assert "expired on" in _refusal(expired)
    future = ca.issue("Future Cert", not_before=now + timedelta(days=2))
    assert "not valid before" in _refusal(future)
    encryption_only = ca.issue("Encryption Only", signing=False)
    assert "not for signing" in _refusal(encryption_only)


def test_a_plain_p12_without_passphrase_signs(ca):
    p12 = ca.issue("No Passphrase", passphrase=None)
    assert signing.verify_pdf(_sign(_pdf(), p12, None), [ca.pem]).ok
