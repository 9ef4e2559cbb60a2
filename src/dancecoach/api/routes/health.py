"""Health check."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from dancecoach import __version__
from dancecoach.api.deps import RuntimeDep
from dancecoach.api.schemas import HealthPublic

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthPublic)
async def health(runtime: RuntimeDep) -> HealthPublic:
    """Server health: database reachable, counts of references and live streams."""
    references = await asyncio.to_thread(runtime.references.list_all)
    return HealthPublic(
        status="ok",
        version=__version__,
        database=runtime.db.backend,
        references=len(references),
        active_streams=len(runtime.live),
    )
