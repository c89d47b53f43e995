"""Alembic's environment: runs on the connection `engine.migrate` hands over (online only)."""

from __future__ import annotations

from alembic import context

from assistant.db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
