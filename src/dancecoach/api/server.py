"""Running the app with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from dancecoach.api.app import create_app
from dancecoach.config import get_settings

# Above the largest allowed frame in base64, so oversized frames get an error reply, not 1009.
_WS_MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def run_server(host: str, port: int) -> None:
    """Serve the app until interrupted (one process; inference uses a thread pool)."""
    settings = get_settings()
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
