"""Signing in and out, who is signed in, and API tokens for scripts (servers with accounts)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from dancecoach.accounts.service import SignedInUser
from dancecoach.api.auth import (
    clear_session_cookie,
    request_token,
    set_session_cookie,
    signed_in_user,
)
from dancecoach.api.deps import RuntimeDep
from dancecoach.api.errors import error_responses
from dancecoach.api.limits import HourlyLimit
from dancecoach.api.schemas import AccountPublic, ApiTokenCreate, ApiTokenCreated, LoginRequest
from dancecoach.errors import AuthenticationRequiredError, ConflictError

router = APIRouter(prefix="/api/auth", tags=["account"])

# Sign-in attempts an hour per client address (behind a proxy: X-Forwarded-For, see
# api/server.py): enough for typos, too few to guess passwords.
LOGINS_PER_HOUR = 30
# Failed sign-ins an hour per username, from any address: many addresses together cannot guess
# one password either. Someone failing on purpose can only hold up that one name's password
# sign-ins for an hour; its open sign-ins and API tokens keep working.
FAILED_LOGINS_PER_USERNAME_PER_HOUR = 10


class SignInLimits:
    """The two sign-in budgets of one server process."""

    def __init__(self) -> None:
        self.per_address = HourlyLimit(LOGINS_PER_HOUR, "sign-in attempts")
        self.per_username = HourlyLimit(
            FAILED_LOGINS_PER_USERNAME_PER_HOUR, "failed sign-ins for one username"
        )


def _public(user: SignedInUser) -> AccountPublic:
    return AccountPublic(username=user.username, role=user.role, accounts=True)


def _accounts_required(request: Request) -> None:
    if not request.app.state.auth_required:
        raise ConflictError(
            "This server runs without accounts (one user on this machine): no sign-in needed."
        )


@router.post("/login", response_model=AccountPublic, responses=error_responses(401, 409, 429))
async def login(
    body: LoginRequest, request: Request, response: Response, runtime: RuntimeDep
) -> AccountPublic:
    """Sign in with a username and password; sets the HttpOnly sign-in cookie."""
    _accounts_required(request)
    limits: SignInLimits = request.app.state.login_limit
    # The address even when a sign-in cookie came along: signing in as others is not theirs.
    limits.per_address.take(request.client.host if request.client else "unknown")
    # Counted before the password is checked, so that parallel guesses cannot outrun the
    # budget; a right password gives its attempt back.
    username_key = f"username:{body.username}"
    limits.per_username.take(username_key)
    user = await run_in_threadpool(runtime.accounts.authenticate, body.username, body.password)
    limits.per_username.give_back(username_key)
    token = await run_in_threadpool(runtime.accounts.start_session, user)
    max_age_s = round(runtime.settings.auth_session_days * 86_400)
    set_session_cookie(response, request, token, max_age_s)
    return _public(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request, runtime: RuntimeDep) -> Response:
    """Sign out: the sign-in ends on the server and the cookie is cleared."""
    token = request_token(request.headers, request.cookies)
    if token is not None and request.app.state.auth_required:
        await run_in_threadpool(runtime.accounts.end_session, token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response)
    return response


@router.get("/me", response_model=AccountPublic, responses=error_responses(401))
def me(request: Request) -> AccountPublic:
    """Who is signed in (on a server without accounts: the one local user, a teacher)."""
    user = signed_in_user(request)
    if user is not None:
        return _public(user)
    if request.app.state.auth_required:
        raise AuthenticationRequiredError("Not signed in.")
    return AccountPublic(username=None, role="teacher", accounts=False)


@router.post(
    "/tokens",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 409),
)
async def create_token(
    body: ApiTokenCreate, request: Request, runtime: RuntimeDep
) -> ApiTokenCreated:
    """A token for your scripts (Authorization: Bearer <token>), acting as you."""
    _accounts_required(request)
    user = signed_in_user(request)
    if user is None:
        raise AuthenticationRequiredError("Not signed in.")
    token = await run_in_threadpool(runtime.accounts.create_api_token, user, body.label)
    return ApiTokenCreated(token=token, label=body.label)
