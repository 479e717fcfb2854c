"""Developer tool: `python -m inspector_app.store.migrate "message"` writes a new
Alembic revision by comparing the models with a database built from the current head."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from .database import _alembic_config, _upgrade, make_engine


def main(argv: list[str]) -> int:
    message = argv[0] if argv else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(Path(tmp) / "head.db")
        _upgrade(engine)
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
