"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from dancecoach.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data folder, with no LLM key."""
    return Settings(data_dir=tmp_path / "data", openai_api_key=None, openai_base_url=None)
