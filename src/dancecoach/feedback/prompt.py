"""The LLM request: the section's measurements as numbers and words (never images) plus the rules.

The founding design's prompt strategy (section 6): the detected errors per problem segment,
the trend, and the item format the answer must follow. The allowed timestamp windows are part
of the request so that the answer can be checked against the same ranges.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from dancecoach.feedback.items import MAX_FEEDBACK_WORDS, MAX_ITEMS, MIN_ITEMS
from dancecoach.feedback.wording import feature_kind, feature_unit, time_range
from dancecoach.pipeline.results import Moment, ProblemSegment, ScoreReport, SegmentError

SYSTEM_PROMPT = f"""\
You are a warm, encouraging K-pop dance instructor. A student just danced a section along with \
a reference video. A pose tracker compared the student's body with the reference dancer's, \
frame by frame; you get its measurements as JSON. Write {MIN_ITEMS} to {MAX_ITEMS} coaching items.

Every item covers, in plain conversational English addressed to the student as "you":
1. what went wrong, with the numbers (time, body part, degrees),
2. why it matters for the choreography,
3. specific correction steps,
4. encouragement.
Keep each item's feedback under {MAX_FEEDBACK_WORDS} words.

Rules:
- "left" and "right" in the data are already the student's own left and right side. Use them \
exactly as given and never swap them, even when the recording was mirrored.
- Use only what the measurements say: do not invent moves, music, or body parts.
- Cover the worst problem segments first. With no problem segments, praise the best moment and \
give one refinement.
- lag_ms > 0 means the student was late (behind the reference), < 0 early. Lags of 150 ms or \
more are a timing problem, not a wrong shape.
- timestamp is in seconds of the reference video and must lie inside one of \
allowed_timestamp_ranges.

How to read the measurements:
- kind "angle": the joint's inner angle in degrees. Elbow and knee: 180 is straight, smaller is \
more bent. Shoulder: angle between torso and upper arm, 0 is the arm down by the side, 180 \
straight up. Hip: angle between torso and thigh, 180 is the leg straight under the body, \
smaller means the knee is lifted.
- kind "direction": how far a limb is raised from hanging straight down, in degrees (0 down, \
90 horizontal, 180 straight up); the sign only tells the side. torso_lean and head_tilt count \
from upright.
- kind "distance" (hand_spread, foot_width): in torso lengths.
- suggested_correction is the tracker's own one-line instruction; you may rephrase it.

Answer with one JSON object and nothing else:
{{"items": [{{"timestamp": 12.5, "title": "Arm position in the chorus", "feedback": "...", \
"severity": "minor" | "medium" | "major", "body_parts": ["left_elbow"]}}]}}
title: at most 8 words. body_parts: one or more snake_case body parts taken from the data.
"""

# Answers may put a timestamp this far outside an allowed window (rounding, "just before").
WINDOW_TOLERANCE_S = 0.5


@dataclass(frozen=True)
class CoachingRequest:
    """What is sent to the model, and the timestamp windows its answer must respect."""

    system: str
    user: str
    windows: tuple[tuple[float, float], ...]


def _error_facts(error: SegmentError) -> dict[str, Any]:
    return {
        "body_part": error.body_part,
        "measure": error.feature,
        "kind": feature_kind(error.feature) or "angle",
        "student": error.user_deg,
        "reference": error.reference_deg,
        "difference": error.difference,
        "unit": feature_unit(error.feature),
        "severity": error.severity,
        "suggested_correction": error.message,
        "share_of_segment_frames": error.frame_share,
    }


def _segment_facts(segment: ProblemSegment) -> dict[str, Any]:
    return {
        "start_s": segment.start_s,
        "end_s": segment.end_s,
        "time": time_range(segment.start_s, segment.end_s),
        "score": segment.score,
        "lag_ms": segment.lag_ms,
        "body_parts_at_fault": list(segment.body_parts),
        "errors": [_error_facts(error) for error in segment.errors],
    }


def _moment_facts(moment: Moment | None) -> dict[str, Any] | None:
    if moment is None:
        return None
    return {
        "label": moment.label,
        "start_s": moment.start_s,
        "end_s": moment.end_s,
        "time": time_range(moment.start_s, moment.end_s),
        "score": moment.score,
    }


def timestamp_windows(report: ScoreReport) -> tuple[tuple[float, float], ...]:
    """Where answer timestamps may point: the problem segments and the best moment.

    Without either (a performance with nothing to fix and no named moves), the whole dance.
    """
    windows = [(s.start_s, s.end_s) for s in report.problem_segments]
    if report.best_moment is not None:
        windows.append((report.best_moment.start_s, report.best_moment.end_s))
    if not windows and report.timeline:
        windows.append((report.timeline[0].time_s, report.timeline[-1].time_s + 1.0))
    return tuple(windows) or ((0.0, 0.0),)


def section_facts(report: ScoreReport, section_title: str | None) -> dict[str, Any]:
    """The measurements of one section as JSON-ready data."""
    return {
        "section": section_title,
        "overall_score": report.overall_score,
        "consistency": report.consistency,
        "trend": {
            "direction": report.trend.direction,
            "slope_points_per_minute": report.trend.slope_per_min,
        },
        "average_lag_ms": report.lag_ms,
        "recording_was_mirrored": report.mirrored,
        "body_part_scores": dict(report.per_body_part),
        "best_moment": _moment_facts(report.best_moment),
        "hardest_moment": _moment_facts(report.hardest_moment),
        "problem_segments": [_segment_facts(s) for s in report.problem_segments],
        "allowed_timestamp_ranges": [list(w) for w in timestamp_windows(report)],
    }


def _json_safe(value: Any) -> Any:
    """NaN and infinity (a part never compared) become null: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def build_request(report: ScoreReport, section_title: str | None = None) -> CoachingRequest:
    facts = _json_safe(section_facts(report, section_title))
    text = json.dumps(facts, indent=1, allow_nan=False)
    user = "Measurements of this section (scores are 0-100):\n" + text
    return CoachingRequest(SYSTEM_PROMPT, user, timestamp_windows(report))
