"""Settings from the environment (prefix DANCECOACH_) and an optional .env file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from dancecoach.scoring.matching import DEFAULT_MAX_POSE_OFFSET_S


class Settings(BaseSettings):
    """Every tunable of the product; defaults suit one laptop."""

    model_config = SettingsConfigDict(env_prefix="DANCECOACH_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Folder for the database and files.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default SQLite in the data folder."
    )
    # Object storage (storage/objects.py): unset keeps every file in the data folder; an
    # s3://bucket/prefix URL shares them between servers and job workers.
    storage_url: str | None = Field(
        default=None,
        description="s3://bucket/prefix of an S3-compatible store; unset: data folder.",
    )
    storage_endpoint_url: str = Field(
        default="https://s3.amazonaws.com", description="The S3 endpoint, http(s)://host:port."
    )
    storage_access_key: str | None = None
    storage_secret_key: str | None = None
    storage_region: str = "us-east-1"
    # Background work (jobs/): "in-process" runs reference preprocessing in a thread of the
    # server and renders each replay clip on its first request (one command, SQLite); "queue"
    # puts both on a Procrastinate queue in PostgreSQL for `dancecoach worker` processes.
    jobs: Literal["in-process", "queue"] = Field(
        default="in-process", description="Where preprocessing and clips run: in-process or queue."
    )
    job_heartbeat_s: float = Field(
        default=10.0,
        gt=0,
        description="Workers' heartbeat; a job whose worker is silent 3 beats is retried.",
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

    # Music: a reference with a beat gets sections of this many eight-counts (0: none).
    eights_per_section: int = Field(
        default=2, ge=0, le=16, description="Eight-counts per suggested section (0: none)."
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

    live_pose: Literal["auto", "browser", "server"] = Field(
        default="auto",
        description="Where live pose runs: auto (the learner's browser when its model loads and "
        "runs fast enough, else the server), browser only, or server only.",
    )

    # Privacy: learner frames are deleted this long after a session is finalized; cached poses
    # of `compare` recordings this long after their last use.
    frame_retention_hours: float = Field(default=24.0, ge=0)

    # Access (see api/security.py and api/auth.py). Loopback names are always allowed; a server
    # reached by another name (a LAN address, a domain) needs it listed here.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Extra host names the server answers to (comma list in the environment).",
    )
    auth: Literal["auto", "required", "off"] = Field(
        default="auto",
        description="Accounts: auto = required when serving a non-loopback address.",
    )
    auth_session_days: float = Field(default=14.0, gt=0, description="Sign-in lifetime.")
    # Behind a reverse proxy the client address (sign-in budgets) and the scheme (Secure
    # cookies) come from its X-Forwarded-For / -Proto headers, believed only from these peers.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1"],
        description="Addresses or networks (CIDR) of the reverse proxies whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed (comma list in the environment; * for any).",
    )

    # Bounded resources.
    max_live_sessions: int = Field(
        # The README's load benchmark measured 14 sessions within p95 50 ms on 2 cores, so
        # 7 a core; beyond it every session's frames get slower and more are dropped.
        default_factory=lambda: 7 * (os.cpu_count() or 2),
        ge=1,
        description="Live sessions streaming at once; the next is refused (server is full).",
    )
    durable_frames: bool = Field(
        default=False,
        description="Store each scored frame before answering it (several servers: one "
        "killed mid-session keeps every frame it answered).",
    )
    behind_balancer: bool = Field(
        default=False,
        description="A full server refuses a WebSocket handshake with HTTP 503 (a balancer "
        "then tries another instance) instead of closing it with 4503.",
    )
    max_browser_pose_sessions: int = Field(
        # A browser-pose session costs the server the scoring, not the pose model: 0.6-1.2 ms
        # of CPU a frame against 12-14. A scoring process scores them and the one event loop
        # reads, stores and answers them: on 2 cores `bench.load --mode landmarks` kept 150
        # sessions within p95 50 ms and no drops, 200 on a quick host day (p95 31-38 ms) but
        # not on a slow one (p95 103-184 ms, 0-4 % dropped); 120 leaves the margin.
        default=120,
        ge=1,
        description="Live sessions with pose in the browser streaming at once (landmarks only).",
    )
    ws_send_queue: int = Field(
        default=32,
        ge=1,
        description="Replies queued for one WebSocket (about 3 s at 10 FPS) before it is closed.",
    )
    learner_frames_quota_mb: float = Field(
        default=5000.0,
        gt=0,
        description="Disk for learner frames and clips; oldest finished sessions' go first.",
    )
    uploads_per_hour: int = Field(default=30, ge=1, description="Uploads per user per hour.")
    pose_cache_max_mb: float = Field(
        default=500.0, gt=0, description="Offline pose cache size; least recently used out."
    )

    # LLM coaching (OpenAI or any compatible server). The key and base URL also come from the
    # standard OPENAI_API_KEY / OPENAI_BASE_URL variables the openai client reads.
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = Field(default=10.0, gt=0)
    openai_api_key: str | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")

    @field_validator("allowed_hosts", "forwarded_allow_ips", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dancecoach.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
