"""The reference library: uploads, preprocessing in the background, the pose cache by content,
browser-playable copies, the built-in demo, and catching up after an upgrade."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.library.catch_up import catch_up_reference, references_to_catch_up
    from dancecoach.library.command import add_reference
    from dancecoach.library.pose_cache import load_or_extract
    from dancecoach.library.references import ReferenceService

__all__ = [
    "ReferenceService",
    "add_reference",
    "catch_up_reference",
    "load_or_extract",
    "references_to_catch_up",
]

_MODULES = {
    "ReferenceService": "references",
    "load_or_extract": "pose_cache",
    "add_reference": "command",
    "catch_up_reference": "catch_up",
    "references_to_catch_up": "catch_up",
}


__getattr__ = lazy_exports(__name__, _MODULES)
