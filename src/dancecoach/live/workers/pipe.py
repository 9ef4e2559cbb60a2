"""What the server's live processes share: the requests loop a process runs, and stopping one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

STOP_TIMEOUT_S = 5.0


def requests(connection: Connection) -> Iterator[tuple[Any, ...]]:
    """The requests the server sends, until it says ("stop",) or goes away."""
    while True:
        try:
            message: tuple[Any, ...] = connection.recv()
        except (EOFError, OSError):
            return  # the server process is gone
        if message[0] == "stop":
            return
        yield message


def halt(process: BaseProcess | None, connection: Connection | None, *, graceful: bool) -> None:
    """Stop a process: ask it to stop (graceful) and close its pipe, give it a moment, kill it."""
    if connection is not None:
        if graceful:
            with contextlib.suppress(OSError):
                connection.send(("stop",))
        connection.close()
    if process is not None:
        process.join(STOP_TIMEOUT_S if graceful else 0)
        if process.is_alive():
            process.kill()
            process.join(STOP_TIMEOUT_S)
