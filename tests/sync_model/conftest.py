from tests.serverfixtures import pg_server  # noqa: F401
