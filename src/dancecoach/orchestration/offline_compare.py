"""Offline comparison of two recorded videos: extract (cached), align, score."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dancecoach.config import Settings
from dancecoach.orchestration.pose_cache import load_or_extract
from dancecoach.pipeline.results import ScoreReport
from dancecoach.pipeline.scoring import score_performance
from dancecoach.pipeline.sequence import PoseSequence
from dancecoach.pipeline.video import probe_video

MirrorMode = Literal["auto", "on", "off"]
StageProgress = Callable[[str, float], None]  # (stage name, fraction done)


@dataclass(frozen=True)
class OfflineComparison:
    reference: PoseSequence
    attempt: PoseSequence
    report: ScoreReport


def mirror_flag(mode: MirrorMode) -> bool | None:
    """ "on": the attempt is the mirror image of the reference; "auto": detect it."""
    return {"auto": None, "on": True, "off": False}[mode]


def compare_videos(
    reference_video: Path,
    attempt_video: Path,
    settings: Settings,
    *,
    mirror: MirrorMode = "auto",
    progress: StageProgress | None = None,
) -> OfflineComparison:
    """Score a recorded attempt against a reference video."""

    def stage(name: str) -> Callable[[float], None] | None:
        if progress is None:
            return None
        return lambda fraction: progress(name, fraction)

    # Check both files before the long work, so a typo fails at once.
    probe_video(reference_video)
    probe_video(attempt_video)
    reference = load_or_extract(reference_video, settings, stage("reference"))
    attempt = load_or_extract(attempt_video, settings, stage("attempt"))
    report = score_performance(reference, attempt, mirror=mirror_flag(mirror), alignment="search")
    return OfflineComparison(reference, attempt, report)
