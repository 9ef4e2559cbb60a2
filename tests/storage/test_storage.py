"""Storage basics: migrations, SQLite WAL, safe names and paths inside the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from dancecoach.config import Settings
from dancecoach.storage.beat_store import BeatStore
from dancecoach.storage.database import Database
from dancecoach.storage.files import DataLayout, safe_filename, video_suffix
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.migrate import upgrade_to_head
from dancecoach.storage.models import ReferenceVideo
from dancecoach.storage.reference_store import ReferenceStore


def test_migrations_create_the_schema_and_can_run_again(settings: Settings) -> None:
    db = Database.from_settings(settings)
    upgrade_to_head(db.engine)
    upgrade_to_head(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert {"reference_videos", "practice_sessions", "scored_frames", "alembic_version"} <= tables
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (settings.data_dir / "dancecoach.db").is_file()
    db.dispose()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\dance.mp4", "dance.mp4"),
        ("..", "video"),
        ("  .hidden.mp4 ", "hidden.mp4"),
        ("a\x00b<script>.mp4", "a_b_script_.mp4"),
        ("", "video"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_only_known_video_suffixes_are_kept() -> None:
    assert video_suffix("x.MP4") == ".mp4"
    assert video_suffix("x.exe") == ".bin"
    assert video_suffix("../x.webm") == ".webm"


def test_layout_refuses_ids_and_paths_outside_the_data_folder(tmp_path: Path) -> None:
    layout = DataLayout(tmp_path / "data")
    with pytest.raises(ValueError):
        layout.reference_dir("../../etc")
    with pytest.raises(ValueError):
        layout.absolute("../outside.txt")
    inside = layout.reference_dir("a" * 32) / "video.mp4"
    assert layout.absolute(layout.relative(inside)) == inside.resolve()


def _database_at(
    settings: Settings, revision: str, *statements: tuple[str, dict[str, str]]
) -> Database:
    """A database migrated only up to revision, with one reference video 'a' and the rows the
    statements insert."""
    from alembic import command

    from dancecoach.storage.migrate import alembic_config

    db = Database.from_settings(settings)
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.execute(
            text(
                "INSERT INTO reference_videos (id, name, original_filename, video_file, status,"
                " progress, is_demo, created_at, updated_at) VALUES ('a', 'old', 'o.mp4', 'v',"
                " 'ready', 1.0, 0, '2026-01-01', '2026-01-01')"
            )
        )
        for statement, parameters in statements:
            connection.execute(text(statement), parameters)
    return db


def test_a_database_of_the_first_schema_is_upgraded_in_place(settings: Settings) -> None:
    db = _database_at(settings, "0001")
    upgrade_to_head(db.engine)
    columns = {c["name"] for c in inspect(db.engine).get_columns("reference_videos")}
    assert "dancer_x" in columns
    assert "content_hash" not in columns  # never written; dropped in 0004
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM reference_videos")).scalar() == "old"
    db.dispose()


def test_frames_stored_a_file_each_before_0003_still_read_after_the_upgrade(
    settings: Settings,
) -> None:
    layout = DataLayout(settings.data_dir)
    layout.ensure()
    old_image = layout.session_frames_dir("b" * 32) / "00000000.jpg"
    old_image.parent.mkdir(parents=True)
    old_image.write_bytes(b"one whole jpeg")
    db = _database_at(
        settings,
        "0002",
        (
            "INSERT INTO practice_sessions (id, reference_id, status, mirror, playback_rate,"
            " dropped_frames, created_at, last_activity_at) VALUES"
            " (:id, 'a', 'active', 0, 1.0, 0, '2026-01-01', '2026-01-01')",
            {"id": "b" * 32},
        ),
        (
            "INSERT INTO scored_frames (session_id, seq, pass_index, timestamp_s, received_at,"
            " part_scores, errors, width, height, image_file) VALUES"
            " (:id, 0, 0, 1.0, '2026-01-01', '{}', '[]', 64, 48, :file)",
            {"id": "b" * 32, "file": layout.relative(old_image)},
        ),
    )
    upgrade_to_head(db.engine)
    (frame,) = FrameStore(db).frames("b" * 32)
    assert frame.image_file is not None and frame.image_offset is None
    assert layout.read_part(frame.image_file, frame.image_offset, frame.image_length) == (
        b"one whole jpeg"
    )
    db.dispose()


def test_break_it_down_progress_is_each_learners_own(settings: Settings) -> None:
    db = Database.from_settings(settings)
    upgrade_to_head(db.engine)
    ReferenceStore(db).add(
        ReferenceVideo(id="r1", name="R", original_filename="r.mp4", video_file="videos/r.mp4")
    )
    beats = BeatStore(db)
    beats.record_attempt("r1", "alice", 3, stage=2, score=71.0)
    beats.record_attempt("r1", "alice", 3, stage=1, score=55.0)  # the furthest stage stays
    beats.record_attempt("r1", "", 1, stage=1, score=60.0)  # the one user without accounts
    assert [(row.eight, row.stage, row.best_score) for row in beats.mastery("r1", "alice")] == [
        (3, 2, 71.0)
    ]
    assert beats.mastery("r1", "bob") == []
    assert beats.forget_mastery("alice") == 1
    assert beats.mastery("r1", "alice") == []
    assert len(beats.mastery("r1", "")) == 1
    db.dispose()
