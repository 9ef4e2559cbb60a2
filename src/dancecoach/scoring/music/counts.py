"""Times in counts: the eight-count and counts a stretch of the reference falls on, as words.

The one place that turns reference seconds into what dancers say ("third eight, counts 5-6").
Without beats everything stays in seconds ("0:08-0:09").
"""

from __future__ import annotations

from dataclasses import dataclass

from dancecoach.scoring.moments import Section, format_time
from dancecoach.scoring.music.beats import COUNTS_PER_EIGHT, BeatGrid

_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
)  # fmt: skip
# A stretch ending this soon after a beat does not reach that beat's count (seconds): segment
# ends are exclusive and rounded to a frame.
_END_GRACE_S = 0.05


@dataclass(frozen=True)
class CountSpan:
    """Where a stretch of the reference falls in the music.

    eight: the eight-count it starts in (1-based; 0 for the pickup before the first count 1).
    first / last: its first and last count, 1..8 (last < first when it runs into the next eight).
    """

    eight: int
    first: int
    last: int


def ordinal(number: int) -> str:
    """1 -> "first", 21 -> "21st"."""
    if 1 <= number <= len(_ORDINALS):
        return _ORDINALS[number - 1]
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def count_span(grid: BeatGrid, start_s: float, end_s: float) -> CountSpan | None:
    """The counts of a stretch in reference seconds; None without beats or outside the song."""
    first = grid.beat_at(start_s)
    last = grid.beat_at(max(start_s, end_s - _END_GRACE_S))
    if first is None or last is None:
        return None
    counts, eights = grid.counts(), grid.eights()
    return CountSpan(int(eights[first]), int(counts[first]), int(counts[last]))


def eight_words(eight: int) -> str:
    """1 -> "first eight", 0 -> "pickup"."""
    return "pickup" if eight == 0 else f"{ordinal(eight)} eight"


def counts_words(span: CountSpan) -> str:
    """ "third eight, counts 5-6"; "third eight, count 7 to count 2 of the next" across eights."""
    where = eight_words(span.eight)
    if span.first == span.last:
        return f"{where}, count {span.first}"
    if span.last > span.first:
        return f"{where}, counts {span.first}-{span.last}"
    return f"{where}, count {span.first} into count {span.last} of the next"


def seconds_words(start_s: float, end_s: float) -> str:
    """ "0:12-0:15", or "0:12" when both ends round to the same second."""
    start, end = format_time(start_s), format_time(end_s)
    return start if start == end else f"{start}-{end}"


def when_words(span: CountSpan | None, start_s: float, end_s: float) -> str:
    """ "the third eight, counts 5-6 (0:08-0:09)" with beats, "0:08-0:09" without."""
    seconds = seconds_words(start_s, end_s)
    if span is None:
        return seconds
    return f"the {counts_words(span)} ({seconds})"


def eight_moves(grid: BeatGrid, duration_s: float) -> list[tuple[Section, int]]:
    """The reference's eight-counts as moves, in time order, with their eight number: each from
    its count 1 to the next count 1 (the last one to the end of the reference; the pickup before
    the first count 1 is no move). The one definition of a move wherever there are beats: live
    grades and the review's strip name the same moves."""
    ones = [
        (float(time_s), int(eight))
        for time_s, count, eight in zip(grid.times_s, grid.counts(), grid.eights(), strict=True)
        if count == 1 and time_s < duration_s
    ]
    moves: list[tuple[Section, int]] = []
    for index, (start, eight) in enumerate(ones):
        end = ones[index + 1][0] if index + 1 < len(ones) else duration_s
        if end - start > 0:
            moves.append((Section(eight_words(eight).capitalize(), start, end), eight))
    return moves


def beat_count_words(grid: BeatGrid, beat: int) -> str:
    """ "count 5 of the third eight" for a beat index."""
    count = int(grid.counts()[beat])
    eight = int(grid.eights()[beat])
    return f"count {count} of the {eight_words(eight)}"


__all__ = [
    "COUNTS_PER_EIGHT",
    "CountSpan",
    "beat_count_words",
    "count_span",
    "counts_words",
    "eight_moves",
    "eight_words",
    "ordinal",
    "seconds_words",
    "when_words",
]
