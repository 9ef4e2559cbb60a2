"""Accounts on a shared server: sign-in, roles, and every learner's data theirs alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from typer.testing import CliRunner

from dancecoach.api.app import create_app
from dancecoach.api.auth import PUBLIC_PATHS
from dancecoach.api.server import UnsafeBindError, access_settings
from dancecoach.config import Settings
from dancecoach.errors import AuthenticationRequiredError
from dancecoach.runtime import Runtime
from tests.api.fakes import GREY, WHITE, FakeTracker, jpeg, reference_sequence, write_video
from tests.api.wsclient import frame_binary, receive, receive_type

PASSWORD = "correct horse battery"


@pytest.fixture
def auth_client(settings: Settings) -> Iterator[TestClient]:
    settings.auth = "required"
    reference = reference_sequence()
    app = create_app(settings, tracker_factory=lambda: FakeTracker(reference), demo_reference=False)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def auth_runtime(auth_client: TestClient) -> Runtime:
    value: Runtime = auth_client.app.state.runtime  # type: ignore[attr-defined]
    return value


def _bearer(runtime: Runtime, name: str, role: str) -> dict[str, str]:
    user = runtime.accounts.add_user(name, PASSWORD, role)
    return {"Authorization": f"Bearer {runtime.accounts.create_api_token(user, 'test')}"}


@pytest.fixture
def users(auth_runtime: Runtime) -> dict[str, dict[str, str]]:
    """Authorization headers of a teacher and two learners."""
    return {
        "teacher": _bearer(auth_runtime, "teacher", "teacher"),
        "alice": _bearer(auth_runtime, "alice", "learner"),
        "bob": _bearer(auth_runtime, "bob", "learner"),
    }


@pytest.fixture
def library(auth_runtime: Runtime, tmp_path: Path) -> dict[str, str]:
    """A ready reference with one named section."""
    video = write_video(tmp_path / "routine.avi")
    reference = auth_runtime.references.register_ready(video, reference_sequence(), name="R")
    section = auth_runtime.references.add_section(reference.id, "Intro", 0.0, 2.0)
    return {"reference_id": reference.id, "section_id": section.id}


def _practise(client: TestClient, headers: dict[str, str], reference_id: str) -> str:
    """A finalized session of this user with a rendered clip; returns its id."""
    created = client.post(
        "/api/sessions/create", json={"reference_video_id": reference_id}, headers=headers
    )
    assert created.status_code == 201, created.text
    session_id: str = created.json()["session_id"]
    with client.websocket_connect(f"/ws/{session_id}", headers=headers) as ws:
        receive(ws)
        for t in np.arange(0.5, 4.0, 0.1):
            ws.send_bytes(frame_binary(jpeg(WHITE if t > 2 else GREY), round(float(t), 3)))
            receive_type(ws, "frame_result")
    report = client.post(f"/api/sessions/{session_id}/finalize", headers=headers).json()
    assert client.get(report["problem_segments"][0]["video_clip"], headers=headers).is_success
    return session_id


_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/auth/login"): {"json": {"username": "bob", "password": "wrong password"}},
    ("post", "/api/auth/tokens"): {"json": {"label": "x"}},
    ("post", "/api/references/{reference_id}/sections"): {
        "json": {"title": "x", "start_s": 0, "end_s": 1}
    },
    ("patch", "/api/references/{reference_id}"): {"json": {"name": "x"}},
    ("post", "/api/references"): {"files": {"file": ("x.mp4", b"not a video")}},
}


def _every_operation(client: TestClient) -> list[tuple[str, str]]:
    schema = client.get("/openapi.json").json()
    operations = [(method, path) for path, item in schema["paths"].items() for method in item]
    # Sign-out last: it ends the token the walk uses.
    return sorted(operations, key=lambda op: op[1] == "/api/auth/logout")


def _call(
    client: TestClient, method: str, path: str, ids: dict[str, str], headers: dict[str, str]
) -> Any:
    url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
    return client.request(method, url, headers=headers, **_BODIES.get((method, path), {}))


def test_every_route_as_another_learner_finds_nothing_of_alices(
    auth_client: TestClient, users: dict[str, dict[str, str]], library: dict[str, str]
) -> None:
    alice_session = _practise(auth_client, users["alice"], library["reference_id"])
    ids = {**library, "session_id": alice_session, "number": "1", "eight": "1", "digest": "0" * 16}
    walked = 0
    for method, path in _every_operation(auth_client):
        response = _call(auth_client, method, path, ids, users["bob"])
        where = f"{method.upper()} {path}"
        if "{session_id}" in path:
            assert response.status_code == 404, where
        elif path.startswith("/api/references") and method != "get":
            assert response.status_code == 403, where  # the library is the teacher's
        else:
            assert response.status_code < 500, where
        if response.status_code != 404:  # a 404 repeats the id Bob sent, nothing more
            assert alice_session not in response.text, f"{where} shows Alice's session"
        walked += 1
    assert walked >= 20
    # Bob's "delete all my data" left Alice's alone, and her socket is hers only.
    assert auth_client.get(f"/api/sessions/{alice_session}", headers=users["alice"]).is_success
    progress = auth_client.get(
        f"/api/references/{library['reference_id']}/progress", headers=users["alice"]
    ).json()
    assert [a["session_id"] for a in progress["attempts"]] == [alice_session]


def test_a_learners_socket_to_another_learners_session_is_closed_4404(
    auth_client: TestClient, users: dict[str, dict[str, str]], library: dict[str, str]
) -> None:
    created = auth_client.post(
        "/api/sessions/create",
        json={"reference_video_id": library["reference_id"]},
        headers=users["alice"],
    ).json()
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        auth_client.websocket_connect(f"/ws/{created['session_id']}", headers=users["bob"]) as ws,
    ):
        assert receive(ws)["code"] == "session_not_found"
        ws.receive_text()
    assert closed.value.code == 4404


def test_without_a_sign_in_every_api_route_answers_401(
    auth_client: TestClient, users: dict[str, dict[str, str]], library: dict[str, str]
) -> None:
    alice_session = _practise(auth_client, users["alice"], library["reference_id"])
    ids = {**library, "session_id": alice_session, "number": "1", "eight": "1", "digest": "0" * 16}
    walked = 0
    for method, path in _every_operation(auth_client):
        response = _call(auth_client, method, path, ids, {})
        where = f"{method.upper()} {path}"
        if path in PUBLIC_PATHS:
            assert response.status_code != 401 or path == "/api/auth/login", where
        else:
            assert response.status_code == 401, where
            assert response.json()["code"] == "unauthenticated"
        walked += 1
    assert walked >= 20
    forged = {"Authorization": "Bearer not-a-token"}
    assert auth_client.get("/api/references", headers=forged).status_code == 401
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        auth_client.websocket_connect(f"/ws/{alice_session}") as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 4401
    # The web app's pages load, so that its login page can show.
    assert auth_client.get("/").status_code == 200


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(
    auth_client: TestClient, users: dict[str, dict[str, str]]
) -> None:
    wrong = auth_client.post("/api/auth/login", json={"username": "alice", "password": "nope!"})
    assert wrong.status_code == 401
    unknown = auth_client.post("/api/auth/login", json={"username": "eve", "password": "x"})
    assert unknown.json()["detail"] == wrong.json()["detail"]  # names are not confirmed
    response = auth_client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"username": "alice", "role": "learner", "accounts": True}
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain HTTP here; over HTTPS it is Secure
    assert auth_client.get("/api/auth/me").json()["username"] == "alice"
    token = auth_client.post("/api/auth/tokens", json={"label": "my script"}).json()["token"]
    assert auth_client.post("/api/auth/logout").status_code == 204
    assert auth_client.get("/api/auth/me").status_code == 401
    # The script's token outlives the browser's sign-in.
    me = auth_client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "alice"


def test_only_a_teacher_changes_the_library(
    auth_client: TestClient, users: dict[str, dict[str, str]], library: dict[str, str]
) -> None:
    path = f"/api/references/{library['reference_id']}"
    learner = auth_client.patch(path, json={"name": "Mine"}, headers=users["alice"])
    assert learner.status_code == 403
    assert "teacher" in learner.json()["detail"]
    teacher = auth_client.patch(path, json={"name": "Chorus"}, headers=users["teacher"])
    assert teacher.json()["name"] == "Chorus"
    # Every signed-in user sees the library.
    listed = auth_client.get("/api/references", headers=users["alice"]).json()
    assert [r["name"] for r in listed] == ["Chorus"]


def test_without_accounts_the_local_user_is_a_teacher_and_login_is_not_needed(
    client: TestClient,
) -> None:
    assert client.get("/api/auth/me").json() == {
        "username": None,
        "role": "teacher",
        "accounts": False,
    }
    assert (
        client.post("/api/auth/login", json={"username": "a", "password": "b"}).status_code == 409
    )


def test_serve_refuses_a_network_address_without_accounts(settings: Settings) -> None:
    assert access_settings(settings, "127.0.0.1", insecure_open=False).auth == "off"
    with pytest.raises(UnsafeBindError, match="user add"):
        access_settings(settings, "0.0.0.0", insecure_open=False)
    off = settings.model_copy(update={"auth": "off"})
    with pytest.raises(UnsafeBindError, match="--insecure-open"):
        access_settings(off, "192.168.1.5", insecure_open=False)
    opened = access_settings(settings, "192.168.1.5", insecure_open=True)
    assert opened.auth == "off"
    assert "192.168.1.5" in opened.allowed_hosts


def test_user_add_reads_the_password_from_stdin_and_hashes_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dancecoach import cli
    from dancecoach.accounts.service import open_accounts
    from dancecoach.config import get_settings

    monkeypatch.setenv("DANCECOACH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    monkeypatch.setattr(cli, "silence_native_logs", lambda: None)
    try:
        runner = CliRunner()
        added = runner.invoke(
            cli.app, ["user", "add", "tina", "--role", "teacher"], input=PASSWORD + "\n"
        )
        assert added.exit_code == 0, added.output
        assert "teacher tina" in added.output
        short = runner.invoke(cli.app, ["user", "add", "lee", "--role", "learner"], input="abc\n")
        assert short.exit_code == 1
        assert "at least 8" in short.output
    finally:
        get_settings.cache_clear()
    accounts = open_accounts(settings)
    assert accounts.authenticate("tina", PASSWORD).role == "teacher"
    served = access_settings(settings, "0.0.0.0", insecure_open=False)
    assert served.auth == "required"
    import sqlite3

    stored = sqlite3.connect(settings.data_dir / "dancecoach.db").execute(
        "SELECT password_hash FROM users"
    )
    assert stored.fetchone()[0].startswith("$argon2id$")


def test_a_sign_in_expires(auth_runtime: Runtime) -> None:
    import time

    from dancecoach.accounts.service import AccountService
    from dancecoach.storage.users import UserStore

    short = AccountService(UserStore(auth_runtime.db), session_days=0.1 / 86_400)  # 0.1 s
    user = short.add_user("brief", PASSWORD, "learner")
    token = short.start_session(user)
    assert short.user_for_token(token) == user
    time.sleep(0.2)
    assert short.user_for_token(token) is None
    # The next sign-in clears the expired one out of the database.
    short.start_session(user)
    assert (
        auth_runtime.db.engine.connect()
        .exec_driver_sql("SELECT count(*) FROM auth_tokens WHERE user_id = ?", (user.id,))
        .scalar()
        == 1
    )


def test_over_https_the_sign_in_cookie_is_secure(
    auth_client: TestClient, users: dict[str, dict[str, str]]
) -> None:
    """As behind a TLS proxy (uvicorn takes the scheme from X-Forwarded-Proto)."""
    response = auth_client.post(
        "https://testserver/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "secure" in response.headers["set-cookie"].lower()


def _proxied(settings: Settings, peer: str) -> TestClient:
    """The app as `serve` runs it (served_app), reached from `peer` (a proxy, or not)."""
    from dancecoach.api.server import served_app

    settings.auth = "required"
    settings.forwarded_allow_ips = ["127.0.0.1"]
    app = served_app(
        settings,
        tracker_factory=lambda: FakeTracker(reference_sequence()),
        demo_reference=False,
    )
    return TestClient(app, client=(peer, 40_000))


def _login(client: TestClient, password: str, forwarded_for: str, name: str = "alice") -> int:
    response = client.post(
        "/api/auth/login",
        json={"username": name, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_budget(
    settings: Settings,
) -> None:
    from dancecoach.api.routes.auth import LOGINS_PER_HOUR

    with _proxied(settings, "127.0.0.1") as proxy:
        runtime: Runtime = proxy.app.app.state.runtime  # type: ignore[attr-defined]
        for index in range(LOGINS_PER_HOUR):
            user = runtime.accounts.add_user(f"learner{index}", PASSWORD, "learner")
            # Any name, any password: each attempt spends the address's budget.
            assert _login(proxy, PASSWORD, "203.0.113.7", user.username) == 200
        assert _login(proxy, PASSWORD, "203.0.113.7", "learner0") == 429
        # Another learner behind the same proxy signs in: budgets are per client, not per proxy.
        assert _login(proxy, PASSWORD, "198.51.100.20", "learner0") == 200
        # Addresses a client put in front of the proxy's own are not believed.
        assert _login(proxy, PASSWORD, "198.51.100.99, 203.0.113.7", "learner0") == 429
    # From a peer that is not a trusted proxy the header means nothing: its own address counts.
    with _proxied(settings, "192.0.2.50") as direct:
        for index in range(LOGINS_PER_HOUR):
            assert _login(direct, PASSWORD, f"203.0.113.{index}", f"learner{index}") == 200
        assert _login(direct, PASSWORD, "198.51.100.20", "learner0") == 429


def test_failed_sign_ins_for_one_username_are_limited_from_any_address(
    settings: Settings,
) -> None:
    from dancecoach.api.routes.auth import FAILED_LOGINS_PER_USERNAME_PER_HOUR

    with _proxied(settings, "127.0.0.1") as proxy:
        runtime: Runtime = proxy.app.app.state.runtime  # type: ignore[attr-defined]
        runtime.accounts.add_user("alice", PASSWORD, "learner")
        runtime.accounts.add_user("bob", PASSWORD, "learner")
        # Right passwords do not count against the name.
        for _ in range(FAILED_LOGINS_PER_USERNAME_PER_HOUR + 2):
            assert _login(proxy, PASSWORD, "192.0.2.1") == 200
        # A guesser spreads wrong passwords over many addresses: each a fresh address budget.
        for index in range(FAILED_LOGINS_PER_USERNAME_PER_HOUR):
            assert _login(proxy, f"guess {index}", f"203.0.113.{index}") == 401
        assert _login(proxy, "guess again", "203.0.113.200") == 429
        # Not even the right password gets through now (else guessing would go on); the
        # limit names the wait rather than confirming anything about the password.
        refused = proxy.post(
            "/api/auth/login",
            json={"username": "alice", "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.1"},
        )
        assert refused.status_code == 429
        assert "failed sign-ins for one username" in refused.json()["detail"]
        # Everyone else signs in as usual, from the guesser's addresses too.
        assert _login(proxy, PASSWORD, "203.0.113.1", "bob") == 200


def test_the_cookie_is_secure_when_a_trusted_proxy_says_https(settings: Settings) -> None:
    def cookie(client: TestClient) -> str:
        response = client.post(
            "/api/auth/login",
            json={"username": "alice", "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
        )
        assert response.status_code == 200, response.text
        return response.headers["set-cookie"].lower()

    with _proxied(settings, "127.0.0.1") as proxy:
        runtime: Runtime = proxy.app.app.state.runtime  # type: ignore[attr-defined]
        runtime.accounts.add_user("alice", PASSWORD, "learner")
        assert "secure" in cookie(proxy)
    with _proxied(settings, "192.0.2.50") as direct:  # anyone can send the header
        assert "secure" not in cookie(direct)


def test_serve_on_every_address_without_allowed_hosts_warns_that_browsers_are_refused(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    open_server = settings.model_copy(update={"allowed_hosts": []})
    with caplog.at_level("WARNING", logger="dancecoach.api.server"):
        access_settings(open_server, "0.0.0.0", insecure_open=True)
    assert "DANCECOACH_ALLOWED_HOSTS" in caplog.text
    assert "every browser" in caplog.text
    caplog.clear()
    named = settings.model_copy(update={"allowed_hosts": ["dance.lan"]})
    with caplog.at_level("WARNING", logger="dancecoach.api.server"):
        access_settings(named, "0.0.0.0", insecure_open=True)
        access_settings(open_server, "192.168.1.5", insecure_open=True)  # its address is allowed
        access_settings(open_server, "127.0.0.1", insecure_open=False)
    assert caplog.text == ""


@pytest.fixture
def cli_runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """`dancecoach` commands on the test's data folder."""
    from dancecoach import cli
    from dancecoach.config import get_settings

    monkeypatch.setenv("DANCECOACH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr(cli, "silence_native_logs", lambda: None)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _dancecoach(runner: CliRunner, *args: str, input: str | None = None) -> Any:
    from dancecoach import cli

    return runner.invoke(cli.app, list(args), input=input)


def test_user_passwd_changes_the_password_and_ends_browser_sign_ins(
    settings: Settings, cli_runner: CliRunner
) -> None:
    from dancecoach.accounts.service import open_accounts

    accounts = open_accounts(settings)
    alice = accounts.add_user("alice", PASSWORD, "learner")
    browser = accounts.start_session(alice)
    script = accounts.create_api_token(alice, "script")
    changed = _dancecoach(cli_runner, "user", "passwd", "alice", input="a new passphrase\n")
    assert changed.exit_code == 0, changed.output
    assert "1 browser sign-ins ended" in changed.output
    assert accounts.authenticate("alice", "a new passphrase") == alice
    with pytest.raises(AuthenticationRequiredError):
        accounts.authenticate("alice", PASSWORD)
    assert accounts.user_for_token(browser) is None  # whoever had the old password is out
    assert accounts.user_for_token(script) == alice  # said so, with how to revoke it
    assert "user tokens alice --revoke all" in changed.output
    short = _dancecoach(cli_runner, "user", "passwd", "alice", input="short\n")
    assert short.exit_code == 1 and "at least 8" in short.output
    unknown = _dancecoach(cli_runner, "user", "passwd", "eve", input="a new passphrase\n")
    assert unknown.exit_code == 1 and "no user named 'eve'" in unknown.output


def test_user_tokens_lists_and_revokes_api_tokens(
    settings: Settings, cli_runner: CliRunner
) -> None:
    from dancecoach.accounts.service import open_accounts

    accounts = open_accounts(settings)
    alice = accounts.add_user("alice", PASSWORD, "learner")
    bob = accounts.add_user("bob", PASSWORD, "learner")
    laptop, phone = (accounts.create_api_token(alice, label) for label in ("laptop", "phone"))
    bobs = accounts.create_api_token(bob, "bob's")
    listed = _dancecoach(cli_runner, "user", "tokens", "alice")
    assert listed.exit_code == 0, listed.output
    ids = {info.label: info.id for info in accounts.api_tokens("alice")}
    assert ids.keys() == {"laptop", "phone"}
    for label, token_id in ids.items():
        assert label in listed.output and token_id in listed.output
    assert laptop not in listed.output  # ids name tokens without giving them away
    revoked = _dancecoach(cli_runner, "user", "tokens", "alice", "--revoke", ids["laptop"])
    assert revoked.exit_code == 0, revoked.output
    assert accounts.user_for_token(laptop) is None
    assert accounts.user_for_token(phone) == alice
    # Another user's token id is not Alice's to revoke.
    bobs_id = accounts.api_tokens("bob")[0].id
    wrong = _dancecoach(cli_runner, "user", "tokens", "alice", "--revoke", bobs_id)
    assert wrong.exit_code == 1 and "no API token" in wrong.output
    every = _dancecoach(cli_runner, "user", "tokens", "alice", "--revoke", "all")
    assert every.exit_code == 0 and "Revoked 1 API tokens" in every.output
    assert accounts.user_for_token(phone) is None
    assert accounts.user_for_token(bobs) == bob
    assert "no API tokens" in _dancecoach(cli_runner, "user", "tokens", "alice").output


def test_user_delete_deletes_the_account_and_all_its_practice_data(
    auth_client: TestClient,
    auth_runtime: Runtime,
    users: dict[str, dict[str, str]],
    library: dict[str, str],
    cli_runner: CliRunner,
) -> None:
    alice_session = _practise(auth_client, users["alice"], library["reference_id"])
    bob_session = _practise(auth_client, users["bob"], library["reference_id"])
    frames = auth_runtime.settings.data_dir / "sessions" / alice_session
    assert any(frames.rglob("*")), "the practice left frames and clips"
    kept = _dancecoach(cli_runner, "user", "delete", "alice", input="n\n")
    assert kept.exit_code == 1 and "Nothing deleted" in kept.output
    deleted = _dancecoach(cli_runner, "user", "delete", "alice", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "Deleted alice and 1 practice sessions" in deleted.output
    # Her token stops working at once, and her sessions, frames and clips are gone.
    assert auth_client.get("/api/auth/me", headers=users["alice"]).status_code == 401
    assert auth_runtime.sessions.ids_of(None) == [bob_session]
    assert not any(frames.rglob("*"))
    assert auth_client.get(f"/api/sessions/{bob_session}", headers=users["bob"]).is_success
    # The last teacher stays, or nobody could manage the library.
    last = _dancecoach(cli_runner, "user", "delete", "teacher", "--yes")
    assert last.exit_code == 1 and "last teacher" in last.output
    assert auth_client.get("/api/auth/me", headers=users["teacher"]).is_success


def test_the_sign_in_budgets_the_readme_states_are_the_servers() -> None:
    from dancecoach.api.routes.auth import FAILED_LOGINS_PER_USERNAME_PER_HOUR, LOGINS_PER_HOUR
    from tests.footage import PROJECT_ROOT

    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"limited to {LOGINS_PER_HOUR} an hour per client address" in readme
    assert f"failed ones to {FAILED_LOGINS_PER_USERNAME_PER_HOUR} an hour per username" in readme
    assert "| `DANCECOACH_FORWARDED_ALLOW_IPS` | `127.0.0.1` |" in readme
    assert Settings().forwarded_allow_ips == ["127.0.0.1"]


@pytest.mark.slow
def test_dancecoach_serve_believes_a_proxy_on_loopback(tmp_path: Path) -> None:
    """The real `serve` (uvicorn with served_app): nginx on 127.0.0.1 says https and who."""
    import httpx

    from dancecoach.accounts.service import open_accounts
    from tests.api.realserver import ServerProcess

    data_dir = tmp_path / "data"
    open_accounts(Settings(data_dir=data_dir)).add_user("alice", PASSWORD, "learner")
    server = ServerProcess(data_dir, tmp_path / "server.log", {"DANCECOACH_AUTH": "required"})
    server.start()
    try:
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        response = httpx.post(
            f"{server.base_url}/api/auth/login",
            json={"username": "alice", "password": PASSWORD},
            headers=forwarded,
        )
        assert response.status_code == 200, response.text
        assert "secure" in response.headers["set-cookie"].lower()
    finally:
        server.stop()
