"""`inspector-app` / `python -m inspector_app`: the desktop app without a command,
the command line with one."""

from __future__ import annotations

import sys

_GLOBAL_WITH_VALUE = {"--db", "--user"}
_GLOBAL_FLAGS = {"--demo"}


def is_gui_invocation(argv: list[str]) -> bool:
    """True when argv holds only global options (--db PATH, --user NAME, --demo).

    An empty --db is left to the command line, which refuses it in one line instead
    of opening the default database.
    """
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in _GLOBAL_FLAGS:
            continue
        name, eq, value = arg.partition("=")
        if eq and name in _GLOBAL_WITH_VALUE:
            if name == "--db" and not value.strip():
                return False
            continue
        if arg in _GLOBAL_WITH_VALUE and rest:
            if arg == "--db" and not rest[0].strip():
                return False
            rest.pop(0)
            continue
        return False
    return True


def is_server_invocation(argv: list[str]) -> bool:
    """True when the first argument that is no option is `serve` or `server`."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first in ("serve", "server")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if is_server_invocation(argv):  # the central service; the laptop CLI is not imported
        from inspector_app.server.cli import main as server_main

        return server_main(argv)
    if argv == ["--version"]:  # answered before any heavy import
        from inspector_app import __version__

        print(f"inspector-app {__version__}")
        return 0
    if argv == ["--self-test"]:  # headless: is this installation whole? (no Qt, no display)
        from inspector_app.selftest import main as self_test

        return self_test()
    if is_gui_invocation(argv):
        from inspector_app.ui.launch import launch  # Qt is imported only for the GUI

        return launch(argv)
    from inspector_app.cli.main import run

    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main())
