"""Adding a reference from the command line: preprocess it (cached by content) and summarise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dancecoach.config import Settings
from dancecoach.orchestration.pose_cache import load_or_extract


def add_reference(
    video: Path, name: str, settings: Settings, progress: Callable[[str, float], None]
) -> str:
    """Preprocess the video and return a one-line summary for the user."""
    sequence = load_or_extract(video, settings, lambda fraction: progress("poses", fraction))
    found = int(sequence.present.sum())
    return (
        f"Reference '{name}' ready: {sequence.duration_s:.1f} s, {len(sequence)} frames at "
        f"{sequence.fps:g} fps, a dancer in {found} of them."
    )
