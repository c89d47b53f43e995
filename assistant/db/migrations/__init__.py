"""Alembic migrations of Keel's database, run by `assistant.db.engine.open_database`."""
