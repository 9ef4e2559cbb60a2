"""Processes for live streams: the analysis processes (webcam frames: pool.py, process.py)
and the scoring process of browser poses (pose_scoring.py), each with the side the server
drives and the body of the process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.live.workers.pool import AnalysisProcessPool
    from dancecoach.live.workers.pose_scoring import PoseScoringPool

__all__ = ["AnalysisProcessPool", "PoseScoringPool"]

_MODULES = {
    "AnalysisProcessPool": "pool",
    "PoseScoringPool": "pose_scoring",
}


__getattr__ = lazy_exports(__name__, _MODULES)
