"""Locating the real test footage in ../shared/testdata (or $DANCECOACH_TESTDATA).

Tests that need footage skip with a clear message when it is absent, and fail instead when
DANCECOACH_REQUIRE_TESTDATA=1 (CI sets it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def footage_root() -> Path:
    configured = os.environ.get("DANCECOACH_TESTDATA")
    if configured:
        return Path(configured)
    return PROJECT_ROOT.parent / "shared" / "testdata"


def footage(relative: str) -> Path:
    """Path of a footage file, or skip (fail under DANCECOACH_REQUIRE_TESTDATA=1) if absent."""
    path = footage_root() / relative
    if not path.is_file():
        message = f"test footage {relative} not found under {footage_root()}"
        if os.environ.get("DANCECOACH_REQUIRE_TESTDATA") == "1":
            pytest.fail(message + " (DANCECOACH_REQUIRE_TESTDATA=1)")
        pytest.skip(message)
    return path


def manifest() -> dict[str, Any]:
    path = footage("manifest.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return data
