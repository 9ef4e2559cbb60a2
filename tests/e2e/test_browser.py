"""End to end in headless Chromium: a learner uploads a reference, practises with a webcam fed
from a real dance clip, reviews the section and opens progress. Screenshots of every page go to
artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.api.realserver import ServerProcess
from tests.e2e.fake_camera import write_y4m
from tests.footage import PROJECT_ROOT, footage

pytestmark = [pytest.mark.browser, pytest.mark.footage, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is not installed (make test installs it: scripts/system_deps.sh)"
        )
    from playwright.sync_api import sync_playwright

    camera = write_y4m(
        footage("pairs/maybenot_student.mp4"),
        tmp_path_factory.mktemp("camera") / "student.y4m",
        seconds=12.0,
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={camera}"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.grant_permissions(["camera"])
        try:
            yield context
        finally:
            context.close()
            browser.close()


@contextmanager
def running_server(data_dir: Path, log_path: Path) -> Iterator[str]:
    server = ServerProcess(data_dir, log_path)
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_upload_practise_review_and_progress(browser_context: object, tmp_path: Path) -> None:
    teacher = footage("pairs/maybenot_teacher.mp4")
    with running_server(tmp_path / "data", tmp_path / "server.log") as base:
        page = browser_context.new_page()  # type: ignore[attr-defined]
        console_errors: list[str] = []
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        page.goto(f"{base}/#/library")
        page.get_by_role("heading", name="Choreography library").wait_for()

        upload = tmp_path / "maybe_not_teacher.mp4"
        shutil.copyfile(teacher, upload)
        page.get_by_test_id("upload-file").set_input_files(str(upload))
        page.get_by_placeholder("e.g. Chorus, slow").fill("Maybe not")
        page.get_by_role("button", name="Upload").click()
        card = page.get_by_test_id("reference-card").filter(has_text="Maybe not")
        card.wait_for(timeout=60_000)
        shot(page, "01-library-processing")
        card.get_by_role("link", name="Practise").wait_for(timeout=120_000)
        shot(page, "02-library-ready")

        # Practise the 2-9 s stretch as a section, so the test dances for a bounded time.
        href = card.get_by_role("link", name="Practise").get_attribute("href")
        assert href is not None
        page.goto(f"{base}/{href}?start=2.00&end=9.00")
        page.get_by_test_id("start").wait_for()
        page.wait_for_function(
            "document.querySelector('[data-testid=webcam]').videoWidth > 0", timeout=20_000
        )
        page.get_by_label("Loop section").uncheck()
        page.get_by_test_id("start").click()
        page.wait_for_function(
            "Number(document.querySelector('[data-testid=overlay]').dataset.drawn || 0) > 5",
            timeout=30_000,
        )
        scores = set()
        for _ in range(10):
            scores.add(page.get_by_test_id("live-score").inner_text())
            page.wait_for_timeout(300)
        shot(page, "03-practice-dancing")
        # The skeleton is really drawn: the overlay canvas has opaque pixels.
        painted = page.evaluate(
            """() => {
                const c = document.querySelector('[data-testid=overlay]');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
                return n;
            }"""
        )
        assert painted > 200, "the skeleton overlay stayed empty"
        # The reference (HEVC on disk) plays in the browser through its WebM copy.
        reference_width = "document.querySelector('[data-testid=reference-video]').videoWidth"
        assert page.evaluate(reference_width) > 0
        no_score = "Live score\n\N{EN DASH}"
        assert len(scores - {no_score}) >= 2, f"the live score never changed: {scores}"

        # The section ends at 9 s: the app completes it and opens the review.
        page.wait_for_url("**/#/review/*", timeout=60_000)
        page.get_by_test_id("overall-score").wait_for(timeout=30_000)
        page.get_by_test_id("timeline-chart").locator("svg").first.wait_for(timeout=10_000)
        feedback = page.get_by_test_id("feedback").locator("li")
        assert feedback.count() >= 3
        assert page.get_by_test_id("segments").locator("li.segment").count() >= 1
        # The learner's own clip of the first problem moment plays in the browser.
        page.wait_for_function(
            "document.querySelectorAll('li.segment .replay video')[1].videoWidth > 0",
            timeout=20_000,
        )
        shot(page, "04-review-section")

        page.get_by_role("button", name="Finish session").click()
        page.get_by_role("heading", name="Session report · Maybe not").wait_for(timeout=60_000)
        shot(page, "05-review-final")

        page.get_by_role("link", name="Progress").first.click()
        page.get_by_test_id("progress-chart").wait_for(timeout=20_000)
        shot(page, "06-progress")

        page.set_viewport_size({"width": 420, "height": 800})
        page.goto(f"{base}/#/library")
        page.get_by_test_id("reference-card").first.wait_for()
        shot(page, "07-library-narrow")
        assert console_errors == []


def test_demo_routine_is_ready_on_a_fresh_data_folder(
    browser_context: object, tmp_path: Path
) -> None:
    with running_server(tmp_path / "data", tmp_path / "server.log") as base:
        page = browser_context.new_page()  # type: ignore[attr-defined]
        page.goto(f"{base}/#/library")
        demo = page.get_by_test_id("reference-card").filter(has_text="demo")
        demo.get_by_role("link", name="Practise").wait_for(timeout=60_000)
        shot(page, "08-library-demo")
        demo.get_by_role("link", name="Practise").click()
        page.get_by_test_id("start").click()
        page.wait_for_function(
            "Number(document.querySelector('[data-testid=overlay]').dataset.drawn || 0) > 3",
            timeout=30_000,
        )
        shot(page, "09-practice-demo")
