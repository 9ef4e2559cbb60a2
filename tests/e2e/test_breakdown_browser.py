"""Break-It-Down and the grade strips in headless Chromium, with a webcam that dances.

The fake webcam plays the student's clip of the teacher's routine, started where the student
dances the practised stretch (the manifest's offset between the two recordings) and, for the
0.5x pass, slowed to half speed by showing every frame twice: what a learner dancing at half
speed looks like. A learner practises a stretch at 1x, reads the review's moves by grade, loops
one from the strip with the keyboard, then breaks an eight down: it loops at 0.5x, passes
(Good) and moves on to 0.75x; the eight's best grade at 0.5x is drawn on the reference's
timeline and progress shows each body part per attempt and the best grade per move. A camera
that sees nobody gets a review that says nothing matched. Screenshots go to
artifacts/screenshots/strips-*.png.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import (
    CAMERA_S_AT_DANCE_START,
    chromium_context,
    note_camera_at_play,
    running_server,
    shot,
    start_in_step,
)
from tests.e2e.fake_camera import write_y4m
from tests.footage import PROJECT_ROOT, footage, manifest

pytestmark = [pytest.mark.browser, pytest.mark.footage, pytest.mark.slow]

TEACHER = "pairs/maybenot_teacher.mp4"
CAMERA_FPS = 15


def _pair() -> dict[str, Any]:
    pairs: list[dict[str, Any]] = manifest()["pairs"]
    return next(p for p in pairs if p["reference"] == TEACHER)


def reshaped_y4m(source: Path, destination: Path, *, slower: int, lead_frames: int) -> Path:
    """The .y4m `source` with every frame shown `slower` times (the same dance that many times
    slower, at the same frame rate), after its first frame held for `lead_frames` frames (the
    learner waiting for the countdown)."""
    data = source.read_bytes()
    header_end = data.index(b"\n") + 1
    tokens = data[:header_end].split()
    width = int(next(t for t in tokens if t.startswith(b"W"))[1:])
    height = int(next(t for t in tokens if t.startswith(b"H"))[1:])
    size = len(b"FRAME\n") + width * height * 3 // 2
    frames = [data[start : start + size] for start in range(header_end, len(data), size)]
    with destination.open("wb") as out:
        out.write(data[:header_end])
        out.write(frames[0] * lead_frames)
        for frame in frames:
            out.write(frame * slower)
    return destination


def camera_for(tmp: Path, name: str, reference_start_s: float, dance_s: float, rate: float) -> Path:
    """A webcam file in which the student dances reference time `reference_start_s` onwards at
    `rate` just when a pass started with start_in_step begins."""
    pair = _pair()
    offset_s = float(pair["offset_s"])  # reference time = student time + offset_s
    student_start = reference_start_s - offset_s - CAMERA_S_AT_DANCE_START * rate
    seconds = (CAMERA_S_AT_DANCE_START + dance_s / rate + 3.0) * rate
    plain = write_y4m(
        footage(pair["attempt"]),
        tmp / f"{name}-plain.y4m",
        seconds=seconds,
        start_s=max(student_start, 0.0),
        fps=CAMERA_FPS,
    )
    # Before her recording starts, the student stands in her first pose.
    lead_frames = round(max(-student_start, 0.0) / rate * CAMERA_FPS)
    return reshaped_y4m(plain, tmp / f"{name}.y4m", slower=round(1 / rate), lead_frames=lead_frames)


@contextmanager
def page_with_camera(camera: Path | None) -> Iterator[Any]:
    with chromium_context(camera) as context:
        page = context.new_page()  # type: ignore[attr-defined]
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        assert errors == [], errors


def start_dancing(page: Any) -> None:
    """start_in_step, noting the camera's time when the reference starts playing."""
    note_camera_at_play(page)
    start_in_step(page)


AXE = PROJECT_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Any, *selectors: str) -> list[str]:
    """axe-core's serious and critical findings inside the given parts of the page."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async (include) => (await axe.run({ include }, { resultTypes: ['violations'] }))"
        ".violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => ({ id: v.id, nodes: v.nodes.map(n => n.target.join(' ')) }))",
        [[selector] for selector in selectors],
    )
    return [f"{v['id']}: {v['nodes']}" for v in found]


def upload(page: Any, base: str, tmp: Path) -> str:
    video = footage(TEACHER)
    response = page.request.post(
        f"{base}/api/references",
        multipart={
            "file": {"name": "teacher.mp4", "mimeType": "video/mp4", "buffer": video.read_bytes()},
            "name": "Maybe not",
        },
    )
    assert response.ok, response.text()
    reference_id: str = response.json()["reference_video_id"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        status = page.request.get(f"{base}/api/references/{reference_id}").json()["status"]
        if status == "ready":
            return reference_id
        assert status == "processing", status
        time.sleep(1)
    raise AssertionError("the reference did not finish processing in 240 s")


def eights_of(page: Any, base: str, reference_id: str) -> list[tuple[int, float, float]]:
    """(eight, start, end) of every whole eight, in reference seconds."""
    beats = page.request.get(f"{base}/api/references/{reference_id}/beats").json()["beats"]
    ones = [(b["eight"], b["time_s"]) for b in beats if b["count"] == 1 and b["eight"] >= 1]
    return [(e, start, ones[i + 1][1]) for i, (e, start) in enumerate(ones[:-1])]


def test_review_strip_break_it_down_at_half_speed_and_progress(tmp_path: Path) -> None:
    pair = _pair()
    usable_end_s = float(pair.get("reference_trim_end_s", 1e9))
    with running_server(tmp_path / "data", tmp_path / "server.log", share_poses=True) as base:
        with page_with_camera(None) as page:
            page.goto(f"{base}/#/library")
            reference_id = upload(page, base, tmp_path)
            eights = eights_of(page, base, reference_id)
        # Three eights from the first one the student's recording covers, ending before it stops
        # matching the teacher's.
        offset_s = float(pair["offset_s"])
        first = next(i for i, (_, start, _) in enumerate(eights) if start >= offset_s)
        stretch = [e for e in eights[first : first + 3] if e[2] <= usable_end_s]
        assert len(stretch) >= 2, eights
        stretch_start, stretch_end = stretch[0][1], stretch[-1][2]

        # 1x: dance the eights, read the review's moves by grade, loop one from the strip.
        camera = camera_for(tmp_path, "full", stretch_start, stretch_end - stretch_start, 1.0)
        with page_with_camera(camera) as page:
            page.goto(
                f"{base}/#/practice/{reference_id}?start={stretch_start:.2f}&end={stretch_end:.2f}"
            )
            page.get_by_label("Loop section").uncheck()
            start_dancing(page)
            page.wait_for_url("**/#/review/*", timeout=60_000)
            session_id = page.url.rsplit("/", 1)[-1]
            timeline = page.request.get(f"{base}/api/sessions/{session_id}/sections").json()[0][
                "analytics"
            ]["timeline"]
            strip = page.get_by_test_id("moves-strip")
            strip.wait_for(timeout=30_000)
            grades = strip.locator("li:not([data-grade=none])").evaluate_all(
                "items => items.map(i => i.dataset.grade)"
            )
            assert grades and all(g in {"Perfect", "Great", "Good", "OK", "Miss"} for g in grades)
            counts = page.get_by_test_id("grade-counts").inner_text()
            assert sum(int(line.split()[0]) for line in counts.splitlines() if line) == len(grades)
            assert page.get_by_test_id("nothing-matched").count() == 0
            page.get_by_test_id("timeline-chart").locator("svg").first.wait_for()
            shot(page, "strips-01-review-moves-by-grade")
            assert serious_violations(page, "[data-testid=moves-strip-card]", ".summary") == []
            first_move = strip.get_by_role("link").first
            label = first_move.get_attribute("aria-label") or ""
            assert "Loop it in practice" in label
            first_move.focus()
            page.keyboard.press("Enter")
            page.wait_for_url("**/#/practice/*start=*", timeout=10_000)
            assert page.get_by_label("Loop section").is_checked()
            shot(page, "strips-02-move-looped-from-the-strip")

        # 0.5x: Break it down, on the eight the student danced best at 1x (a
        # learner would break down the weaker; this camera can only dance as the student did).
        # The camera shows the student at half speed, in step with the eight; a pass at Good
        # moves on to 0.75x.
        def mean_score(span: tuple[int, float, float]) -> float:
            inside = [p["score"] for p in timeline if span[1] <= p["time_s"] < span[2]]
            return sum(inside) / len(inside) if inside else 0.0

        eight, eight_start, eight_end = max(stretch, key=mean_score)
        print("1x scores of the eights:", [round(mean_score(s), 1) for s in stretch])
        camera = camera_for(tmp_path, "half", eight_start, eight_end - eight_start, 0.5)
        breakdown = (
            f"{base}/#/practice/{reference_id}?start={eight_start:.2f}&end={eight_end:.2f}"
            f"&rate=0.5&eight={eight}&stage=0"
        )
        notes: list[str] = []
        with page_with_camera(camera) as page:
            for _ in range(3):  # the eight loops; a fresh page restarts the camera at the eight
                page.goto("about:blank")
                page.goto(breakdown)
                banner = page.get_by_test_id("breakdown")
                banner.wait_for(timeout=10_000)
                assert "0.5x" in banner.inner_text()
                start_dancing(page)
                page.wait_for_function(
                    "Number(document.querySelector('[data-testid=overlay]').dataset.drawn || 0)"
                    " > 10",
                    timeout=30_000,
                )
                if not notes:
                    shot(page, "strips-03-breakdown-half-speed-counts")
                page.wait_for_function(
                    "location.hash.includes('stage=1')"
                    " || document.querySelector('[data-testid=breakdown]').innerText"
                    ".includes('scored')",
                    timeout=60_000,
                )
                if "stage=1" in page.url:
                    break
                notes.append(page.get_by_test_id("breakdown").inner_text())
            print("passes at 0.5x before the one that passed:", notes)
            assert "stage=1" in page.url, f"the eight never passed at 0.5x: {notes}"
            assert "rate=0.75" in page.url
            page.get_by_test_id("breakdown").wait_for()
            assert "0.75x" in page.get_by_test_id("breakdown").inner_text()
            shot(page, "strips-04-breakdown-moved-on-to-0.75x")
            mastery = page.request.get(f"{base}/api/me/references/{reference_id}/eights").json()
            row = next(m for m in mastery if m["eight"] == eight)
            half = next(b for b in row["best_by_rate"] if b["rate"] == 0.5)
            attempts = page.request.get(f"{base}/api/references/{reference_id}/progress").json()
            last = attempts["attempts"][-1]
            sections = page.request.get(f"{base}/api/sessions/{last['session_id']}/sections")
            print(
                "the pass at 0.5x:",
                half,
                "lag ms",
                sections.json()[-1]["analytics"]["lag_ms"],
                "camera s at play",
                page.evaluate("window.cameraAtPlay"),
                "expected",
                CAMERA_S_AT_DANCE_START,
            )
            assert half["best_score"] >= 60 and half["grade"] in {"Good", "Great", "Perfect"}
            assert row["stage"] == 1 and row["mastered"] is False

            # The eight's best grade at 0.5x on the reference's timeline, with words.
            page.goto(f"{base}/#/library")
            card = page.get_by_test_id("reference-card").filter(has_text="Maybe not")
            beats = page.request.get(f"{base}/api/references/{reference_id}/beats").json()
            total = len({b["eight"] for b in beats["beats"] if b["eight"] >= 1})
            share = card.get_by_test_id("mastered-share")
            share.wait_for(timeout=10_000)
            # Passing at 0.5x is not mastering: that takes Good at 1x.
            assert share.inner_text() == f"0 of {total} eights mastered"
            card.get_by_role("button", name="Sections").click()
            timeline = page.get_by_test_id("mastery-timeline")
            timeline.wait_for(timeout=10_000)
            slow_row = page.get_by_test_id("mastery-strip-0.5")
            coloured = slow_row.locator(f"li[data-grade='{half['grade']}']")
            assert coloured.count() == 1
            assert f"at 0.5x: best {half['grade']}" in (coloured.text_content() or "")
            assert page.get_by_test_id("mastery-strip-1").locator("li[data-grade='none']").count()
            timeline.scroll_into_view_if_needed()
            shot(page, "strips-05-mastery-timeline")
            assert serious_violations(page, "[data-testid=mastery-timeline]") == []

            # Progress: each body part per attempt, and the best grade of each move.
            page.goto(f"{base}/#/progress/{reference_id}")
            page.get_by_test_id("parts-progress-chart").locator("svg").first.wait_for(
                timeout=10_000
            )
            best = page.get_by_test_id("best-moves-strip").locator("li")
            assert best.count() >= 1
            shot(page, "strips-06-progress-parts-and-best-moves")
            assert serious_violations(page, "[data-testid=best-moves]") == []

        # A camera that sees nobody: the review says nothing matched, and why.
        with page_with_camera(None) as page:
            page.goto(
                f"{base}/#/practice/{reference_id}?start={eight_start:.2f}&end={eight_end:.2f}"
            )
            page.get_by_label("Loop section").uncheck()
            page.get_by_test_id("start").wait_for()
            page.wait_for_function(
                "document.querySelector('[data-testid=webcam]').videoWidth > 0", timeout=20_000
            )
            page.get_by_test_id("start").click()
            page.wait_for_url("**/#/review/*", timeout=60_000)
            explanation = page.get_by_test_id("nothing-matched")
            explanation.wait_for(timeout=30_000)
            assert "never saw you" in explanation.inner_text()
            assert page.get_by_test_id("timeline-chart").count() == 0
            shot(page, "strips-07-review-nothing-matched")
            assert serious_violations(page, "[data-testid=nothing-matched]") == []
