"""Helpers for talking to /ws/{session_id} through the test client."""

from __future__ import annotations

import base64
import struct
from typing import Any

import orjson
from pydantic import TypeAdapter
from starlette.testclient import WebSocketTestSession

from dancecoach.api.schemas import ServerMessage

SERVER_MESSAGE: TypeAdapter[Any] = TypeAdapter(ServerMessage)


def frame_text(jpeg_bytes: bytes, timestamp: float, session_id: str | None = None) -> str:
    message: dict[str, Any] = {
        "type": "frame",
        "data": "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes).decode(),
        "timestamp": timestamp,
    }
    if session_id is not None:
        message["session_id"] = session_id
    return orjson.dumps(message).decode()


def frame_binary(jpeg_bytes: bytes, timestamp: float) -> bytes:
    return struct.pack("<d", timestamp) + jpeg_bytes


def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next server message, checked against the published ServerMessage schema."""
    message: dict[str, Any] = ws.receive_json()
    SERVER_MESSAGE.validate_python(message)
    return message


def receive_type(ws: WebSocketTestSession, kind: str, limit: int = 50) -> dict[str, Any]:
    """Skip messages until one of the given type arrives."""
    for _ in range(limit):
        message = receive(ws)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message in {limit} messages")
