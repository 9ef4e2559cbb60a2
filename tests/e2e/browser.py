"""What every browser test shares: Debian's Chromium with a fake webcam fed from a real clip, a
real server process, and screenshots under artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.api.realserver import ServerProcess
from tests.footage import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip


@contextmanager
def chromium_context(camera: Path | None = None) -> Iterator[object]:
    """A headless browser context with camera permission; `camera` is a .y4m file it plays as
    the webcam (Chromium's own fake pattern without one)."""
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is not installed (make test installs it: scripts/system_deps.sh)"
        )
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    args = list(CHROMIUM_FLAGS)
    if camera is not None:
        args.append(f"--use-file-for-fake-video-capture={camera}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.grant_permissions(["camera"])
        try:
            yield context
        finally:
            context.close()
            browser.close()


@contextmanager
def running_server(
    data_dir: Path, log_path: Path, live_pose: str = "server", *, share_poses: bool = False
) -> Iterator[str]:
    """A server for the browser tests. live_pose: what the practice page is offered
    (DANCECOACH_LIVE_POSE). Tests of other features keep the pose on the server: in auto the
    page loads and probes the browser's pose model (seconds of CPU) while the test dances, and
    on these 2 cores Chromium's file camera then falls behind real time (a real webcam drops
    frames instead), so the dance slips out of step for reasons no learner would meet.
    share_poses: see tests/shared_poses.py."""
    server = ServerProcess(
        data_dir, log_path, {"DANCECOACH_LIVE_POSE": live_pose}, share_poses=share_poses
    )
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


# The shared fixture's webcam (conftest.py): a student dancing the teacher's routine of a
# manifest pair, from the start of her recording.
STUDENT = "pairs/maybenot_student.mp4"

# When the dance starts, in seconds of the fake camera's file: Start is pressed once the webcam
# has played CAMERA_LEAD_S, then the page counts down 3 s and starts the reference within
# ~0.15 s more (measured: 3.57-3.60 s in all). Chromium plays the file from its start for each
# page's camera, so a test puts the student's dance of the section this far into the file.
CAMERA_LEAD_S = 0.5
COUNTDOWN_S = 3.0
START_LATENCY_S = 0.15
CAMERA_S_AT_DANCE_START = CAMERA_LEAD_S + COUNTDOWN_S + START_LATENCY_S


def wait_for_camera_lead(page: object, lead_s: float = CAMERA_LEAD_S) -> None:
    """Wait until the webcam has played lead_s: a start pressed now (button or Space) starts
    the dance lead_s + COUNTDOWN_S + START_LATENCY_S into the fake camera's file."""
    page.get_by_test_id("start").wait_for()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        f"(() => {{ const v = document.querySelector('[data-testid=webcam]');"
        f" return v.videoWidth > 0 && v.currentTime >= {lead_s}; }})()",
        timeout=20_000,
    )


def note_camera_at_play(page: object) -> None:
    """Have the page note the webcam's time when the reference starts playing (when the dance
    really started) in window.cameraAtPlay."""
    page.evaluate(  # type: ignore[attr-defined]
        "() => document.querySelector('[data-testid=reference-video]').addEventListener("
        "'playing', () => { window.cameraAtPlay ="
        " document.querySelector('[data-testid=webcam]').currentTime; }, { once: true })"
    )


def start_in_step(page: object) -> None:
    """Press Start once the webcam has played CAMERA_LEAD_S, so that the dance starts
    CAMERA_S_AT_DANCE_START into the fake camera's file."""
    wait_for_camera_lead(page)
    page.get_by_test_id("start").click()  # type: ignore[attr-defined]
