"""Files the user asked for (reports, exports): written whole or not at all."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import Invalid


def write_atomically(out: Path, data: bytes) -> Path:
    """Write next to the target, fsync, then rename: the file is whole or absent."""
    out = Path(out).expanduser()
    folder = out.parent
    if not folder.is_dir():
        raise Invalid("out", f"{folder}: no such folder; create it or choose another")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise Invalid("out", f"{folder}: cannot write here ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        reason = "disk full" if exc.errno == errno.ENOSPC else exc.strerror or exc
        raise Invalid("out", f"{out}: cannot write ({reason})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
