"""Phrases: a song cut into sections of whole eight-counts, as a teacher would first cut it."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from dancecoach.scoring.music.beats import BeatGrid

# Two eights make the phrase most choreography is taught in.
DEFAULT_EIGHTS_PER_PHRASE = 2


@dataclass(frozen=True)
class Phrase:
    """A stretch of whole eights: title ("Eights 3-4"), start and end in reference seconds."""

    title: str
    start_s: float
    end_s: float


def phrases(
    grid: BeatGrid, duration_s: float, eights_per_phrase: int = DEFAULT_EIGHTS_PER_PHRASE
) -> list[Phrase]:
    """Consecutive phrases covering the video, each starting on a count 1.

    The first phrase starts at 0 s (with any intro or pickup), the last one ends with the video;
    a last phrase shorter than one eight joins the one before. Empty without beats.
    """
    if not grid.has_beats or eights_per_phrase < 1 or duration_s <= 0:
        return []
    ones = [
        float(time_s)
        for time_s, count in zip(grid.times_s, grid.counts(), strict=True)
        if count == 1 and time_s < duration_s
    ]
    eights = [int(e) for e, c in zip(grid.eights(), grid.counts(), strict=True) if c == 1]
    starts = ones[::eights_per_phrase]
    first_eights = eights[::eights_per_phrase]
    if not starts:
        return []
    bounds = [0.0, *starts[1:], duration_s]
    # (first eight, last eight, start, end) of each phrase.
    spans = [
        (
            first_eights[index],
            first_eights[index + 1] - 1 if index + 1 < len(first_eights) else eights[-1],
            start,
            end,
        )
        for index, (start, end) in enumerate(pairwise(bounds))
    ]
    if len(spans) >= 2 and spans[-1][3] - spans[-1][2] < 0.9 * grid.period_s * 8:
        # A stub at the end (the song's last beat or two) is part of the phrase before.
        last = spans.pop()
        spans[-1] = (spans[-1][0], last[1], spans[-1][2], last[3])
    return [
        Phrase(
            f"Eight {first}" if first == last else f"Eights {first}-{last}",
            round(start, 3),
            round(end, 3),
        )
        for first, last, start, end in spans
    ]
