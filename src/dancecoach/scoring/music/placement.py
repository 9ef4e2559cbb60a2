"""Problem segments placed in the music: their eight-count and counts, and titles in counts."""

from __future__ import annotations

from dataclasses import replace

from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.music.counts import count_span, counts_words
from dancecoach.scoring.results import ProblemSegment, ScoreReport
from dancecoach.scoring.segments import segment_title


def place_segment(segment: ProblemSegment, grid: BeatGrid) -> ProblemSegment:
    """The segment with its eight and counts (unchanged without beats or outside the song)."""
    span = count_span(grid, segment.start_s, segment.end_s)
    if span is None:
        return segment
    return replace(
        segment,
        eight=span.eight,
        counts=(span.first, span.last),
        title=segment_title(segment.body_parts, f"the {counts_words(span)}"),
    )


def with_counts(report: ScoreReport, grid: BeatGrid) -> ScoreReport:
    """The report with every problem segment placed in the music (as is without beats)."""
    if not grid.has_beats:
        return report
    segments = tuple(place_segment(segment, grid) for segment in report.problem_segments)
    return replace(report, problem_segments=segments)
