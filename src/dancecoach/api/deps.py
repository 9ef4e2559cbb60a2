"""Dependency aliases for routes: the runtime and its services, from the app state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from dancecoach.orchestration.references import ReferenceService
from dancecoach.orchestration.runtime import Runtime
from dancecoach.orchestration.sessions import SessionService


def get_runtime(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime


def get_references(connection: HTTPConnection) -> ReferenceService:
    return get_runtime(connection).references


def get_sessions(connection: HTTPConnection) -> SessionService:
    return get_runtime(connection).sessions


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ReferencesDep = Annotated[ReferenceService, Depends(get_references)]
SessionsDep = Annotated[SessionService, Depends(get_sessions)]
