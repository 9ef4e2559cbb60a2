"""The practice WebSocket /ws/{session_id}: frames in, per-frame results out.

Client messages are JSON text (`frame`, `pause`, `resume`, `seek`, `ping`, see the
ClientMessage schema) or binary frames: 8 bytes little-endian float64 dance time, then the JPEG
bytes. A refused message gets an `error` reply and the connection stays open; close codes are
listed in dancecoach.api.errors and at GET /api/protocol.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import math
import struct
from typing import Any

import numpy as np
import orjson
from fastapi import APIRouter, WebSocket
from numpy.typing import NDArray
from pydantic import TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from dancecoach.api.deps import RuntimeDep
from dancecoach.api.errors import (
    CLOSE_NOT_FOUND,
    END_REASON_CLOSE_CODES,
    ws_close_code,
    ws_error_code,
)
from dancecoach.api.schemas import ClientMessage, FrameMessage, SeekMessage
from dancecoach.errors import DancecoachError, InvalidImageError, LimitExceededError
from dancecoach.orchestration.live_analysis import FrameAnalysis
from dancecoach.orchestration.live_session import LiveStream

router = APIRouter(tags=["live"])
log = logging.getLogger(__name__)

BINARY_HEADER = struct.Struct("<d")
_CLIENT_MESSAGE: TypeAdapter[Any] = TypeAdapter(ClientMessage)
_COORDINATE_DECIMALS = 4


def landmark_list(points: NDArray[np.float32] | None, *, nullable: bool) -> list[Any] | None:
    """(33, 4) -> [{x, y, z, visibility}] rounded; a NaN point is null (or zeros if not allowed)."""
    if points is None:
        return None
    rounded = np.round(points.astype(np.float64), _COORDINATE_DECIMALS)
    result: list[Any] = []
    for x, y, z, visibility in rounded.tolist():
        if math.isnan(x) or math.isnan(y):
            result.append(None if nullable else {"x": 0.0, "y": 0.0, "z": 0.0, "visibility": 0.0})
        else:
            result.append(
                {
                    "x": x,
                    "y": y,
                    "z": 0.0 if math.isnan(z) else z,
                    "visibility": 0.0 if math.isnan(visibility) else visibility,
                }
            )
    return result


def frame_result(analysis: FrameAnalysis, dropped_frames: int) -> dict[str, Any]:
    """The FrameResult message as a plain dict (built directly: this is the hot path)."""
    return {
        "type": "frame_result",
        "pose_landmarks": landmark_list(analysis.landmarks, nullable=False),
        "immediate_errors": [
            {"body_part": e.body_part, "message": e.message, "severity": e.severity}
            for e in analysis.cues
        ],
        "accuracy": None if analysis.accuracy is None else round(analysis.accuracy, 4),
        "timestamp": analysis.timestamp_s,
        "reference_landmarks": landmark_list(analysis.ghost, nullable=True),
        "part_scores": {part: round(score, 4) for part, score in analysis.part_scores.items()},
        "warning": analysis.warning,
        "dropped_frames": dropped_frames,
        "processing_ms": round(analysis.processing_ms, 2),
    }


def _decode_data_url(data: str) -> bytes:
    """The bytes of `data:image/jpeg;base64,...` or of plain base64."""
    if data.startswith("data:"):
        header, _, data = data.partition(",")
        if not header.endswith(";base64"):
            raise ValueError("only base64 data URLs are supported")
    return base64.b64decode(data, validate=True)


class _Connection:
    """One socket: parses messages, feeds the stream, serialises sends."""

    def __init__(self, websocket: WebSocket, session_id: str, max_frame_bytes: int) -> None:
        self.websocket = websocket
        self.session_id = session_id
        self.max_frame_bytes = max_frame_bytes
        self.stream: LiveStream | None = None
        # Session facts repeated in every state message (reference, mirror, playback rate).
        self.session_facts: dict[str, Any] = {}
        self._send_lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if self.websocket.application_state == WebSocketState.CONNECTED:
                await self.websocket.send_text(orjson.dumps(message).decode())

    async def error(self, code: str, message: str, timestamp: float | None = None) -> None:
        await self.send({"type": "error", "code": code, "message": message, "timestamp": timestamp})

    async def on_result(self, analysis: FrameAnalysis, dropped: int) -> None:
        await self.send(frame_result(analysis, dropped))

    async def on_error(self, error: DancecoachError, timestamp: float) -> None:
        await self.error(ws_error_code(error), str(error), timestamp)

    async def on_end(self, reason: str) -> None:
        code = END_REASON_CLOSE_CODES.get(reason, 1011)
        async with self._send_lock:
            if self.websocket.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await self.websocket.close(code=code, reason=reason)

    async def state(self) -> None:
        assert self.stream is not None
        state = self.stream.state()
        await self.send(
            {
                "type": "state",
                "session_id": state.session_id,
                "paused": state.paused,
                "pass_index": state.pass_index,
                "last_timestamp": state.last_timestamp_s,
                "frames_scored": state.frames_scored,
                "dropped_frames": state.dropped_frames,
                **self.session_facts,
            }
        )

    def offer(self, jpeg: bytes, timestamp: float) -> None:
        assert self.stream is not None
        if not jpeg:
            raise InvalidImageError("The frame has no image bytes.")
        if len(jpeg) > self.max_frame_bytes:
            raise LimitExceededError(
                f"The frame is {len(jpeg)} bytes; the limit is {self.max_frame_bytes}."
            )
        self.stream.offer(jpeg, timestamp)

    async def handle_binary(self, data: bytes) -> None:
        if len(data) <= BINARY_HEADER.size:
            await self.error(
                "invalid_message",
                "A binary frame is 8 bytes of little-endian float64 dance time, then a JPEG.",
            )
            return
        (timestamp,) = BINARY_HEADER.unpack_from(data)
        if not math.isfinite(timestamp) or not 0.0 <= timestamp <= 86_400.0:
            await self.error("invalid_message", "The binary frame's timestamp is not valid.")
            return
        try:
            self.offer(data[BINARY_HEADER.size :], timestamp)
        except DancecoachError as error:
            await self.error(ws_error_code(error), str(error), timestamp)

    async def handle_text(self, text: str) -> None:
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError:
            await self.error("malformed_json", "The message is not valid JSON.")
            return
        if not isinstance(raw, dict):
            await self.error("invalid_message", "A message must be a JSON object with a 'type'.")
            return
        kind = raw.get("type")
        if kind not in ("frame", "pause", "resume", "seek", "ping"):
            await self.error(
                "unknown_message_type",
                f"Unknown message type {kind!r}; use frame, pause, resume, seek or ping.",
            )
            return
        try:
            message = _CLIENT_MESSAGE.validate_python(raw)
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"][1:]) or "message"
            await self.error(
                "invalid_message", f"Invalid {kind} message: {where}: {problem['msg']}."
            )
            return
        assert self.stream is not None
        if isinstance(message, FrameMessage):
            await self._frame(message)
        elif isinstance(message, SeekMessage):
            self.stream.seek()
            await self.state()
        elif message.type == "pause":
            await self.stream.pause()
            await self.state()
        elif message.type == "resume":
            self.stream.resume()
            await self.state()
        else:
            await self.send({"type": "pong"})

    async def _frame(self, message: FrameMessage) -> None:
        if message.session_id is not None and message.session_id != self.session_id:
            await self.error(
                "session_mismatch",
                "The frame's session_id is not the session of this connection.",
                message.timestamp,
            )
            return
        # Base64 is 4/3 of the bytes: refuse before decoding anything huge.
        if len(message.data) > self.max_frame_bytes * 4 // 3 + 256:
            await self.error(
                "frame_too_large",
                f"The frame is over the {self.max_frame_bytes} byte limit.",
                message.timestamp,
            )
            return
        try:
            jpeg = _decode_data_url(message.data)
        except (binascii.Error, ValueError):
            await self.error(
                "invalid_base64",
                "The frame data is not base64 (expected data:image/jpeg;base64,...).",
                message.timestamp,
            )
            return
        try:
            self.offer(jpeg, message.timestamp)
        except DancecoachError as error:
            await self.error(ws_error_code(error), str(error), message.timestamp)


@router.websocket("/ws/{session_id}")
async def practice_socket(websocket: WebSocket, session_id: str, runtime: RuntimeDep) -> None:
    """Live practice stream of one session (see the module docstring for the protocol)."""
    await websocket.accept()
    connection = _Connection(websocket, session_id, runtime.settings.max_frame_bytes)
    try:
        stream = await runtime.live.open(session_id)
    except DancecoachError as error:
        close_code = ws_close_code(error)
        await connection.error(
            "session_not_found" if close_code == CLOSE_NOT_FOUND else "session_finished",
            str(error),
        )
        await websocket.close(code=close_code, reason=str(error)[:120])
        return
    connection.stream = stream
    try:
        practice = await asyncio.to_thread(runtime.sessions.get, session_id)
        connection.session_facts = {
            "reference_video_id": practice.reference_id,
            "mirror": practice.mirror,
            "playback_rate": practice.playback_rate,
        }
        await stream.start(connection.on_result, connection.on_error, connection.on_end)
        await connection.state()
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                await connection.handle_binary(message["bytes"])
            elif message.get("text") is not None:
                await connection.handle_text(message["text"])
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client left, or the server closed the socket (takeover, finalize)
    except Exception:
        log.exception("practice socket of session %s failed", session_id)
        with contextlib.suppress(Exception):
            await websocket.close(code=1011)
    finally:
        await runtime.live.close(stream)
