"""Practice sessions: create, state, complete a section, finalize, reports and replay clips."""

from __future__ import annotations

from fastapi import APIRouter, Body, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from dancecoach.api.deps import RuntimeDep, SessionsDep
from dancecoach.api.errors import error_responses
from dancecoach.api.schemas import (
    CompleteSectionRequest,
    SectionReport,
    SectionSpan,
    SessionCreate,
    SessionCreated,
    SessionPublic,
    SessionReport,
)

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


@router.post(
    "/create",
    response_model=SessionCreated,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409, 422),
)
def create_session(body: SessionCreate, sessions: SessionsDep) -> SessionCreated:
    """Start a practice session against a ready reference; connect to /ws/{session_id} next."""
    section_id = body.section if isinstance(body.section, str) else None
    span = (
        (body.section.start_s, body.section.end_s)
        if isinstance(body.section, SectionSpan)
        else None
    )
    practice = sessions.create(
        body.reference_video_id,
        section_id=section_id,
        span=span,
        mirror=body.mirror,
        playback_rate=body.playback_rate,
    )
    return SessionCreated(
        session_id=practice.id,
        reference_video_id=practice.reference_id,
        websocket_url=f"/ws/{practice.id}",
    )


@router.get("/{session_id}", response_model=SessionPublic, responses=error_responses(404))
async def get_session(session_id: str, runtime: RuntimeDep) -> SessionPublic:
    """The session's state: frames scored, last dance time, sections completed, status."""
    await runtime.live.flush(session_id)
    summary = await run_in_threadpool(runtime.sessions.summary, session_id)
    return SessionPublic.model_validate(summary)


@router.post(
    "/{session_id}/complete-section",
    response_model=SectionReport,
    responses=error_responses(404, 409),
)
async def complete_section(
    session_id: str,
    runtime: RuntimeDep,
    body: CompleteSectionRequest | None = Body(default=None),
) -> SectionReport:
    """Score the section just danced (default: every frame since the last section) with coaching."""
    request = body or CompleteSectionRequest()
    await runtime.live.flush(session_id)
    report = await run_in_threadpool(
        lambda: runtime.sessions.complete_section(
            session_id, start_s=request.start_s, end_s=request.end_s, title=request.title
        )
    )
    return SectionReport.model_validate(report)


@router.get(
    "/{session_id}/sections", response_model=list[SectionReport], responses=error_responses(404)
)
def section_reports(session_id: str, sessions: SessionsDep) -> list[SectionReport]:
    """Every completed section's report, in order."""
    return [SectionReport.model_validate(r) for r in sessions.section_reports(session_id)]


@router.post("/{session_id}/finalize", response_model=SessionReport, responses=error_responses(404))
async def finalize_session(session_id: str, runtime: RuntimeDep) -> SessionReport:
    """End the session: score what is left, combine all sections into the final report."""
    await run_in_threadpool(runtime.sessions.get, session_id)
    # The stream stores its last frames and closes (code 4409) before the report reads them.
    await runtime.live.end(session_id, "finalized")
    report = await run_in_threadpool(runtime.sessions.finalize, session_id)
    return SessionReport.model_validate(report)


@router.get(
    "/{session_id}/report", response_model=SessionReport, responses=error_responses(404, 409)
)
def session_report(session_id: str, sessions: SessionsDep) -> SessionReport:
    """The final report of a finalized session."""
    return SessionReport.model_validate(sessions.report(session_id))


@router.get(
    "/{session_id}/clips/{number}",
    response_class=FileResponse,
    responses={200: {"content": {"video/webm": {}}}, **error_responses(404, 410)},
)
async def session_clip(session_id: str, number: int, runtime: RuntimeDep) -> FileResponse:
    """The learner's replay of problem segment clip n (WebM, VP8)."""
    path = await run_in_threadpool(runtime.sessions.clip, session_id, number)
    return FileResponse(path, media_type="video/webm")
