"""Report assembly: score reports and feedback items as the typed reports the API returns.

Accuracies are 0..1 (as in the founding design's wire format); scores are 0-100. A report
section where nothing could be compared (nobody in frame) has a null accuracy: it is not
scored as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from dancecoach.coaching.items import FeedbackItem
from dancecoach.coaching.turns import moment_errors, moment_title
from dancecoach.pose.body_parts import WHOLE_BODY
from dancecoach.practice.report_types import (
    AccentReport,
    Analytics,
    FeedbackEntry,
    SegmentErrorReport,
    SegmentReport,
)
from dancecoach.scoring.judgement import grade_of
from dancecoach.scoring.results import (
    ProblemSegment,
    ScoreReport,
    TimelinePoint,
    Trend,
    TrendDirection,
    grade_counts,
)
from dancecoach.scoring.timing import timing_word

_MAX_SEGMENTS_FOR_FEEDBACK = 5


def accuracy_of(report: ScoreReport) -> float | None:
    return None if report.frames_compared == 0 else round(report.overall_score / 100.0, 4)


def analytics_of(
    report: ScoreReport,
    *,
    total_frames: int,
    average_accuracy: float | None,
    dropped_frames: int | None,
) -> Analytics:
    return Analytics(
        total_frames=total_frames,
        frames_compared=report.frames_compared,
        frames_without_person=report.frames_without_person,
        average_accuracy=average_accuracy,
        best_move=report.best_moment.label if report.best_moment else None,
        hardest_move=report.hardest_moment.label if report.hardest_moment else None,
        best_moment=report.best_moment,
        hardest_moment=report.hardest_moment,
        per_body_part=dict(report.per_body_part),
        timeline=report.timeline,
        trend=report.trend,
        lag_ms=report.lag_ms,
        timing=timing_word(report.lag_ms),
        consistency=report.consistency,
        dropped_frames=dropped_frames,
        grade=report.grade,
        moves=report.moves,
        grade_counts=grade_counts(report),
        accents=tuple(
            AccentReport(a.time_s, a.eight, a.count, a.lag_ms, timing_word(a.lag_ms))
            for a in report.accents
        ),
    )


def segment_report(
    segment: ProblemSegment,
    *,
    feedback: str,
    video_clip: str | None,
    clip_number: int | None,
    section_number: int,
) -> SegmentReport:
    return SegmentReport(
        start_time=segment.start_s,
        end_time=segment.end_s,
        attempt_start_time=segment.attempt_start_s,
        attempt_end_time=segment.attempt_end_s,
        # A turned moment is headed and listed as the coaching words it: the turn, not an arm.
        title=moment_title(segment),
        feedback=feedback,
        video_clip=video_clip,
        clip_number=clip_number,
        section_number=section_number,
        score=segment.score,
        body_parts=segment.body_parts,
        lag_ms=segment.lag_ms,
        eight=segment.eight,
        counts=segment.counts,
        errors=tuple(
            SegmentErrorReport(
                body_part=error.body_part,
                feature=error.feature,
                message=error.message,
                severity=error.severity,
                user_deg=error.user_deg,
                reference_deg=error.reference_deg,
                difference=error.difference,
                frame_share=error.frame_share,
            )
            for error in moment_errors(segment)
        ),
    )


def feedback_entry(item: FeedbackItem) -> FeedbackEntry:
    """A coaching item in the founding design's item format."""
    return FeedbackEntry(
        timestamp=float(item.timestamp_s),
        title=item.title,
        feedback=item.feedback,
        severity=item.severity,
        body_parts=item.body_parts,
        source=item.source,
    )


def segment_feedback(segment: ProblemSegment, items: Sequence[FeedbackEntry]) -> str:
    """The coaching text for a segment: the feedback item inside it, else its errors.

    Of the items inside, one about particular body parts comes before one about the whole body
    (timing, the best moment), which is stamped wherever its accent fell and would otherwise
    stand under a segment about an arm; then the item nearest the segment's start, where the
    coaching stamps the items it makes from a segment."""
    inside = [i for i in items if segment.start_s - 0.5 <= i.timestamp <= segment.end_s + 0.5]
    if inside:
        return min(
            inside,
            key=lambda i: (set(i.body_parts) <= {WHOLE_BODY}, abs(i.timestamp - segment.start_s)),
        ).feedback
    messages = list(dict.fromkeys(error.message for error in segment.errors))
    if messages:
        return ". ".join(messages[:2]) + "."
    return "Your accuracy dropped here: watch the reference closely and try it slowly."


def combine_reports(reports: Sequence[ScoreReport]) -> ScoreReport:
    """One report over several attempts (section passes): frame-weighted, every segment kept.

    The trend follows the attempt scores in the order they were danced (a slope per attempt).
    """
    if len(reports) == 1:
        return reports[0]
    weights = np.array([max(r.frames_compared, 0) for r in reports], dtype=np.float64)
    total = float(weights.sum())

    def weighted(values: Sequence[float]) -> float:
        if total <= 0:
            return 0.0
        return float(np.dot(weights, np.asarray(values, dtype=np.float64)) / total)

    parts: dict[str, list[tuple[float, float]]] = {}
    for report, weight in zip(reports, weights, strict=True):
        for part, score in report.per_body_part.items():
            parts.setdefault(part, []).append((score, weight))
    per_body_part = {
        part: round(sum(s * w for s, w in values) / max(sum(w for _, w in values), 1e-9), 1)
        for part, values in parts.items()
    }
    bins: dict[float, list[float]] = {}
    for report in reports:
        for point in report.timeline:
            bins.setdefault(point.time_s, []).append(point.score)
    timeline = tuple(
        TimelinePoint(time_s, round(float(np.mean(scores)), 1))
        for time_s, scores in sorted(bins.items())
    )
    scored = [(i, r.overall_score) for i, r in enumerate(reports) if r.frames_compared > 0]
    trend = Trend("steady", slope_per_attempt=0.0)
    if len(scored) >= 2:
        indices, scores = zip(*scored, strict=True)
        slope = float(np.polyfit(indices, scores, 1)[0])
        change = slope * (indices[-1] - indices[0])
        direction: TrendDirection = (
            "improving" if change >= 5 else "degrading" if change <= -5 else "steady"
        )
        trend = Trend(direction, slope_per_attempt=round(slope, 2))
    moments = [m for r in reports for m in (r.best_moment, r.hardest_moment) if m is not None]
    overall = round(weighted([r.overall_score for r in reports]), 1)
    return replace(
        reports[-1],
        overall_score=overall,
        grade=grade_of(overall),
        moves=tuple(sorted((m for r in reports for m in r.moves), key=lambda m: m.start_s)),
        per_body_part=per_body_part,
        timeline=timeline,
        trend=trend,
        problem_segments=tuple(s for r in reports for s in r.problem_segments),
        best_moment=max(moments, key=lambda m: m.score) if moments else None,
        hardest_moment=min(moments, key=lambda m: m.score) if moments else None,
        lag_ms=round(weighted([r.lag_ms for r in reports]), 1),
        consistency=round(weighted([r.consistency for r in reports]), 1),
        frames_compared=sum(r.frames_compared for r in reports),
        frames_without_person=sum(r.frames_without_person for r in reports),
        accents=tuple(a for r in reports for a in r.accents),
    )


def for_feedback(report: ScoreReport) -> ScoreReport:
    """The report with only its worst segments, so coaching stays to a few items."""
    worst = sorted(report.problem_segments, key=lambda s: s.score)[:_MAX_SEGMENTS_FOR_FEEDBACK]
    return replace(report, problem_segments=tuple(sorted(worst, key=lambda s: s.start_s)))
