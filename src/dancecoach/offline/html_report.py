"""A standalone HTML report of one performance: scores, charts, problem segments, coaching.

One self-contained file that opens without a network: inline CSS, SVG charts drawn here,
stills embedded as data URIs. Every piece of text is escaped (titles, labels and the
feedback can come from users or from a language model).
"""

from __future__ import annotations

import base64
import html
import itertools
import math
from collections.abc import Sequence

from dancecoach.coaching.items import FeedbackItem
from dancecoach.coaching.wording import (
    capitalised,
    feature_kind,
    segment_when,
    start_and_end_scores,
)
from dancecoach.pose.body_parts import part_label, part_words
from dancecoach.scoring.moments import format_time
from dancecoach.scoring.music.timing import accent_words
from dancecoach.scoring.results import (
    Moment,
    ProblemSegment,
    ScoreReport,
    SegmentError,
    TimelinePoint,
    grade_counts,
)
from dancecoach.scoring.timing import ON_TIME_MS, timing_word

_LAG_SCALE_MS = 600.0  # the timing gauge spans +-600 ms
_GOOD, _OK, _BAD = "#1f8f5f", "#b7791f", "#c53030"
_ACCENT = "#5b3fd6"
_SOURCE_NAMES = {"llm": "AI coach", "template": "Built-in coach"}

_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f4f5fa;color:#1c2130;font:15px/1.55 -apple-system,BlinkMacSystemFont,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:980px;margin:0 auto;padding:32px 20px 48px}
h1{font-size:28px;margin:0 0 4px;letter-spacing:-.01em}
h2{font-size:19px;margin:0 0 14px}
h3{font-size:16px;margin:0}
.sub{color:#5a6275;margin:0 0 24px}
.card{background:#fff;border-radius:14px;padding:20px 22px;margin:0 0 18px;
box-shadow:0 1px 2px rgba(20,25,45,.06),0 4px 16px rgba(20,25,45,.05)}
.hero{display:flex;gap:28px;align-items:center;flex-wrap:wrap}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px 22px;flex:1}
.stat .k{color:#5a6275;font-size:12px;text-transform:uppercase;letter-spacing:.06em}
.stat .v{font-size:17px;font-weight:600}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
@media (max-width:760px){.grid2{grid-template-columns:1fr}}
.item{border-left:4px solid #cfd3e0;padding:6px 0 6px 14px;margin:0 0 16px}
.item.major{border-color:#c53030}.item.medium{border-color:#b7791f}.item.minor{border-color:#1f8f5f}
.item p{margin:6px 0 0}
.meta{display:flex;gap:8px;flex-wrap:wrap;align-items:center;font-size:13px;color:#5a6275}
.chip{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;
background:#eef0f6;color:#3b4255}
.chip.major{background:#fde8e8;color:#9b1c1c}.chip.medium{background:#fdf3dc;color:#8a5a0b}
.chip.minor{background:#e3f5ec;color:#17663f}.chip.src{background:#ece8fc;color:#46309f}
.seg{border-top:1px solid #e6e8f0;padding-top:16px;margin-top:16px}
.seg:first-of-type{border-top:0;padding-top:0;margin-top:0}
.stills{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin:12px 0;max-width:680px}
figure{margin:0}
figure img{width:100%;border-radius:10px;display:block;background:#1c2130}
figcaption{font-size:12px;color:#5a6275;margin-top:4px;text-align:center}
.nostill{aspect-ratio:4/3;border-radius:10px;background:#eef0f6;color:#5a6275;display:flex;
align-items:center;justify-content:center;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eef0f6}
th{color:#5a6275;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.legend{font-size:12px;color:#5a6275;margin-top:6px}
.legend span{display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:-2px;
margin:0 4px 0 12px}
svg text{font-family:inherit}
footer{color:#8a90a2;font-size:12px;text-align:center;margin-top:24px}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _colour(score: float) -> str:
    return _GOOD if score >= 80 else _OK if score >= 60 else _BAD


def _timing_words(lag_ms: float) -> str:
    word = timing_word(lag_ms)
    if word == "on time":
        return word
    return f"{abs(lag_ms):.0f} ms {'late' if lag_ms > 0 else 'early'}"


def _score_ring(score: float) -> str:
    radius, width = 52.0, 12.0
    circumference = 2 * math.pi * radius
    filled = circumference * max(0.0, min(score, 100.0)) / 100.0
    return (
        f'<svg width="140" height="140" viewBox="0 0 140 140" role="img" '
        f'aria-label="Overall score {score:.0f} out of 100">'
        f'<circle cx="70" cy="70" r="{radius}" fill="none" stroke="#eef0f6" '
        f'stroke-width="{width}"/>'
        f'<circle cx="70" cy="70" r="{radius}" fill="none" stroke="{_colour(score)}" '
        f'stroke-width="{width}" stroke-linecap="round" transform="rotate(-90 70 70)" '
        f'stroke-dasharray="{filled:.1f} {circumference:.1f}"/>'
        f'<text x="70" y="78" text-anchor="middle" font-size="34" font-weight="700" '
        f'fill="#1c2130">{score:.0f}</text>'
        f'<text x="70" y="98" text-anchor="middle" font-size="12" fill="#5a6275">of 100</text>'
        "</svg>"
    )


def _stat(key: str, value: str) -> str:
    return f'<div class="stat"><div class="k">{_e(key)}</div><div class="v">{_e(value)}</div></div>'


def _moment_text(moment: Moment | None) -> str:
    if moment is None:
        return "-"
    return f"{moment.label} ({moment.score:.0f})"


def _trend_text(report: ScoreReport) -> str:
    start_end = start_and_end_scores(report.timeline)
    if start_end is None or report.trend.direction == "steady":
        return report.trend.direction
    return f"{report.trend.direction} ({start_end[0]} → {start_end[1]})"


def _hero(report: ScoreReport, title: str) -> str:
    counts = ", ".join(f"{count} {grade}" for grade, count in grade_counts(report).items() if count)
    aligned = {"audio": "by the music", "pose": "by your poses", "timestamp": "live"}
    stats = [
        _stat("Grade", report.grade),
        _stat("Moves", counts or "none scored"),
        _stat("Timing", _timing_words(report.lag_ms)),
        _stat("Trend", _trend_text(report)),
        _stat("Consistency", f"{report.consistency:.0f} / 100"),
        _stat("Best move", _moment_text(report.best_moment)),
        _stat("Hardest move", _moment_text(report.hardest_moment)),
        _stat("Frames compared", f"{report.frames_compared}"),
        _stat("Frames without you", f"{report.frames_without_person}"),
        _stat("Recording", "mirrored" if report.mirrored else "not mirrored"),
        _stat("Aligned", aligned[report.alignment.source]),
    ]
    return (
        f"<h1>{_e(title)}</h1>"
        '<p class="sub">Your dance compared with the reference, move by move.</p>'
        f'<section class="card hero">{_score_ring(report.overall_score)}'
        f'<div class="stats">{"".join(stats)}</div></section>'
    )


def _feedback(items: Sequence[FeedbackItem]) -> str:
    if not items:
        return ""
    rows = []
    for item in items:
        parts = ", ".join(part.replace("_", " ") for part in item.body_parts)
        rows.append(
            f'<div class="item {_e(item.severity)}"><div class="meta">'
            f"<strong>{_e(format_time(item.timestamp_s))}</strong>"
            f'<span class="chip {_e(item.severity)}">{_e(item.severity)}</span>'
            f'<span class="chip src">{_e(_SOURCE_NAMES.get(item.source, item.source))}</span>'
            f"<span>{_e(parts)}</span></div>"
            f"<h3>{_e(item.title)}</h3><p>{_e(item.feedback)}</p></div>"
        )
    return f'<section class="card"><h2>Coaching</h2>{"".join(rows)}</section>'


def _tick_step(span_s: float) -> float:
    return next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300) if span_s / s <= 10), 600)


def _timeline_chart(report: ScoreReport) -> str:
    points: Sequence[TimelinePoint] = report.timeline
    if not points:
        return '<p class="sub">No frame could be scored, so there is no timeline.</p>'
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

    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-label="Accuracy over time">'
    ]
    for number, segment in enumerate(report.problem_segments, start=1):
        x0, x1 = x(segment.start_s), x(segment.end_s)
        parts.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 2):.1f}" '
            f'height="{height - top - bottom}" fill="{_BAD}" fill-opacity="0.12"/>'
            f'<text x="{(x0 + x1) / 2:.1f}" y="{top + 14}" text-anchor="middle" font-size="11" '
            f'font-weight="700" fill="{_BAD}">{number}</text>'
        )
    for score in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(score):.1f}" y2="{y(score):.1f}" '
            'stroke="#e6e8f0"/>'
            f'<text x="{left - 8}" y="{y(score) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5a6275">{score}</text>'
        )
    step = _tick_step(span)
    tick = math.ceil(start / step) * step
    while tick <= end + 1e-9:
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - 12}" text-anchor="middle" font-size="11" '
            f'fill="#5a6275">{_e(format_time(tick))}</text>'
        )
        tick += step
    # The line breaks where frames are missing (nobody in view), rather than bridging the gap.
    runs: list[list[tuple[float, float]]] = []
    previous = -math.inf
    for point in points:
        xy = (x(point.time_s + spacing / 2), y(point.score))
        if point.time_s - previous <= 1.5 * spacing:
            runs[-1].append(xy)
        else:
            runs.append([xy])
        previous = point.time_s
    for run in runs:
        coordinates = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
        parts.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{_ACCENT}" stroke-width="2.5" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )
        parts.extend(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{_ACCENT}"/>' for px, py in run
        )
    # The report's trend (points per minute), drawn through the mean of the timeline.
    mean_t = sum(times) / len(times) + spacing / 2
    mean_score = sum(p.score for p in points) / len(points)
    slope_per_s = (report.trend.slope_per_min or 0.0) / 60.0
    t0, t1 = times[0] + spacing / 2, times[-1] + spacing / 2
    parts.append(
        f'<line x1="{x(t0):.1f}" y1="{y(mean_score + slope_per_s * (t0 - mean_t)):.1f}" '
        f'x2="{x(t1):.1f}" y2="{y(mean_score + slope_per_s * (t1 - mean_t)):.1f}" '
        'stroke="#1c2130" stroke-opacity="0.45" stroke-width="1.5" stroke-dasharray="6 5"/>'
    )
    parts.append("</svg>")
    legend = (
        f'<div class="legend"><span style="background:{_ACCENT}"></span>accuracy (0-100)'
        f'<span style="background:{_BAD};opacity:.25"></span>problem segments'
        '<span style="background:#1c2130;opacity:.45;height:2px"></span>'
        f"trend: {_e(report.trend.direction)}</div>"
    )
    return "".join(parts) + legend


def _body_part_bars(per_body_part: dict[str, float]) -> str:
    if not per_body_part:
        return '<p class="sub">No body part could be compared.</p>'
    row, label_width, width = 34, 110, 420
    bar_width = width - label_width - 50
    parts = [
        f'<svg viewBox="0 0 {width} {row * len(per_body_part)}" width="100%" role="img" '
        'aria-label="Score per body part">'
    ]
    for i, (part, score) in enumerate(per_body_part.items()):
        y = i * row
        filled = bar_width * max(0.0, min(score, 100.0)) / 100.0
        parts.append(
            f'<text x="0" y="{y + 21}" font-size="13" fill="#1c2130">'
            f"{_e(part_label(part))}</text>"
            f'<rect x="{label_width}" y="{y + 8}" width="{bar_width}" height="16" rx="8" '
            'fill="#eef0f6"/>'
            f'<rect x="{label_width}" y="{y + 8}" width="{filled:.1f}" height="16" rx="8" '
            f'fill="{_colour(score)}"/>'
            f'<text x="{width}" y="{y + 21}" text-anchor="end" font-size="13" font-weight="600" '
            f'fill="#1c2130">{score:.0f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _lag_gauge(lag_ms: float, segments: Sequence[ProblemSegment]) -> str:
    width, height, left, right = 420, 96, 20, 20
    inner = width - left - right

    def x(ms: float) -> float:
        clamped = max(-_LAG_SCALE_MS, min(ms, _LAG_SCALE_MS))
        return left + (clamped + _LAG_SCALE_MS) / (2 * _LAG_SCALE_MS) * inner

    marker = x(lag_ms)
    # Each problem segment's own lag as a small numbered tick under the bar.
    ticks = "".join(
        f'<line x1="{x(s.lag_ms):.1f}" x2="{x(s.lag_ms):.1f}" y1="42" y2="50" stroke="{_BAD}" '
        f'stroke-width="2"/><text x="{x(s.lag_ms):.1f}" y="60" text-anchor="middle" '
        f'font-size="10" fill="{_BAD}">{number}</text>'
        for number, s in enumerate(segments, start=1)
    )
    colour = _GOOD if abs(lag_ms) <= ON_TIME_MS else _OK if abs(lag_ms) <= 250 else _BAD
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Timing: {_e(_timing_words(lag_ms))}">'
        f'<rect x="{left}" y="30" width="{inner}" height="10" rx="5" fill="#eef0f6"/>'
        f'<rect x="{x(-ON_TIME_MS):.1f}" y="30" width="{x(ON_TIME_MS) - x(-ON_TIME_MS):.1f}" '
        f'height="10" fill="{_GOOD}" fill-opacity="0.3"/>'
        f"{ticks}"
        f'<circle cx="{marker:.1f}" cy="35" r="9" fill="{colour}" stroke="#fff" stroke-width="3"/>'
        f'<text x="{marker:.1f}" y="18" text-anchor="middle" font-size="13" font-weight="600" '
        f'fill="#1c2130">{_e(_timing_words(lag_ms))}</text>'
        f'<text x="{left}" y="74" font-size="11" fill="#5a6275">early</text>'
        f'<text x="{width / 2}" y="74" text-anchor="middle" font-size="11" fill="#5a6275">'
        "on the beat</text>"
        f'<text x="{width - right}" y="74" text-anchor="end" font-size="11" fill="#5a6275">'
        "late</text>"
        f'<text x="{left}" y="90" font-size="11" fill="#8a90a2">-{_LAG_SCALE_MS:.0f} ms</text>'
        f'<text x="{width - right}" y="90" text-anchor="end" font-size="11" fill="#8a90a2">'
        f"+{_LAG_SCALE_MS:.0f} ms</text></svg>"
    )


def _accents(report: ScoreReport) -> str:
    """The hits furthest off the count, in words (nothing without beats or when all on time)."""
    off = [a for a in report.accents if timing_word(a.lag_ms) != "on time"]
    off.sort(key=lambda a: abs(a.lag_ms), reverse=True)
    if not off:
        return ""
    rows = "".join(f"<li>{_e(capitalised(accent_words(a)))}</li>" for a in off[:3])
    return f'<p class="sub">On the hits:</p><ul class="accents">{rows}</ul>'


def _data_uri(image: bytes) -> str:
    mime = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def _still(image: bytes | None, caption: str) -> str:
    if not image:
        body = '<div class="nostill">no still available</div>'
    else:
        body = f'<img src="{_data_uri(image)}" alt="{_e(caption)}">'
    return f"<figure>{body}<figcaption>{_e(caption)}</figcaption></figure>"


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


def _segment(number: int, segment: ProblemSegment, still: tuple[bytes, bytes] | None) -> str:
    when = capitalised(segment_when(segment))
    reference, attempt = still if still is not None else (None, None)
    rows = "".join(
        f"<tr><td>{_e(part_words(error.body_part))}</td>"
        + "".join(f'<td class="n">{_e(value)}</td>' for value in _measures(error))
        + f'<td><span class="chip {_e(error.severity)}">{_e(error.severity)}</span></td>'
        f"<td>{_e(error.message)}</td></tr>"
        for error in segment.errors
    )
    table = (
        "<table><tr><th>Body part</th><th>You</th><th>Reference</th><th>Diff.</th>"
        f"<th>Severity</th><th>Fix</th></tr>{rows}</table>"
        if rows
        else ""
    )
    return (
        f'<div class="seg"><div class="meta"><strong>#{number} · {_e(when)}</strong>'
        f'<span class="chip">score {segment.score:.0f}</span>'
        f"<span>timing: {_e(_timing_words(segment.lag_ms))}</span></div>"
        f"<h3>{_e(segment.title)}</h3>"
        '<div class="stills">'
        f"{_still(reference, f'Reference at {format_time(segment.start_s)}')}"
        f"{_still(attempt, f'Your attempt at {format_time(segment.attempt_start_s)}')}"
        f"</div>{table}</div>"
    )


def _segments(report: ScoreReport, stills: Sequence[tuple[bytes, bytes]]) -> str:
    if not report.problem_segments:
        return (
            '<section class="card"><h2>Problem segments</h2>'
            '<p class="sub">None: no stretch of the dance dropped below your usual level.</p>'
            "</section>"
        )
    cards = "".join(
        _segment(i + 1, segment, stills[i] if i < len(stills) else None)
        for i, segment in enumerate(report.problem_segments)
    )
    return f'<section class="card"><h2>Problem segments</h2>{cards}</section>'


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
    body = (
        _hero(report, title)
        + _feedback(feedback)
        + '<section class="card"><h2>Accuracy over time</h2>'
        + _timeline_chart(report)
        + "</section>"
        + '<div class="grid2"><section class="card"><h2>Body parts</h2>'
        + _body_part_bars(report.per_body_part)
        + '</section><section class="card"><h2>Timing</h2>'
        + _lag_gauge(report.lag_ms, report.problem_segments)
        + _accents(report)
        + "</section></div>"
        + _segments(report, stills)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}<footer>dancecoach report</footer></main></body></html>\n"
    )
