"""A learner's stored live frames as pose sequences scoring reads, and their coaching."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from dancecoach.coaching.service import FeedbackService
from dancecoach.config import Settings
from dancecoach.pose.landmarks import NUM_LANDMARKS
from dancecoach.pose.sequence import PoseSequence
from dancecoach.practice.report_types import FeedbackEntry
from dancecoach.practice.reports import feedback_entry, for_feedback
from dancecoach.scoring.results import ScoreReport
from dancecoach.storage.models import ScoredFrame

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
) -> tuple[FeedbackEntry, ...]:
    """Coaching items from the coaching service (which never raises: it falls back to templates)."""
    if report.frames_compared == 0:
        return ()
    items = FeedbackService(settings).generate(for_feedback(report), section_title=section_title)
    return tuple(feedback_entry(item) for item in items)
