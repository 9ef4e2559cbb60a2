"""A tiny OpenAI-compatible server on 127.0.0.1 with scripted replies, for the real openai client.

Each POST /v1/chat/completions takes the next scripted reply (status, body, delay) and is
recorded, so tests can check both what the client sent and how it reacted.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"{}"
    delay_s: float = 0.0
    # When set, the body is sent one byte per interval: each read is quick, the whole is not.
    trickle_interval_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    raw_body: bytes

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.raw_body)
        return parsed


def completion(content: str, *, model: str = "gpt-4o-mini") -> Reply:
    """A chat completion whose assistant message is `content`."""
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 100, "total_tokens": 200},
    }
    return Reply(body=json.dumps(body).encode())


def answer(items: list[dict[str, Any]]) -> Reply:
    """A completion carrying {"items": items} as its JSON content."""
    return completion(json.dumps({"items": items}))


def error(status: int, *, headers: dict[str, str] | None = None) -> Reply:
    body = {"error": {"message": f"scripted {status}", "type": "test", "code": None}}
    return Reply(status=status, body=json.dumps(body).encode(), headers=headers or {})


class FakeOpenAI:
    """The server; `script(...)` queues replies, `requests` lists what arrived."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._replies: list[Reply] = []
        self._lock = threading.Lock()
        # Set at teardown so that handlers still sleeping on a scripted delay end at once.
        self.release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def _next(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self._replies.pop(0) if self._replies else error(500)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = fake._next(RecordedRequest(self.path, headers, body))
                if reply.delay_s and fake.release.wait(reply.delay_s):
                    return
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if not reply.trickle_interval_s:
                        self.wfile.write(reply.body)
                        return
                    for byte in reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        if fake.release.wait(reply.trickle_interval_s):
                            return
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def running() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server
