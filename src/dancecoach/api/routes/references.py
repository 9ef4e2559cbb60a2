"""Reference videos: upload, list, status and progress, video stream, thumbnail, sections."""

from __future__ import annotations

import mimetypes
from typing import cast

from fastapi import APIRouter, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from dancecoach.api.auth import TeacherOnly
from dancecoach.api.deps import (
    ReferencesDep,
    RuntimeDep,
    SessionsDep,
    UploadLimitDep,
    client_key,
    current_user_id,
)
from dancecoach.api.errors import error_responses
from dancecoach.api.object_responses import object_response
from dancecoach.api.schemas import (
    BoxPublic,
    DancerChoice,
    DancerPublic,
    DancersPublic,
    ReferenceCreated,
    ReferenceProgress,
    ReferencePublic,
    ReferenceStatus,
    ReferenceUpdate,
    SectionCreate,
    SectionPublic,
)
from dancecoach.api.uploads import InvalidUploadError, receive_upload
from dancecoach.library.references import ReferenceService
from dancecoach.storage.models import ReferenceVideo

router = APIRouter(prefix="/api/references", tags=["references"])

_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "name": {"type": "string", "maxLength": 200},
                    "dancer_x": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1,
                        "description": "Group video: x (0..1) of the dancer to learn from.",
                    },
                },
            }
        }
    },
}


def _dancer_x(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0.0 <= number <= 1.0:
        raise InvalidUploadError("dancer_x must be a number from 0 (left edge) to 1 (right edge).")
    return number


def to_public(reference: ReferenceVideo, references: ReferenceService) -> ReferencePublic:
    base = f"/api/references/{reference.id}"
    return ReferencePublic(
        reference_video_id=reference.id,
        name=reference.name,
        status=cast(ReferenceStatus, reference.status),
        progress=min(max(reference.progress, 0.0), 1.0),
        failure_reason=reference.failure_reason,
        duration_s=reference.duration_s,
        fps=reference.fps,
        width=reference.width,
        height=reference.height,
        is_demo=reference.is_demo,
        dancer_x=reference.dancer_x,
        dancer_count=references.dancer_count(reference.id),
        created_at=reference.created_at,
        video_url=f"{base}/video",
        thumbnail_url=f"{base}/thumbnail" if reference.thumbnail_file else None,
        sections=[SectionPublic.model_validate(s) for s in references.sections(reference.id)],
    )


@router.post(
    "",
    response_model=ReferenceCreated,
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses=error_responses(400, 403, 413, 415, 429),
    dependencies=[TeacherOnly],
)
async def upload_reference(
    request: Request, runtime: RuntimeDep, upload_limit: UploadLimitDep
) -> ReferenceCreated:
    """Upload a choreography video (multipart `file`, optional `name`); preprocessing starts."""
    upload_limit.take(client_key(request))
    settings = runtime.settings
    staged = await receive_upload(
        request,
        dest_dir=runtime.layout.uploads_dir,
        max_bytes=int(settings.max_upload_mb * 1_000_000),
    )
    try:
        dancer_x = _dancer_x(staged.fields.get("dancer_x"))
    except InvalidUploadError:
        staged.path.unlink(missing_ok=True)
        raise
    reference = await run_in_threadpool(
        runtime.references.accept_upload,
        staged.path,
        staged.filename,
        staged.fields.get("name"),
        dancer_x,
    )
    return ReferenceCreated(reference_video_id=reference.id, status="processing")


@router.get("", response_model=list[ReferencePublic])
def list_references(references: ReferencesDep) -> list[ReferencePublic]:
    """Every reference in the library (the demo first, then newest first)."""
    return [to_public(reference, references) for reference in references.list_all()]


@router.get("/{reference_id}", response_model=ReferencePublic, responses=error_responses(404))
def get_reference(reference_id: str, references: ReferencesDep) -> ReferencePublic:
    """One reference: status (processing, ready, failed with a reason) and progress 0..1."""
    return to_public(references.get(reference_id), references)


@router.patch(
    "/{reference_id}",
    response_model=ReferencePublic,
    responses=error_responses(403, 404),
    dependencies=[TeacherOnly],
)
def rename_reference(
    reference_id: str, body: ReferenceUpdate, references: ReferencesDep
) -> ReferencePublic:
    """Rename a reference."""
    return to_public(references.rename(reference_id, body.name), references)


@router.delete(
    "/{reference_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404),
    dependencies=[TeacherOnly],
)
async def delete_reference(reference_id: str, runtime: RuntimeDep) -> Response:
    """Delete a reference and everything derived from it: poses, thumbnail, playable copy,
    sessions with their learner frames, clips and reports."""
    # Streams end first, so that no frame is written into a folder that is being deleted.
    for session_id in await run_in_threadpool(runtime.references.session_ids, reference_id):
        await runtime.live.end(session_id, "deleted")
    await run_in_threadpool(runtime.references.delete, reference_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{reference_id}/video",
    response_class=FileResponse,
    responses={
        200: {"content": {"video/mp4": {}, "video/webm": {}}},
        206: {"description": "Partial content (HTTP Range)."},
        **error_responses(404),
    },
)
async def reference_video(
    reference_id: str, references: ReferencesDep, request: Request
) -> Response:
    """The reference video; supports HTTP Range requests so players can seek."""
    key = await run_in_threadpool(references.playback_key, reference_id)
    media_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    return await object_response(
        request, references.objects, key, media_type, "The video file of this reference is missing."
    )


@router.get(
    "/{reference_id}/thumbnail",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, **error_responses(404)},
)
async def reference_thumbnail(
    reference_id: str, references: ReferencesDep, request: Request
) -> Response:
    """A JPEG still of the dancer for the library."""
    key = await run_in_threadpool(references.thumbnail_key, reference_id)
    return await object_response(
        request,
        references.objects,
        key,
        "image/jpeg",
        "The thumbnail of this reference is missing.",
    )


@router.get("/{reference_id}/dancers", response_model=DancersPublic, responses=error_responses(404))
def reference_dancers(reference_id: str, references: ReferencesDep) -> DancersPublic:
    """The dancers at the start of the video on a still, numbered left to right, to choose
    whom to learn from in a group video (a few seconds the first time)."""
    reference = references.get(reference_id)
    found = references.dancers(reference_id)
    return DancersPublic(
        time_s=found.time_s,
        still_url=f"/api/references/{reference_id}/dancers/still",
        width=reference.width,
        height=reference.height,
        dancers=[
            DancerPublic(
                number=dancer.number,
                dancer_x=dancer.dancer_x,
                box=BoxPublic(
                    left=dancer.box[0], top=dancer.box[1], right=dancer.box[2], bottom=dancer.box[3]
                ),
            )
            for dancer in found.dancers
        ],
        chosen=found.chosen(reference.dancer_x),
    )


@router.get(
    "/{reference_id}/dancers/still",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, **error_responses(404)},
)
def reference_dancers_still(reference_id: str, references: ReferencesDep) -> FileResponse:
    """The JPEG still the dancers' boxes are on."""
    return FileResponse(references.dancers_still_path(reference_id), media_type="image/jpeg")


@router.put(
    "/{reference_id}/dancer",
    response_model=ReferencePublic,
    responses=error_responses(403, 404, 409),
    dependencies=[TeacherOnly],
)
def choose_dancer(
    reference_id: str, body: DancerChoice, references: ReferencesDep
) -> ReferencePublic:
    """Learn from another dancer of a group video: the poses are extracted again (status
    processing, with progress); 409 while the reference is still processing."""
    return to_public(references.choose_dancer(reference_id, body.dancer_x), references)


@router.get(
    "/{reference_id}/sections", response_model=list[SectionPublic], responses=error_responses(404)
)
def list_sections(reference_id: str, references: ReferencesDep) -> list[SectionPublic]:
    """Named sections of a reference, in time order."""
    return [SectionPublic.model_validate(s) for s in references.sections(reference_id)]


@router.post(
    "/{reference_id}/sections",
    response_model=SectionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 404, 422),
    dependencies=[TeacherOnly],
)
def add_section(reference_id: str, body: SectionCreate, references: ReferencesDep) -> SectionPublic:
    """Name a section (start, end, title) of the reference."""
    section = references.add_section(reference_id, body.title, body.start_s, body.end_s)
    return SectionPublic.model_validate(section)


@router.delete(
    "/{reference_id}/sections/{section_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404),
    dependencies=[TeacherOnly],
)
def delete_section(reference_id: str, section_id: str, references: ReferencesDep) -> Response:
    """Delete a named section."""
    references.delete_section(reference_id, section_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{reference_id}/progress", response_model=ReferenceProgress, responses=error_responses(404)
)
def reference_progress(
    reference_id: str, sessions: SessionsDep, request: Request
) -> ReferenceProgress:
    """Your attempts at this reference over time, with scores per body part."""
    progress = sessions.progress(reference_id, current_user_id(request))
    return ReferenceProgress.model_validate(progress)
