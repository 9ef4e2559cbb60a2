"""Domain exceptions to HTTP statuses, WebSocket error codes and close codes: the one place.

WebSocket close codes (also listed at GET /api/protocol):
    4404  no such session            4409  the session is finalized
    4001  another connection took over this session
    4401  sign-in required           4403  another site's page, or a host name not ours
    4408  the client stopped reading replies
    4503  the server is full (live sessions)   4507  the server cannot store frames
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
    AuthenticationRequiredError,
    CapacityError,
    ConflictError,
    CrossSiteRequestError,
    DancecoachError,
    ForbiddenError,
    HostNotAllowedError,
    InvalidImageError,
    InvalidVideoError,
    LimitExceededError,
    NoPersonFoundError,
    NotFoundError,
    RateLimitedError,
    StorageUnavailableError,
)
from dancecoach.library.references import InvalidSectionError
from dancecoach.live.browser_pose import ImageFramesRefusedError, InvalidLandmarksError
from dancecoach.live.session import StreamPausedError, TimestampOrderError
from dancecoach.practice.clips import ClipUnavailableError

log = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_FINISHED = 4409
CLOSE_REPLACED = 4001
CLOSE_GOING_AWAY = 1001
CLOSE_INTERNAL = 1011
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_READING = 4408
CLOSE_SERVER_FULL = 4503
CLOSE_STORAGE_FAILING = 4507
CLOSE_CODES = {
    CLOSE_NOT_FOUND: "No practice session with this id.",
    CLOSE_FINISHED: "The practice session is finalized; create a new one.",
    CLOSE_REPLACED: "Another connection took over this session.",
    CLOSE_UNAUTHENTICATED: "Sign in first: this server has accounts.",
    CLOSE_FORBIDDEN: "Refused: another site's page, or a host name this server does not use.",
    CLOSE_NOT_READING: "The client stopped reading replies; reconnect and read them.",
    CLOSE_SERVER_FULL: "The server is full (too many live sessions); try again later.",
    CLOSE_STORAGE_FAILING: "The server cannot store frames (disk full?); try again later.",
    CLOSE_GOING_AWAY: "The server is shutting down; reconnect later.",
    1009: "A message was over the WebSocket size limit.",
    CLOSE_INTERNAL: "Unexpected server error.",
}
# After these, reconnecting cannot help: the page stops and says why instead of retrying.
FINAL_CLOSE_CODES = frozenset(
    {
        CLOSE_NOT_FOUND,
        CLOSE_FINISHED,
        CLOSE_REPLACED,
        CLOSE_UNAUTHENTICATED,
        CLOSE_FORBIDDEN,
        CLOSE_SERVER_FULL,
        CLOSE_STORAGE_FAILING,
    }
)
END_REASON_CLOSE_CODES = {
    "replaced": CLOSE_REPLACED,
    "finalized": CLOSE_FINISHED,
    "shutdown": CLOSE_GOING_AWAY,
    "deleted": CLOSE_NOT_FOUND,
    "not_reading": CLOSE_NOT_READING,
    "storage_failing": CLOSE_STORAGE_FAILING,
}
# A WebSocket close reason is at most 123 bytes of UTF-8.
_MAX_CLOSE_REASON_BYTES = 123

# Most specific class first.
_HTTP: list[tuple[type[DancecoachError], int, str]] = [
    (HostNotAllowedError, 400, "host_not_allowed"),
    (CrossSiteRequestError, 403, "cross_site"),
    (AuthenticationRequiredError, 401, "unauthenticated"),
    (ForbiddenError, 403, "forbidden"),
    (CapacityError, 503, "server_full"),
    (StorageUnavailableError, 507, "storage_unavailable"),
    (RateLimitedError, 429, "rate_limited"),
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
    (InvalidLandmarksError, "invalid_landmarks"),
    (ImageFramesRefusedError, "image_frames_refused"),
    (TimestampOrderError, "timestamp_backwards"),
    (StreamPausedError, "paused"),
    (StorageUnavailableError, "storage_unavailable"),
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
    if isinstance(error, HostNotAllowedError | CrossSiteRequestError | ForbiddenError):
        return CLOSE_FORBIDDEN
    if isinstance(error, AuthenticationRequiredError):
        return CLOSE_UNAUTHENTICATED
    if isinstance(error, CapacityError):
        return CLOSE_SERVER_FULL
    if isinstance(error, StorageUnavailableError):
        return CLOSE_STORAGE_FAILING
    if isinstance(error, NotFoundError):
        return CLOSE_NOT_FOUND
    if isinstance(error, ConflictError):
        return CLOSE_FINISHED
    return CLOSE_INTERNAL


def close_reason(error: DancecoachError) -> str:
    """The error's sentence cut to what a close frame can carry."""
    encoded = str(error).encode()[:_MAX_CLOSE_REASON_BYTES]
    return encoded.decode(errors="ignore")


def error_body(error: DancecoachError) -> tuple[int, dict[str, str]]:
    """The HTTP status and the ErrorPublic body of a domain error."""
    status, code = http_status(error)
    return status, {"detail": str(error), "code": code}


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DancecoachError)
    status, body = error_body(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


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


def document_access_errors(schema: dict[str, Any], public_paths: frozenset[str]) -> None:
    """Every API operation may answer 403 (another site's page) and, on a server with
    accounts, 401 (not signed in): the middleware in api/security.py and api/auth.py."""
    reference = {"$ref": "#/components/schemas/ErrorPublic"}
    documented = {
        "401": "Not signed in (a server with accounts).",
        "403": "Refused: another site's page, or not allowed for your role.",
    }
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in documented.items():
                if status == "401" and path in public_paths:
                    continue
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses=` entries for the listed error statuses."""
    from dancecoach.api.schemas import ErrorPublic

    return {status: {"model": ErrorPublic} for status in statuses}
