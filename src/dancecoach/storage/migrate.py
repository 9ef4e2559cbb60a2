"""Alembic migrations run programmatically: the app upgrades its database at startup."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock id held while migrating ("dance" in ASCII); any constant would do.
_MIGRATION_LOCK_ID = 0x64616E6365


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it already is)."""
    config = alembic_config()
    with engine.begin() as connection:
        _serialize_migrations(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _serialize_migrations(connection: Connection) -> None:
    """One migrator at a time on PostgreSQL (servers or CLI starting together).

    Otherwise each sees the old revision and runs the same DDL, and all but one fail. The lock
    ends with the transaction; whoever waited then reads the new revision and does nothing.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
