"""Analysis processes for live streams: the pool the server drives and the body of each process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.live.workers.pool import AnalysisProcessPool

__all__ = ["AnalysisProcessPool"]

_MODULES = {
    "AnalysisProcessPool": "pool",
}


__getattr__ = lazy_exports(__name__, _MODULES)
