"""`dancecoach reference add` puts a preprocessed reference into the web app's library."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dancecoach.config import Settings
from dancecoach.runtime import Runtime
from tests.footage import shortest_clip

pytestmark = pytest.mark.footage


def test_reference_add_lists_the_reference_ready_with_its_poses(tmp_path: Path) -> None:
    clip = shortest_clip()
    video = clip.path
    env = {**os.environ, "DANCECOACH_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "dancecoach.cli", "reference", "add", str(video), "--name", "Jacks"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Jacks" in result.stdout
    runtime = Runtime(Settings(data_dir=tmp_path / "data"), demo_reference=False)
    try:
        references = runtime.references.list_all()
        assert [r.name for r in references] == ["Jacks"]
        assert references[0].status == "ready"
        # Poses at 15 per second of video.
        assert abs(len(runtime.references.poses(references[0].id)) - clip.duration_s * 15) <= 1
    finally:
        asyncio.run(runtime.stop())
