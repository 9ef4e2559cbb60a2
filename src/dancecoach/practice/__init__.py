"""Practice sessions over REST: sections scored from the stored frames, their reports and
coaching, progress across attempts, replay clips and the retention of learner frames."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.practice.progress import reference_progress
    from dancecoach.practice.retention import run_cleanup_loop
    from dancecoach.practice.sessions import SessionService

__all__ = ["SessionService", "reference_progress", "run_cleanup_loop"]

_MODULES = {
    "SessionService": "sessions",
    "reference_progress": "progress",
    "run_cleanup_loop": "retention",
}


__getattr__ = lazy_exports(__name__, _MODULES)
