"""The practice WebSocket /ws/{session_id}: frames (or the poses the browser found) in,
per-frame results out.

Client messages are JSON text (`frame`, `landmarks`, `pause`, `resume`, `seek`, `ping`, see the
ClientMessage schema) or binary: a frame is 8 bytes little-endian float64 dance time, then the
JPEG bytes; binary landmarks are laid out in landmarks_wire.py. `?pose=browser` opens a stream
that sends landmarks only (its image frames are refused). A refused message gets an `error`
reply and the connection stays open; close codes are listed in dancecoach.api.errors and at
GET /api/protocol.
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
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from dancecoach.api.deps import RuntimeDep, current_user_id
from dancecoach.api.errors import (
    CLOSE_FINISHED,
    CLOSE_NOT_FOUND,
    CLOSE_SERVER_FULL,
    END_REASON_CLOSE_CODES,
    close_reason,
    ws_close_code,
    ws_error_code,
)
from dancecoach.api.landmarks_wire import (
    browser_pose_stream,
    is_binary_landmarks,
    parse_binary_landmarks,
)
from dancecoach.api.schemas import ClientMessage, FrameMessage, LandmarksMessage, SeekMessage
from dancecoach.config import Settings
from dancecoach.errors import (
    CapacityError,
    DancecoachError,
    InvalidImageError,
    LimitExceededError,
)
from dancecoach.live.analysis import FrameAnalysis, FrameInput
from dancecoach.live.browser_pose import ImageFramesRefusedError, browser_pose
from dancecoach.live.camera_delay import CameraDelay
from dancecoach.live.messages import frame_message, with_dropped
from dancecoach.live.moves import MoveGrade
from dancecoach.live.session import LiveEvent, LiveStream
from dancecoach.runtime import Runtime

router = APIRouter(tags=["live"])
log = logging.getLogger(__name__)

BINARY_HEADER = struct.Struct("<d")
CLIENT_MESSAGE_TYPES = ("frame", "landmarks", "pause", "resume", "seek", "ping", "camera_delay")
_CLIENT_MESSAGE: TypeAdapter[Any] = TypeAdapter(ClientMessage)
_CLOSE_TIMEOUT_S = 10.0
# The error message sent before a refused connection is closed, by close code.
_OPEN_ERROR_CODES = {
    CLOSE_NOT_FOUND: "session_not_found",
    CLOSE_FINISHED: "session_finished",
    CLOSE_SERVER_FULL: "server_full",
}


def event_message(event: LiveEvent) -> dict[str, Any]:
    """A move's grade (MoveMessage) or the camera's delay (CameraDelayEstimate)."""
    if isinstance(event, MoveGrade):
        return {
            "type": "move",
            "label": event.label,
            "start_s": round(event.start_s, 3),
            "end_s": round(event.end_s, 3),
            "score": event.score,
            "grade": event.grade,
            "eight": event.eight,
        }
    delay: CameraDelay = event
    return {
        "type": "camera_delay",
        "delay_s": delay.delay_s,
        "frames": delay.frames,
        "noticeable": delay.noticeable,
    }


def _decode_data_url(data: str) -> bytes:
    """The bytes of `data:image/jpeg;base64,...` or of plain base64."""
    if data.startswith("data:"):
        header, _, data = data.partition(",")
        if not header.endswith(";base64"):
            raise ValueError("only base64 data URLs are supported")
    return base64.b64decode(data, validate=True)


class _Connection:
    """One socket: parses messages, feeds the stream, sends replies through a bounded queue.

    Replies wait in a queue of at most `send_queue` messages that one writer task drains. A
    client that stops reading (a frozen tab, a hostile script) fills it and is closed with
    4408, so its unsent replies never pile up in server memory.
    """

    def __init__(
        self, websocket: WebSocket, session_id: str, settings: Settings, *, browser: bool
    ) -> None:
        self.websocket = websocket
        self.session_id = session_id
        self.max_frame_bytes = settings.max_frame_bytes
        self.max_frame_pixels = settings.max_frame_pixels
        self.max_frame_side = settings.max_frame_side
        # A browser-pose stream sends landmarks only: its webcam frames never reach the server.
        self.browser = browser
        send_queue = settings.ws_send_queue
        self.stream: LiveStream | None = None
        # Session facts repeated in every state message (reference, mirror, playback rate).
        self.session_facts: dict[str, Any] = {}
        self._send_lock = asyncio.Lock()
        self._outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=send_queue)
        self._writer: asyncio.Task[None] | None = None
        self.not_reading = asyncio.Event()

    def start_writer(self) -> None:
        self._writer = asyncio.create_task(self._write_all(), name=f"ws-send-{self.session_id}")

    async def stop_writer(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer

    async def _write_all(self) -> None:
        while True:
            text = await self._outbox.get()
            async with self._send_lock:
                if self.websocket.application_state != WebSocketState.CONNECTED:
                    return
                await self.websocket.send_text(text)

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_text(orjson.dumps(message).decode())

    async def send_text(self, text: str) -> None:
        """Send a JSON message already serialised."""
        if self._writer is None:  # before the stream starts: nothing else is sending
            async with self._send_lock:
                if self.websocket.application_state == WebSocketState.CONNECTED:
                    await self.websocket.send_text(text)
            return
        self.post(text)

    def post(self, text: str) -> None:
        """Queue a JSON message already serialised; the writer task sends the queue in order."""
        if self.not_reading.is_set():
            return
        try:
            self._outbox.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("session %s: the client stopped reading replies; closing", self.session_id)
            self.not_reading.set()

    async def error(self, code: str, message: str, timestamp: float | None = None) -> None:
        await self.send({"type": "error", "code": code, "message": message, "timestamp": timestamp})

    def on_result(self, analysis: FrameAnalysis, dropped: int) -> None:
        # Browser-pose frames come with their message built where they were scored.
        message = analysis.message if analysis.message is not None else frame_message(analysis)
        self.post(with_dropped(message, dropped))

    async def on_event(self, event: LiveEvent) -> None:
        await self.send(event_message(event))

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
                "camera_delay_s": state.camera_delay_s,
                **self.session_facts,
            }
        )

    def offer(self, jpeg: bytes, timestamp: float) -> None:
        assert self.stream is not None
        if self.browser:
            raise ImageFramesRefusedError(
                "This stream finds the pose in the browser: send landmarks, not image frames "
                "(or connect without ?pose=browser)."
            )
        if not jpeg:
            raise InvalidImageError("The frame has no image bytes.")
        if len(jpeg) > self.max_frame_bytes:
            raise LimitExceededError(
                f"The frame is {len(jpeg)} bytes; the limit is {self.max_frame_bytes}."
            )
        self.stream.offer(jpeg, timestamp)

    def offer_pose(self, frame: FrameInput, timestamp: float) -> None:
        assert self.stream is not None
        self.stream.offer(frame, timestamp)

    async def handle_binary(self, data: bytes) -> None:
        if len(data) <= BINARY_HEADER.size:
            await self.error(
                "invalid_message",
                "A binary frame is 8 bytes of little-endian float64 dance time, then a JPEG "
                "(or landmarks, see GET /api/protocol).",
            )
            return
        (timestamp,) = BINARY_HEADER.unpack_from(data)
        if not math.isfinite(timestamp) or not 0.0 <= timestamp <= 86_400.0:
            await self.error("invalid_message", "The binary frame's timestamp is not valid.")
            return
        try:
            if is_binary_landmarks(data):
                _, pose = parse_binary_landmarks(
                    data, max_pixels=self.max_frame_pixels, max_side=self.max_frame_side
                )
                self.offer_pose(pose, timestamp)
            else:
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
        if kind not in CLIENT_MESSAGE_TYPES:
            await self.error(
                "unknown_message_type",
                f"Unknown message type {kind!r}; use {', '.join(CLIENT_MESSAGE_TYPES)}.",
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
        elif isinstance(message, LandmarksMessage):
            await self._landmarks(message)
        elif isinstance(message, SeekMessage):
            self.stream.seek()
            await self.state()
        elif message.type == "pause":
            await self.stream.pause()
            await self.state()
        elif message.type == "resume":
            self.stream.resume()
            await self.state()
        elif message.type == "camera_delay":
            self.stream.apply_camera_delay(message.delay_s)
            await self.state()
        else:
            await self.send({"type": "pong"})

    async def _landmarks(self, message: LandmarksMessage) -> None:
        if message.session_id is not None and message.session_id != self.session_id:
            await self.error(
                "session_mismatch",
                "The message's session_id is not the session of this connection.",
                message.timestamp,
            )
            return
        points = None
        if message.landmarks is not None:
            points = np.array(
                [(p.x, p.y, p.z, p.visibility) for p in message.landmarks], dtype=np.float64
            ).reshape(-1, 4)
        try:
            pose = browser_pose(
                points,
                message.image_width,
                message.image_height,
                max_pixels=self.max_frame_pixels,
                max_side=self.max_frame_side,
            )
            self.offer_pose(pose, message.timestamp)
        except DancecoachError as error:
            await self.error(ws_error_code(error), str(error), message.timestamp)

    async def _frame(self, message: FrameMessage) -> None:
        if self.browser:  # refused before decoding anything
            try:
                self.offer(b"", message.timestamp)
            except DancecoachError as error:
                await self.error(ws_error_code(error), str(error), message.timestamp)
            return
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


def _refuse_handshake(websocket: WebSocket, runtime: Runtime, error: DancecoachError) -> bool:
    """Behind a balancer, a full instance answers the handshake with HTTP 503, so that the
    balancer offers the session to the next instance (a close code after the handshake is
    final for the connection). Standalone, the 4503 close lets the page say why."""
    return (
        isinstance(error, CapacityError)
        and runtime.settings.behind_balancer
        and "websocket.http.response" in websocket.scope.get("extensions", {})
    )


@router.websocket("/ws/{session_id}")
async def practice_socket(websocket: WebSocket, session_id: str, runtime: RuntimeDep) -> None:
    """Live practice stream of one session (see the module docstring for the protocol)."""
    browser = browser_pose_stream(runtime.settings, websocket.query_params.get("pose"))
    # The stream is opened before the handshake is answered, so that the capacity check and
    # taking the slot are one step (simultaneous connections cannot all pass the check).
    opened: LiveStream | DancecoachError
    try:
        # Another user's session is "no such session", exactly like an unknown id.
        await asyncio.to_thread(runtime.sessions.get_for, session_id, current_user_id(websocket))
        opened = await runtime.live.open(session_id, browser=browser)
    except DancecoachError as error:
        opened = error
    if isinstance(opened, DancecoachError) and _refuse_handshake(websocket, runtime, opened):
        body = {"detail": str(opened), "code": "server_full"}
        await websocket.send_denial_response(JSONResponse(body, status_code=503))
        return
    try:
        await websocket.accept()
    except BaseException:
        if isinstance(opened, LiveStream):
            await runtime.live.close(opened)
        raise
    connection = _Connection(websocket, session_id, runtime.settings, browser=browser)
    if isinstance(opened, DancecoachError):
        close_code = ws_close_code(opened)
        await connection.error(_OPEN_ERROR_CODES.get(close_code, "internal_error"), str(opened))
        await websocket.close(code=close_code, reason=close_reason(opened))
        return
    stream = opened
    connection.stream = stream
    receiver: asyncio.Task[None] | None = None
    stalled: asyncio.Task[bool] | None = None
    try:
        practice = await asyncio.to_thread(runtime.sessions.get, session_id)
        connection.session_facts = {
            "reference_video_id": practice.reference_id,
            "mirror": practice.mirror,
            "playback_rate": practice.playback_rate,
        }
        await stream.start(
            connection.on_result, connection.on_error, connection.on_end, connection.on_event
        )
        await connection.state()
        connection.start_writer()
        receiver = asyncio.create_task(_receive_all(websocket, connection))
        stalled = asyncio.create_task(connection.not_reading.wait())
        done, _ = await asyncio.wait({receiver, stalled}, return_when=asyncio.FIRST_COMPLETED)
        if stalled in done:
            receiver.cancel()
            await connection.stop_writer()
            # The session's slot is free at once; the close frame waits behind the replies the
            # client has not read yet, so it gets a while to read them, then the socket goes.
            await runtime.live.close(stream)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.on_end("not_reading"), _CLOSE_TIMEOUT_S)
        else:
            receiver.result()
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client left, or the server closed the socket (takeover, finalize)
    except Exception:
        log.exception("practice socket of session %s failed", session_id)
        with contextlib.suppress(Exception):
            await websocket.close(code=1011)
    finally:
        for task in (receiver, stalled):
            if task is not None:
                task.cancel()
        await connection.stop_writer()
        await runtime.live.close(stream)


async def _receive_all(websocket: WebSocket, connection: _Connection) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            await connection.handle_binary(message["bytes"])
        elif message.get("text") is not None:
            await connection.handle_text(message["text"])
