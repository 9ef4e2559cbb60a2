"""A shared server in headless Chromium: the login page, a learner's library, the sign-in cookie
carrying the practice WebSocket, and signing out. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dancecoach.accounts.service import open_accounts
from dancecoach.config import Settings
from tests.api.realserver import ServerProcess
from tests.e2e.browser import chromium_context, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "learner's long password"


@pytest.fixture
def page() -> Iterator[object]:
    with chromium_context() as context:
        yield context.new_page()  # type: ignore[attr-defined]


def test_a_learner_signs_in_practises_over_the_cookie_and_signs_out(
    page: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    accounts = open_accounts(Settings(data_dir=data_dir))
    accounts.add_user("tina", "teacher's long password", "teacher")
    accounts.add_user("lee", PASSWORD, "learner")
    monkeypatch.setenv("DANCECOACH_AUTH", "required")
    server = ServerProcess(data_dir, tmp_path / "server.log")
    server.start()
    try:
        p: Any = page  # playwright's Page (its types are not checked here)
        errors: list[str] = []
        p.on("pageerror", lambda error: errors.append(str(error)))
        p.goto(f"{server.base_url}/#/library")
        p.get_by_role("heading", name="Sign in").wait_for()
        p.get_by_label("Username").fill("lee")
        p.get_by_label("Password").fill("wrong password")
        p.get_by_role("button", name="Sign in").click()
        p.get_by_role("alert").filter(has_text="Wrong username or password").wait_for()
        shot(p, "10-login-wrong-password")
        p.get_by_label("Password").fill(PASSWORD)
        p.get_by_role("button", name="Sign in").click()
        p.get_by_role("heading", name="Choreography library").wait_for()
        # A learner practises with the library but does not change it.
        assert p.get_by_role("button", name="Upload").count() == 0
        assert p.get_by_text("lee").first.is_visible()
        p.get_by_role("button", name="Delete all my practice data").wait_for()
        cookie = next(c for c in p.context.cookies() if c["name"] == "dancecoach_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert p.evaluate("document.cookie") == ""
        # The demo routine is ready after a while; the page's own WebSocket carries the cookie.
        p.get_by_test_id("reference-card").filter(has_text="demo").get_by_role(
            "link", name="Practise"
        ).wait_for(timeout=90_000)
        shot(p, "11-library-learner")
        first_message = p.evaluate(
            """async () => {
                const refs = await (await fetch('/api/references')).json();
                const created = await (await fetch('/api/sessions/create', {
                    method: 'POST', headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({reference_video_id: refs[0].reference_video_id}),
                })).json();
                const socket = new WebSocket(`ws://${location.host}/ws/${created.session_id}`);
                return await new Promise((resolve) => {
                    socket.onmessage = (event) => {
                        resolve(JSON.parse(event.data));
                        socket.close();
                    };
                    socket.onclose = (event) => resolve({closed: event.code});
                });
            }"""
        )
        assert first_message["type"] == "state", first_message
        p.get_by_role("button", name="Sign out").click()
        p.get_by_role("heading", name="Sign in").wait_for()
        status = p.evaluate("fetch('/api/references').then((r) => r.status)")
        assert status == 401
        assert errors == []
    finally:
        server.stop()
