"""Practice sessions over REST: create, complete sections, finalize, reports, clips, progress."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from dancecoach.runtime import Runtime
from tests.api.fakes import BLACK, GREY, WHITE, jpeg
from tests.api.wsclient import frame_binary, receive, receive_type


def _dance(
    client: TestClient, session_id: str, plan: list[tuple[float, int]], *, seek_first: bool = False
) -> list[dict[str, Any]]:
    """Send (dance time, frame colour) frames one by one; returns the frame results."""
    results = []
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        if seek_first:
            ws.send_text('{"type": "seek"}')
            receive_type(ws, "state")
        for timestamp, colour in plan:
            ws.send_bytes(frame_binary(jpeg(colour), timestamp))
            results.append(receive_type(ws, "frame_result"))
    return results


def _plan(start_s: float, end_s: float, colour_at: Any = lambda t: GREY) -> list[tuple[float, int]]:
    times = np.arange(start_s, end_s, 0.1)
    return [(round(float(t), 3), colour_at(float(t))) for t in times]


def test_create_session_checks_the_reference_and_the_section(
    client: TestClient, reference_id: str
) -> None:
    create = "/api/sessions/create"
    assert client.post(create, json={"reference_video_id": "f" * 32}).status_code == 404
    assert client.post(create, json={}).status_code == 422
    too_long = {"reference_video_id": reference_id, "section": {"start_s": 1, "end_s": 99}}
    assert client.post(create, json=too_long).status_code == 422
    backwards = {"reference_video_id": reference_id, "section": {"start_s": 3, "end_s": 1}}
    assert client.post(create, json=backwards).status_code == 422
    wrong_section = {"reference_video_id": reference_id, "section": "e" * 32}
    assert client.post(create, json=wrong_section).status_code == 404
    slow = {"reference_video_id": reference_id, "playback_rate": 0.5, "mirror": False}
    created = client.post(create, json=slow)
    assert created.status_code == 201
    state = client.get(f"/api/sessions/{created.json()['session_id']}").json()
    assert state["status"] == "active"
    assert state["playback_rate"] == 0.5
    assert state["mirror"] is False
    assert state["frames_scored"] == 0


def test_session_on_a_named_section(client: TestClient, reference_id: str) -> None:
    section = client.post(
        f"/api/references/{reference_id}/sections",
        json={"title": "Chorus", "start_s": 1.0, "end_s": 3.0},
    ).json()
    created = client.post(
        "/api/sessions/create", json={"reference_video_id": reference_id, "section": section["id"]}
    ).json()
    state = client.get(f"/api/sessions/{created['session_id']}").json()
    assert state["section"] == {"title": "Chorus", "start_s": 1.0, "end_s": 3.0}
    _dance(client, created["session_id"], _plan(1.0, 3.0))
    report = client.post(f"/api/sessions/{created['session_id']}/complete-section").json()
    assert report["title"] == "Chorus"


def test_complete_section_without_frames_is_a_conflict(client: TestClient, session_id: str) -> None:
    response = client.post(f"/api/sessions/{session_id}/complete-section")
    assert response.status_code == 409
    assert "frames" in response.json()["detail"]


def test_section_report_finds_the_bad_stretch_and_its_clip_is_webm(
    client: TestClient, session_id: str, tmp_path: Any
) -> None:
    # Correct dancing except 2.0-3.5 s, where the left arm is far off.
    plan = _plan(0.5, 5.0, lambda t: WHITE if 2.0 <= t < 3.5 else GREY)
    _dance(client, session_id, plan)
    response = client.post(f"/api/sessions/{session_id}/complete-section", json={})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["section_number"] == 1
    assert 0.0 < report["overall_accuracy"] < 1.0
    assert report["analytics"]["total_frames"] == len(plan)
    segments = report["problem_segments"]
    assert segments, "the wrong stretch must be a problem segment"
    worst = min(segments, key=lambda s: s["score"])
    assert worst["score"] <= report["overall_accuracy"] * 100 - 10
    assert worst["start_time"] >= 1.5 and worst["end_time"] <= 4.0
    assert "left_arm" in worst["body_parts"]
    assert worst["feedback"]
    assert worst["video_clip"] == f"/api/sessions/{session_id}/clips/{worst['clip_number']}"
    clip = client.get(worst["video_clip"])
    assert clip.status_code == 200
    assert clip.headers["content-type"] == "video/webm"
    assert clip.content[:4] == b"\x1a\x45\xdf\xa3"  # EBML: a WebM/Matroska file
    path = tmp_path / "clip.webm"
    path.write_bytes(clip.content)
    capture = cv2.VideoCapture(str(path))
    frames = 0
    while capture.read()[0]:
        frames += 1
    assert frames >= 5
    assert client.get(f"/api/sessions/{session_id}/clips/99").status_code == 404


def test_frames_without_a_person_are_not_penalised(client: TestClient, session_id: str) -> None:
    # Perfect dancing, but out of frame for a second in the middle.
    plan = _plan(0.5, 5.0, lambda t: BLACK if 2.0 <= t < 3.0 else GREY)
    results = _dance(client, session_id, plan)
    assert sum(r["warning"] == "no_person" for r in results) == 10
    report = client.post(f"/api/sessions/{session_id}/complete-section").json()
    assert report["overall_accuracy"] > 0.95
    assert report["analytics"]["frames_without_person"] == 10
    assert report["problem_segments"] == []


def test_sections_loops_and_finalize_combine_into_one_report(
    client: TestClient, session_id: str, reference_id: str
) -> None:
    _dance(client, session_id, _plan(1.0, 3.0, lambda t: WHITE))
    first = client.post(f"/api/sessions/{session_id}/complete-section").json()
    # Loop the same stretch again, danced correctly this time.
    _dance(client, session_id, _plan(1.0, 3.0), seek_first=True)
    second = client.post(f"/api/sessions/{session_id}/complete-section").json()
    assert second["section_number"] == 2
    assert second["overall_accuracy"] > first["overall_accuracy"]
    sections = client.get(f"/api/sessions/{session_id}/sections").json()
    assert [s["section_number"] for s in sections] == [1, 2]

    assert client.get(f"/api/sessions/{session_id}/report").status_code == 409
    final = client.post(f"/api/sessions/{session_id}/finalize")
    assert final.status_code == 200
    report = final.json()
    assert report["session_id"] == session_id
    low, high = sorted([first["overall_accuracy"], second["overall_accuracy"]])
    assert low <= report["overall_accuracy"] <= high
    assert report["analytics"]["total_frames"] == 40
    assert report["analytics"]["trend"]["direction"] == "improving"
    assert [s["section_number"] for s in report["sections"]] == [1, 2]
    # Finalize is idempotent, and the report stays available.
    assert client.post(f"/api/sessions/{session_id}/finalize").json() == report
    assert client.get(f"/api/sessions/{session_id}/report").json() == report
    assert client.post(f"/api/sessions/{session_id}/complete-section").status_code == 409

    progress = client.get(f"/api/references/{reference_id}/progress").json()
    assert [a["section_number"] for a in progress["attempts"]] == [1, 2]
    assert progress["best_accuracy"] == second["overall_accuracy"]
    assert progress["body_part_change"]["left_arm"] > 0


def test_finalize_without_frames_gives_an_empty_report(client: TestClient, session_id: str) -> None:
    report = client.post(f"/api/sessions/{session_id}/finalize").json()
    assert report["overall_accuracy"] is None
    assert report["total_frames"] == 0
    assert report["problem_segments"] == []


def test_unknown_session_ids_get_404(client: TestClient) -> None:
    for method, path in [
        ("get", "/api/sessions/nope"),
        ("post", "/api/sessions/" + "a" * 32 + "/complete-section"),
        ("post", "/api/sessions/" + "a" * 32 + "/finalize"),
        ("get", "/api/sessions/" + "a" * 32 + "/report"),
        ("get", "/api/sessions/" + "a" * 32 + "/clips/1"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("retention_hours", [0.0])
def test_frames_past_retention_are_deleted_but_scores_stay(
    client: TestClient, runtime: Runtime, session_id: str, retention_hours: float
) -> None:
    from dancecoach.practice.retention import purge_expired_frames

    _dance(client, session_id, _plan(0.5, 4.0, lambda t: WHITE if t > 2 else GREY))
    report = client.post(f"/api/sessions/{session_id}/finalize").json()
    frames_dir = runtime.layout.session_frames_dir(session_id)
    assert any(frames_dir.iterdir())
    settings = runtime.settings.model_copy(update={"frame_retention_hours": retention_hours})
    purged = purge_expired_frames(
        settings, runtime.session_store, runtime.frame_store, runtime.objects
    )
    assert purged == [session_id]
    assert not frames_dir.exists()
    assert client.get(f"/api/sessions/{session_id}/report").json() == report
    if report["problem_segments"]:
        clip = client.get(report["problem_segments"][0]["video_clip"])
        assert clip.status_code == 410
        assert "retention" in clip.json()["detail"]
