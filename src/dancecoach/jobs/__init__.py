"""Background work as jobs: reference preprocessing and replay clips on a Procrastinate queue in
PostgreSQL, run by `dancecoach worker` processes (see queue.py); the embedded default
preprocesses in a thread of the server and renders each clip on its first request instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.jobs.queue import JobQueue
    from dancecoach.jobs.worker import run_worker

__all__ = ["JobQueue", "run_worker"]

_MODULES = {"JobQueue": "queue", "run_worker": "worker"}

__getattr__ = lazy_exports(__name__, _MODULES)
