"""The FastAPI application: routers, error mapping, lifespan (database, pools, background work)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from dancecoach import __version__
from dancecoach.api.auth import PUBLIC_PATHS, AuthMiddleware
from dancecoach.api.errors import (
    document_access_errors,
    install_error_handlers,
    use_error_schema_for_validation,
)
from dancecoach.api.limits import HourlyLimit
from dancecoach.api.routes import auth, health, live, me, music, protocol, references, sessions, web
from dancecoach.api.routes.auth import SignInLimits
from dancecoach.api.schemas import ClientMessage, ErrorPublic, ServerMessage
from dancecoach.api.security import OriginPolicy, SameOriginMiddleware
from dancecoach.config import Settings, get_settings
from dancecoach.live.analysis import ImageDecoder, TrackerFactory
from dancecoach.runtime import Runtime

log = logging.getLogger(__name__)

_REF_TEMPLATE = "#/components/schemas/{model}"
_DESCRIPTION = """Live K-pop dance practice: upload a reference, create a session, stream webcam
frames over the WebSocket `/ws/{session_id}` and get per-frame results, then section and
session reports with coaching. The WebSocket message schemas are the `ClientMessage` and
`ServerMessage` components; close and error codes are at `GET /api/protocol`."""


def _with_ws_schemas(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document plus the WebSocket message schemas, for client code generation."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorPublic", ErrorPublic.model_json_schema(ref_template=_REF_TEMPLATE))
    use_error_schema_for_validation(schema)
    document_access_errors(schema, PUBLIC_PATHS)
    unions: dict[str, Any] = {"ClientMessage": ClientMessage, "ServerMessage": ServerMessage}
    for name, union in unions.items():
        adapter: TypeAdapter[Any] = TypeAdapter(union)
        union_schema = adapter.json_schema(ref_template=_REF_TEMPLATE)
        for def_name, definition in union_schema.pop("$defs", {}).items():
            components.setdefault(def_name, definition)
        components[name] = union_schema
    app.openapi_schema = schema
    return schema


def create_app(
    settings: Settings | None = None,
    *,
    decode: ImageDecoder | None = None,
    tracker_factory: TrackerFactory | None = None,
    demo_reference: bool = True,
) -> FastAPI:
    """The app for these settings (default: from the environment).

    decode / tracker_factory replace the image decoder and pose tracker (tests);
    demo_reference=False skips registering the built-in demo routine.
    """
    resolved = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(
            resolved,
            decode=decode,
            tracker_factory=tracker_factory,
            demo_reference=demo_reference,
        )
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="dancecoach",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.upload_limit = HourlyLimit(resolved.uploads_per_hour, "uploads")
    app.state.login_limit = SignInLimits()
    # "auto" is settled by `serve`, which knows the address it binds (see cli.py).
    app.state.auth_required = resolved.auth == "required"
    install_error_handlers(app)
    # The last added runs first: foreign hosts and sites are refused before anyone signs in.
    app.add_middleware(AuthMiddleware, required=app.state.auth_required)
    app.add_middleware(SameOriginMiddleware, policy=OriginPolicy.for_hosts(resolved.allowed_hosts))
    for module in (health, auth, references, music, sessions, me, protocol, live):
        app.include_router(module.router)
    app.include_router(web.router)  # last: its catch-all path must not shadow the API
    app.openapi = lambda: _with_ws_schemas(app)  # type: ignore[method-assign]
    return app
