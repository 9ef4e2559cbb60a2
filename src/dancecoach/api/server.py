"""Running the app with uvicorn."""

from __future__ import annotations

import logging
from typing import Any, cast

import uvicorn
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from dancecoach.api.app import create_app
from dancecoach.api.security import is_loopback
from dancecoach.config import Settings, get_settings
from dancecoach.errors import DancecoachError

# Above the largest allowed frame in base64, so oversized frames get an error reply, not 1009.
_WS_MAX_MESSAGE_BYTES = 16 * 1024 * 1024


_ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})

log = logging.getLogger(__name__)


class UnsafeBindError(DancecoachError):
    """Serving a network address without accounts, or with accounts but no user yet."""


def access_settings(settings: Settings, host: str, *, insecure_open: bool) -> Settings:
    """The settings with `auth` settled for the address served.

    On loopback the one user of the machine needs no sign-in (unless auth=required). On any
    other address accounts are required, unless --insecure-open says the network is trusted.
    A named address (not 0.0.0.0 or ::) is added to the allowed host names.
    """
    from dancecoach.accounts.service import open_accounts

    shared = not is_loopback(host)
    if settings.auth == "required" or (settings.auth == "auto" and shared and not insecure_open):
        auth = "required"
    elif shared and not insecure_open:
        raise UnsafeBindError(
            f"Refusing to serve {host} without accounts: anyone on the network could see every "
            "learner's webcam frames. Use accounts (DANCECOACH_AUTH=auto or required) or, on a "
            "network you trust completely, --insecure-open."
        )
    else:
        auth = "off"
    allowed = list(settings.allowed_hosts)
    if shared and host not in _ANY_ADDRESS:
        allowed.append(host)
    elif shared and not allowed:
        log.warning(
            "Serving %s with no DANCECOACH_ALLOWED_HOSTS: only loopback names are answered, so "
            "every browser on the network (and any proxy passing the public name) gets 400. Set "
            "DANCECOACH_ALLOWED_HOSTS to the name or address learners type into the browser.",
            host or "every address",
        )
    resolved = settings.model_copy(update={"auth": auth, "allowed_hosts": allowed})
    if auth == "required" and not open_accounts(resolved).has_users():
        raise UnsafeBindError(
            "This server needs accounts and has none yet: add one with "
            "`dancecoach user add NAME --role teacher`, then serve again."
        )
    return resolved


def served_app(settings: Settings, **create_options: Any) -> ASGIApp:
    """The app as uvicorn serves it: behind a trusted proxy (DANCECOACH_FORWARDED_ALLOW_IPS)
    the client address and scheme come from X-Forwarded-For and X-Forwarded-Proto, so that
    sign-in budgets are per learner, not per proxy, and cookies over HTTPS are Secure."""
    # uvicorn types ASGI apps with its own (stricter) scope types than Starlette's.
    app = cast(Any, create_app(settings, **create_options))
    return cast(ASGIApp, ProxyHeadersMiddleware(app, trusted_hosts=settings.forwarded_allow_ips))


def run_server(host: str, port: int, settings: Settings | None = None) -> None:
    """Serve the app until interrupted (one process; inference uses a thread pool)."""
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        served_app(settings),
        proxy_headers=False,  # served_app applies them, with the configured trusted proxies
        host=host,
        port=port,
        ws_max_size=max(_WS_MAX_MESSAGE_BYTES, settings.max_frame_bytes * 2),
        # Frames are JPEG already: compressing them again costs CPU on both ends for nothing.
        ws_per_message_deflate=False,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
