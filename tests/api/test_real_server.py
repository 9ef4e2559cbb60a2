"""End to end on real footage with a real server: upload, live practice, reports, clips, crash.

The pair is a same-choreography pair with a soundtrack and a known offset, chosen from the
manifest. The attempt is streamed as a webcam would send it (10 FPS, JPEG data URLs, paced in
real time) with timestamps in reference time (attempt time + the manifest's offset), up to
where the reference stops showing the dance.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from dancecoach.config import Settings
from dancecoach.offline.command import run_compare
from tests.api.realserver import (
    ServerProcess,
    black_like,
    stream_frames,
    video_frames_as_jpeg,
    wait_until_ready,
)
from tests.footage import SAME_CHOREOGRAPHY, LabelledPair, labelled_pair

pytestmark = [
    pytest.mark.footage,
    pytest.mark.slow,
    pytest.mark.timeout(400),
    pytest.mark.exclusive,  # a learner dances in real time against a server process
]


@pytest.fixture(scope="module")
def pair() -> LabelledPair:
    """Two dancers of one choreography with a shared song, facing the same way (the session and
    `compare` below run without mirroring): the first such pair in the manifest."""
    return labelled_pair(SAME_CHOREOGRAPHY, audio=True, known_offset=True, mirrored=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("real_server")
    process = ServerProcess(folder / "data", folder / "server.log", share_poses=True)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def teacher_id(http: httpx.Client, pair: LabelledPair) -> str:
    teacher = pair.reference.path
    with teacher.open("rb") as stream:
        response = http.post(
            "/api/references",
            files={"file": (teacher.name, stream, "video/mp4")},
            data={"name": "The reference dancer"},
        )
    assert response.status_code == 202, response.text
    reference_id: str = response.json()["reference_video_id"]
    ready = wait_until_ready(http, reference_id)
    assert ready["duration_s"] == pytest.approx(pair.reference.duration_s, abs=0.1)
    return reference_id


@pytest.fixture(scope="module")
def student_frames(pair: LabelledPair) -> list[tuple[float, bytes]]:
    """The attempt at 10 FPS in reference time, while the reference shows the dance."""
    assert pair.offset_s is not None
    offset_s = pair.offset_s
    frames = video_frames_as_jpeg(pair.attempt.path, fps=10.0)
    return [
        (round(t + offset_s, 3), jpeg)
        for t, jpeg in frames
        if 0.0 <= t + offset_s < pair.reference_end_s and t < pair.attempt_end_s
    ]


def _create(http: httpx.Client, reference_id: str) -> str:
    response = http.post("/api/sessions/create", json={"reference_video_id": reference_id})
    assert response.status_code == 201, response.text
    session_id: str = response.json()["session_id"]
    return session_id


def _assert_segments_inside(report: dict[str, Any], start_s: float, end_s: float) -> None:
    for segment in report["problem_segments"]:
        assert start_s - 0.5 <= segment["start_time"] < segment["end_time"] <= end_s + 0.5
        assert segment["title"]
        assert segment["feedback"]
        assert segment["body_parts"]


def test_live_practice_on_real_footage(
    server: ServerProcess,
    http: httpx.Client,
    teacher_id: str,
    student_frames: list[tuple[float, bytes]],
    pair: LabelledPair,
    tmp_path: Path,
) -> None:
    session_id = _create(http, teacher_id)
    # The learner steps out of the picture for a second, 5 s into the dance: black frames.
    stepped_out_s = student_frames[0][0] + 5.0
    hidden = {t for t, _ in student_frames if stepped_out_s <= t < stepped_out_s + 1.0}
    frames = [(t, black_like(jpeg) if t in hidden else jpeg) for t, jpeg in student_frames]
    results = stream_frames(server, session_id, frames)

    assert len(results) >= 0.9 * len(frames), "at 10 FPS almost no frame may be dropped"
    with_person = [r for r in results if r["pose_landmarks"] is not None]
    assert len(with_person) >= 0.8 * len(results)
    for result in results:
        assert len(result["pose_landmarks"] or [None] * 33) == 33
        if result["timestamp"] in hidden:
            assert result["warning"] == "no_person"
            assert result["accuracy"] is None
        if result["accuracy"] is not None:
            assert 0.0 <= result["accuracy"] <= 1.0
            assert result["reference_landmarks"] is not None
    live = [r["accuracy"] for r in results if r["accuracy"] is not None]

    section = http.post(f"/api/sessions/{session_id}/complete-section", json={})
    assert section.status_code == 200, section.text
    report = section.json()
    analytics = report["analytics"]
    assert analytics["total_frames"] == len(results)
    assert analytics["frames_without_person"] >= len(hidden) - 1
    # Frames without a person are left out, not scored as zero.
    assert analytics["average_accuracy"] == pytest.approx(float(np.mean(live)), abs=1e-3)
    assert analytics["frames_compared"] <= len(results) - len(hidden) + 1
    assert 0.3 < report["overall_accuracy"] <= 1.0
    # What the learner saw while dancing tells the same story as the section's score: the
    # live number, pooled over the last seconds, averages within 15 points of it.
    assert abs(float(np.mean(live)) - report["overall_accuracy"]) <= 0.15, (
        float(np.mean(live)),
        report["overall_accuracy"],
    )
    # Live and offline judge on one scale: the section danced in sync scores within 10 points
    # of `compare` on the same two recordings.
    offline = run_compare(
        pair.reference.path,
        pair.attempt.path,
        Settings(data_dir=tmp_path / "compare", openai_api_key=None, openai_base_url=None),
        mirror="off",
    )
    assert abs(report["overall_accuracy"] * 100 - offline["overall_score"]) <= 10, (
        report["overall_accuracy"],
        offline["overall_score"],
    )
    for part, score in analytics["per_body_part"].items():
        assert 0.0 <= score <= 100.0, part
    _assert_segments_inside(report, frames[0][0], frames[-1][0])
    for segment in report["problem_segments"]:
        # The stretch where nobody was in the picture is not a problem of the dancing.
        inside = [t for t in hidden if segment["start_time"] <= t <= segment["end_time"]]
        assert len(inside) < len(hidden) / 2
    assert report["feedback"], "a section report comes with coaching"

    final = http.post(f"/api/sessions/{session_id}/finalize")
    assert final.status_code == 200, final.text
    final_report = final.json()
    assert final_report["session_id"] == session_id
    assert final_report["overall_accuracy"] == pytest.approx(report["overall_accuracy"], abs=1e-6)
    assert final_report["analytics"]["total_frames"] == len(results)
    assert final_report["analytics"]["best_move"]
    assert final_report["analytics"]["hardest_move"]
    _assert_segments_inside(final_report, frames[0][0], frames[-1][0])
    assert http.get(f"/api/sessions/{session_id}/report").json() == final_report

    assert final_report["problem_segments"], "a different dancer always has a weakest moment"
    clip_url = final_report["problem_segments"][0]["video_clip"]
    clip = http.get(clip_url)
    assert clip.status_code == 200
    assert clip.headers["content-type"] == "video/webm"
    assert clip.content[:4] == b"\x1a\x45\xdf\xa3"
    path = tmp_path / "clip.webm"
    path.write_bytes(clip.content)
    capture = cv2.VideoCapture(str(path))
    ok, image = capture.read()
    capture.release()
    assert ok and image.shape[0] > 100

    progress = http.get(f"/api/references/{teacher_id}/progress").json()
    assert session_id in {a["session_id"] for a in progress["attempts"]}


def test_scored_frames_survive_a_server_crash_and_the_session_can_finish(
    server: ServerProcess,
    http: httpx.Client,
    teacher_id: str,
    student_frames: list[tuple[float, bytes]],
) -> None:
    session_id = _create(http, teacher_id)

    def crash() -> None:
        # Mid-session, socket open: a second later every frame's batch (0.5 s) was stored.
        time.sleep(1.0)
        server.kill()

    first_results = stream_frames(server, session_id, student_frames[:40], while_connected=crash)
    server.start()

    state = http.get(f"/api/sessions/{session_id}").json()
    assert state["status"] == "active"
    assert state["frames_scored"] == len(first_results)
    assert state["last_timestamp"] == pytest.approx(first_results[-1]["timestamp"])

    second_results = stream_frames(server, session_id, student_frames[40:70])
    final = http.post(f"/api/sessions/{session_id}/finalize")
    assert final.status_code == 200, final.text
    report = final.json()
    assert report["analytics"]["total_frames"] == len(first_results) + len(second_results)
    assert 0.0 < report["overall_accuracy"] <= 1.0
