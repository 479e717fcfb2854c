"""The laptop schema position the server speaks, and the X-Inspector-Schema check."""

from __future__ import annotations

from inspector_app import __version__
from inspector_app.domain.sync import SCHEMA_HEADER, Hello
from inspector_app.store.database import head_revision, schema_position

from .problems import ProblemError

SCHEMA_VERSION = schema_position(head_revision())


def _older(client: int) -> str:
    return (
        f"this Inspector's database schema ({client}) is older than the server's "
        f"({SCHEMA_VERSION}): update Inspector"
    )


def _newer(client: int) -> str:
    return (
        f"the server is older than this laptop (schema {SCHEMA_VERSION} < {client}): "
        "update the server"
    )


def hello(client: int | None) -> Hello:
    if client is not None and client < SCHEMA_VERSION:
        message, upgrade = _older(client), True
    elif client is not None and client > SCHEMA_VERSION:
        message, upgrade = _newer(client), False
    else:
        message, upgrade = "", False
    return Hello(
        server_version=__version__,
        schema_version=SCHEMA_VERSION,
        upgrade_required=upgrade,
        message=message,
    )


def check_schema(client: int | None) -> None:
    """Writes need the client's schema position equal to the server's: else 426."""
    if client is None:
        raise ProblemError(
            426, f"send {SCHEMA_HEADER}: the server speaks schema {SCHEMA_VERSION}", "schema"
        )
    if client < SCHEMA_VERSION:
        raise ProblemError(426, _older(client), "schema_older")
    if client > SCHEMA_VERSION:
        raise ProblemError(426, _newer(client), "schema_newer")
