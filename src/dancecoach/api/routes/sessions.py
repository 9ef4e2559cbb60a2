"""Practice sessions: create, state, complete a section, finalize, reports and replay clips."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Body, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from dancecoach.api.auth import OwnedSessionId
from dancecoach.api.deps import (
    RuntimeDep,
    SessionsDep,
    UploadLimitDep,
    client_key,
    current_user_id,
)
from dancecoach.api.errors import error_responses
from dancecoach.api.landmarks_wire import browser_pose_stream
from dancecoach.api.schemas import (
    CompleteSectionRequest,
    RecordingKept,
    SectionReport,
    SectionSpan,
    SessionCreate,
    SessionCreated,
    SessionPublic,
    SessionReport,
)
from dancecoach.api.uploads import receive_upload
from dancecoach.errors import InvalidVideoError, NotFoundError
from dancecoach.practice.report_types import CameraDelayNote
from dancecoach.runtime import Runtime

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


def camera_delay_note(runtime: Runtime, session_id: str) -> CameraDelayNote | None:
    """The connected stream's camera delay for a report: the delay applied to its dance times,
    else its estimate (None without a stream or an estimate yet)."""
    delay = runtime.live.camera_delay(session_id)
    if delay is None:
        return None
    if delay.applied_s != 0.0:
        return CameraDelayNote(delay.applied_s, applied=True, from_pass=delay.applied_from_pass)
    if delay.estimate is None:
        return None
    return CameraDelayNote(delay.estimate.delay_s, applied=False)


@router.post(
    "/create",
    response_model=SessionCreated,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409, 422, 503),
)
def create_session(body: SessionCreate, runtime: RuntimeDep, request: Request) -> SessionCreated:
    """Start a practice session against a ready reference; connect to /ws/{session_id} next."""
    browser = browser_pose_stream(runtime.settings, body.pose)
    runtime.live.ensure_capacity(browser=browser)
    sessions = runtime.sessions
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
        user_id=current_user_id(request),
    )
    return SessionCreated(
        session_id=practice.id,
        reference_video_id=practice.reference_id,
        websocket_url=f"/ws/{practice.id}" + ("?pose=browser" if browser else ""),
    )


@router.get("/{session_id}", response_model=SessionPublic, responses=error_responses(404))
async def get_session(session_id: OwnedSessionId, runtime: RuntimeDep) -> SessionPublic:
    """The session's state: frames scored, last dance time, sections completed, status."""
    await runtime.live.flush(session_id)
    summary = await run_in_threadpool(runtime.sessions.summary, session_id)
    return SessionPublic.model_validate(summary)


@router.delete(
    "/{session_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404)
)
async def delete_session(session_id: OwnedSessionId, runtime: RuntimeDep) -> Response:
    """Delete a session with its learner frames, replay clips and reports."""
    await run_in_threadpool(runtime.sessions.get, session_id)
    await runtime.live.end(session_id, "deleted")
    await run_in_threadpool(runtime.sessions.delete, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{session_id}/complete-section",
    response_model=SectionReport,
    responses=error_responses(404, 409),
)
async def complete_section(
    session_id: OwnedSessionId,
    runtime: RuntimeDep,
    body: CompleteSectionRequest | None = Body(default=None),
) -> SectionReport:
    """Score the section just danced (default: every frame since the last section) with coaching."""
    request = body or CompleteSectionRequest()
    await runtime.live.flush(session_id)
    camera_delay = camera_delay_note(runtime, session_id)
    report = await run_in_threadpool(
        lambda: runtime.sessions.complete_section(
            session_id,
            start_s=request.start_s,
            end_s=request.end_s,
            title=request.title,
            camera_delay=camera_delay,
        )
    )
    return SectionReport.model_validate(report)


@router.get(
    "/{session_id}/sections", response_model=list[SectionReport], responses=error_responses(404)
)
def section_reports(session_id: OwnedSessionId, sessions: SessionsDep) -> list[SectionReport]:
    """Every completed section's report, in order."""
    return [SectionReport.model_validate(r) for r in sessions.section_reports(session_id)]


@router.post("/{session_id}/finalize", response_model=SessionReport, responses=error_responses(404))
async def finalize_session(session_id: OwnedSessionId, runtime: RuntimeDep) -> SessionReport:
    """End the session: score what is left, combine all sections into the final report."""
    await run_in_threadpool(runtime.sessions.get, session_id)
    camera_delay = camera_delay_note(runtime, session_id)
    # The stream stores its last frames and closes (code 4409) before the report reads them.
    await runtime.live.end(session_id, "finalized")
    report = await run_in_threadpool(runtime.sessions.finalize, session_id, camera_delay)
    return SessionReport.model_validate(report)


@router.get(
    "/{session_id}/report", response_model=SessionReport, responses=error_responses(404, 409)
)
def session_report(session_id: OwnedSessionId, sessions: SessionsDep) -> SessionReport:
    """The final report of a finalized session."""
    return SessionReport.model_validate(sessions.report(session_id))


@router.get(
    "/{session_id}/clips/{number}",
    response_class=FileResponse,
    responses={200: {"content": {"video/webm": {}}}, **error_responses(404, 410)},
)
async def session_clip(
    session_id: OwnedSessionId, number: int, runtime: RuntimeDep
) -> FileResponse:
    """The learner's replay of problem segment clip n (WebM, VP8)."""
    path = await run_in_threadpool(runtime.sessions.clip, session_id, number)
    return FileResponse(path, media_type="video/webm")


# What a browser's MediaRecorder writes: WebM (EBML header) or MP4 (an ftyp box first).
_WEBM_MAGIC = b"\x1a\x45\xdf\xa3"
_RECORDING_NAME = "recording"


def _recording_path(runtime: RuntimeDep, session_id: str) -> Path:
    # Beside the session's learner frames: retention, the frames quota and deleting the
    # session (or all your data) remove it with them.
    return runtime.layout.session_frames_dir(session_id) / _RECORDING_NAME


@router.post(
    "/{session_id}/recording",
    response_model=RecordingKept,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 404, 413, 415, 429),
)
async def keep_recording(
    session_id: OwnedSessionId,
    request: Request,
    runtime: RuntimeDep,
    upload_limit: UploadLimitDep,
) -> RecordingKept:
    """Keep the webcam recording the page made in browser pose mode (multipart `file`), for
    review later; it is never sent unless the learner asks."""
    upload_limit.take(client_key(request))
    folder = runtime.layout.session_frames_dir(session_id)
    staged = await receive_upload(
        request, dest_dir=folder, max_bytes=int(runtime.settings.max_upload_mb * 1_000_000)
    )
    with staged.path.open("rb") as file:
        head = file.read(12)
    if not (head.startswith(_WEBM_MAGIC) or head[4:8] == b"ftyp"):
        staged.path.unlink(missing_ok=True)
        raise InvalidVideoError("The recording is not a WebM or MP4 video.")
    staged.path.replace(_recording_path(runtime, session_id))
    return RecordingKept(size_bytes=staged.size_bytes, url=f"/api/sessions/{session_id}/recording")


@router.get(
    "/{session_id}/recording",
    response_class=FileResponse,
    responses={200: {"content": {"video/webm": {}}}, **error_responses(404)},
)
def get_recording(session_id: OwnedSessionId, runtime: RuntimeDep) -> FileResponse:
    """The webcam recording kept with POST .../recording."""
    path = _recording_path(runtime, session_id)
    if not path.is_file():
        raise NotFoundError("No recording was kept for this session.")
    with path.open("rb") as file:
        media_type = "video/mp4" if file.read(8)[4:8] == b"ftyp" else "video/webm"
    return FileResponse(path, media_type=media_type)
