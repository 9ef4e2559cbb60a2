"""Adding a reference from the command line: preprocess it (cached by content) and add it to
the same library the web app lists."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from dancecoach.config import Settings
from dancecoach.orchestration.pose_cache import load_or_extract
from dancecoach.orchestration.runtime import Runtime
from dancecoach.pipeline.video import probe_video


def add_reference(
    video: Path, name: str, settings: Settings, progress: Callable[[str, float], None]
) -> str:
    """Preprocess the video, register it as a ready reference and return a summary line."""
    probe_video(video)
    sequence = load_or_extract(video, settings, lambda fraction: progress("poses", fraction))
    runtime = Runtime(settings, demo_reference=False)
    try:
        reference = runtime.references.register_ready(video, sequence, name=name)
    finally:
        asyncio.run(runtime.stop())
    found = int(sequence.present.sum())
    return (
        f"Reference '{reference.name}' ({reference.id}) ready: {sequence.duration_s:.1f} s, "
        f"{len(sequence)} frames at {sequence.fps:g} fps, a dancer in {found} of them."
    )
