"""A standalone HTML report of one performance: scores, charts, problem segments, coaching.

One self-contained file that opens without a network: inline CSS, SVG charts, stills embedded
as data URIs. This module works out what to show and where (the charts' geometry, in SVG user
units); the markup is in templates/report.html.j2, rendered by Jinja2 with autoescaping, so
every piece of text is escaped (titles, file names, labels and the feedback can come from
users or from a language model).
"""

from __future__ import annotations

import base64
import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import jinja2

from dancecoach.coaching.items import FeedbackItem
from dancecoach.coaching.turns import moment_errors, moment_title
from dancecoach.coaching.wording import (
    capitalised,
    feature_kind,
    segment_when,
    start_and_end_scores,
)
from dancecoach.pose.body_parts import part_label, part_words
from dancecoach.scoring.judgement import Grade, grade_of
from dancecoach.scoring.moments import format_time
from dancecoach.scoring.music.timing import accent_words
from dancecoach.scoring.results import (
    Moment,
    ProblemSegment,
    ScoreReport,
    SegmentError,
    grade_counts,
)
from dancecoach.scoring.timing import ON_TIME_MS, Timing, timing_severity, timing_word

_LAG_SCALE_MS = 600.0  # the timing gauge spans +-600 ms
_GOOD, _OK, _BAD = "#1f8f5f", "#b7791f", "#c53030"
_ACCENT = "#5b3fd6"
# A score's colour is its grade's (the bands of scoring/judgement.py): green from Great up,
# amber for Good, red below.
_GRADE_COLOURS: dict[Grade, str] = {
    "Perfect": _GOOD,
    "Great": _GOOD,
    "Good": _OK,
    "OK": _BAD,
    "Miss": _BAD,
}
# The timing marker's colour (scoring/timing.py): green on time, red for a major lag, else amber.
_TIMING_COLOURS: dict[Timing, str] = {"on time": _GOOD, "late": _OK, "early": _OK}
_SOURCE_NAMES = {"llm": "AI coach", "template": "Built-in coach"}
_ALIGNED = {"audio": "by the music", "pose": "by your poses", "timestamp": "live"}


@dataclass(frozen=True)
class _Stat:
    key: str
    value: str


@dataclass(frozen=True)
class _Ring:
    """The overall score as a ring filled to the score (SVG user units)."""

    score: float  # 0-100
    colour: str
    radius: float
    width: float
    filled: float  # length of the filled arc
    circumference: float


@dataclass(frozen=True)
class _Feedback:
    time: str
    severity: str
    source: str
    parts: str
    title: str
    feedback: str


@dataclass(frozen=True)
class _Shade:
    """A problem segment shaded on the timeline, with its number above it."""

    number: int
    x: float
    width: float
    label_x: float


@dataclass(frozen=True)
class _Gridline:
    score: int
    y: float


@dataclass(frozen=True)
class _Tick:
    x: float
    label: str


@dataclass(frozen=True)
class _Timeline:
    """Accuracy over time: the chart's frame, shaded segments, axes, the line and the trend."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    shades: tuple[_Shade, ...]
    gridlines: tuple[_Gridline, ...]
    ticks: tuple[_Tick, ...]
    # The line breaks where frames are missing (nobody in view), rather than bridging the gap.
    runs: tuple[tuple[tuple[float, float], ...], ...]
    trend: tuple[float, float, float, float]  # x1, y1, x2, y2
    trend_direction: str


@dataclass(frozen=True)
class _Bar:
    label: str
    y: float
    filled: float
    score: float
    colour: str


@dataclass(frozen=True)
class _Bars:
    """Score per body part as horizontal bars."""

    width: int
    height: int
    label_width: int
    bar_width: int
    bars: tuple[_Bar, ...]


@dataclass(frozen=True)
class _GaugeTick:
    """A problem segment's own lag under the gauge."""

    number: int
    x: float


@dataclass(frozen=True)
class _Gauge:
    """The average lag on a scale from early to late, the on-time band shaded."""

    width: int
    height: int
    left: int
    right: int
    inner: int
    marker: float
    colour: str
    words: str
    on_time_x: float
    on_time_width: float
    ticks: tuple[_GaugeTick, ...]
    scale_ms: float


@dataclass(frozen=True)
class _Still:
    src: str | None  # a data URI; None: no still
    caption: str


@dataclass(frozen=True)
class _ErrorRow:
    part: str
    measures: tuple[str, str, str]  # learner, reference, difference, with their unit
    severity: str
    message: str


@dataclass(frozen=True)
class _Segment:
    number: int
    when: str
    score: float
    timing: str
    title: str
    stills: tuple[_Still, _Still]
    errors: tuple[_ErrorRow, ...]


def _colour(score: float) -> str:
    return _GRADE_COLOURS[grade_of(score)]


def _timing_words(lag_ms: float) -> str:
    word = timing_word(lag_ms)
    return word if word == "on time" else f"{abs(lag_ms):.0f} ms {word}"


def _ring(score: float) -> _Ring:
    radius = 52.0
    circumference = 2 * math.pi * radius
    filled = circumference * max(0.0, min(score, 100.0)) / 100.0
    return _Ring(score, _colour(score), radius, 12.0, filled, circumference)


def _moment_text(moment: Moment | None) -> str:
    if moment is None:
        return "-"
    return f"{moment.label} ({moment.score:.0f})"


def _trend_text(report: ScoreReport) -> str:
    start_end = start_and_end_scores(report.timeline)
    if start_end is None or report.trend.direction == "steady":
        return report.trend.direction
    return f"{report.trend.direction} ({start_end[0]} → {start_end[1]})"


def _stats(report: ScoreReport) -> tuple[_Stat, ...]:
    counts = ", ".join(f"{count} {grade}" for grade, count in grade_counts(report).items() if count)
    return (
        _Stat("Grade", report.grade),
        _Stat("Moves", counts or "none scored"),
        _Stat("Timing", _timing_words(report.lag_ms)),
        _Stat("Trend", _trend_text(report)),
        _Stat("Consistency", f"{report.consistency:.0f} / 100"),
        _Stat("Best move", _moment_text(report.best_moment)),
        _Stat("Hardest move", _moment_text(report.hardest_moment)),
        _Stat("Frames compared", f"{report.frames_compared}"),
        _Stat("Frames without you", f"{report.frames_without_person}"),
        _Stat("Recording", "mirrored" if report.mirrored else "not mirrored"),
        _Stat("Aligned", _ALIGNED[report.alignment.source]),
    )


def _feedback(item: FeedbackItem) -> _Feedback:
    return _Feedback(
        time=format_time(item.timestamp_s),
        severity=item.severity,
        source=_SOURCE_NAMES.get(item.source, item.source),
        parts=", ".join(part_words(part) for part in item.body_parts),
        title=item.title,
        feedback=item.feedback,
    )


def _tick_step(span_s: float) -> float:
    return next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300) if span_s / s <= 10), 600)


def _timeline(report: ScoreReport) -> _Timeline | None:
    """None when no frame was scored."""
    points = report.timeline
    if not points:
        return None
    width, height = 900, 260
    left, right, top, bottom = 44, 16, 16, 34
    times = [p.time_s for p in points]
    spacing = min((b - a for a, b in itertools.pairwise(times) if b > a), default=1.0)
    start = min([times[0], *(s.start_s for s in report.problem_segments)])
    end = max([times[-1] + spacing, *(s.end_s for s in report.problem_segments)])
    span = max(end - start, 1e-6)

    def x(t: float) -> float:
        return left + (t - start) / span * (width - left - right)

    def y(score: float) -> float:
        return top + (100.0 - max(0.0, min(score, 100.0))) / 100.0 * (height - top - bottom)

    shades = []
    for number, segment in enumerate(report.problem_segments, start=1):
        x0, x1 = x(segment.start_s), x(segment.end_s)
        shades.append(_Shade(number, x0, max(x1 - x0, 2), (x0 + x1) / 2))
    step = _tick_step(span)
    ticks = []
    tick = math.ceil(start / step) * step
    while tick <= end + 1e-9:
        ticks.append(_Tick(x(tick), format_time(tick)))
        tick += step
    runs: list[list[tuple[float, float]]] = []
    previous = -math.inf
    for point in points:
        xy = (x(point.time_s + spacing / 2), y(point.score))
        if point.time_s - previous <= 1.5 * spacing:
            runs[-1].append(xy)
        else:
            runs.append([xy])
        previous = point.time_s
    # The report's trend (points per minute), drawn through the mean of the timeline.
    mean_t = sum(times) / len(times) + spacing / 2
    mean_score = sum(p.score for p in points) / len(points)
    slope_per_s = (report.trend.slope_per_min or 0.0) / 60.0
    t0, t1 = times[0] + spacing / 2, times[-1] + spacing / 2
    trend = (
        x(t0),
        y(mean_score + slope_per_s * (t0 - mean_t)),
        x(t1),
        y(mean_score + slope_per_s * (t1 - mean_t)),
    )
    return _Timeline(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        shades=tuple(shades),
        gridlines=tuple(_Gridline(score, y(score)) for score in (0, 25, 50, 75, 100)),
        ticks=tuple(ticks),
        runs=tuple(tuple(run) for run in runs),
        trend=trend,
        trend_direction=report.trend.direction,
    )


def _bars(per_body_part: dict[str, float]) -> _Bars | None:
    """None when no body part was compared."""
    if not per_body_part:
        return None
    row, label_width, width = 34, 110, 420
    bar_width = width - label_width - 50
    bars = tuple(
        _Bar(
            label=part_label(part),
            y=i * row,
            filled=bar_width * max(0.0, min(score, 100.0)) / 100.0,
            score=score,
            colour=_colour(score),
        )
        for i, (part, score) in enumerate(per_body_part.items())
    )
    return _Bars(width, row * len(bars), label_width, bar_width, bars)


def _gauge(lag_ms: float, segments: Sequence[ProblemSegment]) -> _Gauge:
    width, height, left, right = 420, 96, 20, 20
    inner = width - left - right

    def x(ms: float) -> float:
        clamped = max(-_LAG_SCALE_MS, min(ms, _LAG_SCALE_MS))
        return left + (clamped + _LAG_SCALE_MS) / (2 * _LAG_SCALE_MS) * inner

    return _Gauge(
        width=width,
        height=height,
        left=left,
        right=right,
        inner=inner,
        marker=x(lag_ms),
        colour=_BAD if timing_severity(lag_ms) == "major" else _TIMING_COLOURS[timing_word(lag_ms)],
        words=_timing_words(lag_ms),
        on_time_x=x(-ON_TIME_MS),
        on_time_width=x(ON_TIME_MS) - x(-ON_TIME_MS),
        ticks=tuple(_GaugeTick(number, x(s.lag_ms)) for number, s in enumerate(segments, start=1)),
        scale_ms=_LAG_SCALE_MS,
    )


def _accents(report: ScoreReport) -> tuple[str, ...]:
    """The hits furthest off the count, in words (none without beats or when all on time)."""
    off = [a for a in report.accents if timing_word(a.lag_ms) != "on time"]
    off.sort(key=lambda a: abs(a.lag_ms), reverse=True)
    return tuple(capitalised(accent_words(a)) for a in off[:3])


def _data_uri(image: bytes) -> str:
    mime = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def _still(image: bytes | None, caption: str) -> _Still:
    return _Still(_data_uri(image) if image else None, caption)


def _measures(error: SegmentError) -> tuple[str, str, str]:
    """(learner, reference, difference) as shown in the tables, with their unit.

    Distances are in torso lengths. Limb directions show how far the limb is raised (their
    sign only tells the side) and how far apart the two limbs point.
    """
    kind = feature_kind(error.feature)
    if kind == "distance":
        return (
            f"{error.user_deg:.2f} torso",
            f"{error.reference_deg:.2f} torso",
            f"{error.difference:+.2f} torso",
        )
    if kind == "direction":
        return (
            f"{abs(error.user_deg):.0f}°",
            f"{abs(error.reference_deg):.0f}°",
            f"{abs(error.difference):.0f}° apart",
        )
    return f"{error.user_deg:.0f}°", f"{error.reference_deg:.0f}°", f"{error.difference:+.0f}°"


def _segment(number: int, segment: ProblemSegment, still: tuple[bytes, bytes] | None) -> _Segment:
    reference, attempt = still if still is not None else (None, None)
    return _Segment(
        number=number,
        when=capitalised(segment_when(segment)),
        score=segment.score,
        timing=_timing_words(segment.lag_ms),
        title=moment_title(segment),
        stills=(
            _still(reference, f"Reference at {format_time(segment.start_s)}"),
            _still(attempt, f"Your attempt at {format_time(segment.attempt_start_s)}"),
        ),
        errors=tuple(
            _ErrorRow(part_words(error.body_part), _measures(error), error.severity, error.message)
            for error in moment_errors(segment)
        ),
    )


def _fixed(value: float, digits: int = 0) -> str:
    """A number with `digits` decimals, for the charts' coordinates and the scores."""
    return f"{value:.{digits}f}"


@functools.cache
def _templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("dancecoach.offline", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["fixed"] = _fixed
    return environment


def render_html_report(
    report: ScoreReport,
    feedback: Sequence[FeedbackItem],
    *,
    title: str,
    stills: Sequence[tuple[bytes, bytes]],
) -> str:
    """The report as one standalone HTML document.

    stills: (reference JPEG, attempt JPEG) per problem segment, in the report's order; a
    missing or empty still shows a placeholder.
    """
    segments = tuple(
        _segment(i + 1, segment, stills[i] if i < len(stills) else None)
        for i, segment in enumerate(report.problem_segments)
    )
    return (
        _templates()
        .get_template("report.html.j2")
        .render(
            title=title,
            ring=_ring(report.overall_score),
            stats=_stats(report),
            feedback=tuple(_feedback(item) for item in feedback),
            timeline=_timeline(report),
            bars=_bars(report.per_body_part),
            gauge=_gauge(report.lag_ms, report.problem_segments),
            accents=_accents(report),
            segments=segments,
            good=_GOOD,
            bad=_BAD,
            accent=_ACCENT,
        )
    )
