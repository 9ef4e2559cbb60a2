"""End to end in headless Chromium: a learner uploads a reference, practises with a webcam fed
from a real dance clip, reviews the section and opens progress. Screenshots of every page go to
artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.browser import (
    CAMERA_S_AT_DANCE_START,
    STUDENT,
    running_server,
    shot,
    start_in_step,
)
from tests.footage import footage, manifest

pytestmark = [pytest.mark.browser, pytest.mark.footage, pytest.mark.slow]


def test_upload_practise_review_and_progress(browser_context: object, tmp_path: Path) -> None:
    teacher = footage("pairs/maybenot_teacher.mp4")
    # The teacher's poses may come from the run's shared cache (tests/shared_poses.py): the
    # upload, the playable copy, the beats and the sections are still this server's work.
    with running_server(tmp_path / "data", tmp_path / "server.log", share_poses=True) as base:
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

        # The music cut the reference into suggested sections of two eights; count 1 can move.
        card.get_by_role("button", name="Sections").click()
        page.get_by_test_id("tempo").wait_for(timeout=10_000)
        suggested = page.locator(".timeline-section.suggested")
        assert suggested.count() >= 2
        first_count_one = page.get_by_test_id("tempo").inner_text()
        page.get_by_test_id("count-one-later").click()
        page.wait_for_function(
            f"document.querySelector('[data-testid=tempo]').innerText !== {first_count_one!r}"
        )
        shot(page, "02b-sections-suggested")
        card.get_by_role("button", name="Sections").click()

        # Practise 7 s as a section, so the test dances for a bounded time: from where the
        # camera (the student's recording from its start) is in step with the reference when
        # the dance starts (the manifest's offset between the two).
        href = card.get_by_role("link", name="Practise").get_attribute("href")
        assert href is not None
        pair = next(p for p in manifest()["pairs"] if p["attempt"] == STUDENT)
        start_s = float(pair["offset_s"]) + CAMERA_S_AT_DANCE_START
        page.goto(f"{base}/{href}?start={start_s:.2f}&end={start_s + 7:.2f}")
        page.get_by_label("Loop section").uncheck()
        start_in_step(page)
        page.wait_for_function(
            "Number(document.querySelector('[data-testid=overlay]').dataset.drawn || 0) > 5",
            timeout=30_000,
        )
        scores = set()
        counts = set()
        for _ in range(10):
            scores.add(page.get_by_test_id("live-score").inner_text())
            counts.add(page.get_by_test_id("count-display").inner_text())
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
        # The reference (HEVC on disk) plays in the browser through its MP4 copy, with sound.
        reference_width = "document.querySelector('[data-testid=reference-video]').videoWidth"
        assert page.evaluate(reference_width) > 0
        sound = (
            "document.querySelector('[data-testid=reference-video]').webkitAudioDecodedByteCount"
        )
        assert page.evaluate(sound) > 0, "the reference plays without sound"
        # The count display follows the music: several counts went by in 3 s of dancing.
        assert len(counts) >= 3, f"the count display did not move: {counts}"
        no_score = "Live score\n\N{EN DASH}"
        assert len(scores - {no_score}) >= 2, f"the live score never changed: {scores}"

        # The section ends at 9 s: the app completes it and opens the review.
        page.wait_for_url("**/#/review/*", timeout=60_000)
        page.get_by_test_id("overall-score").wait_for(timeout=30_000)
        # Frames went on a steady 10 FPS clock: the section's 7 s were scored at >= 9.5 a second.
        session_id = page.url.rsplit("/", 1)[-1]
        sections = page.request.get(f"{base}/api/sessions/{session_id}/sections").json()
        danced_s = sections[0]["end_time"] - sections[0]["start_time"]
        scored = sections[0]["analytics"]["total_frames"]
        assert scored / danced_s >= 9.5, (scored, danced_s)
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
        review_url = page.url

        page.get_by_role("button", name="Finish session").click()
        page.get_by_role("heading", name="Session report · Maybe not").wait_for(timeout=60_000)
        shot(page, "05-review-final")

        page.get_by_role("link", name="Progress").first.click()
        page.get_by_test_id("progress-chart").wait_for(timeout=20_000)
        shot(page, "06-progress")

        # Break it down: the weakest eight loops at 0.5x; a pass below Good loops again, and
        # the attempt is stored for that eight.
        page.goto(review_url)
        page.get_by_test_id("break-it-down").click()
        banner = page.get_by_test_id("breakdown")
        banner.wait_for(timeout=10_000)
        assert "0.5x" in banner.inner_text()
        page.wait_for_function(
            "document.querySelector('[data-testid=webcam]').videoWidth > 0", timeout=20_000
        )
        page.get_by_test_id("start").click()
        page.wait_for_function(
            "document.querySelector('[data-testid=breakdown]').innerText.includes('scored')"
            " || location.hash.includes('stage=1')",
            timeout=60_000,
        )
        shot(page, "06b-break-it-down")
        reference_id = href.split("/")[-1].split("?")[0]
        eights = page.evaluate(
            f"fetch('/api/me/references/{reference_id}/eights').then(r => r.json())"
        )
        assert len(eights) == 1 and eights[0]["best_score"] is not None, eights

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
