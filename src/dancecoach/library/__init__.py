"""The reference library: uploads, preprocessing in the background, the pose cache by content,
browser-playable copies and the built-in demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.library.command import add_reference
    from dancecoach.library.pose_cache import load_or_extract
    from dancecoach.library.references import ReferenceService

__all__ = ["ReferenceService", "add_reference", "load_or_extract"]

_MODULES = {
    "ReferenceService": "references",
    "load_or_extract": "pose_cache",
    "add_reference": "command",
}


__getattr__ = lazy_exports(__name__, _MODULES)
