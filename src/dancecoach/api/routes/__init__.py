"""One APIRouter per resource: each module's `router`, included by api/app.py."""

from dancecoach.api.routes import (
    auth,
    health,
    live,
    me,
    music,
    protocol,
    references,
    sessions,
    web,
)

__all__ = ["auth", "health", "live", "me", "music", "protocol", "references", "sessions", "web"]
