"""The live engine: the connected streams (newest frame wins), each frame's analysis, cues,
recording scored frames, the inference threads, the batches that score browser poses, and
the messages that answer them. The analysis and pose-scoring processes are in workers/."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.live.analysis import FrameAnalysis, FrameAnalyzer
    from dancecoach.live.registry import LiveRegistry
    from dancecoach.live.scheduler import InferenceScheduler
    from dancecoach.live.session import LiveStream

__all__ = ["FrameAnalysis", "FrameAnalyzer", "InferenceScheduler", "LiveRegistry", "LiveStream"]

_MODULES = {
    "LiveRegistry": "registry",
    "LiveStream": "session",
    "FrameAnalysis": "analysis",
    "FrameAnalyzer": "analysis",
    "InferenceScheduler": "scheduler",
}


__getattr__ = lazy_exports(__name__, _MODULES)
