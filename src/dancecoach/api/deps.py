"""Dependency aliases for routes: the runtime and its services, from the app state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from dancecoach.api.limits import HourlyLimit
from dancecoach.library.references import ReferenceService
from dancecoach.practice.sessions import SessionService
from dancecoach.runtime import Runtime


def get_runtime(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime


def get_upload_limit(connection: HTTPConnection) -> HourlyLimit:
    limit: HourlyLimit = connection.app.state.upload_limit
    return limit


def client_key(connection: HTTPConnection) -> str:
    """Whose budget a request spends: the signed-in user's, else the client address's."""
    user = getattr(connection.state, "user", None)
    if user is not None:
        return f"user:{user.id}"
    return f"address:{connection.client.host if connection.client else 'unknown'}"


def current_user_id(connection: HTTPConnection) -> str | None:
    """The signed-in user's id; None on a server without accounts (one user owns all)."""
    user = getattr(connection.state, "user", None)
    return None if user is None else str(user.id)


def get_references(connection: HTTPConnection) -> ReferenceService:
    return get_runtime(connection).references


def get_sessions(connection: HTTPConnection) -> SessionService:
    return get_runtime(connection).sessions


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
UploadLimitDep = Annotated[HourlyLimit, Depends(get_upload_limit)]
ReferencesDep = Annotated[ReferenceService, Depends(get_references)]
SessionsDep = Annotated[SessionService, Depends(get_sessions)]
