"""Browser pose mode on the practice WebSocket: the landmarks the page found are scored exactly
like a frame, bad landmarks get clear errors, and a browser stream never takes image frames."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from typing import Any

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from dancecoach.config import Settings
from dancecoach.runtime import Runtime
from dancecoach.scoring.alignment import reference_pose_at
from tests.api.fakes import GREY, WHITE, jpeg, reference_sequence, with_left_arm_up
from tests.api.wsclient import frame_binary, frame_text, receive, receive_type

pytestmark = pytest.mark.exclusive  # which of a flood's frames are stale depends on timing

WIDTH, HEIGHT = 160, 120  # the fake frames' size (tests.api.fakes.FRAME_SIZE)


def _pose(timestamp: float, *, arm_up: bool = False) -> NDArray[np.float32]:
    """What the fake tracker finds in a grey (or white) frame at this dance time."""
    pose = reference_pose_at(reference_sequence(), timestamp)
    assert pose is not None
    return with_left_arm_up(pose) if arm_up else pose


def landmarks_text(
    points: NDArray[np.float32] | list[Any] | None,
    timestamp: float,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    if isinstance(points, np.ndarray):
        points = [
            {"x": float(x), "y": float(y), "z": float(z), "visibility": float(v)}
            for x, y, z, v in points
        ]
    return orjson.dumps(
        {
            "type": "landmarks",
            "timestamp": timestamp,
            "landmarks": points,
            "image_width": width,
            "image_height": height,
        }
    ).decode()


def landmarks_binary(
    points: NDArray[np.float32] | None, timestamp: float, width: int = WIDTH, height: int = HEIGHT
) -> bytes:
    """The binary form, as README's WebSocket section lays it out."""
    header = struct.pack("<d4sHH", timestamp, b"POSE", width, height)
    if points is None:
        return header
    return header + np.ascontiguousarray(points, dtype="<f4").tobytes()


def _new_session(client: TestClient, reference_id: str, pose: str = "browser") -> str:
    response = client.post(
        "/api/sessions/create", json={"reference_video_id": reference_id, "pose": pose}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["websocket_url"].endswith("?pose=browser") == (pose == "browser")
    session_id: str = body["session_id"]
    return session_id


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    """What the learner sees of a result, minus timing-only fields."""
    return {
        key: result[key]
        for key in ("pose_landmarks", "accuracy", "reference_landmarks", "part_scores", "warning")
    }


def test_landmarks_get_the_same_result_as_the_frame_they_came_from(
    client: TestClient, reference_id: str
) -> None:
    """Frames through the (fake) server tracker and the same poses as landmarks, side by side."""
    by_frame = _new_session(client, reference_id, pose="server")
    by_landmarks = _new_session(client, reference_id)
    times = [0.5 + 0.1 * index for index in range(25)]
    accuracies = []
    with (
        client.websocket_connect(f"/ws/{by_frame}") as frames,
        client.websocket_connect(f"/ws/{by_landmarks}?pose=browser") as poses,
    ):
        receive(frames)
        receive(poses)
        for index, timestamp in enumerate(times):
            arm_up = index >= 10  # a wrong arm from the eleventh frame on
            frames.send_bytes(frame_binary(jpeg(WHITE if arm_up else GREY), timestamp))
            # Alternate the two forms of the landmarks message.
            pose = _pose(timestamp, arm_up=arm_up)
            if index % 2:
                poses.send_bytes(landmarks_binary(pose, timestamp))
            else:
                poses.send_text(landmarks_text(pose, timestamp))
            from_frame = receive_type(frames, "frame_result")
            from_pose = receive_type(poses, "frame_result")
            assert from_pose["timestamp"] == timestamp
            assert _comparable(from_pose) == _comparable(from_frame)
            accuracies.append(from_pose["accuracy"])
    # The wrong arm costs the same in both (above), and it does cost: then stored the same way.
    assert accuracies[-1] < accuracies[9] - 0.05, accuracies
    reports = [
        client.post(f"/api/sessions/{sid}/complete-section").json()
        for sid in (by_frame, by_landmarks)
    ]
    assert reports[1]["analytics"]["total_frames"] == len(times)
    assert reports[1]["overall_accuracy"] == pytest.approx(reports[0]["overall_accuracy"])
    assert len(reports[1]["problem_segments"]) == len(reports[0]["problem_segments"])


def test_nobody_found_in_the_browser_is_no_person_without_penalty(
    client: TestClient, reference_id: str
) -> None:
    session_id = _new_session(client, reference_id)
    with client.websocket_connect(f"/ws/{session_id}?pose=browser") as ws:
        receive(ws)
        ws.send_text(landmarks_text(None, 1.0))
        by_json = receive_type(ws, "frame_result")
        ws.send_bytes(landmarks_binary(None, 1.1))
        by_binary = receive_type(ws, "frame_result")
    for result in (by_json, by_binary):
        assert result["warning"] == "no_person"
        assert result["accuracy"] is None
        assert result["pose_landmarks"] is None


def test_a_browser_stream_refuses_image_frames_and_stores_no_image(
    client: TestClient, reference_id: str, runtime: Runtime
) -> None:
    session_id = _new_session(client, reference_id)
    with client.websocket_connect(f"/ws/{session_id}?pose=browser") as ws:
        receive(ws)
        ws.send_bytes(frame_binary(jpeg(GREY), 1.0))
        assert receive_type(ws, "error")["code"] == "image_frames_refused"
        ws.send_text(frame_text(jpeg(GREY), 1.1))
        assert receive_type(ws, "error")["code"] == "image_frames_refused"
        for index in range(3):
            ws.send_text(landmarks_text(_pose(1.2 + index * 0.1), 1.2 + index * 0.1))
            assert receive_type(ws, "frame_result")["accuracy"] > 0.95
    assert client.get(f"/api/sessions/{session_id}").json()["frames_scored"] == 3
    frames_dir = runtime.layout.session_frames_dir(session_id)
    assert not frames_dir.exists() or not any(frames_dir.iterdir())


def _bad_pose() -> dict[str, tuple[str | bytes, str]]:
    good = _pose(1.0)
    nan, inf, far = good.copy(), good.copy(), good.copy()
    nan[5, 0] = np.nan
    inf[7, 1] = np.inf
    far[3, 0] = 40.0
    bright = good.copy()
    bright[0, 3] = 3.0
    as_dicts = orjson.loads(landmarks_text(good, 1.0))["landmarks"]
    return {
        "32 points": (landmarks_text(good[:32], 1.0), "invalid_landmarks"),
        "34 points": (landmarks_text(np.vstack([good, good[:1]]), 1.0), "invalid_landmarks"),
        "no points": (landmarks_text([], 1.0), "invalid_landmarks"),
        "NaN (binary)": (landmarks_binary(nan, 1.0), "invalid_landmarks"),
        "infinity (binary)": (landmarks_binary(inf, 1.0), "invalid_landmarks"),
        "far out of frame": (landmarks_text(far, 1.0), "invalid_landmarks"),
        "far out of frame (binary)": (landmarks_binary(far, 1.0), "invalid_landmarks"),
        "visibility 3": (landmarks_text(bright, 1.0), "invalid_landmarks"),
        "zero width": (landmarks_text(good, 1.0, width=0), "invalid_landmarks"),
        "huge frame": (landmarks_text(good, 1.0, 4000, 4000), "invalid_landmarks"),
        "short binary": (landmarks_binary(good, 1.0)[:100], "invalid_landmarks"),
        "x as a string": (
            landmarks_text([{**as_dicts[0], "x": "0.5"}, *as_dicts[1:]], 1.0),
            "invalid_message",
        ),
        "point as a list": (landmarks_text([[0.5, 0.5, 0, 1]] * 33, 1.0), "invalid_message"),
        "width as a float": (
            landmarks_text(good, 1.0).replace('"image_width":160', '"image_width":160.5'),
            "invalid_message",
        ),
        "no timestamp": (
            orjson.dumps({"type": "landmarks", "landmarks": None}).decode(),
            "invalid_message",
        ),
        "NaN literal": (landmarks_text(good, 1.0).replace("1.0,", "NaN,", 1), "malformed_json"),
        "negative time (binary)": (landmarks_binary(good, -1.0), "invalid_message"),
    }


@pytest.mark.parametrize("case", list(_bad_pose()))
def test_bad_landmarks_get_a_clear_error_and_the_stream_goes_on(
    client: TestClient, reference_id: str, case: str
) -> None:
    message, code = _bad_pose()[case]
    session_id = _new_session(client, reference_id)
    with client.websocket_connect(f"/ws/{session_id}?pose=browser") as ws:
        receive(ws)
        if isinstance(message, bytes):
            ws.send_bytes(message)
        else:
            ws.send_text(message)
        error = receive_type(ws, "error")
        assert error["code"] == code, error
        assert error["message"]
        ws.send_text(landmarks_text(_pose(2.0), 2.0))
        assert receive_type(ws, "frame_result")["accuracy"] > 0.95


def test_landmarks_going_back_in_time_are_refused_until_a_seek(
    client: TestClient, reference_id: str
) -> None:
    session_id = _new_session(client, reference_id)
    with client.websocket_connect(f"/ws/{session_id}?pose=browser") as ws:
        receive(ws)
        ws.send_bytes(landmarks_binary(_pose(2.0), 2.0))
        receive_type(ws, "frame_result")
        ws.send_bytes(landmarks_binary(_pose(1.0), 1.0))
        assert receive_type(ws, "error")["code"] == "timestamp_backwards"
        ws.send_text('{"type": "pause"}')
        receive_type(ws, "state")
        ws.send_text(landmarks_text(_pose(3.0), 3.0))
        assert receive_type(ws, "error")["code"] == "paused"
        ws.send_text('{"type": "resume"}')
        ws.send_text('{"type": "seek"}')
        ws.send_bytes(landmarks_binary(_pose(1.0), 1.0))
        assert receive_type(ws, "frame_result")["timestamp"] == 1.0


def test_a_flood_of_landmarks_drops_the_stale_ones_and_spares_another_session(
    client: TestClient, reference_id: str
) -> None:
    noisy, calm = _new_session(client, reference_id), _new_session(client, reference_id)
    sent = 300
    with (
        client.websocket_connect(f"/ws/{noisy}?pose=browser") as flood,
        client.websocket_connect(f"/ws/{calm}?pose=browser") as other,
    ):
        receive(flood)
        receive(other)
        last = 0.0
        for index in range(sent):
            last = 0.5 + index * 0.001
            flood.send_bytes(landmarks_binary(_pose(last), last))
        other.send_text(landmarks_text(_pose(1.0), 1.0))
        assert receive_type(other, "frame_result")["accuracy"] > 0.95
        results = []
        while True:
            result = receive_type(flood, "frame_result", limit=sent)
            results.append(result)
            if result["timestamp"] == pytest.approx(last):
                break
    # Every landmarks message was either scored or counted as dropped, none queued up.
    assert results[-1]["dropped_frames"] == sent - len(results)


_NEAR_LANDMARKS = st.fixed_dictionaries(
    {
        "type": st.just("landmarks"),
        "timestamp": st.one_of(st.floats(-5, 50), st.integers(-5, 50), st.text(max_size=3)),
        "landmarks": st.one_of(
            st.none(),
            st.lists(
                st.fixed_dictionaries(
                    {
                        "x": st.floats(-10, 10) | st.text(max_size=2) | st.none(),
                        "y": st.floats(-10, 10),
                        "z": st.floats(-20, 20),
                        "visibility": st.floats(-1, 2),
                    }
                ),
                min_size=30,
                max_size=35,
            ),
        ),
        "image_width": st.integers(-5, 5000) | st.floats(0, 100),
        "image_height": st.integers(-5, 5000),
    },
    optional={"session_id": st.text(max_size=5), "extra": st.integers(-(2**31), 2**31)},
).map(lambda message: orjson.dumps(message).decode())
_NEAR_BINARY = st.tuples(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(0, 70000),
    st.integers(0, 5000),
    st.lists(st.floats(width=32), min_size=0, max_size=140),
).map(
    lambda parts: (
        struct.pack("<d4sHH", parts[0], b"POSE", parts[1] % 65536, parts[2])
        + struct.pack(f"<{len(parts[3])}f", *parts[3])
    )
)


@pytest.mark.timeout(120)
def test_any_landmarks_sequence_leaves_the_session_working(
    client: TestClient, reference_id: str
) -> None:
    session_id = _new_session(client, reference_id)

    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(messages=st.lists(_NEAR_LANDMARKS | _NEAR_BINARY, min_size=1, max_size=10))
    def run(messages: list[str | bytes]) -> None:
        with client.websocket_connect(f"/ws/{session_id}?pose=browser") as ws:
            assert receive(ws)["type"] == "state"
            for message in messages:
                if isinstance(message, bytes):
                    ws.send_bytes(message)
                else:
                    ws.send_text(message)
            ws.send_text('{"type": "resume"}')
            ws.send_text('{"type": "seek"}')
            ws.send_bytes(landmarks_binary(_pose(0.5), 0.5))
            while True:
                reply = receive(ws)  # every reply follows the published schema
                if reply["type"] == "frame_result" and reply["timestamp"] == 0.5:
                    break
            assert reply["accuracy"] is not None and reply["accuracy"] > 0.95

    run()
    assert client.get(f"/api/sessions/{session_id}").json()["status"] == "active"


def test_protocol_offers_the_browser_model_at_an_immutable_content_hashed_url(
    client: TestClient,
) -> None:
    protocol = client.get("/api/protocol").json()
    browser = protocol["browser_pose"]
    assert browser["mode"] == "auto"
    assert browser["min_probe_fps"] == 10
    assert "landmarks" in protocol["client_message_types"]
    assert {"invalid_landmarks", "image_frames_refused"} <= set(protocol["error_codes"])
    url = browser["model_url"]
    assert url.startswith("/api/models/pose-landmarker/")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # A .task bundle is a zip of the two models.
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
    digest = url.rsplit("/", 1)[1].removesuffix(".task")
    assert hashlib.sha256(response.content).hexdigest().startswith(digest)
    assert client.get("/api/models/pose-landmarker/0000000000000000.task").status_code == 404


@pytest.fixture
def server_pose_only(settings: Settings) -> Settings:
    settings.live_pose = "server"
    return settings


@pytest.mark.usefixtures("server_pose_only")
def test_server_mode_offers_no_browser_model(client: TestClient, reference_id: str) -> None:
    browser = client.get("/api/protocol").json()["browser_pose"]
    assert browser["mode"] == "server"
    assert browser["model_url"] is None
    # A page asking for browser pose still gets a server stream.
    created = client.post(
        "/api/sessions/create", json={"reference_video_id": reference_id, "pose": "browser"}
    ).json()
    assert "?pose=browser" not in created["websocket_url"]


@pytest.fixture
def small_server(settings: Settings) -> Settings:
    settings.max_live_sessions = 1
    settings.max_browser_pose_sessions = 2
    return settings


@pytest.mark.usefixtures("small_server")
def test_browser_sessions_have_their_own_larger_capacity(
    client: TestClient, reference_id: str
) -> None:
    ids = [_new_session(client, reference_id) for _ in range(3)]
    server_id = _new_session(client, reference_id, pose="server")
    with (
        client.websocket_connect(f"/ws/{server_id}") as tracked,
        client.websocket_connect(f"/ws/{ids[0]}?pose=browser") as first,
        client.websocket_connect(f"/ws/{ids[1]}?pose=browser") as second,
    ):
        for ws in (tracked, first, second):
            assert receive(ws)["type"] == "state"
        with client.websocket_connect(f"/ws/{ids[2]}?pose=browser") as third:
            assert receive(third)["code"] == "server_full"
        full = client.post(
            "/api/sessions/create", json={"reference_video_id": reference_id, "pose": "browser"}
        )
        assert full.status_code == 503


def test_binary_landmarks_layout_matches_the_protocol(client: TestClient) -> None:
    browser = client.get("/api/protocol").json()["browser_pose"]
    assert browser["binary_landmarks_magic"] == "POSE"
    assert len(landmarks_binary(_pose(1.0), 1.0)) == 16 + 33 * 16
    assert str(16 + 33 * 16) in browser["binary_landmarks_layout"]


def test_a_recording_is_kept_only_when_uploaded_and_goes_with_the_session(
    client: TestClient, reference_id: str
) -> None:
    session_id = _new_session(client, reference_id)
    url = f"/api/sessions/{session_id}/recording"
    assert client.get(url).status_code == 404
    not_video = client.post(url, files={"file": ("recording.webm", b"hello there, not a video")})
    assert not_video.status_code == 415
    webm = b"\x1a\x45\xdf\xa3" + b"\x00" * 2000  # a WebM starts with the EBML magic
    kept = client.post(url, files={"file": ("recording.webm", webm, "video/webm")})
    assert kept.status_code == 201, kept.text
    assert kept.json() == {"size_bytes": len(webm), "url": url}
    stored = client.get(url)
    assert stored.content == webm
    assert stored.headers["content-type"] == "video/webm"
    assert client.delete(f"/api/sessions/{session_id}").status_code == 204
    assert client.get(url).status_code == 404
