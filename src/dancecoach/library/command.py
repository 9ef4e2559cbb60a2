"""Adding a reference from the command line: preprocess it (cached by content) and add it to
the same library the web app lists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dancecoach.config import Settings
from dancecoach.estimation.video import probe_video
from dancecoach.library.pose_cache import load_or_extract
from dancecoach.library.references import ReferenceService


def add_reference(
    video: Path,
    name: str,
    settings: Settings,
    references: Callable[[], ReferenceService],
    progress: Callable[[str, float], None],
) -> str:
    """Preprocess the video, register it as a ready reference and return a summary line.

    `references` opens the library only once the poses are extracted (the caller owns it), so
    a video that does not decode never touches the database.
    """
    probe_video(video)
    sequence = load_or_extract(video, settings, lambda fraction: progress("poses", fraction))
    reference = references().register_ready(video, sequence, name=name)
    found = int(sequence.present.sum())
    return (
        f"Reference '{reference.name}' ({reference.id}) ready: {sequence.duration_s:.1f} s, "
        f"{len(sequence)} frames at {sequence.fps:g} fps, a dancer in {found} of them."
    )
