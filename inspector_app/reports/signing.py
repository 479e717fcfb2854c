"""PAdES signatures of approved reports and their validation (pyHanko), without a database.

`load_signer` opens a supervisor's PKCS#12 file and refuses, in one line, what would
give a signature nobody should trust: a wrong passphrase, a file that is not PKCS#12,
a certificate that is expired or not yet valid, one whose key usage does not allow
signing, a key that does not belong to the certificate. `sign_pdf` appends the
signature as an incremental update (the report's bytes stay as they were, so its text
and content hash still read the same). `verify_pdf` checks a signed PDF offline: no
revocation or certificate fetching, trust only in the roots given.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

# asn1crypto ships no type hints (pyHanko builds on it; its certificates are its types)
from asn1crypto import pem as asn1_pem  # type: ignore[import-untyped]
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from inspector_app.domain.errors import KnownError

FIELD_NAME = "Supervisor"
# pyHanko logs a failed chain of trust with its traceback; the result says it in one
# line. Without a handler of the app's own, Python would print those to stderr.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
_PDF_ERRORS = (PdfError, ValueError, KeyError, TypeError, IndexError)


class SigningError(KnownError):
    """A report cannot be signed with this PKCS#12 file (one line: what to do)."""


class UnusableCertificate(SigningError):
    """The certificate in the PKCS#12 file must not sign (expired, wrong key usage...)."""


class UnusableInput(KnownError):
    """The input is not a PDF that can be read, or a trust file is not a certificate."""


@dataclass(frozen=True)
class LoadedSigner:
    """A PKCS#12 file's key and certificate, checked for signing at `checked_at`."""

    signer: signers.SimpleSigner
    subject: str  # the certificate's subject common name (or the whole subject)
    not_valid_after: datetime
    checked_at: datetime


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    signer: str = ""  # subject CN of the signing certificate
    signed_at: datetime | None = None  # the time the signer's software claimed
    intact: bool = False  # the signed bytes hash as at signing and the signature is valid
    covers_whole_file: bool = False  # nothing was appended after the signature
    trusted: bool = False  # the certificate chains to one of the given roots
    problem: str = ""  # one line when something is wrong, else ''

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.covers_whole_file and self.trusted


# --- the signer's certificate -----------------------------------------------------------


def subject_name(cert: x509.Certificate) -> str:
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if cns:
        value = cns[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return cert.subject.rfc4514_string()


def _open_pkcs12(p12: bytes, passphrase: bytes | None) -> tuple[PrivateKeyTypes, x509.Certificate]:
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(p12, passphrase)
    except (ValueError, TypeError):
        if not _is_pkcs12(p12):
            raise SigningError(
                "the certificate file is not a PKCS#12 (.p12/.pfx) file; export the "
                "supervisor's certificate with its private key as PKCS#12"
            ) from None
        if passphrase is None:
            raise SigningError(
                "the PKCS#12 file is protected by a passphrase; give it "
                "(--p12-passphrase-file or at the prompt)"
            ) from None
        raise SigningError("wrong passphrase for the PKCS#12 file; nothing was signed") from None
    if key is None or cert is None:
        raise SigningError(
            "the PKCS#12 file holds no private key with its certificate; export both together"
        )
    return key, cert


def _is_pkcs12(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data)
        return bool(pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native)
    except Exception:  # asn1crypto raises several kinds on garbage: none of them matter
        return False


def _key_matches(key: PrivateKeyTypes, cert: x509.Certificate) -> bool:
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return key.public_key().public_bytes(enc, fmt) == cert.public_key().public_bytes(enc, fmt)


def _may_sign(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.digital_signature or usage.content_commitment)


def check_certificate(cert: x509.Certificate, now: datetime) -> None:
    """Refuse a certificate that must not sign now (one line)."""
    who = subject_name(cert)
    if cert.not_valid_after_utc < now:
        raise UnusableCertificate(
            f"the certificate of {who} expired on {cert.not_valid_after_utc:%Y-%m-%d}; "
            "ask for a new one: nothing was signed"
        )
    if cert.not_valid_before_utc > now:
        raise UnusableCertificate(
            f"the certificate of {who} is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC; nothing was signed"
        )
    if not _may_sign(cert):
        raise UnusableCertificate(
            f"the certificate of {who} is not for signing (its key usage lacks "
            "digitalSignature and nonRepudiation); nothing was signed"
        )


def load_signer(
    p12: bytes, passphrase: bytes | None, *, now: datetime | None = None
) -> LoadedSigner:
    """Open and check a PKCS#12 file; SigningError (one line) when it cannot sign."""
    moment = now or datetime.now(UTC)
    key, cert = _open_pkcs12(p12, passphrase)
    check_certificate(cert, moment)
    if not _key_matches(key, cert):
        raise SigningError("the private key in the PKCS#12 file does not belong to its certificate")
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=passphrase)
    except ValueError:  # loaded above, so this is a key type pyHanko does not sign with
        raise SigningError("pyHanko cannot sign with the key in the PKCS#12 file") from None
    return LoadedSigner(signer, subject_name(cert), cert.not_valid_after_utc, moment)


# --- signing ------------------------------------------------------------------------


def sign_with(loaded: LoadedSigner, pdf: bytes, *, reason: str, location: str,
              signer_name: str) -> bytes:  # fmt: skip
    """Append a PAdES signature (field "Supervisor") to `pdf`, incrementally."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location, name=signer_name,
    )  # fmt: skip
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        out = signers.PdfSigner(meta, signer=loaded.signer).sign_pdf(writer)
    except (PyHankoSigningError, *_PDF_ERRORS) as exc:
        raise SigningError(f"the report could not be signed: {_one_line(exc)}") from None
    data = out.getvalue() if isinstance(out, BytesIO) else out.read()
    return bytes(data)


def sign_pdf(pdf: bytes, p12: bytes, p12_passphrase: bytes | None, *, reason: str,
             location: str, signer_name: str, now: datetime | None = None) -> bytes:  # fmt: skip
    """Sign `pdf` with the key and certificate of a PKCS#12 file (PAdES, SHA-256)."""
    loaded = load_signer(p12, p12_passphrase, now=now)
    return sign_with(loaded, pdf, reason=reason, location=location, signer_name=signer_name)


# --- verification -------------------------------------------------------------------


def load_trust(data: bytes, name: str = "trust file") -> list[asn1_x509.Certificate]:
    """The certificates of a PEM (one or more) or DER file, as trust roots."""
    try:
        if asn1_pem.detect(data):
            certs = [
                asn1_x509.Certificate.load(der)
                for kind, _headers, der in asn1_pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"
            ]
        else:
            certs = [asn1_x509.Certificate.load(data)]
        for cert in certs:
            _ = cert.subject.native  # parse now: garbage fails here, not mid-validation
    except Exception:  # asn1crypto raises several kinds on garbage
        raise UnusableInput(f"{name}: not a PEM or DER certificate") from None
    if not certs:
        raise UnusableInput(f"{name}: no certificate in it (expected '-----BEGIN CERTIFICATE')")
    return certs


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _reader(pdf: bytes) -> PdfFileReader:
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise UnusableInput("not a PDF file (it does not start with %PDF-)")
    try:
        return PdfFileReader(BytesIO(pdf), strict=False)
    except _PDF_ERRORS as exc:
        raise UnusableInput(f"the PDF cannot be read: {_one_line(exc)}") from None


def _cn(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def _problem(intact: bool, whole: bool, trusted: bool) -> str:
    if not intact:
        return "the document was CHANGED after signing: the signed bytes no longer match"
    if not whole:
        return "the signature does not cover the whole file: something was added after signing"
    if not trusted:
        return "the certificate does not chain to a trusted root (give --trust CA.pem)"
    return ""


def verify_pdf(pdf: bytes, trust: list[bytes]) -> SignatureCheck:
    """Validate the supervisor's (or else the last) signature of `pdf`, offline.

    UnusableInput when the bytes are not a readable PDF or a trust root is not a
    certificate; `signed=False` when the PDF carries no signature."""
    roots = [c for i, t in enumerate(trust, 1) for c in load_trust(t, f"trust root {i}")]
    reader = _reader(pdf)
    try:
        sigs = reader.embedded_signatures
    except _PDF_ERRORS as exc:
        raise UnusableInput(f"the PDF's form fields cannot be read: {_one_line(exc)}") from None
    if not sigs:
        return SignatureCheck(signed=False, problem="the PDF is not signed")
    sig = next((s for s in sigs if s.field_name == FIELD_NAME), sigs[-1])
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        with warnings.catch_warnings():  # soft-fail revocation checks warn: we never fetch
            warnings.simplefilter("ignore")
            status = validate_pdf_signature(sig, signer_validation_context=context)
    except (SignatureValidationError, *_PDF_ERRORS) as exc:
        return SignatureCheck(signed=True, problem=f"the signature cannot be validated: "
                                                   f"{_one_line(exc)}")  # fmt: skip
    intact = bool(status.intact and status.valid)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    trusted = bool(status.trusted)
    return SignatureCheck(
        signed=True, signer=_cn(status.signing_cert), signed_at=status.signer_reported_dt,
        intact=intact, covers_whole_file=whole, trusted=trusted,
        problem=_problem(intact, whole, trusted),
    )  # fmt: skip


__all__ = [
    "FIELD_NAME", "LoadedSigner", "SignatureCheck", "SigningError", "UnusableCertificate",
    "UnusableInput", "check_certificate", "load_signer", "load_trust", "sign_pdf", "sign_with",
    "subject_name", "verify_pdf",
]  # fmt: skip
