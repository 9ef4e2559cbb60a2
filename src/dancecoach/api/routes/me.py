"""The signed-in user's own data: Break-It-Down progress per eight, and deleting all of it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request

from dancecoach.api.deps import ReferencesDep, RuntimeDep, current_user_id
from dancecoach.api.errors import error_responses
from dancecoach.api.music_schemas import EightAttempt, EightMasteryPublic, RoutineMasteryPublic
from dancecoach.api.schemas import DataDeleted
from dancecoach.errors import ConflictError
from dancecoach.library.pose_cache import clear_pose_cache

router = APIRouter(prefix="/api/me", tags=["account"])


@router.delete("/data", response_model=DataDeleted)
async def delete_my_data(request: Request, runtime: RuntimeDep) -> DataDeleted:
    """Delete all your practice data: sessions, learner frames, clips, reports and progress."""
    user_id = current_user_id(request)
    session_ids = await run_in_threadpool(runtime.sessions.ids_of, user_id)
    for session_id in session_ids:
        await runtime.live.end(session_id, "deleted")
        await run_in_threadpool(runtime.sessions.delete, session_id)
    await run_in_threadpool(runtime.music.forget_mastery, user_id)
    cache_entries = 0
    if user_id is None:
        # One user: the offline pose cache (poses of recordings given to `compare`) is theirs.
        cache_entries = await run_in_threadpool(clear_pose_cache, runtime.settings)
    return DataDeleted(sessions_deleted=len(session_ids), pose_cache_entries_deleted=cache_entries)


@router.get(
    "/references/{reference_id}/eights",
    response_model=list[EightMasteryPublic],
    responses=error_responses(404),
)
def eight_mastery(
    reference_id: str, request: Request, references: ReferencesDep, runtime: RuntimeDep
) -> list[EightMasteryPublic]:
    """Your Break-It-Down progress on each eight-count of a reference practised so far."""
    references.get(reference_id)
    rows = runtime.music.eight_progress(reference_id, current_user_id(request))
    return [EightMasteryPublic.model_validate(row) for row in rows]


@router.get("/mastery", response_model=list[RoutineMasteryPublic])
def routines_mastery(
    request: Request, references: ReferencesDep, runtime: RuntimeDep
) -> list[RoutineMasteryPublic]:
    """How many eight-counts of each ready reference you have mastered (Good at 1x)."""
    ready = [r.id for r in references.list_all() if r.status == "ready"]
    rows = runtime.music.routines_mastery(ready, current_user_id(request))
    return [RoutineMasteryPublic.model_validate(row) for row in rows]


@router.put(
    "/references/{reference_id}/eights/{eight}",
    response_model=EightMasteryPublic,
    responses=error_responses(404, 409, 422),
)
def record_eight_attempt(
    reference_id: str,
    eight: int,
    body: EightAttempt,
    request: Request,
    references: ReferencesDep,
    runtime: RuntimeDep,
) -> EightMasteryPublic:
    """Record a Break-It-Down attempt at one eight (your furthest stage and best score are kept)."""
    references.get(reference_id)
    eights = runtime.music.grid(reference_id).eights()
    if len(eights) == 0 or not 0 <= eight <= int(eights.max()):
        raise ConflictError(f"This reference has no eight-count {eight}.")
    runtime.music.record_attempt(
        reference_id, current_user_id(request), eight, body.stage, body.score, body.rate
    )
    progress = runtime.music.eight_progress(reference_id, current_user_id(request))
    return EightMasteryPublic.model_validate(next(p for p in progress if p.eight == eight))
