"""Group videos in headless Chromium: a teacher uploads a video with several dancers, sees them
numbered on a still, picks one from the keyboard, and the reference is processed again to
follow that dancer. Screenshots go to artifacts/screenshots/group-*.png."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.axe import axe_violations, blocking
from tests.e2e.browser import chromium_context, running_server, shot
from tests.footage import footage, manifest

pytestmark = [pytest.mark.browser, pytest.mark.footage, pytest.mark.slow]


# The processing bar's value, null once it is gone (read without waiting for it).
_PROCESSING_VALUE = (
    "document.querySelector('progress[aria-label=\"Processing progress\"]')?.value ?? null"
)


def shortest_group_clip() -> str:
    """The shortest clip the manifest says shows two or more people dancing one choreography."""
    clips: dict[str, dict[str, Any]] = manifest()["clips"]
    groups = [
        name
        for name, clip in clips.items()
        if isinstance(clip.get("people"), int) and clip["people"] >= 2 and clip.get("choreography")
    ]
    assert groups, "the manifest lists no group clip"
    return min(groups, key=lambda name: float(clips[name]["duration_s"]))


def test_pick_a_dancer_of_a_group_video(tmp_path: Path) -> None:
    clip = shortest_group_clip()
    upload = tmp_path / Path(clip).name
    shutil.copyfile(footage(clip), upload)
    with (
        running_server(tmp_path / "data", tmp_path / "server.log") as base,
        chromium_context() as context,
    ):
        page = context.new_page()  # type: ignore[attr-defined]
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/#/library")
        page.get_by_role("heading", name="Choreography library").wait_for()
        page.get_by_test_id("upload-file").set_input_files(str(upload))
        page.get_by_placeholder("e.g. Chorus, slow").fill("Group")
        page.get_by_role("button", name="Upload").click()
        card = page.get_by_test_id("reference-card").filter(has_text="Group")

        # Once processed, the still with each dancer numbered.
        picker = card.get_by_test_id("dancer-picker")
        picker.wait_for(timeout=240_000)
        choices = card.get_by_test_id("dancer-choice")
        choices.first.wait_for(timeout=60_000)
        page.wait_for_function(
            "document.querySelector('.dancer-still img').naturalWidth > 0", timeout=20_000
        )
        count = choices.count()
        assert count >= 2
        assert [choices.nth(i).inner_text() for i in range(count)] == [
            str(n) for n in range(1, count + 1)
        ]
        assert "Following the most central dancer" in picker.inner_text()
        shot(page, "group-01-dancers")
        assert blocking(axe_violations(page, "library-dancers")) == []

        # Pick the last dancer from the keyboard: processing again, with a progress bar.
        choices.last.focus()
        page.keyboard.press("Enter")
        bar = card.get_by_label("Processing progress")
        bar.wait_for(timeout=20_000)
        shot(page, "group-02-processing-again")
        seen: set[float] = set()
        for _ in range(600):  # until ready, at most 5 minutes
            value = page.evaluate(_PROCESSING_VALUE)
            if value is None:
                break
            seen.add(float(value))
            page.wait_for_timeout(500)
        card.get_by_role("link", name="Practise").wait_for(timeout=60_000)
        assert len(seen) >= 2, f"the progress bar did not move: {seen}"

        # The card now says who is followed; the picker opens again from its button.
        card.get_by_role("button", name=re.compile(r"^Dancers \(\d+\)$")).click()
        pressed = card.locator("[data-testid=dancer-choice][aria-pressed=true]")
        pressed.wait_for(timeout=60_000)
        assert pressed.inner_text() == str(count)
        assert f"Following dancer {count}." in picker.inner_text()
        shot(page, "group-03-chosen")
        assert not errors, errors
