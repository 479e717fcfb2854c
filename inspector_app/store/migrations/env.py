"""Alembic environment: runs on the connection the app hands over (see database._upgrade)."""

from alembic import context
from sqlmodel import SQLModel

from inspector_app.store import models  # noqa: F401  (registers the tables)

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through inspector_app.store.database")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
