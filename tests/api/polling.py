"""Waiting on the server's background work over REST (test client side)."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient


def wait_until_settled(
    client: TestClient, reference_id: str, timeout_s: float = 60
) -> dict[str, Any]:
    """The reference once preprocessing has finished (ready or failed); progress stays 0..1."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/api/references/{reference_id}").json()
        if body["status"] != "processing":
            return body
        assert 0.0 <= body["progress"] <= 1.0
        time.sleep(0.2)
    raise AssertionError("preprocessing did not finish")
