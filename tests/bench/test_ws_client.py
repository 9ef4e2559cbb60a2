"""The load benchmark's lean WebSocket client (bench/ws_client.py) against the `websockets`
library's server: messages of every length class both ways, pings answered, a refused
handshake told apart, and the closing handshake completed."""

from __future__ import annotations

import asyncio
import http
import os
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvloop
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from bench.ws_client import HandshakeRefusedError, WebSocketClient

# The benchmark runs its clients on uvloop; the stock loop must work too.
Runner = Callable[[Coroutine[Any, Any, None]], None]
LOOPS: list[Runner] = [asyncio.run, uvloop.run]
# Below 126 bytes, a 16-bit length, a 64-bit length: the three header forms.
SIZES = [0, 1, 125, 126, 4_000, 65_535, 65_536, 300_000]


async def _echo(connection: ServerConnection) -> None:
    async for message in connection:
        await connection.send(message)


def _refuse_full(connection: ServerConnection, request: Request) -> Response | None:
    if request.path.startswith("/full"):
        return connection.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "full\n")
    return None


@pytest.mark.parametrize("run", LOOPS)
def test_messages_of_every_length_come_back_whole_and_in_order(run: Runner) -> None:
    async def scenario() -> None:
        received: list[str | bytes] = []
        async with serve(_echo, "127.0.0.1", 0, process_request=_refuse_full) as server:
            port = server.sockets[0].getsockname()[1]
            client = await WebSocketClient.connect(f"ws://127.0.0.1:{port}/ws?x=1", received.append)
            sent: list[str | bytes] = []
            for size in SIZES:
                sent += [os.urandom(size), "é" * (size // 2)]
            for message in sent:
                client.send(message)
            while len(received) < len(sent):
                await asyncio.sleep(0.01)
            assert received == sent
            client.close()
            await asyncio.wait_for(client.closed.wait(), 5)

    run(scenario())


@pytest.mark.parametrize("run", LOOPS)
def test_pings_are_answered_so_the_server_keeps_the_connection(run: Runner) -> None:
    async def scenario() -> None:
        pongs: list[float] = []

        async def pinging(connection: ServerConnection) -> None:
            for _ in range(3):
                waiter = await connection.ping(os.urandom(8))
                pongs.append(await asyncio.wait_for(waiter, 5))
            await connection.send("done")
            await connection.wait_closed()

        received: list[str | bytes] = []
        async with serve(pinging, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            client = await WebSocketClient.connect(f"ws://127.0.0.1:{port}/", received.append)
            while not received:
                await asyncio.sleep(0.01)
            client.close()
            await asyncio.wait_for(client.closed.wait(), 5)
        assert received == ["done"]
        assert len(pongs) == 3

    run(scenario())


@pytest.mark.parametrize("run", LOOPS)
def test_a_refused_handshake_and_a_server_close_are_told_apart(run: Runner) -> None:
    async def scenario() -> None:
        async def closing(connection: ServerConnection) -> None:
            await connection.send("bye")
            await connection.close(code=4503, reason="full")

        received: list[str | bytes] = []
        async with serve(closing, "127.0.0.1", 0, process_request=_refuse_full) as server:
            port = server.sockets[0].getsockname()[1]
            with pytest.raises(HandshakeRefusedError, match="503"):
                await WebSocketClient.connect(f"ws://127.0.0.1:{port}/full", received.append)
            client = await WebSocketClient.connect(f"ws://127.0.0.1:{port}/", received.append)
            # The server's close is answered, and the connection ends.
            await asyncio.wait_for(client.closed.wait(), 5)
        assert received == ["bye"]

    run(scenario())
