"""Offline comparison of two recorded videos: the `compare` command, its JSON and HTML report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.offline.command import compare_and_coach, run_compare
    from dancecoach.offline.compare import compare_videos
    from dancecoach.offline.compare_report import CompareReport
    from dancecoach.offline.html_report import render_html_report

__all__ = [
    "CompareReport",
    "compare_and_coach",
    "compare_videos",
    "render_html_report",
    "run_compare",
]

_MODULES = {
    "CompareReport": "compare_report",
    "compare_and_coach": "command",
    "compare_videos": "compare",
    "run_compare": "command",
    "render_html_report": "html_report",
}


__getattr__ = lazy_exports(__name__, _MODULES)
