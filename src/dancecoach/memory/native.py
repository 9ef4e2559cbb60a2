"""Keeping a long-lived analysis process's memory flat as streams come and go (glibc only).

glibc keeps what a process freed for later and gives each thread an arena of its own. When
every stream had a MediaPipe graph of its own (~100 MB of native memory), an analysis process
grew from 440 to 640 MB over four rounds of five streams opened and closed, and kept climbing;
with two arenas and a trim after each close it stayed at 160 MB. Streams now share one graph
per process (see estimation/live_tracking.py), but a stream's analyzer still allocates
natively (images, reference features), so the guard stays. Elsewhere (not glibc) both calls
do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

log = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # mallopt parameter, from glibc's malloc.h
# An analysis process is pinned to one CPU: its threads never allocate in parallel, so more
# arenas would only add fragmentation.
_ARENAS = 2


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
    except OSError:
        return None
    if not (hasattr(library, "mallopt") and hasattr(library, "malloc_trim")):
        return None
    return library


def limit_arenas() -> None:
    """Call before any thread starts: caps the number of malloc arenas."""
    library = _glibc()
    if library is not None and library.mallopt(_M_ARENA_MAX, _ARENAS) != 1:
        log.debug("mallopt(M_ARENA_MAX) was refused")


def release_freed_memory() -> None:
    """Return freed heap pages to the system (after a tracker is closed)."""
    library = _glibc()
    if library is not None:
        library.malloc_trim(0)
