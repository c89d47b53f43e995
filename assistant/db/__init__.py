"""The relational store (an adapter, above core): SQLAlchemy models and Alembic migrations.

SQLite in the data directory by default, PostgreSQL (or any SQLAlchemy URL) with
`KEEL_DATABASE_URL`. The strategy map lives here; goal sets and check reports follow.
"""
