"""Problem segments: stretches where the learner's accuracy drops, with their dominant errors."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.body_parts import BODY_PART_GROUPS, WHOLE_BODY, part_label
from dancecoach.scoring.agreement import windowed_gains
from dancecoach.scoring.body_position import SegmentBodyPosition, segment_body_position
from dancecoach.scoring.comparison import errors_at
from dancecoach.scoring.features import FEATURE_INDEX, FEATURES
from dancecoach.scoring.judgement import GRADE_BANDS, gain_from_score
from dancecoach.scoring.matching import MatchedPerformance
from dancecoach.scoring.moments import format_time
from dancecoach.scoring.results import (
    SEVERITY_RANK,
    JointError,
    ProblemSegment,
    SegmentError,
    Severity,
)

_SMOOTHING_S = 0.8
_MIN_SEGMENT_S = 0.5
_MERGE_GAP_S = 0.5
_MAX_SEGMENTS = 5
# The grade bands bound the problem threshold: a stretch graded Perfect is never a problem, a
# Miss always is. Detection itself runs on gains, which are linear in the credit a wrong limb
# loses (the score curve compresses the top of the scale).
_THRESHOLD_CAP_SCORE = dict(GRADE_BANDS)["Perfect"]
_ALWAYS_A_PROBLEM_SCORE = dict(GRADE_BANDS)["OK"]
_PIECE_S = 3.0  # long low stretches are cut into pieces of this length
_MIN_ERROR_SHARE = 0.25
_MAX_ERRORS_PER_SEGMENT = 3


def _smoothed(matched: MatchedPerformance, fps: float) -> NDArray[np.float64]:
    """The gain of a window of _SMOOTHING_S around each frame (NaN where not compared)."""
    width = max(1, round(_SMOOTHING_S * fps))
    gains = windowed_gains(matched.credit, matched.chance, width)
    return np.where(matched.compared, gains, np.nan)


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """[start, end) index ranges where mask is True."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _mean_value(feature: str, values: list[float]) -> float:
    """Mean of a feature's values; directions are averaged on the circle (179 and -179 -> 180)."""
    if FEATURES[FEATURE_INDEX[feature]].kind != "direction":
        return float(np.mean(values))
    angles = np.radians(values)
    return float(np.degrees(np.arctan2(np.sin(angles).mean(), np.cos(angles).mean())))


def _dominant_errors(matched: MatchedPerformance, frames: range) -> tuple[SegmentError, ...]:
    by_feature: dict[str, list[JointError]] = defaultdict(list)
    compared = [i for i in frames if not np.isnan(matched.accuracy[i])]
    for i in compared:
        for error in errors_at(matched.comparison, (i,)):
            by_feature[error.feature].append(error)
    summaries: list[SegmentError] = []
    for feature, all_errors in by_feature.items():
        # The most common instruction wins, and its numbers come from the frames that asked for
        # it, so that "straighten your arm" never comes with numbers of a too-straight arm.
        by_message: dict[str, list[JointError]] = defaultdict(list)
        for error in all_errors:
            by_message[error.message].append(error)
        message, errors = max(by_message.items(), key=lambda item: len(item[1]))
        share = len(errors) / max(len(compared), 1)
        if share < _MIN_ERROR_SHARE:
            continue
        worst = max(errors, key=lambda e: SEVERITY_RANK[e.severity])
        typical_severity: Severity = sorted(errors, key=lambda e: SEVERITY_RANK[e.severity])[
            len(errors) // 2
        ].severity
        summaries.append(
            SegmentError(
                body_part=worst.body_part,
                group=worst.group,
                feature=feature,
                user_deg=round(_mean_value(feature, [e.user_deg for e in errors]), 1),
                reference_deg=round(_mean_value(feature, [e.reference_deg for e in errors]), 1),
                difference=round(_mean_value(feature, [e.difference for e in errors]), 1),
                severity=typical_severity,
                message=message,
                frame_share=round(share, 2),
            )
        )
    summaries.sort(key=lambda s: s.frame_share * SEVERITY_RANK[s.severity], reverse=True)
    # One error per body part and per instruction: the first (most important) one.
    seen: set[str] = set()
    unique = []
    for summary in summaries:
        if summary.body_part not in seen and summary.message not in seen:
            seen.update((summary.body_part, summary.message))
            unique.append(summary)
    return tuple(unique[:_MAX_ERRORS_PER_SEGMENT])


def _faulty_groups(
    matched: MatchedPerformance, frames: range, errors: tuple[SegmentError, ...]
) -> tuple[str, ...]:
    ordered: list[str] = []
    for error in errors:
        for group in [error.group] if error.group not in ("arms", "legs") else []:
            if group not in ordered:
                ordered.append(group)
    if not ordered:
        inside = np.zeros(len(matched.accuracy), dtype=bool)
        inside[frames.start : frames.stop] = True
        means = {
            group: matched.group_score(index, inside)
            for index, group in enumerate(BODY_PART_GROUPS)
        }
        means = {group: score for group, score in means.items() if not np.isnan(score)}
        if means:
            ordered.append(min(means, key=lambda g: means[g]))
    return tuple(ordered)


def segment_title(groups: tuple[str, ...], when: str) -> str:
    """ "Left arm at 0:08", "Upper body at 0:08" (when: a time or a count, see music/counts.py)."""
    part = part_label(groups[0] if groups else WHOLE_BODY)
    return f"{part} at {when}"


def _split_long(runs: list[list[int]], times: NDArray[np.float64]) -> list[tuple[int, int]]:
    """Cut runs longer than _MAX_SEGMENT_S into pieces, so each segment is one move to fix."""
    pieces: list[tuple[int, int]] = []
    for start, end in runs:
        piece_start = start
        for i in range(start, end):
            if times[i] - times[piece_start] >= _PIECE_S:
                pieces.append((piece_start, i))
                piece_start = i
        pieces.append((piece_start, end))
    return pieces


def find_problem_segments(matched: MatchedPerformance) -> tuple[ProblemSegment, ...]:
    """Contiguous stretches of low accuracy, merged, ranked by how much was lost, in time order."""
    valid = matched.compared
    if valid.sum() < 3:
        return ()
    fps = matched.attempt.fps
    smooth = _smoothed(matched, fps)
    # Below the learner's own typical level, and always where it is a Miss (so that a uniformly
    # weak performance still shows its weakest moments), but never where it is Perfect.
    relative = float(np.nanmean(smooth) - 0.5 * np.nanstd(smooth))
    threshold = min(
        gain_from_score(_THRESHOLD_CAP_SCORE),
        max(relative, gain_from_score(_ALWAYS_A_PROBLEM_SCORE)),
    )
    low = np.nan_to_num(smooth, nan=1.0) < threshold
    times = matched.attempt.timestamps_s
    runs = _runs(low)
    merged: list[list[int]] = []
    for start, end in runs:
        if merged and times[start] - times[merged[-1][1] - 1] <= _MERGE_GAP_S:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    candidates = []
    for start, end in _split_long(merged, times):
        if times[end - 1] - times[start] + 1.0 / fps < _MIN_SEGMENT_S:
            continue
        window = smooth[start:end]
        loss = float(np.nansum(threshold - window))
        candidates.append((loss, start, end))
    candidates.sort(reverse=True)
    segments = []
    for _, start, end in candidates[:_MAX_SEGMENTS]:
        frames = range(start, end)
        errors = _dominant_errors(matched, frames)
        groups = _faulty_groups(matched, frames, errors)
        inside = np.zeros(len(valid), dtype=bool)
        inside[start:end] = True
        score = matched.score(inside)
        reference_start = float(matched.reference_times_s[start])
        body = (
            SegmentBodyPosition(None, None, None)
            if matched.body is None
            else segment_body_position(matched.body, start, end)
        )
        segments.append(
            ProblemSegment(
                start_s=round(reference_start, 2),
                end_s=round(float(matched.reference_times_s[end - 1]) + 1.0 / fps, 2),
                attempt_start_s=round(float(times[start]), 2),
                attempt_end_s=round(float(times[end - 1]) + 1.0 / fps, 2),
                score=0.0 if np.isnan(score) else round(score, 1),
                body_parts=groups,
                errors=errors,
                lag_ms=round(float(-np.mean(matched.lags_s[start:end]) * 1000.0), 1),
                title=segment_title(groups, format_time(reference_start)),
                facing_deg=body.facing_deg,
                left_hand_height=body.left_hand,
                right_hand_height=body.right_hand,
            )
        )
    segments.sort(key=lambda s: s.start_s)
    return tuple(segments)
