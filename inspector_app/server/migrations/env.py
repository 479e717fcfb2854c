"""Alembic environment of the sync service: runs on the connection that
inspector_app.server.migrate hands over (SQLite or PostgreSQL)."""

from alembic import context

from inspector_app.server.storage import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the service's migrations through inspector_app.server.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
