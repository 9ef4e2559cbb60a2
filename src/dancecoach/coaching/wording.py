"""Words for numbers (times, distances, timing), shared by prompt and templates.

Body-part words are in pose/body_parts.py, the one vocabulary every layer uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dancecoach.scoring.features import FEATURE_INDEX, FEATURES, FeatureKind
from dancecoach.scoring.moments import format_time
from dancecoach.scoring.music.counts import CountSpan, counts_words, seconds_words, when_words
from dancecoach.scoring.results import ProblemSegment, TimelinePoint


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def time_range(start_s: float, end_s: float) -> str:
    """ "0:12-0:15", or "0:12" when both ends round to the same second."""
    return seconds_words(start_s, end_s)


def segment_span(segment: ProblemSegment) -> CountSpan | None:
    if segment.eight is None or segment.counts is None:
        return None
    return CountSpan(segment.eight, *segment.counts)


def segment_when(segment: ProblemSegment) -> str:
    """ "the third eight, counts 5-6 (0:08-0:09)" with beats, "0:08-0:09" without."""
    return when_words(segment_span(segment), segment.start_s, segment.end_s)


def segment_at(segment: ProblemSegment) -> str:
    """ "the third eight, counts 5-6" with beats, "0:08" without (for titles)."""
    span = segment_span(segment)
    return format_time(segment.start_s) if span is None else f"the {counts_words(span)}"


def feature_kind(feature: str) -> FeatureKind | None:
    """The kind of a comparison feature ("angle", "direction", "distance"), None if unknown."""
    index = FEATURE_INDEX.get(feature)
    return None if index is None else FEATURES[index].kind


def feature_unit(feature: str) -> str:
    """Distances are measured in torso lengths, everything else in degrees."""
    return "torso lengths" if feature_kind(feature) == "distance" else "degrees"


def lag_words(lag_ms: float) -> str:
    """ "about 300 ms late" / "about 200 ms early" (positive lag means late)."""
    rounded = round(abs(lag_ms) / 10.0) * 10
    return f"about {rounded} ms {'late' if lag_ms > 0 else 'early'}"


def start_and_end_scores(timeline: Sequence[TimelinePoint]) -> tuple[int, int] | None:
    """Mean score over the first and the last third of a timeline (None if too short).

    Says how a trend felt ("from about 55 to 83") without a per-minute slope, which reads
    oddly on short clips.
    """
    scores = [p.score for p in timeline if math.isfinite(p.score)]
    if len(scores) < 3:
        return None
    third = len(scores) // 3
    return round(sum(scores[:third]) / third), round(sum(scores[-third:]) / third)
