"""`inspector-app report KIND REVIEW_ID --out FILE.pdf`: render a review's PDF report.

Kinds: inspection, focus-review, request-form, closeout. The report is also kept in
the database as an artifact with its SHA-256, so a later copy can be checked.

Supervisor sign-off: `report approve REVIEW_ID --p12 FILE --out SIGNED.pdf` signs a
final review's inspection report (PAdES) and records the approval;
`report verify-signature FILE.pdf [--trust CA.pem]` checks a signed report offline
(exit 0 signed, intact, whole file covered and trusted; 1 otherwise; 2 unusable input).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from inspector_app.domain.enums import ReportKind
from inspector_app.reports import signing
from inspector_app.services import approval, report_service

from .analytics_cmds import register_report_kinds
from .common import CliError, mark_completed, open_db, out, resolve

COMMANDS = {
    "inspection": (ReportKind.INSPECTION, "inspection report of a JEM inspection or WSO review"),
    "focus-review": (ReportKind.FOCUS_REVIEW, "focus review report (each finding resolved or not)"),
    "request-form": (ReportKind.REQUEST_FORM, "WSO internal oversight review request form"),
    "closeout": (ReportKind.CLOSEOUT, "corrective-action closeout memo (all findings closed)"),
}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", help="render a review's PDF report")
    kinds = p.add_subparsers(dest="report_kind", metavar="KIND")
    for name, (kind, help_text) in COMMANDS.items():
        c = kinds.add_parser(name, parents=[common], help=help_text)
        c.add_argument("review_id", metavar="REVIEW_ID", help="review id or a unique prefix")
        c.add_argument("--out", "-o", type=Path, required=True, metavar="FILE.pdf")
        c.set_defaults(func=cmd_report, kind=kind)
    register_report_kinds(kinds, common)  # annual, wso-summary: program-wide reports
    register_signing(kinds, common)  # approve, verify-signature: supervisor sign-off


def cmd_report(args: argparse.Namespace) -> int:
    target: Path = args.out.expanduser()
    if not target.parent.is_dir():  # before opening anything: nothing to undo
        raise CliError(f"{target.parent}: no such folder for --out; create it or choose another")
    if target.is_dir():
        raise CliError(f"{target}: is a folder; give --out a file name ending in .pdf")
    db = open_db(args)
    try:
        review_id = resolve(db, "review", args.review_id, "review")
        try:
            rendered = report_service.render_to_file(db, args.kind, review_id, target)
        except report_service.CloseoutBlocked as exc:
            for line in exc.blockers:
                sys.stderr.write(f"inspector-app: open finding: {line}\n")
            return 2
    finally:
        db.close()
    mark_completed(args, f"the report {target}")
    out(f"{target}: {report_service.REPORT_LABELS[args.kind].lower()}, {rendered.pages} page(s), "
        f"sha256 {rendered.sha256}")  # fmt: skip
    if rendered.changed_since_final:  # written, but it must not pass for a final report
        sys.stderr.write(f"inspector-app: warning: review {review_id[:8]} changed since it was "
                         "finalized; the report says so on every page and is not final: "
                         + "; ".join(rendered.changed_since_final[:3]) + "\n")  # fmt: skip
    return 0


# --- supervisor sign-off: approve (render + PAdES-sign) and verify a signed report -----


def register_signing(kinds: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    a = kinds.add_parser("approve", parents=[common],
                         help="approve a final review: sign its inspection report (PAdES)")  # fmt: skip
    a.add_argument("review_id", metavar="REVIEW_ID", help="review id or a unique prefix")
    a.add_argument("--p12", type=Path, required=True, metavar="FILE",
                   help="the supervisor's certificate and key (PKCS#12, .p12/.pfx)")  # fmt: skip
    a.add_argument("--p12-passphrase-file", type=Path, metavar="F",
                   help="a file holding the PKCS#12 passphrase (else asked at the terminal)")  # fmt: skip
    a.add_argument("--out", "-o", type=Path, required=True, metavar="SIGNED.pdf")
    a.set_defaults(func=cmd_approve)
    v = kinds.add_parser("verify-signature", parents=[common],
                         help="check a signed report: who signed, when, unchanged, trusted")  # fmt: skip
    v.add_argument("pdf", type=Path, metavar="FILE.pdf")
    v.add_argument("--trust", type=Path, action="append", default=[], metavar="CA.pem",
                   help="a trusted root certificate (PEM or DER); repeat for more")  # fmt: skip
    v.set_defaults(func=cmd_verify_signature)


def _read(path: Path, what: str) -> bytes:
    path = path.expanduser()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a folder; give the {what}") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None


def _passphrase(args: argparse.Namespace) -> bytes | None:
    """From --p12-passphrase-file (its first line), else asked at a terminal, else none."""
    if args.p12_passphrase_file is not None:
        text = _read(args.p12_passphrase_file, "passphrase file")
        return text.splitlines()[0] if text.strip() else None
    if not sys.stdin.isatty():
        return None
    typed = getpass.getpass(f"Passphrase of {args.p12.name} (empty if none): ")
    return typed.encode() if typed else None


def cmd_approve(args: argparse.Namespace) -> int:
    target: Path = args.out.expanduser()
    if not target.parent.is_dir():  # before opening anything: nothing to undo
        raise CliError(f"{target.parent}: no such folder for --out; create it or choose another")
    if target.is_dir():
        raise CliError(f"{target}: is a folder; give --out a file name ending in .pdf")
    p12 = _read(args.p12, "PKCS#12 file")
    passphrase = _passphrase(args)
    db = open_db(args)
    try:
        review_id = resolve(db, "review", args.review_id, "review")
        result = approval.approve_review(db, review_id, p12=p12, p12_passphrase=passphrase)
    finally:
        db.close()
    mark_completed(args, f"the approval of review {review_id[:8]}")
    report_service.write_atomically(target, result.pdf)
    a = result.approval
    out(f"review {review_id[:8]} approved by {a.approved_by or 'unknown'} at "
        f"{a.approved_at:%Y-%m-%d %H:%M} UTC (revision {a.revision})")  # fmt: skip
    out(f"content hash {a.content_hash}")
    out(f"signed by {a.signer} (certificate subject)")
    out(f"{target}: signed inspection report, sha256 {a.artifact_sha256}")
    return 0


def _when(at: datetime | None) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if at else "an unknown time"


def cmd_verify_signature(args: argparse.Namespace) -> int:
    trust = [_read(p, "trust certificate") for p in args.trust]
    pdf = _read(args.pdf, "PDF")
    check = signing.verify_pdf(pdf, trust)
    name = args.pdf
    if not check.signed:
        sys.stderr.write(f"inspector-app: {name}: {check.problem or 'not signed'}\n")
        return 1
    if not check.signer:  # signed, but the signature itself cannot be read
        sys.stderr.write(f"inspector-app: {name}: {check.problem}\n")
        return 1
    out(f"{name}: signed by {check.signer} at {_when(check.signed_at)}")
    if not check.intact:
        out("document: CHANGED after signing (the signed bytes no longer match)")
    elif not check.covers_whole_file:
        out("document: intact up to the signature, but something was added after it: "
            "the signature does not cover the whole file")  # fmt: skip
    else:
        out("document: intact (the signature covers the whole file)")
    if check.trusted:
        out("certificate: trusted (chains to a given root)")
    elif not args.trust:
        out("certificate: not trusted (no trusted root given; add --trust CA.pem)")
    else:
        out("certificate: not trusted (it does not chain to a given root)")
    return 0 if check.ok else 1
