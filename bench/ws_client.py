"""A lean WebSocket client for the load benchmark: hundreds of them share the server's cores.

The benchmark's clients stand in for browsers on other machines, yet here they run on the same
two cores as the server, so whatever they spend is taken from it. The `websockets` library's
asyncio client cost ~0.14 ms of CPU a frame at 200 sessions (a task wake-up per message, a
generator-driven frame parser, stream buffers): the clients used ~30 % of a core, against the
server's ~135 %. This client is an asyncio Protocol that parses frames in `data_received` and
hands each whole message to a callback, with no task in between. It speaks only what the
benchmark needs of RFC 6455: the opening handshake, unfragmented or fragmented text and binary
messages, masked client frames (the mask from `websockets`' compiled helper), pings answered
with pongs (uvicorn pings every 20 s), and the closing handshake.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

from websockets.speedups import apply_mask
from websockets.utils import accept_key

_TEXT, _BINARY, _CLOSE, _PING, _PONG, _CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0
_MAX_HEADER_BYTES = 16 * 1024

Message = str | bytes
OnMessage = Callable[[Message], None]


class HandshakeRefusedError(ConnectionError):
    """The server answered the opening handshake with something other than 101 (503: full)."""


class WebSocketClient(asyncio.Protocol):
    """One connection; `on_message` is called with each whole message as it arrives."""

    def __init__(self, on_message: OnMessage) -> None:
        self._on_message = on_message
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._handshake: asyncio.Future[None] | None = None
        self._expected_accept = ""
        self._fragments: list[bytes] = []
        self._fragment_opcode = 0
        self.closed = asyncio.Event()

    @classmethod
    async def connect(cls, url: str, on_message: OnMessage) -> WebSocketClient:
        """Open `ws://host:port/path?query` and complete the handshake (HandshakeRefusedError
        when the server refuses it, OSError when it cannot be reached)."""
        parts = urlsplit(url)
        loop = asyncio.get_running_loop()
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        _, client = await loop.create_connection(lambda: cls(on_message), host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        client._expected_accept = accept_key(key)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        client._handshake = loop.create_future()
        assert client._transport is not None
        client._transport.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        try:
            await client._handshake
        except BaseException:
            client.abort()
            raise
        return client

    # Sending -------------------------------------------------------------------------

    def send(self, message: Message) -> None:
        if isinstance(message, str):
            self._send_frame(_TEXT, message.encode())
        else:
            self._send_frame(_BINARY, message)

    def close(self, code: int = 1000) -> None:
        """Start the closing handshake (the server answers, then closes the socket)."""
        if self._transport is not None and not self._transport.is_closing():
            self._send_frame(_CLOSE, struct.pack("!H", code))

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        mask = os.urandom(4)  # client frames are masked with an unpredictable key
        self._transport.write(header + mask + apply_mask(payload, mask))

    # Receiving -----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's does not derive from asyncio.Transport).
        self._transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._handshake is not None and not self._handshake.done():
            self._handshake.set_exception(exc or ConnectionError("closed during the handshake"))
        self.closed.set()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        handshaking = self._handshake is not None and not self._handshake.done()
        if handshaking and not self._read_handshake():
            return
        self._read_frames()

    def _read_handshake(self) -> bool:
        """Whether the handshake's response is complete (and the handshake future settled)."""
        assert self._handshake is not None
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > _MAX_HEADER_BYTES:
                self._handshake.set_exception(ConnectionError("oversized handshake response"))
            return False
        head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        del self._buffer[: end + 4]
        status = head[0].split(" ", 2)
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in head[1:])
        }
        if len(status) < 2 or status[1] != "101":
            self._handshake.set_exception(HandshakeRefusedError(head[0]))
        elif headers.get("sec-websocket-accept") != self._expected_accept:
            self._handshake.set_exception(ConnectionError("wrong Sec-WebSocket-Accept"))
        else:
            self._handshake.set_result(None)
            return True
        return False

    def _read_frames(self) -> None:
        buffer = self._buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, offset = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                (length,) = struct.unpack_from("!H", buffer, 2)
                offset = 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                (length,) = struct.unpack_from("!Q", buffer, 2)
                offset = 10
            mask = b""
            if second & 0x80:  # servers do not mask, but a masked frame still reads right
                mask, offset = bytes(buffer[offset : offset + 4]), offset + 4
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            if mask:
                payload = apply_mask(payload, mask)
            self._on_frame(bool(first & 0x80), first & 0x0F, payload)

    def _on_frame(self, final: bool, opcode: int, payload: bytes) -> None:
        if opcode == _PING:
            self._send_frame(_PONG, payload)
        elif opcode == _CLOSE:
            self.close(struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1000)
            if self._transport is not None:
                self._transport.close()
        elif opcode in (_TEXT, _BINARY, _CONTINUATION):
            if opcode != _CONTINUATION:
                self._fragment_opcode = opcode
            self._fragments.append(payload)
            if final:
                whole = b"".join(self._fragments)
                self._fragments = []
                self._on_message(whole.decode() if self._fragment_opcode == _TEXT else whole)
