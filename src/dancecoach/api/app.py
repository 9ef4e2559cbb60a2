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
from dancecoach.api.errors import install_error_handlers, use_error_schema_for_validation
from dancecoach.api.routes import health, live, protocol, references, sessions, web
from dancecoach.api.schemas import ClientMessage, ErrorPublic, ServerMessage
from dancecoach.config import Settings, get_settings
from dancecoach.orchestration.live_analysis import ImageDecoder, TrackerFactory
from dancecoach.orchestration.runtime import Runtime

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
    install_error_handlers(app)
    for module in (health, references, sessions, protocol, live):
        app.include_router(module.router)
    app.include_router(web.router)  # last: its catch-all path must not shadow the API
    app.openapi = lambda: _with_ws_schemas(app)  # type: ignore[method-assign]
    return app
