"""Keeping long-lived processes' memory flat and the garbage collector's pauses out of the way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.memory.gc_pauses import freeze_startup_objects
    from dancecoach.memory.native import limit_arenas, release_freed_memory

__all__ = ["freeze_startup_objects", "limit_arenas", "release_freed_memory"]

_MODULES = {
    "freeze_startup_objects": "gc_pauses",
    "limit_arenas": "native",
    "release_freed_memory": "native",
}


__getattr__ = lazy_exports(__name__, _MODULES)
