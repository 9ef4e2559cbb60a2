"""API layer: FastAPI routes, the WebSocket handler and pydantic wire schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.api.app import create_app

__all__ = ["create_app"]

_MODULES = {
    "create_app": "app",
}


__getattr__ = lazy_exports(__name__, _MODULES)
