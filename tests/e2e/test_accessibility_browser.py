"""Accessibility in headless Chromium: axe-core over the library, practice, review, progress
and login pages finds no serious or critical violation, and the library works from the
keyboard. The review is of a real section: the demo routine's own frames sent over the
practice WebSocket, a little late."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import pytest
from websockets.sync.client import connect

from dancecoach.accounts.service import open_accounts
from dancecoach.config import Settings
from tests.api.realserver import ServerProcess
from tests.e2e.axe import axe_violations, blocking
from tests.e2e.browser import chromium_context, running_server, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    with chromium_context() as browser_context:
        yield browser_context


def _danced_session(base: str, data_dir: Path, reference: dict[str, Any]) -> str:
    """A session with one scored section: the demo's frames from 1 s to 7 s, 0.3 s late."""
    with httpx.Client(base_url=base, timeout=60) as api:
        created = api.post(
            "/api/sessions/create",
            json={"reference_video_id": reference["reference_video_id"], "mirror": False},
        )
        assert created.status_code == 201, created.text
        session_id: str = created.json()["session_id"]
        video = next((data_dir / "references" / reference["reference_video_id"]).glob("video.*"))
        capture = cv2.VideoCapture(str(video))
        fps = capture.get(cv2.CAP_PROP_FPS)
        ws_url = base.replace("http://", "ws://") + f"/ws/{session_id}"
        with connect(ws_url) as socket:
            index = 0
            while True:
                ok, frame = capture.read()
                if not ok or index / fps > 7.0:
                    break
                time_s = index / fps
                index += 1
                if time_s < 1.0 or index % max(1, round(fps / 10)):
                    continue  # 10 frames a second from 1 s
                jpeg = cv2.imencode(".jpg", frame)[1].tobytes()
                socket.send(struct.pack("<d", time_s - 0.3) + jpeg)
                socket.recv(timeout=30)  # one reply per frame: the server keeps every frame
        capture.release()
        report = api.post(f"/api/sessions/{session_id}/complete-section", json={})
        assert report.status_code == 200, report.text
    return session_id


def _check(page: Any, name: str, found: dict[str, list[dict[str, Any]]]) -> None:
    shot(page, f"a11y-{name}")
    found[name] = axe_violations(page, name)


def test_pages_have_no_serious_accessibility_violations(
    context: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    data_dir = tmp_path / "data"
    with running_server(data_dir, tmp_path / "server.log") as base:
        page = context.new_page()
        page.goto(f"{base}/#/library")
        card = page.get_by_test_id("reference-card").first
        card.get_by_role("link", name="Practise").wait_for(timeout=120_000)
        _check(page, "library", found)

        # The library from the keyboard: Tab reaches "Practise" and Enter opens the practice.
        page.keyboard.press("Tab")
        for _ in range(30):
            if page.evaluate("document.activeElement?.textContent?.trim()") == "Practise":
                break
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement?.textContent?.trim()") == "Practise"
        page.keyboard.press("Enter")
        page.get_by_test_id("start").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the webcam and the reference video have started
        _check(page, "practice", found)

        reference = httpx.get(f"{base}/api/references").json()[0]
        session_id = _danced_session(base, data_dir, reference)
        page.goto(f"{base}/#/review/{session_id}")
        page.get_by_text("Finish session").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        _check(page, "review", found)

        page.goto(f"{base}/#/progress/{reference['reference_video_id']}")
        page.get_by_role("heading").first.wait_for()
        page.wait_for_timeout(1500)
        _check(page, "progress", found)
        page.close()

    # The login page of a server with accounts.
    accounts_dir = tmp_path / "accounts"
    open_accounts(Settings(data_dir=accounts_dir)).add_user("tina", "a long password!", "teacher")
    monkeypatch.setenv("DANCECOACH_AUTH", "required")
    server = ServerProcess(accounts_dir, tmp_path / "accounts.log")
    server.start()
    try:
        page = context.new_page()
        page.goto(f"{server.base_url}/")
        page.get_by_label("Password").wait_for(timeout=30_000)
        _check(page, "login", found)
        page.close()
    finally:
        server.stop()

    for name, violations in found.items():
        print(name, [(v["id"], v["impact"], len(v["nodes"])) for v in violations])
    assert {name: blocking(v) for name, v in found.items() if blocking(v)} == {}
