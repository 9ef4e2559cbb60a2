"""Same-origin by default: other sites' pages and rebound host names get nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from dancecoach.api.security import OriginPolicy, is_loopback, split_host
from tests.api.fakes import write_video
from tests.api.wsclient import receive

EVIL = "http://evil.example"


def test_a_rebound_host_name_reads_nothing(client: TestClient, reference_id: str) -> None:
    """DNS rebinding: evil.example resolving to 127.0.0.1 still says Host: evil.example."""
    response = client.get(
        f"/api/references/{reference_id}/progress", headers={"Host": "evil.example"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "host_not_allowed"
    assert "DANCECOACH_ALLOWED_HOSTS" in response.json()["detail"]
    page = client.get("/", headers={"Host": "evil.example:8000"})
    assert page.status_code == 400


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:5173", "[::1]:8000", "LOCALHOST"])
def test_loopback_names_with_any_port_are_served(
    client: TestClient, reference_id: str, host: str
) -> None:
    response = client.get(f"/api/references/{reference_id}/progress", headers={"Host": host})
    assert response.status_code == 200


def test_a_cross_site_post_is_refused_and_changes_nothing(
    client: TestClient, reference_id: str, tmp_path: object
) -> None:
    before = client.get("/api/references").json()
    response = client.delete(f"/api/references/{reference_id}", headers={"Origin": EVIL})
    assert response.status_code == 403
    assert response.json()["code"] == "cross_site"
    created = client.post(
        "/api/sessions/create",
        json={"reference_video_id": reference_id},
        headers={"Origin": EVIL},
    )
    assert created.status_code == 403
    assert client.get("/api/references").json() == before


def test_a_cross_site_form_post_never_reaches_the_upload(
    client: TestClient, tmp_path: pytest.TempPathFactory
) -> None:
    """What a hidden form on another site would send (no Origin in old browsers: Referer)."""
    from pathlib import Path

    video = write_video(Path(str(tmp_path)) / "clip.avi")
    for headers in (
        {"Origin": EVIL},
        {"Sec-Fetch-Site": "cross-site"},
        {"Referer": EVIL + "/page.html"},
        {"Origin": "null"},
    ):
        with video.open("rb") as file:
            response = client.post(
                "/api/references", files={"file": ("clip.avi", file)}, headers=headers
            )
        assert response.status_code == 403, headers
    assert client.get("/api/references").json() == []


def test_the_apps_own_pages_and_scripts_may_change_data(
    client: TestClient, reference_id: str
) -> None:
    own = [
        {"Origin": "http://testserver"},
        {"Origin": "http://localhost:5173"},  # the Vite dev server in front of the API
        {"Sec-Fetch-Site": "same-origin"},
        {"Referer": "http://testserver/#/library"},
        {},  # curl, scripts: no browser headers at all
    ]
    for headers in own:
        response = client.post(
            "/api/sessions/create", json={"reference_video_id": reference_id}, headers=headers
        )
        assert response.status_code == 201, headers


def test_a_websocket_from_another_site_is_closed_with_4403(
    client: TestClient, session_id: str
) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/ws/{session_id}", headers={"Origin": EVIL}) as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 4403
    assert "evil.example" in closed.value.reason
    with (
        pytest.raises(WebSocketDisconnect) as rebound,
        client.websocket_connect(f"/ws/{session_id}", headers={"Host": "evil.example"}) as ws,
    ):
        ws.receive_text()
    assert rebound.value.code == 4403
    # The page's own origin still connects.
    with client.websocket_connect(
        f"/ws/{session_id}", headers={"Origin": "http://testserver"}
    ) as ws:
        assert receive(ws)["type"] == "state"


def test_a_configured_host_name_is_served(settings: object) -> None:
    policy = OriginPolicy.for_hosts(["dance.lan", " studio.example:443 "])
    assert policy.host_allowed("dance.lan:8000")
    assert policy.host_allowed("studio.example")
    assert not policy.host_allowed("evil.example")
    assert not policy.host_allowed(None)
    assert policy.origin_allowed("https://dance.lan", "dance.lan:8000")
    assert not policy.origin_allowed("https://dance.lan.evil.example", "dance.lan")


def test_host_parsing_and_loopback() -> None:
    assert split_host("[::1]:8000") == ("::1", "8000")
    assert split_host("Example.COM:80") == ("example.com", "80")
    assert split_host("::1") == ("::1", "")
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
