"""Domain exceptions to HTTP statuses, WebSocket error codes and close codes: the one place.

WebSocket close codes (also listed at GET /api/protocol):
    4404  no such session            4409  the session is finalized
    4001  another connection took over this session
    1001  the server is shutting down   1009  a message over the WebSocket size limit
    1011  unexpected server error
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from dancecoach.api.uploads import InvalidUploadError
from dancecoach.errors import (
    ConflictError,
    DancecoachError,
    InvalidImageError,
    InvalidVideoError,
    LimitExceededError,
    NoPersonFoundError,
    NotFoundError,
)
from dancecoach.orchestration.clips import ClipUnavailableError
from dancecoach.orchestration.live_session import StreamPausedError, TimestampOrderError
from dancecoach.orchestration.references import InvalidSectionError

log = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_FINISHED = 4409
CLOSE_REPLACED = 4001
CLOSE_GOING_AWAY = 1001
CLOSE_INTERNAL = 1011
CLOSE_CODES = {
    CLOSE_NOT_FOUND: "No practice session with this id.",
    CLOSE_FINISHED: "The practice session is finalized; create a new one.",
    CLOSE_REPLACED: "Another connection took over this session.",
    CLOSE_GOING_AWAY: "The server is shutting down; reconnect later.",
    1009: "A message was over the WebSocket size limit.",
    CLOSE_INTERNAL: "Unexpected server error.",
}
END_REASON_CLOSE_CODES = {
    "replaced": CLOSE_REPLACED,
    "finalized": CLOSE_FINISHED,
    "shutdown": CLOSE_GOING_AWAY,
    "deleted": CLOSE_NOT_FOUND,
}

# Most specific class first.
_HTTP: list[tuple[type[DancecoachError], int, str]] = [
    (NotFoundError, 404, "not_found"),
    (ClipUnavailableError, 410, "clip_unavailable"),
    (ConflictError, 409, "conflict"),
    (LimitExceededError, 413, "too_large"),
    (InvalidUploadError, 400, "invalid_upload"),
    (InvalidVideoError, 415, "invalid_video"),
    (InvalidImageError, 415, "invalid_image"),
    (InvalidSectionError, 422, "invalid_section"),
    (NoPersonFoundError, 422, "no_person"),
    (DancecoachError, 400, "bad_request"),
]

_WS: list[tuple[type[DancecoachError], str]] = [
    (LimitExceededError, "frame_too_large"),
    (InvalidImageError, "invalid_image"),
    (TimestampOrderError, "timestamp_backwards"),
    (StreamPausedError, "paused"),
]


def http_status(error: DancecoachError) -> tuple[int, str]:
    for kind, status, code in _HTTP:
        if isinstance(error, kind):
            return status, code
    return 400, "bad_request"


def ws_error_code(error: DancecoachError) -> str:
    for kind, code in _WS:
        if isinstance(error, kind):
            return code
    return "internal_error"


def ws_close_code(error: DancecoachError) -> int:
    if isinstance(error, NotFoundError):
        return CLOSE_NOT_FOUND
    if isinstance(error, ConflictError):
        return CLOSE_FINISHED
    return CLOSE_INTERNAL


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DancecoachError)
    status, code = http_status(error)
    return JSONResponse({"detail": str(error), "code": code}, status_code=status)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    """Request validation in the same shape as every other error, with a readable sentence."""
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    sentences = []
    for problem in problems[:3]:
        where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
        sentences.append(f"{where or 'request'}: {problem.get('msg', 'invalid')}")
    detail = "Invalid request: " + "; ".join(sentences) if sentences else "Invalid request."
    return JSONResponse(
        {"detail": detail, "code": "invalid_request", "errors": jsonable_encoder(problems)},
        status_code=422,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DancecoachError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


def use_error_schema_for_validation(schema: dict[str, Any]) -> None:
    """Document 422 responses with ErrorPublic (what _validation_error returns)."""
    reference = {"$ref": "#/components/schemas/ErrorPublic"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            response = operation.get("responses", {}).get("422")
            if response is not None:
                response["content"] = {"application/json": {"schema": reference}}
    schemas = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses=` entries for the listed error statuses."""
    from dancecoach.api.schemas import ErrorPublic

    return {status: {"model": ErrorPublic} for status in statuses}
