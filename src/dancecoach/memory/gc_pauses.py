"""Keeping Python's garbage collector from pausing live sessions.

A full collection walks every container object in the process: after start-up that is ~120k
in an analysis process and ~190k in the server (modules, MediaPipe, numpy, SQLAlchemy), 50-60
ms each time, during which no frame is analysed or answered. Per-frame results that wait for
their batch to be stored survive long enough to trigger full collections now and then. What
start-up made lives as long as the process, so it is frozen out of the collector's sight; only
objects made afterwards are walked.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then exempt every surviving object from future collections."""
    gc.collect()
    gc.freeze()
