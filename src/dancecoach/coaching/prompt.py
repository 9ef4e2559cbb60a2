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

from dancecoach.coaching.items import MAX_FEEDBACK_WORDS, MAX_ITEMS, MIN_ITEMS
from dancecoach.coaching.positions import (
    hand_level_lines,
    hand_level_positions,
    position,
    vocabulary_lines,
)
from dancecoach.coaching.turns import (
    turn_correction,
    turn_needed,
    turn_observation,
    turn_vocabulary_lines,
)
from dancecoach.coaching.wording import feature_kind, feature_unit, segment_when, time_range
from dancecoach.scoring.music.timing import accent_words
from dancecoach.scoring.results import (
    SEVERITIES,
    Moment,
    ProblemSegment,
    ScoreReport,
    SegmentError,
    Trend,
)
from dancecoach.scoring.timing import ON_TIME_MS, timing_word

# The answer's allowed severities, from their one definition: "minor" | "medium" | "major".
_SEVERITY_CHOICES = " | ".join(f'"{severity}"' for severity in SEVERITIES)

# The same words as the templates (positions.py), so both kinds of coaching read alike.
VOCABULARY = "\n".join([*vocabulary_lines(), *hand_level_lines(), *turn_vocabulary_lines()])

SYSTEM_PROMPT = f"""\
You are a warm, encouraging K-pop dance instructor. A student just danced a section along with \
a reference video. A pose tracker compared the student's body with the reference dancer's, \
frame by frame; you get its measurements as JSON. Write {MIN_ITEMS} to {MAX_ITEMS} coaching items.

Every item covers, in plain conversational English addressed to the student as "you":
1. when (the counts, else the time), which side, which body part, and where it was compared \
with the reference, in a dancer's body-relative words ("your left arm was straight up by your \
ear; the reference's was out at shoulder height"),
2. which way to move it, one correction per sentence ("Lower your left arm to shoulder height."),
3. why it matters for the choreography,
4. encouragement.
Keep each item's feedback under {MAX_FEEDBACK_WORDS} words.

Words, not a protractor: describe positions with the vocabulary below, never as raw angles \
("165 degrees off the reference's line" is not something a dancer can act on). Give a number \
only where the words alone do not say how far, rounded to 5 degrees ("about 20 degrees"). \
Each error comes with student_position, reference_position and correction in these words; use \
them (you may rephrase). A segment's "turn" and "hands" come in the same words: a turn, \
when there is one, is the first correction of its item, and its limb errors were measured on \
a turned body, so leave them out.
{VOCABULARY}

Rules:
- "left" and "right" in the data are already the student's own left and right side. Use them \
exactly as given and never swap them, even when the recording was mirrored.
- Use only what the measurements say: do not invent moves, music, or body parts.
- Cover the worst problem segments first. With no problem segments, praise the best moment and \
give one refinement.
- lag_ms > 0 means the student was late (behind the reference), < 0 early. Lags beyond \
{ON_TIME_MS:g} ms either way are a timing problem, not a wrong shape.
- Dancers count the music in eights. Where a segment has "counts", say when it happened in \
those words ("the third eight, counts 5-6"), with the seconds after them. \
hits_off_the_count lists the counts where the reference dancer hits a move and the student \
was early or late: name such a count when you talk about timing.
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
"severity": {_SEVERITY_CHOICES}, "body_parts": ["left_elbow"]}}]}}
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
    words = position(error)
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
        "part": words.part,
        "student_position": words.learner,
        "reference_position": words.reference,
        "correction": words.correction,
        "share_of_segment_frames": error.frame_share,
    }


def _turn_facts(segment: ProblemSegment) -> dict[str, Any] | None:
    turn = turn_needed(segment.facing_deg)
    if turn is None:
        return None
    return {
        "facing_difference_deg": segment.facing_deg,
        "observation": turn_observation(turn),
        "correction": turn_correction(turn),
    }


def _hand_facts(segment: ProblemSegment) -> list[dict[str, Any]]:
    return [
        {
            "part": hand.part,
            "student_position": hand.learner,
            "reference_position": hand.reference,
            "correction": hand.correction,
        }
        for hand in hand_level_positions(segment)
    ]


def _segment_facts(segment: ProblemSegment) -> dict[str, Any]:
    return {
        "start_s": segment.start_s,
        "end_s": segment.end_s,
        "time": time_range(segment.start_s, segment.end_s),
        "counts": None if segment.counts is None else segment_when(segment),
        "score": segment.score,
        "lag_ms": segment.lag_ms,
        "body_parts_at_fault": list(segment.body_parts),
        "turn": _turn_facts(segment),
        "hands": _hand_facts(segment),
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


def _accent_facts(report: ScoreReport) -> list[dict[str, Any]]:
    """The reference's hits the learner was furthest off, worst first (at most three)."""
    off = [a for a in report.accents if timing_word(a.lag_ms) != "on time"]
    off.sort(key=lambda a: abs(a.lag_ms), reverse=True)
    return [{"time_s": a.time_s, "what": accent_words(a), "lag_ms": a.lag_ms} for a in off[:3]]


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


def _trend_facts(trend: Trend) -> dict[str, Any]:
    """The direction and the slope in the unit it was fitted in (minutes or attempts)."""
    facts: dict[str, Any] = {"direction": trend.direction}
    if trend.slope_per_min is not None:
        facts["slope_points_per_minute"] = trend.slope_per_min
    if trend.slope_per_attempt is not None:
        facts["slope_points_per_attempt"] = trend.slope_per_attempt
    return facts


def section_facts(report: ScoreReport, section_title: str | None) -> dict[str, Any]:
    """The measurements of one section as JSON-ready data."""
    return {
        "section": section_title,
        "overall_score": report.overall_score,
        "consistency": report.consistency,
        "trend": _trend_facts(report.trend),
        "average_lag_ms": report.lag_ms,
        "recording_was_mirrored": report.mirrored,
        "body_part_scores": dict(report.per_body_part),
        "best_moment": _moment_facts(report.best_moment),
        "hardest_moment": _moment_facts(report.hardest_moment),
        "problem_segments": [_segment_facts(s) for s in report.problem_segments],
        "hits_off_the_count": _accent_facts(report),
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
