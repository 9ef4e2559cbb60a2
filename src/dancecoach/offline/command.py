"""The `compare` command's work: score two videos, coach, write the HTML report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import cv2
import numpy as np

from dancecoach.coaching.service import FeedbackItem, FeedbackService
from dancecoach.config import Settings
from dancecoach.estimation.video import read_frame_at
from dancecoach.offline.compare import MirrorMode, compare_videos
from dancecoach.offline.compare_report import CompareReport, compare_json, compare_report
from dancecoach.offline.html_report import render_html_report
from dancecoach.practice.reports import for_feedback
from dancecoach.scoring.results import ScoreReport

_STILL_MAX_SIDE = 480


def _jpeg(video: Path, time_s: float) -> bytes:
    frame = read_frame_at(video, time_s)
    height, width = frame.shape[:2]
    scale = min(1.0, _STILL_MAX_SIDE / max(height, width))
    if scale < 1.0:
        frame = np.asarray(cv2.resize(frame, (round(width * scale), round(height * scale))))
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 82])
    return encoded.tobytes() if ok else b""


def _stills(report: ScoreReport, reference: Path, attempt: Path) -> list[tuple[bytes, bytes]]:
    """Reference and attempt frames at the middle of each problem segment."""
    return [
        (
            _jpeg(reference, (segment.start_s + segment.end_s) / 2),
            _jpeg(attempt, (segment.attempt_start_s + segment.attempt_end_s) / 2),
        )
        for segment in report.problem_segments
    ]


def write_html_report(
    path: Path, report: ScoreReport, feedback: list[FeedbackItem], reference: Path, attempt: Path
) -> None:
    title = f"{attempt.name} vs {reference.name}"
    html = render_html_report(
        report, feedback, title=title, stills=_stills(report, reference, attempt)
    )
    path.write_text(html, encoding="utf-8")


def compare_and_coach(
    reference: Path,
    attempt: Path,
    settings: Settings,
    *,
    mirror: MirrorMode,
    html_report: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> CompareReport:
    """Compare, add coaching (LLM when configured, else templates), write the HTML report."""
    comparison = compare_videos(reference, attempt, settings, mirror=mirror, progress=progress)
    report = comparison.report
    feedback = FeedbackService(settings).generate(for_feedback(report))
    if html_report is not None:
        write_html_report(html_report, report, feedback, reference, attempt)
    return compare_report(report, feedback)


def run_compare(
    reference: Path,
    attempt: Path,
    settings: Settings,
    *,
    mirror: str,
    html_report: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, object]:
    """`compare_and_coach`'s report as the object `compare --json` prints."""
    return compare_json(
        compare_and_coach(
            reference,
            attempt,
            settings,
            mirror=cast(MirrorMode, mirror),
            html_report=html_report,
            progress=progress,
        )
    )
