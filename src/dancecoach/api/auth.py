"""Who is asking, on a server with accounts: a sign-in cookie (the web app) or a Bearer token
(scripts). Requests to the API or the practice WebSocket without one are refused (401 / close
4401); the web app's own files stay public, since the login page is one of them.

On a server without accounts (one user on loopback) nothing here runs and every request acts
for that one user.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dancecoach.accounts.service import SignedInUser
from dancecoach.api.deps import current_user_id, get_runtime
from dancecoach.api.security import refuse
from dancecoach.errors import AuthenticationRequiredError, ForbiddenError

SESSION_COOKIE = "dancecoach_session"
# Reachable without a sign-in: a liveness probe, and signing in and out themselves.
PUBLIC_PATHS = frozenset({"/api/health", "/api/auth/login", "/api/auth/logout"})


def _needs_sign_in(path: str) -> bool:
    if path in PUBLIC_PATHS:
        return False
    return path == "/api" or path.startswith(("/api/", "/ws/"))


def request_token(headers: Headers, cookies: dict[str, str]) -> str | None:
    """The Bearer token of the Authorization header, else the sign-in cookie's."""
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return cookies.get(SESSION_COOKIE) or None


class AuthMiddleware:
    """Puts the signed-in user on the request state (`user`); refuses anonymous API calls."""

    def __init__(self, app: ASGIApp, required: bool) -> None:
        self.app = app
        self.required = required

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.required or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        token = request_token(connection.headers, connection.cookies)
        user: SignedInUser | None = None
        if token is not None:
            accounts = scope["app"].state.runtime.accounts
            user = await run_in_threadpool(accounts.user_for_token, token)
        scope.setdefault("state", {})["user"] = user
        if user is None and _needs_sign_in(scope["path"]):
            problem = "sign-in has expired" if token else "request is not signed in"
            error = AuthenticationRequiredError(
                f"This server has accounts and the {problem}: sign in first "
                "(POST /api/auth/login, or Authorization: Bearer <token>)."
            )
            await refuse(scope, receive, send, error)
            return
        await self.app(scope, receive, send)


def signed_in_user(connection: HTTPConnection) -> SignedInUser | None:
    user: SignedInUser | None = getattr(connection.state, "user", None)
    return user


def require_teacher(connection: HTTPConnection) -> None:
    """Library changes are a teacher's (any request on a server without accounts)."""
    user = signed_in_user(connection)
    if user is not None and user.role != "teacher":
        raise ForbiddenError("Only a teacher can change the library; learners practise with it.")


def owned_session_id(session_id: str, connection: HTTPConnection) -> str:
    """The path's session id, if the session is the signed-in user's (else 404, as if it did
    not exist: other learners' ids are not even confirmed)."""
    get_runtime(connection).sessions.get_for(session_id, current_user_id(connection))
    return session_id


OwnedSessionId = Annotated[str, Depends(owned_session_id)]
TeacherOnly = Depends(require_teacher)


def set_session_cookie(response: Response, request: Request, token: str, max_age_s: int) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (no cross-site posts carry it), Secure when
    the page came over HTTPS (behind a TLS proxy: its X-Forwarded-Proto, when its address is
    in DANCECOACH_FORWARDED_ALLOW_IPS)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age_s,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
