"""A shared server in headless Chromium: the login page, a learner's library, the sign-in cookie
carrying the practice WebSocket, signing out, and a learner deleting all their practice data.
Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
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


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    """A server with accounts: teacher tina, learners lee and kim (password PASSWORD)."""
    data_dir = tmp_path / "data"
    accounts = open_accounts(Settings(data_dir=data_dir))
    accounts.add_user("tina", "teacher's long password", "teacher")
    accounts.add_user("lee", PASSWORD, "learner")
    accounts.add_user("kim", PASSWORD, "learner")
    monkeypatch.setenv("DANCECOACH_AUTH", "required")
    process = ServerProcess(data_dir, tmp_path / "server.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _sign_in(p: Any, base_url: str, username: str) -> None:
    p.goto(f"{base_url}/#/library")
    p.get_by_role("heading", name="Sign in").wait_for()
    p.get_by_label("Username").fill(username)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign in").click()
    p.get_by_role("heading", name="Choreography library").wait_for()


def _demo_card(p: Any) -> Any:
    """The demo routine's card, once it is ready to practise (built at the server's start)."""
    card = p.get_by_test_id("reference-card").filter(has_text="demo")
    card.get_by_role("link", name="Practise").wait_for(timeout=90_000)
    return card


def test_a_learner_signs_in_practises_over_the_cookie_and_signs_out(
    page: object, server: ServerProcess
) -> None:
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
    _demo_card(p)
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


def test_a_learner_deletes_all_their_practice_data_and_only_theirs(
    page: object, server: ServerProcess
) -> None:
    p: Any = page
    errors: list[str] = []
    p.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(p, server.base_url, "lee")
    _demo_card(p)
    with httpx.Client(base_url=server.base_url) as kim:
        kim.post("/api/auth/login", json={"username": "kim", "password": PASSWORD})
        references = kim.get("/api/references").json()
        reference_id = next(r for r in references if "demo" in r["name"].lower())[
            "reference_video_id"
        ]

        def practise(client: httpx.Client) -> str:
            created = client.post("/api/sessions/create", json={"reference_video_id": reference_id})
            assert created.status_code == 201, created.text
            session_id: str = created.json()["session_id"]
            return session_id

        kims = practise(kim)
        # Lee's sessions, made with the page's own sign-in cookie.
        lee = httpx.Client(
            base_url=server.base_url, cookies={c["name"]: c["value"] for c in p.context.cookies()}
        )
        with lee:
            lees = [practise(lee), practise(lee)]
            assert all(lee.get(f"/api/sessions/{s}").status_code == 200 for s in lees)
            p.once("dialog", lambda dialog: dialog.accept())  # "Delete all your practice data?"
            p.get_by_role("button", name="Delete all my practice data").click()
            p.get_by_role("status").filter(has_text="Deleted 2 practice sessions").wait_for()
            shot(p, "12-your-data-deleted")
            # Gone for Lee (404, as if they never existed)...
            assert [lee.get(f"/api/sessions/{s}").status_code for s in lees] == [404, 404]
        # ...while Kim's practice is untouched.
        assert kim.get(f"/api/sessions/{kims}").status_code == 200
    assert errors == []
