"""Over the WebSocket: a grade for every move as the dance leaves it, and the camera's delay
estimated, applied on the learner's word and carried into the reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from numpy.typing import NDArray
from starlette.testclient import WebSocketTestSession

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.live.camera_delay import ESTIMATE_SPAN_S
from dancecoach.live.moves import END_GRACE_S
from dancecoach.scoring.alignment import reference_pose_at
from dancecoach.scoring.moments import find_moves
from dancecoach.scoring.timing import ON_TIME_MS
from tests.api.fakes import REFERENCE_FPS, write_video
from tests.api.wsclient import frame_binary, receive
from tests.perturbations import holding_one_pose
from tests.synthetic import routine, sequence

FPS = 10.0
DURATION_S = 20.0
REFERENCE = sequence(routine(DURATION_S, fps=REFERENCE_FPS, period_s=2.5), REFERENCE_FPS, 4 / 3)
HELD = holding_one_pose(REFERENCE)


def picture(shown_s: float, *, held: bool = False) -> bytes:
    """A webcam picture of the learner at her own time shown_s: the time is in the picture's
    size (4:3 always, 4x3 pixels more per tenth of a second; a held pose adds 2000 tenths), so
    the tracker below knows what the camera saw whatever dance time the frame is sent with."""
    step = round(shown_s * FPS) + (2000 if held else 0)
    width, height = 160 + 4 * (step % 2000), 120 + 3 * (step % 2000)
    image = np.full((height, width, 3), 128 if not held else 129, dtype=np.uint8)
    ok, encoded = cv2.imencode(".jpg", image)
    assert ok
    return encoded.tobytes()


class PictureTracker:
    """Finds the learner's pose from what the picture shows (see picture())."""

    def process(
        self, image_bgr: NDArray[np.uint8], timestamp_s: float
    ) -> NDArray[np.float32] | None:
        step = (image_bgr.shape[1] - 160) // 4
        held = float(image_bgr.mean()) > 128.5
        return reference_pose_at(HELD if held else REFERENCE, step / FPS)

    def close(self) -> None:
        pass


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, tracker_factory=PictureTracker, demo_reference=False)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def session_id(client: TestClient, tmp_path: Path) -> str:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    video = write_video(tmp_path / "routine.avi", seconds=DURATION_S)
    reference_id = runtime.references.register_ready(video, REFERENCE, name="Routine").id
    created = client.post("/api/sessions/create", json={"reference_video_id": reference_id})
    assert created.status_code == 201, created.text
    value: str = created.json()["session_id"]
    return value


def _dance(
    ws: WebSocketTestSession,
    times_s: list[float],
    *,
    delay_s: float = 0.0,
    held: tuple[float, float] | None = None,
) -> list[dict[str, Any]]:
    """Send a frame at each dance time (the picture taken delay_s earlier, holding one pose
    within `held`), one at a time; every reply (schema-checked) in order."""
    replies: list[dict[str, Any]] = []
    for time_s in times_s:
        shown = time_s - delay_s
        holding = held is not None and held[0] <= time_s < held[1]
        ws.send_bytes(frame_binary(picture(shown, held=holding), time_s))
        while True:
            reply = receive(ws)
            replies.append(reply)
            if reply["type"] in ("frame_result", "error"):
                break
    # Events that follow the last frame's reply.
    ws.send_text('{"type": "ping"}')
    while (reply := receive(ws))["type"] != "pong":
        replies.append(reply)
    return replies


def _times(start_s: float, end_s: float) -> list[float]:
    return [round(start_s + i / FPS, 3) for i in range(round((end_s - start_s) * FPS))]


def test_every_move_gets_its_grade_as_the_dance_leaves_it(
    client: TestClient, session_id: str
) -> None:
    moves = find_moves(REFERENCE)  # no soundtrack, so no beats: the moves the scorer finds
    assert len(moves) >= 4
    held = (moves[1].start_s, moves[1].end_s)  # the second move: holding one pose
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        assert receive(ws)["type"] == "state"
        replies = _dance(ws, _times(0.0, moves[3].end_s + 0.2), held=held)
    graded = [r for r in replies if r["type"] == "move"]
    assert [(m["label"], m["start_s"], m["end_s"]) for m in graded] == [
        (move.title, round(move.start_s, 3), round(move.end_s, 3)) for move in moves[:4]
    ]
    assert [m["grade"] for m in graded] == ["Perfect", "Miss", "Perfect", "Perfect"]
    assert all(m["eight"] is None for m in graded)
    # Each grade comes right after the reply to the first frame in its move's last moments.
    for move in graded:
        index = replies.index(move)
        before = replies[index - 1]
        assert before["type"] == "frame_result"
        ending = move["end_s"] - END_GRACE_S
        assert ending <= before["timestamp"] < ending + 1 / FPS + 1e-6


def test_a_loop_grades_the_move_it_cut_short(client: TestClient, session_id: str) -> None:
    first = find_moves(REFERENCE)[0]
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        _dance(ws, _times(0.0, first.end_s * 0.8))
        ws.send_text('{"type": "seek", "timestamp": 0}')
        replies = {message["type"]: message for message in (receive(ws), receive(ws))}
        assert replies.keys() == {"move", "state"}
        assert replies["move"]["grade"] == "Perfect"
        assert replies["move"]["end_s"] == round(first.end_s, 3)


def test_the_cameras_delay_is_estimated_applied_and_reported(
    client: TestClient, session_id: str
) -> None:
    late = 0.25
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        replies = _dance(ws, _times(1.0, 2.0 + ESTIMATE_SPAN_S), delay_s=late)
        (estimate,) = [r for r in replies if r["type"] == "camera_delay"]
        assert estimate["delay_s"] == pytest.approx(late, abs=0.05)
        assert estimate["noticeable"] is True
        # The section danced so far still carries the camera's delay in its timing.
        before = client.post(f"/api/sessions/{session_id}/complete-section").json()
        assert before["analytics"]["lag_ms"] == pytest.approx(late * 1000, abs=ON_TIME_MS)
        assert before["analytics"]["camera_delay_s"] == estimate["delay_s"]
        assert before["analytics"]["camera_delay_applied"] is False

        # The learner accepts: the same dance, again from the start, now reads as on time.
        ws.send_text(f'{{"type": "camera_delay", "delay_s": {estimate["delay_s"]}}}')
        while (state := receive(ws))["type"] != "state":
            pass
        assert state["camera_delay_s"] == estimate["delay_s"]
        # Applying it starts a new pass: no section mixes shifted and unshifted times.
        assert state["pass_index"] == 1
        ws.send_text('{"type": "seek", "timestamp": 1}')
        while receive(ws)["type"] != "state":
            pass
        replies = _dance(ws, _times(1.0, 12.0), delay_s=late)
        scored = [r for r in replies if r["type"] == "frame_result"]
        # Frames are scored at the moment they show (the first only once it is after 0 s).
        assert scored[0]["timestamp"] == pytest.approx(1.0 - estimate["delay_s"], abs=1e-6)
        after = client.post(f"/api/sessions/{session_id}/complete-section").json()
    assert abs(after["analytics"]["lag_ms"]) < ON_TIME_MS / 2, after["analytics"]["lag_ms"]
    assert after["analytics"]["camera_delay_s"] == estimate["delay_s"]
    assert after["analytics"]["camera_delay_applied"] is True
    # The session's report covers both sections: the first danced without it.
    final = client.post(f"/api/sessions/{session_id}/finalize").json()
    assert final["analytics"]["camera_delay_s"] == estimate["delay_s"]
    assert final["analytics"]["camera_delay_applied"] is False


def test_a_delay_beyond_the_lag_search_is_refused(client: TestClient, session_id: str) -> None:
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        ws.send_text('{"type": "camera_delay", "delay_s": 2.0}')
        error = receive(ws)
        assert error["type"] == "error" and error["code"] == "invalid_message"
        assert "delay_s" in error["message"]
