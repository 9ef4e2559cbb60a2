"""A learner's stored live frames as pose sequences the pipeline scores, and their coaching."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from dancecoach.config import Settings
from dancecoach.orchestration.reports import feedback_dict, for_feedback
from dancecoach.pipeline.landmarks import NUM_LANDMARKS
from dancecoach.pipeline.results import ScoreReport
from dancecoach.pipeline.sequence import PoseSequence
from dancecoach.storage.models import ScoredFrame

log = logging.getLogger(__name__)

_MIN_ATTEMPT_FPS = 1.0
_MAX_ATTEMPT_FPS = 60.0


def attempt_sequence(frames: Sequence[ScoredFrame]) -> PoseSequence:
    """Stored frames as a pose sequence in dance time (NaN rows where nobody was found)."""
    landmarks = np.full((len(frames), NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
    for index, frame in enumerate(frames):
        if frame.landmarks is not None:
            landmarks[index] = np.frombuffer(frame.landmarks, dtype="<f4").reshape(NUM_LANDMARKS, 4)
    timestamps = np.array([frame.timestamp_s for frame in frames], dtype=np.float64)
    size = Counter((frame.width, frame.height) for frame in frames).most_common(1)
    frame_size = size[0][0] if size else (640, 480)
    intervals = np.diff(timestamps)
    intervals = intervals[intervals > 0]
    fps = 10.0 if len(intervals) == 0 else 1.0 / float(np.median(intervals))
    return PoseSequence(
        landmarks,
        timestamps,
        frame_size,
        float(np.clip(fps, _MIN_ATTEMPT_FPS, _MAX_ATTEMPT_FPS)),
    )


def split_passes(frames: Sequence[ScoredFrame]) -> list[list[ScoredFrame]]:
    """Split frames where the pass changes (a seek), keeping order."""
    groups: list[list[ScoredFrame]] = []
    for frame in frames:
        if groups and groups[-1][-1].pass_index == frame.pass_index:
            groups[-1].append(frame)
        else:
            groups.append([frame])
    return groups


def generate_feedback(
    settings: Settings, report: ScoreReport, section_title: str | None
) -> list[dict[str, Any]]:
    """Coaching items from the feedback service (which never raises: it falls back to templates)."""
    if report.frames_compared == 0:
        return []
    try:
        from dancecoach.feedback.service import FeedbackService
    except ImportError:
        log.warning("feedback service not available; reports have no coaching items")
        return []
    items = FeedbackService(settings).generate(for_feedback(report), section_title=section_title)
    return [feedback_dict(item) for item in items]
