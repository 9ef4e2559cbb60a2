"""The database engine and session factory, built from the settings (SQLite WAL or PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dancecoach.config import Settings


class SerializedJSON(str):
    """A JSON column's value already serialised (with orjson) where it is written by the
    thousand a second, the live frames' scores and errors: the stdlib encoder was ~10 % of the
    event loop's process at 200 sessions. Any other value goes through json.dumps as before."""


def _json_text(value: Any) -> str:
    return value if isinstance(value, SerializedJSON) else json.dumps(value)


# SQLite waits this long for a lock held by another connection before failing.
_SQLITE_BUSY_TIMEOUT_S = 30.0


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work while a writer commits; foreign keys are off by default in SQLite."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_db_engine(settings: Settings) -> Engine:
    """An engine for the configured URL; the SQLite file's folder is created if needed."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_TIMEOUT_S},
            json_serializer=_json_text,
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, json_serializer=_json_text
    )


class Database:
    """Engine plus session factory; `with db.session() as s:` commits on success."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(create_db_engine(settings))

    @property
    def backend(self) -> str:
        return self.engine.url.get_backend_name()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._factory() as session, session.begin():
            yield session

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Run a block in one process of the deployment at a time (servers sharing a
        PostgreSQL database: an advisory lock named by `name`); SQLite serves one process."""
        if self.backend != "postgresql":
            yield
            return
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()

    def dispose(self) -> None:
        self.engine.dispose()
