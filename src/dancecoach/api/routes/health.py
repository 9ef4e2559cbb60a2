"""Health check."""

from __future__ import annotations

import asyncio
import os

from fastapi import APIRouter

from dancecoach import __version__
from dancecoach.api.deps import RuntimeDep
from dancecoach.api.schemas import HealthPublic

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthPublic)
async def health(runtime: RuntimeDep, session: str | None = None) -> HealthPublic:
    """Server health: database reachable, counts of references and live streams, this
    server's load (for a balancer), and with ?session=ID whether it streams that session."""
    references = await asyncio.to_thread(runtime.references.list_all)
    jobs = None if runtime.jobs is None else await asyncio.to_thread(runtime.jobs.counts)
    capacity = runtime.settings.max_live_sessions
    return HealthPublic(
        status="ok",
        version=__version__,
        database=runtime.db.backend,
        references=len(references),
        active_streams=len(runtime.live),
        live_capacity=capacity,
        load=round(len(runtime.live) / capacity, 3),
        pid=os.getpid(),
        serving=None if session is None else session in runtime.live.ids(),
        jobs=jobs,
    )
