"""Alembic's entry point: migrations run on the connection the store hands over (under its lock)."""

from alembic import context

from sync.store.schema import metadata

connection = context.config.attributes["connection"]
# Batch mode: SQLite alters a table by copying it, which plain ALTER cannot do there.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
