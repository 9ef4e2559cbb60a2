"""Migration 0005 (accounts) keeps every existing session, frame and report, both ways."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from dancecoach.config import Settings
from dancecoach.storage.database import Database
from dancecoach.storage.migrate import alembic_config, upgrade_to_head


def _migrate(db: Database, target: str, *, down: bool = False) -> None:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def _counts(db: Database) -> tuple[int, int]:
    with db.engine.connect() as connection:
        sessions = connection.execute(text("SELECT count(*) FROM practice_sessions")).scalar()
        frames = connection.execute(text("SELECT count(*) FROM scored_frames")).scalar()
    return int(sessions or 0), int(frames or 0)


def test_existing_practice_survives_the_accounts_migration_and_its_downgrade(
    tmp_path: Path,
) -> None:
    db = Database.from_settings(Settings(data_dir=tmp_path))
    _migrate(db, "0003")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO reference_videos (id, name, original_filename, video_file, status, "
                "progress, is_demo, created_at, updated_at) VALUES "
                "('r', 'R', 'r.mp4', 'r.mp4', 'ready', 1, 0, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO practice_sessions (id, reference_id, status, mirror, playback_rate, "
                "dropped_frames, created_at, last_activity_at) VALUES "
                "('s', 'r', 'active', 1, 1.0, 0, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO scored_frames (session_id, seq, pass_index, timestamp_s, "
                "received_at, part_scores, errors, width, height) VALUES "
                "('s', 0, 0, 1.0, '2026-01-01', '{}', '[]', 4, 3)"
            )
        )
    upgrade_to_head(db.engine)
    assert _counts(db) == (1, 1)
    with db.engine.connect() as connection:
        owner = connection.execute(text("SELECT user_id FROM practice_sessions")).scalar()
    assert owner is None  # a session from before accounts belongs to the local user
    _migrate(db, "0003", down=True)
    assert _counts(db) == (1, 1)
    db.dispose()
