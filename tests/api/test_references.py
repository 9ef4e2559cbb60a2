"""Reference library over REST: uploads (good and bad), status, video ranges, sections, delete."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dancecoach.config import Settings
from dancecoach.runtime import Runtime
from tests.api.fakes import write_video
from tests.api.polling import wait_until_settled


def test_upload_of_a_video_without_a_dancer_is_accepted_then_fails_with_a_reason(
    client: TestClient, tmp_path: Path
) -> None:
    video = write_video(tmp_path / "empty_room.avi", seconds=1.0)
    with video.open("rb") as stream:
        response = client.post(
            "/api/references",
            files={"file": ("empty room.avi", stream, "video/x-msvideo")},
            data={"name": "Empty room"},
        )
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["status"] == "processing"
    settled = wait_until_settled(client, created["reference_video_id"])
    assert settled["status"] == "failed"
    assert "person" in settled["failure_reason"].lower()
    assert settled["name"] == "Empty room"
    # A failed reference cannot be practised.
    session = client.post(
        "/api/sessions/create", json={"reference_video_id": created["reference_video_id"]}
    )
    assert session.status_code == 409


def test_non_video_upload_is_refused_and_nothing_is_kept(
    client: TestClient, runtime: Runtime
) -> None:
    response = client.post(
        "/api/references", files={"file": ("dance.mp4", b"<html>not a video</html>", "video/mp4")}
    )
    assert response.status_code == 415
    assert response.json()["code"] == "invalid_video"
    assert "video" in response.json()["detail"].lower()
    assert client.get("/api/references").json() == []
    assert list(runtime.layout.uploads_dir.iterdir()) == []


def test_upload_over_the_size_limit_is_refused(settings: Settings, tmp_path: Path) -> None:
    from dancecoach.api.app import create_app

    small = settings.model_copy(update={"max_upload_mb": 0.01})
    with TestClient(create_app(small, demo_reference=False)) as client:
        response = client.post(
            "/api/references", files={"file": ("big.mp4", b"\0" * 20_000, "video/mp4")}
        )
        assert response.status_code == 413
        assert "limit" in response.json()["detail"]
        assert list((small.data_dir / "uploads").iterdir()) == []
        # Declared size over the limit: refused before the body is read.
        response = client.post(
            "/api/references",
            content=b"x" * 200_000,
            headers={"content-type": "multipart/form-data; boundary=abc"},
        )
        assert response.status_code == 413


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"data": {"name": "no file"}}, "multipart"),
        ({"content": b"raw", "headers": {"content-type": "video/mp4"}}, "multipart"),
        ({"files": {"video": ("a.mp4", b"abc", "video/mp4")}}, "'file'"),
        ({"files": {"file": ("a.mp4", b"", "video/mp4")}}, "empty"),
        (
            {
                "content": b'--abc\r\nContent-Disposition: form-data; name="file"\r\n\r\nxx',
                "headers": {"content-type": "multipart/form-data; boundary=abc"},
            },
            "",
        ),
    ],
)
def test_malformed_upload_requests_get_400(
    client: TestClient, kwargs: dict[str, Any], fragment: str
) -> None:
    response = client.post("/api/references", **kwargs)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["detail"]


def test_path_tricks_in_the_file_name_stay_inside_the_data_folder(
    client: TestClient, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keep preprocessing from running: only where the file lands matters here.
    monkeypatch.setattr(runtime.preprocess_pool, "submit", lambda *args: None)
    video = write_video(tmp_path / "clip.avi", seconds=0.5)
    for trick in ("../../../../etc/passwd.avi", "..\\..\\win.avi", "/abs/olute.avi", "\x00.avi"):
        with video.open("rb") as stream:
            response = client.post(
                "/api/references", files={"file": (trick, stream, "video/x-msvideo")}
            )
        assert response.status_code == 202, response.text
        reference_id = response.json()["reference_video_id"]
        stored = runtime.references.video_path(reference_id)
        assert stored.is_relative_to(runtime.layout.root)
        assert stored.parent == runtime.layout.reference_dir(reference_id)
        name = client.get(f"/api/references/{reference_id}").json()["name"]
        assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not (runtime.layout.root.parent / "etc").exists()


def test_reference_is_listed_with_video_that_supports_range_requests(
    client: TestClient, reference_id: str
) -> None:
    listed = client.get("/api/references").json()
    assert [r["reference_video_id"] for r in listed] == [reference_id]
    reference = listed[0]
    assert reference["status"] == "ready"
    assert reference["progress"] == 1.0
    assert reference["duration_s"] == pytest.approx(6.0, abs=0.2)
    full = client.get(reference["video_url"])
    assert full.status_code == 200
    partial = client.get(reference["video_url"], headers={"Range": "bytes=100-199"})
    assert partial.status_code == 206
    assert partial.content == full.content[100:200]
    assert partial.headers["content-range"] == f"bytes 100-199/{len(full.content)}"
    thumbnail = client.get(f"/api/references/{reference_id}/thumbnail")
    if reference["thumbnail_url"] is not None:
        assert thumbnail.status_code == 200
        assert thumbnail.content[:2] == b"\xff\xd8"


def test_unknown_reference_ids_get_404(client: TestClient) -> None:
    for path in ("/api/references/0000", "/api/references/" + "a" * 32 + "/video"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.delete("/api/references/" + "b" * 32).status_code == 404


def test_sections_are_named_listed_validated_and_deleted(
    client: TestClient, reference_id: str
) -> None:
    base = f"/api/references/{reference_id}/sections"
    chorus = client.post(base, json={"title": "Chorus", "start_s": 2.0, "end_s": 4.0})
    assert chorus.status_code == 201
    intro = client.post(base, json={"title": "Intro", "start_s": 0.0, "end_s": 2.0})
    assert [s["title"] for s in client.get(base).json()] == ["Intro", "Chorus"]
    assert (
        client.post(base, json={"title": "Late", "start_s": 5.0, "end_s": 60.0}).status_code == 422
    )
    assert (
        client.post(base, json={"title": "Back", "start_s": 3.0, "end_s": 1.0}).status_code == 422
    )
    assert client.post(base, json={"title": "", "start_s": 0, "end_s": 1}).status_code == 422
    assert client.delete(f"{base}/{intro.json()['id']}").status_code == 204
    assert client.delete(f"{base}/{intro.json()['id']}").status_code == 404
    sections = client.get(f"/api/references/{reference_id}").json()["sections"]
    assert [s["title"] for s in sections] == ["Chorus"]


def test_rename_and_delete_remove_the_reference_and_its_files(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    renamed = client.patch(f"/api/references/{reference_id}", json={"name": "  New name "})
    assert renamed.json()["name"] == "New name"
    folder = runtime.layout.reference_dir(reference_id)
    assert folder.is_dir()
    assert client.delete(f"/api/references/{reference_id}").status_code == 204
    assert not folder.exists()
    assert client.get(f"/api/references/{reference_id}").status_code == 404


def test_health_reports_the_database_and_counts(client: TestClient, reference_id: str) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok"
    assert health["database"] == "sqlite"
    assert health["references"] == 1


def _wait_for(predicate: Any, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_demo_reference_is_registered_once_with_its_sections(settings: Settings) -> None:
    from dancecoach.api.app import create_app

    def demos(client: TestClient) -> list[dict[str, Any]]:
        return [r for r in client.get("/api/references").json() if r["is_demo"]]

    with TestClient(create_app(settings)) as client:
        _wait_for(lambda: len(demos(client)) == 1)
        demo = demos(client)[0]
        assert demo["status"] == "ready"
        assert demo["sections"], "the demo's moves are named sections"
        assert client.get(demo["video_url"]).headers["content-type"] == "video/webm"
        created = client.post(
            "/api/sessions/create", json={"reference_video_id": demo["reference_video_id"]}
        )
        assert created.status_code == 201
    # A restart on the same data folder keeps the same single demo.
    with TestClient(create_app(settings)) as client:
        time.sleep(0.5)
        assert [d["reference_video_id"] for d in demos(client)] == [demo["reference_video_id"]]


def test_preprocessing_interrupted_by_a_restart_is_resumed(
    settings: Settings, tmp_path: Path
) -> None:
    from dancecoach.api.app import create_app
    from dancecoach.storage.database import Database
    from dancecoach.storage.files import DataLayout, new_id
    from dancecoach.storage.migrate import upgrade_to_head
    from dancecoach.storage.models import ReferenceVideo
    from dancecoach.storage.reference_store import ReferenceStore

    # The state a killed server leaves: a row in "processing" and its video on disk.
    layout = DataLayout(settings.data_dir)
    layout.ensure()
    db = Database.from_settings(settings)
    upgrade_to_head(db.engine)
    reference_id = new_id()
    folder = layout.reference_dir(reference_id)
    folder.mkdir(parents=True)
    video = write_video(folder / "video.avi", seconds=1.0)
    ReferenceStore(db).add(
        ReferenceVideo(
            id=reference_id,
            name="Interrupted",
            original_filename="video.avi",
            video_file=layout.relative(video),
            status="processing",
            progress=0.4,
        )
    )
    db.dispose()
    with TestClient(create_app(settings, demo_reference=False)) as client:
        settled = wait_until_settled(client, reference_id)
    # Extraction ran again to the end: this video has nobody in it.
    assert settled["status"] == "failed"
    assert "person" in settled["failure_reason"].lower()


def test_the_dancer_to_learn_from_can_be_chosen_in_a_group_video(
    client: TestClient, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.preprocess_pool, "submit", lambda *args: None)
    video = write_video(tmp_path / "group.avi", seconds=0.5)
    for bad in ("1.5", "left", "nan"):
        with video.open("rb") as stream:
            response = client.post(
                "/api/references", files={"file": ("g.avi", stream)}, data={"dancer_x": bad}
            )
        assert response.status_code == 400
        assert "dancer_x" in response.json()["detail"]
    with video.open("rb") as stream:
        response = client.post(
            "/api/references", files={"file": ("g.avi", stream)}, data={"dancer_x": "0.3"}
        )
    reference = client.get(f"/api/references/{response.json()['reference_video_id']}").json()
    assert reference["dancer_x"] == 0.3
    assert list(runtime.layout.uploads_dir.iterdir()) == []
