"""Open the database, bring its schema to the newest migration, hand out sessions.

* SQLite (default, `<data_dir>/keel.db`): WAL journal, so readers never wait for a writer, and a
  busy timeout (`KEEL_DATABASE_TIMEOUT_S`), so a second process's write waits instead of failing;
  past the timeout the writer gets one readable `DatabaseError` and its transaction is rolled
  back whole. SQLite commits are atomic: a process killed mid-write leaves the last commit.
* PostgreSQL (or any SQLAlchemy URL) with `KEEL_DATABASE_URL`; migrations run under an advisory
  lock there, under a file lock next to the SQLite file here, so two processes starting at once
  migrate once.
* Every row a person can edit carries a version: a write based on a stale read raises
  `DatabaseError` ("changed by someone else meanwhile") instead of overwriting.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import portalocker
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from assistant.core.config import Settings
from assistant.core.errors import DatabaseError

__all__ = ["Database", "database_url", "shared_database"]

_MIGRATIONS = Path(str(files("assistant.db") / "migrations"))
_ADVISORY_KEY = 0x6B65656C  # "keel"


def database_url(settings: Settings) -> str:
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return f"sqlite:///{settings.data_dir / 'keel.db'}"


class Database:
    """One engine per process and URL; `session()` is a unit of work (commit or roll back)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = database_url(settings)
        self.engine = _engine(self.url, settings)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.migrate()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        """The URL without its password."""
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent; one process at a time)."""
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        try:
            with self._migration_lock(), self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise DatabaseError(f"The database at {self.describe()} could not be prepared: "
                                f"{_reason(exc)}") from exc

    @contextlib.contextmanager
    def _migration_lock(self) -> Iterator[None]:
        if self.dialect == "sqlite":
            lock = Path(f"{self.engine.url.database}.migrate.lock")
            lock.parent.mkdir(parents=True, exist_ok=True)
            with portalocker.Lock(str(lock), mode="a", timeout=60):
                yield
        elif self.dialect == "postgresql":
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_KEY})
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"),
                                       {"k": _ADVISORY_KEY})
                    connection.commit()
        else:
            yield

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back whole on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise DatabaseError("Someone else changed this meanwhile; reload it and apply "
                                "your change again.") from exc
        except OperationalError as exc:
            session.rollback()
            raise DatabaseError(f"The database is busy or unreachable ({_reason(exc)}); "
                                "nothing was saved. Try again.") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


_SHARED: dict[str, Database] = {}
_SHARED_LOCK = threading.Lock()


def shared_database(settings: Settings) -> Database:
    """One `Database` per URL for the whole process (engine, pool, migrations done once)."""
    url = database_url(settings)
    with _SHARED_LOCK:
        if url not in _SHARED:
            _SHARED[url] = Database(settings)
        return _SHARED[url]


def _engine(url: str, settings: Settings) -> Engine:
    timeout = settings.database_timeout_s
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": timeout})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    try:
        return create_engine(url, pool_pre_ping=True,
                             connect_args={"connect_timeout": max(1, int(timeout))}
                             if url.startswith("postgresql") else {})
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise DatabaseError(f"KEEL_DATABASE_URL is not usable: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
