from tests.serverfixtures import pg_server, server_db_url  # noqa: F401
