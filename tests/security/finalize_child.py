"""Child program of test_finalize_kill: sign in, finalize a review, keep its report.

    python finalize_child.py DB NAME PASSFILE REVIEW_ID STEP

Signs in to the encrypted database (the passphrase on PASSFILE's first line, as the
CLI's --passphrase-file), prints "GO", finalizes REVIEW_ID (lifecycle.finalize_review)
and renders its inspection report, which stores the PDF as an encrypted artifact
(report_service.render_report), then prints "DONE" and exits 0.

STEP names the moment the child SIGKILLs itself ("none": never):

- finalize-uncommitted : every row and audit entry of the finalization written, the
  transaction not committed (FinalizeResult is built inside the unit of work)
- finalized            : finalize_review returned (committed), nothing rendered yet
- pdf-temp-written     : the encrypted PDF written and fsynced under its temporary
  name, not yet renamed into place (store.files.write_blob_file)
- pdf-stored           : the PDF stored (put_blob returned), no artifact row yet
- report-uncommitted   : the artifact row and its audit entry written, not committed
- rendered             : render_report returned (committed)
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

STEPS = ["finalize-uncommitted", "finalized", "pdf-temp-written", "pdf-stored",
         "report-uncommitted", "rendered"]  # fmt: skip


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _OsDyingAtRename:
    """store.files' view of `os`: the rename of a written temporary file kills."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def replace(src: Any, dst: Any) -> None:  # noqa: ARG004
        die()


def install(step: str) -> None:
    """Put the kill for `step` inside the services (moments within their transactions)."""
    from inspector_app.services import lifecycle, report_service, uow
    from inspector_app.store import files

    if step == "finalize-uncommitted":
        lifecycle.FinalizeResult = lambda *a, **k: die()  # type: ignore[misc,assignment]
    elif step == "pdf-temp-written":
        files.os = _OsDyingAtRename()  # type: ignore[assignment]
    elif step == "pdf-stored":
        put = report_service.put_blob

        def put_then_die(root: Path, data: bytes) -> str:
            put(root, data)
            die()
            raise AssertionError("unreachable")

        report_service.put_blob = put_then_die
    elif step == "report-uncommitted":
        audit = uow.UnitOfWork.audit

        def audit_then_die(self: Any, entity: str, entity_id: str, **detail: Any) -> None:
            audit(self, entity, entity_id, **detail)
            if entity == "report_artifact":
                die()

        uow.UnitOfWork.audit = audit_then_die  # type: ignore[method-assign]


def main(db_path: str, name: str, passfile: str, review_id: str, step: str) -> None:
    from inspector_app.services import accounts, lifecycle, report_service

    install(step)
    passphrase = Path(passfile).read_text(encoding="utf-8").splitlines()[0]
    db = accounts.sign_in(Path(db_path), name, passphrase)
    os.write(1, b"GO\n")
    lifecycle.finalize_review(db, review_id)
    if step == "finalized":
        die()
    report_service.render_report(db, "inspection", review_id)
    if step == "rendered":
        die()
    db.close()
    os.write(1, b"DONE\n")


if __name__ == "__main__":
    main(*sys.argv[1:6])
