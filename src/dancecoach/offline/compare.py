"""Offline comparison of two recorded videos: extract (cached), match soundtracks, align, score."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dancecoach.config import Settings
from dancecoach.estimation.soundtrack import read_soundtrack
from dancecoach.estimation.video import probe_video
from dancecoach.library.music import analyse_video
from dancecoach.library.pose_cache import load_or_extract
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.audio import SongMatch, audio_features, match_soundtracks
from dancecoach.scoring.performance import score_performance
from dancecoach.scoring.results import ScoreReport

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
    song = match_songs(reference_video, attempt_video, progress=stage("music"))
    report = score_performance(
        reference,
        attempt,
        mirror=mirror_flag(mirror),
        alignment="search",
        song=song,
        max_pose_offset_s=settings.max_pose_offset_s,
        # The reference's beats: problem moments told in counts, timing on its hits.
        beats=analyse_video(reference_video, reference),
    )
    return OfflineComparison(reference, attempt, report)


def match_songs(
    reference_video: Path, attempt_video: Path, *, progress: Callable[[float], None] | None
) -> SongMatch | None:
    """How the two soundtracks line up; None when either video has no usable sound."""
    tracks = []
    for video in (reference_video, attempt_video):
        track = read_soundtrack(video)
        if track is None:
            return None
        tracks.append(audio_features(track.samples, track.sample_rate_hz))
        if progress is not None:
            progress(len(tracks) / 2)
    return match_soundtracks(tracks[0], tracks[1])
