"""Shared fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dancecoach.config import Settings
from tests import shared_poses


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data folder, with no LLM key."""
    return Settings(data_dir=tmp_path / "data", openai_api_key=None, openai_base_url=None)


# Starlette's TestClient (and schemathesis through it) sends "Host: testserver": the tests name it
# an allowed host like a deployment would name its own, rather than the check knowing about it.
TEST_CLIENT_HOST = "testserver"


@pytest.fixture(scope="session", autouse=True)
def _test_client_host_allowed() -> Iterator[None]:
    previous = os.environ.get("DANCECOACH_ALLOWED_HOSTS")
    os.environ["DANCECOACH_ALLOWED_HOSTS"] = TEST_CLIENT_HOST
    yield
    if previous is None:
        os.environ.pop("DANCECOACH_ALLOWED_HOSTS", None)
    else:
        os.environ["DANCECOACH_ALLOWED_HOSTS"] = previous


@pytest.fixture(scope="session", autouse=True)
def _pose_model_built_in_the_main_thread() -> None:
    """Build the pose model bundle once, before any test starts a thread that needs it.

    MediaPipe's metadata writer leaks temporary files, and pose_model silences their
    ResourceWarnings with warnings.catch_warnings, which is process-wide and not thread-safe:
    when a server thread built the bundle while pytest's own per-test warning capture was
    being set up or restored, the warning escaped and failed an unrelated test (seen once in
    test_api_honours_its_schema).
    """
    from dancecoach.estimation.models.bundle import pose_landmarker_bundle

    pose_landmarker_bundle()


@pytest.fixture(scope="session", autouse=True)
def _shared_poses_removed_at_the_end() -> Iterator[None]:
    yield
    shared_poses.remove()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives a browser or the cluster needs the machine to itself: Chromium's
    file camera plays in real time and falls behind it on a shared core, and the cluster's
    instances are timed. `make test` runs such tests (marked exclusive) after the others, which
    share the two cores (pytest-xdist); modules of timed tests mark themselves exclusive."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("cluster"):
            item.add_marker(pytest.mark.exclusive)
