"""The WebSocket protocol, described for clients (its message schemas are in the OpenAPI file)."""

from __future__ import annotations

import typing

from fastapi import APIRouter

from dancecoach.api.deps import RuntimeDep
from dancecoach.api.errors import CLOSE_CODES
from dancecoach.api.schemas import CloseCode, ErrorMessage, GradeBandPublic, ProtocolPublic
from dancecoach.pipeline.judgement import GRADE_BANDS

router = APIRouter(prefix="/api", tags=["live"])


@router.get("/protocol", response_model=ProtocolPublic)
def protocol(runtime: RuntimeDep) -> ProtocolPublic:
    """How to talk to /ws/{session_id}: message types, binary layout, error and close codes."""
    return ProtocolPublic(
        binary_frame_layout="8 bytes little-endian float64 dance time (s), then JPEG bytes",
        client_message_types=["frame", "pause", "resume", "seek", "ping"],
        server_message_types=["frame_result", "error", "state", "pong"],
        error_codes=list(typing.get_args(ErrorMessage.model_fields["code"].annotation)),
        close_codes=[CloseCode(code=code, meaning=text) for code, text in CLOSE_CODES.items()],
        max_frame_bytes=runtime.settings.max_frame_bytes,
        grade_bands=[
            *(GradeBandPublic(grade=grade, min_score=lowest) for grade, lowest in GRADE_BANDS),
            GradeBandPublic(grade="Miss", min_score=0.0),
        ],
    )
