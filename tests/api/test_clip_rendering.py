"""Replay clips, rendered by one function for the clip route and the clip job: a stored clip is
served again without rendering, clips whose frames are gone are a clear 410 (and skipped by the
job), a render that crashes leaves no half clip behind, and on S3 a worker's clips reach the
instance through the store."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import cv2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.practice import clips
from dancecoach.practice.assembly import build_services
from dancecoach.runtime import Runtime
from dancecoach.storage.database import Database
from dancecoach.storage.files import DataLayout
from dancecoach.storage.models import ScoredFrame
from dancecoach.storage.objects import object_store
from tests.api.fakes import GREY, WHITE, FakeTracker, reference_sequence, write_video
from tests.api.test_sessions import _dance, _plan
from tests.s3server import S3Server
from tests.storage.test_object_store import s3  # noqa: F401  (the fixture)

WEBM_MAGIC = b"\x1a\x45\xdf\xa3"  # EBML: a WebM/Matroska file


def dance_two_passes_with_mistakes(client: TestClient, session_id: str) -> dict[str, Any]:
    """Two passes, each with the left arm off for a stretch (a section each), then finalize;
    returns the session report."""
    _dance(client, session_id, _plan(0.5, 5.0, lambda t: WHITE if 2.0 <= t < 3.5 else GREY))
    first = client.post(f"/api/sessions/{session_id}/complete-section")
    assert first.status_code == 200, first.text
    second_pass = _plan(0.5, 5.0, lambda t: WHITE if 1.0 <= t < 2.5 else GREY)
    _dance(client, session_id, second_pass, seek_first=True)
    final = client.post(f"/api/sessions/{session_id}/finalize")
    assert final.status_code == 200, final.text
    report: dict[str, Any] = final.json()
    sections = {s["section_number"] for s in report["problem_segments"]}
    assert sections == {1, 2}, "each pass must have a problem segment with a clip"
    return report


def clip_urls(report: dict[str, Any], section_number: int | None = None) -> list[str]:
    return [
        s["video_clip"]
        for s in report["problem_segments"]
        if section_number is None or s["section_number"] == section_number
    ]


def forget_first_pass_images(runtime: Runtime, session_id: str) -> None:
    """Delete the learner images of the first section as retention does (the frame rows and
    their scores stay, without an image)."""
    [first, _] = runtime.session_store.section_results(session_id)
    with runtime.db.session() as session:
        session.execute(
            update(ScoredFrame)
            .where(ScoredFrame.session_id == session_id, ScoredFrame.seq <= first.last_seq)
            .values(image_file=None, image_offset=None, image_length=None)
        )


def assert_playable_webm(content: bytes, folder: Path) -> None:
    """What a learner's browser needs: a WebM file that decodes to several frames."""
    assert content[:4] == WEBM_MAGIC
    path = folder / "downloaded.webm"
    path.write_bytes(content)
    capture = cv2.VideoCapture(str(path))
    frames = 0
    while capture.read()[0]:
        frames += 1
    capture.release()
    assert frames >= 5


def _never_render(*_: object) -> Path:
    raise AssertionError("the clip was rendered again")


def test_a_rendered_clip_is_served_again_without_rendering(
    client: TestClient,
    runtime: Runtime,
    session_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = dance_two_passes_with_mistakes(client, session_id)
    first = {url: client.get(url) for url in clip_urls(report)}
    for response in first.values():
        assert response.status_code == 200
        assert response.headers["content-type"] == "video/webm"
        assert_playable_webm(response.content, tmp_path)

    monkeypatch.setattr(clips, "render_clip", _never_render)
    for url, response in first.items():
        again = client.get(url)
        assert again.status_code == 200
        assert again.content == response.content
    # The job finds nothing left to do either.
    assert runtime.sessions.clip_renderer.render_missing(session_id) == []


def test_the_job_renders_what_is_missing_and_skips_clips_whose_frames_are_gone(
    client: TestClient,
    runtime: Runtime,
    session_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = dance_two_passes_with_mistakes(client, session_id)
    forget_first_pass_images(runtime, session_id)
    gone = [s["clip_number"] for s in report["problem_segments"] if s["section_number"] == 1]
    kept = [s["clip_number"] for s in report["problem_segments"] if s["section_number"] == 2]
    assert gone and kept

    assert runtime.sessions.clip_renderer.render_missing(session_id) == kept
    assert runtime.sessions.clip_renderer.render_missing(session_id) == []  # idempotent

    monkeypatch.setattr(clips, "render_clip", _never_render)
    for url in clip_urls(report, section_number=2):
        response = client.get(url)
        assert response.status_code == 200
        assert_playable_webm(response.content, tmp_path)
    for url in clip_urls(report, section_number=1):
        response = client.get(url)
        assert response.status_code == 410
        assert response.json()["code"] == "clip_unavailable"
        assert "retention" in response.json()["detail"]


_REAL_WRITER = cv2.VideoWriter


class _WriterThatCrashes:
    """cv2.VideoWriter that writes two frames and then fails, like a process dying mid-clip."""

    fourcc = staticmethod(_REAL_WRITER.fourcc)
    opened: ClassVar[list[str]] = []

    def __init__(self, path: str, *args: Any) -> None:
        self._writer = _REAL_WRITER(path, *args)
        self._frames = 0
        _WriterThatCrashes.opened.append(path)

    def isOpened(self) -> bool:  # noqa: N802  (OpenCV's name)
        return bool(self._writer.isOpened())

    def write(self, image: Any) -> None:
        self._frames += 1
        if self._frames > 2:
            raise OSError("the disk went away")
        self._writer.write(image)

    def release(self) -> None:
        self._writer.release()


def test_a_render_that_crashes_leaves_no_half_clip(
    client: TestClient,
    runtime: Runtime,
    session_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = dance_two_passes_with_mistakes(client, session_id)
    url = clip_urls(report)[0]
    number = int(url.rsplit("/", 1)[1])
    destination = runtime.layout.clip_path(session_id, number)

    _WriterThatCrashes.opened = []
    with monkeypatch.context() as patch:
        patch.setattr(cv2, "VideoWriter", _WriterThatCrashes)
        with pytest.raises(OSError, match="disk"):
            runtime.sessions.clip(session_id, number)
    # It was written under another name in the clip's folder, and nothing of it is left.
    [written] = _WriterThatCrashes.opened
    assert Path(written).parent == destination.parent
    assert Path(written) != destination
    assert not destination.exists()
    assert list(destination.parent.iterdir()) == []
    assert runtime.session_store.get_clip(session_id, number).file is None  # type: ignore[union-attr]

    # The next request renders the whole clip.
    response = client.get(url)
    assert response.status_code == 200
    assert_playable_webm(response.content, tmp_path)


def test_on_s3_a_worker_s_clips_reach_the_instance_through_the_store(
    s3: S3Server,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker (a data folder of its own) renders into the store and keeps no copy; the
    instance serves the clips from the store without rendering them."""
    shared = {"database_url": f"sqlite:///{tmp_path / 'shared.db'}", **s3.settings()}
    instance = Settings(
        data_dir=tmp_path / "instance",
        openai_api_key=None,
        openai_base_url=None,
        **shared,  # type: ignore[arg-type]
    )
    worker = instance.model_copy(update={"data_dir": tmp_path / "worker"})
    app = create_app(
        instance, tracker_factory=lambda: FakeTracker(reference_sequence()), demo_reference=False
    )
    with TestClient(app) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        video = write_video(tmp_path / "routine.avi")
        reference = runtime.references.register_ready(video, reference_sequence(), name="Routine")
        created = client.post("/api/sessions/create", json={"reference_video_id": reference.id})
        session_id = created.json()["session_id"]
        report = dance_two_passes_with_mistakes(client, session_id)

        layout = DataLayout(worker.data_dir)
        layout.ensure()
        db = Database.from_settings(worker)
        with ThreadPoolExecutor(1) as unused:
            services = build_services(worker, db, object_store(worker, layout), unused)
            rendered = services.sessions.clip_renderer.render_missing(session_id)
        db.dispose()
        assert rendered == sorted(s["clip_number"] for s in report["problem_segments"])
        assert list(worker.data_dir.rglob("*.webm")) == []

        monkeypatch.setattr(clips, "render_clip", _never_render)
        for url in clip_urls(report):
            response = client.get(url)
            assert response.status_code == 200, response.text
            assert_playable_webm(response.content, tmp_path)
