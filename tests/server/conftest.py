"""The central service's tests share the server fixtures (tests/serverfixtures.py)."""

from tests.serverfixtures import pg_server, server_db_url  # noqa: F401
