"""Words for numbers (body parts, times, distances, timing), shared by prompt and templates."""

from __future__ import annotations

import math
from collections.abc import Sequence

from dancecoach.pipeline.features import FEATURE_INDEX, FEATURES, FeatureKind
from dancecoach.pipeline.moments import format_time
from dancecoach.pipeline.results import TimelinePoint

# Body-part keys whose plain name is not just the key with spaces.
_PART_WORDS = {"torso": "upper body", "whole_body": "whole body", "shin": "lower leg"}
# Lags below this many milliseconds are not worth a word: beat-level timing is ~100 ms.
TIMING_NOTICEABLE_MS = 150.0


def part_words(body_part: str) -> str:
    """ "left_elbow" -> "left elbow", "left_shin" -> "left lower leg", "torso" -> "upper body"."""
    if body_part in _PART_WORDS:
        return _PART_WORDS[body_part]
    side, _, part = body_part.partition("_")
    if side in ("left", "right") and part:
        return f"{side} {_PART_WORDS.get(part, part.replace('_', ' '))}"
    return body_part.replace("_", " ")


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def time_range(start_s: float, end_s: float) -> str:
    """ "0:12-0:15", or "0:12" when both ends round to the same second."""
    start, end = format_time(start_s), format_time(end_s)
    return start if start == end else f"{start}-{end}"


def feature_kind(feature: str) -> FeatureKind | None:
    """The kind of a comparison feature ("angle", "direction", "distance"), None if unknown."""
    index = FEATURE_INDEX.get(feature)
    return None if index is None else FEATURES[index].kind


def feature_unit(feature: str) -> str:
    """Distances are measured in torso lengths, everything else in degrees."""
    return "torso lengths" if feature_kind(feature) == "distance" else "degrees"


def torso_amount(torso_lengths: float) -> str:
    """A distance in torso lengths as words a dancer can picture ("half a torso length")."""
    quarters = round(abs(torso_lengths) * 4)
    words = {
        0: "a little",
        1: "about a quarter of a torso length",
        2: "about half a torso length",
        3: "about three quarters of a torso length",
        4: "about a full torso length",
    }
    return words.get(quarters, f"about {abs(torso_lengths):.1f} torso lengths")


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
