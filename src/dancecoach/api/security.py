"""Same-origin by default: only our own host names, and no state changes from other sites' pages.

dancecoach keeps webcam footage of people at home, and a browser lets any page it visits talk to
127.0.0.1. Two checks, in one pure ASGI middleware so that REST and the WebSocket share them:

- Host allowlist (DNS rebinding: a site that points its own name at 127.0.0.1 makes the browser
  treat the server as that site's origin, but the Host header still says that name). Loopback
  names are always allowed, with any port; other names come from DANCECOACH_ALLOWED_HOSTS.
- Origin of state-changing requests (POST/PUT/PATCH/DELETE) and of every WebSocket handshake
  (browsers do not apply CORS to WebSockets or to form posts). An Origin must be this server's
  own (the Host header's) or an allowed host's; without one, Sec-Fetch-Site and then Referer
  decide; a request with none of the three is not a browser's (curl, scripts) and passes:
  browsers send Origin on every cross-site POST and WebSocket.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from dancecoach.api.errors import close_reason, error_body, ws_close_code
from dancecoach.errors import CrossSiteRequestError, DancecoachError, HostNotAllowedError

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Sec-Fetch-Site values of requests a page of this server (or the user, typing a URL) made.
_OWN_FETCH_SITES = frozenset({"same-origin", "none"})


def is_loopback(host: str) -> bool:
    """Whether a bind address or host name is this machine only."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> tuple[str, str]:
    """("localhost:8000" -> ("localhost", "8000")), IPv6 brackets removed, name lower-cased."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        return name, rest.removeprefix(":")
    name, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    return name, port


@dataclass(frozen=True)
class OriginPolicy:
    """Which host names the server answers to (the loopback ones and the configured ones)."""

    allowed_hosts: frozenset[str]

    @classmethod
    def for_hosts(cls, extra: Iterable[str]) -> OriginPolicy:
        names = {split_host(host)[0] for host in extra if host.strip()}
        return cls(LOOPBACK_HOSTS | frozenset(names))

    def host_allowed(self, host_header: str | None) -> bool:
        if not host_header:
            return False
        return split_host(host_header)[0] in self.allowed_hosts

    def origin_allowed(self, origin: str, host_header: str) -> bool:
        """An origin (scheme://host[:port]) of this server or of an allowed host."""
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null" (sandboxed frames, file: pages) and anything odd
        origin_host = parts.netloc.rpartition("@")[2].lower()
        if origin_host == host_header.strip().lower():
            return True
        return split_host(origin_host)[0] in self.allowed_hosts

    def check(self, headers: Headers, method: str | None) -> None:
        """Raise HostNotAllowedError or CrossSiteRequestError; method None is a WebSocket."""
        host = headers.get("host")
        if host is None or not self.host_allowed(host):
            raise HostNotAllowedError(
                f"This server does not answer to the host name {split_host(host or '')[0]!r}; "
                "add it to DANCECOACH_ALLOWED_HOSTS if it is really this server's name."
            )
        if method is not None and method.upper() in SAFE_METHODS:
            return
        origin = headers.get("origin")
        if origin is not None:
            if not self.origin_allowed(origin, host):
                raise CrossSiteRequestError(
                    f"Requests from pages of {origin} are refused: only this server's own "
                    "pages may change data or open a practice stream."
                )
            return
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None:
            if fetch_site.lower() not in _OWN_FETCH_SITES:
                raise CrossSiteRequestError(
                    f"Requests from other sites' pages are refused (Sec-Fetch-Site: {fetch_site})."
                )
            return
        referer = headers.get("referer")
        if referer is not None:
            parts = urlsplit(referer)
            if not self.origin_allowed(f"{parts.scheme}://{parts.netloc}", host):
                raise CrossSiteRequestError(
                    "Requests from other sites' pages are refused (Referer of another site)."
                )


class SameOriginMiddleware:
    """Refuses foreign hosts and cross-site requests before any route sees them."""

    def __init__(self, app: ASGIApp, policy: OriginPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        method = scope.get("method") if scope["type"] == "http" else None
        try:
            self.policy.check(Headers(scope=scope), method)
        except (HostNotAllowedError, CrossSiteRequestError) as error:
            await refuse(scope, receive, send, error)
            return
        await self.app(scope, receive, send)


async def refuse(scope: Scope, receive: Receive, send: Send, error: DancecoachError) -> None:
    """Answer a refused request without the app: a JSON error, or a WebSocket close code.

    A WebSocket is accepted only to be closed at once: a handshake refused before acceptance is
    an HTTP 403 whose reason browsers hide, while the close code and reason reach the client.
    """
    if scope["type"] == "http":
        status, body = error_body(error)
        await JSONResponse(body, status_code=status)(scope, receive, send)
        return
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send(
        {"type": "websocket.close", "code": ws_close_code(error), "reason": close_reason(error)}
    )
