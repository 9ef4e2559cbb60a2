"""Running the app with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from dancecoach.api.app import create_app
from dancecoach.api.security import is_loopback
from dancecoach.config import Settings, get_settings
from dancecoach.errors import DancecoachError

# Above the largest allowed frame in base64, so oversized frames get an error reply, not 1009.
_WS_MAX_MESSAGE_BYTES = 16 * 1024 * 1024


_ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})


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
    resolved = settings.model_copy(update={"auth": auth, "allowed_hosts": allowed})
    if auth == "required" and not open_accounts(resolved).has_users():
        raise UnsafeBindError(
            "This server needs accounts and has none yet: add one with "
            "`dancecoach user add NAME --role teacher`, then serve again."
        )
    return resolved


def run_server(host: str, port: int, settings: Settings | None = None) -> None:
    """Serve the app until interrupted (one process; inference uses a thread pool)."""
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        ws_max_size=max(_WS_MAX_MESSAGE_BYTES, settings.max_frame_bytes * 2),
        # Frames are JPEG already: compressing them again costs CPU on both ends for nothing.
        ws_per_message_deflate=False,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
