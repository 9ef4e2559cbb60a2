"""Deleting something deletes everything derived from it: every file in the data folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from dancecoach.library.pose_cache import cache_path, content_hash
from dancecoach.runtime import Runtime
from tests.api.fakes import GREY, WHITE, jpeg
from tests.api.wsclient import frame_binary, receive, receive_type


def _files(data_dir: Path) -> set[str]:
    """Every file in the data folder except the database's own."""
    return {
        path.relative_to(data_dir).as_posix()
        for path in data_dir.rglob("*")
        if path.is_file() and not path.name.startswith("dancecoach.db")
    }


def _practise(client: TestClient, reference_id: str) -> str:
    """A finalized session with problem segments, its clips rendered; returns its id."""
    session_id: str = client.post(
        "/api/sessions/create", json={"reference_video_id": reference_id}
    ).json()["session_id"]
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        for t in np.arange(0.5, 4.0, 0.1):
            colour = WHITE if t > 2 else GREY  # the left arm up from 2 s: a problem segment
            ws.send_bytes(frame_binary(jpeg(colour), round(float(t), 3)))
            receive_type(ws, "frame_result")
    report = client.post(f"/api/sessions/{session_id}/finalize").json()
    assert report["problem_segments"], "the test needs a clip"
    for segment in report["problem_segments"]:
        assert client.get(segment["video_clip"]).status_code == 200
    return session_id


def _owned_by(files: set[str], *ids: str) -> set[str]:
    return {f for f in files if any(i in f for i in ids)}


def test_deleting_a_reference_deletes_every_file_derived_from_it(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    data_dir = runtime.layout.root
    session_id = _practise(client, reference_id)
    # Its poses in the offline cache (as `reference add` or a preprocessing run leaves them).
    video = runtime.references.video_path(reference_id)
    cached = cache_path(runtime.settings, content_hash(video))
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(b"poses")
    (video.parent / "playable.webm").write_bytes(b"a playable copy")
    before = _files(data_dir)
    assert _owned_by(before, reference_id, session_id)
    assert client.delete(f"/api/references/{reference_id}").status_code == 204
    after = _files(data_dir)
    assert _owned_by(after, reference_id, session_id) == set()
    assert not cached.exists()
    assert after == before - _owned_by(before, reference_id, session_id) - {
        cached.relative_to(data_dir).as_posix()
    }
    assert client.get(f"/api/sessions/{session_id}").status_code == 404


def test_deleting_a_session_deletes_its_frames_clips_and_reports(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    kept = _practise(client, reference_id)
    deleted = _practise(client, reference_id)
    before = _files(runtime.layout.root)
    assert _owned_by(before, deleted)
    assert client.delete(f"/api/sessions/{deleted}").status_code == 204
    after = _files(runtime.layout.root)
    assert after == before - _owned_by(before, deleted)
    assert _owned_by(after, kept) == _owned_by(before, kept)
    for path in (f"/api/sessions/{deleted}", f"/api/sessions/{deleted}/report"):
        assert client.get(path).status_code == 404
    attempts = client.get(f"/api/references/{reference_id}/progress").json()["attempts"]
    assert {a["session_id"] for a in attempts} == {kept}
    assert client.delete(f"/api/sessions/{deleted}").status_code == 404


def test_deleting_a_streaming_session_closes_its_socket_first(
    client: TestClient, runtime: Runtime, session_id: str
) -> None:
    with client.websocket_connect(f"/ws/{session_id}") as ws:
        receive(ws)
        ws.send_bytes(frame_binary(jpeg(GREY), 0.5))
        receive_type(ws, "frame_result")
        assert client.delete(f"/api/sessions/{session_id}").status_code == 204
    assert not runtime.layout.session_dir(session_id).exists()


def test_a_user_deletes_all_their_data(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    sessions = [_practise(client, reference_id) for _ in range(2)]
    compare_poses = cache_path(runtime.settings, "c" * 64)
    compare_poses.parent.mkdir(parents=True, exist_ok=True)
    compare_poses.write_bytes(b"poses of a recording given to compare")
    response = client.delete("/api/me/data")
    assert response.status_code == 200
    assert response.json() == {"sessions_deleted": 2, "pose_cache_entries_deleted": 1}
    files = _files(runtime.layout.root)
    assert _owned_by(files, *sessions) == set()
    assert not any(f.startswith(("sessions/", "pose_cache/")) for f in files)
    progress = client.get(f"/api/references/{reference_id}/progress").json()
    assert progress["attempts"] == []
    # The library stays.
    assert client.get(f"/api/references/{reference_id}").status_code == 200
