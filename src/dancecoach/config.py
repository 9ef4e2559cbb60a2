"""Settings from the environment (prefix DANCECOACH_) and an optional .env file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from dancecoach.pipeline.matching import DEFAULT_MAX_POSE_OFFSET_S


class Settings(BaseSettings):
    """Every tunable of the product; defaults suit one laptop."""

    model_config = SettingsConfigDict(env_prefix="DANCECOACH_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Folder for the database and files.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default SQLite in the data folder."
    )
    host: str = "127.0.0.1"
    port: int = 8000

    # Pose extraction.
    sample_fps: float = Field(default=15.0, gt=0, le=60, description="Reference sampling rate.")
    extraction_workers: int = Field(default=2, ge=1, le=16)
    # Without a shared song, `compare` searches the offset by pose within this many seconds: a
    # free shift lets any two dances find a stretch where they look alike.
    max_pose_offset_s: float = Field(
        default=DEFAULT_MAX_POSE_OFFSET_S,
        ge=0,
        le=30,
        description="Largest offset (s) the pose-based search tries.",
    )

    # Limits on what clients may send.
    max_upload_mb: float = Field(default=200.0, gt=0)
    max_frame_bytes: int = Field(default=2_000_000, gt=0)
    max_frame_pixels: int = Field(default=1920 * 1080, gt=0)
    max_frame_side: int = Field(default=4096, gt=0)
    inference_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 2,
        ge=1,
        le=64,
        description="Live analysis workers (one per core makes full use of the machine).",
    )
    inference_processes: bool = Field(
        default=True, description="Run live analysis in worker processes rather than threads."
    )
    inference_pin_cpus: bool = Field(
        default=True, description="Pin live analysis process i to CPU i (a dedicated machine)."
    )

    live_pose_model: Literal["int8", "float"] = Field(
        default="int8",
        description="Landmark model for live sessions: int8 (~1.4x faster) or the float one.",
    )

    # Privacy: learner frames are deleted this long after a session is finalized.
    frame_retention_hours: float = Field(default=24.0, ge=0)

    # LLM coaching (OpenAI or any compatible server). The key and base URL also come from the
    # standard OPENAI_API_KEY / OPENAI_BASE_URL variables the openai client reads.
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = Field(default=10.0, gt=0)
    openai_api_key: str | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dancecoach.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
