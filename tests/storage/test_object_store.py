"""The object store on an S3-compatible server (moto) and in the data folder: the same
behaviour through one interface, and the whole app on S3 (upload, preprocessing, playback
with Range requests, practice, clips, deletion)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from fastapi.testclient import TestClient

from dancecoach.config import Settings
from dancecoach.storage.files import DataLayout
from dancecoach.storage.objects import (
    LocalObjectStore,
    ObjectStore,
    ObjectStoreError,
    S3Location,
    S3ObjectStore,
    object_store,
)
from tests.s3server import ACCESS_KEY, SECRET_KEY, S3Server, running_s3_server


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


def _bucket_keys(server: S3Server, storage_url: str) -> list[str]:
    bucket, prefix = storage_url.removeprefix("s3://").split("/", 1)
    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
    return sorted(
        str(item["Key"]).removeprefix(prefix + "/")
        for page in pages
        for item in page.get("Contents", [])
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    layout = DataLayout(tmp_path / "data")
    layout.ensure()
    if request.param == "local":
        return LocalObjectStore(layout)
    server: S3Server = request.getfixturevalue("s3")
    settings = Settings(data_dir=tmp_path / "data", **server.settings())  # type: ignore[arg-type]
    made = object_store(settings, layout)
    assert isinstance(made, S3ObjectStore)
    return made


def test_objects_are_written_read_by_range_measured_and_deleted_by_folder(
    store: ObjectStore,
) -> None:
    key = "sessions/" + "a" * 32 + "/frames/00000000.jpegs"
    data = bytes(range(256)) * 40
    store.write(key, data)
    assert store.size(key) == len(data)
    assert store.read(key) == data
    assert store.read(key, 1000, 300) == data[1000:1300]
    assert store.read(key, len(data) - 10, 300) is None  # those bytes are not there
    assert b"".join(store.stream(key, 5, 4100)) == data[5:4101]
    assert store.prefix_bytes("sessions/" + "a" * 32 + "/") == len(data)
    store.delete_prefix("sessions/" + "a" * 32 + "/frames/")
    assert store.size(key) is None
    assert store.read(key, 0, 10) is None
    assert store.prefix_bytes("sessions/" + "a" * 32 + "/") == 0


def test_a_published_file_is_fetched_by_another_machine(store: ObjectStore, tmp_path: Path) -> None:
    key = "references/" + "b" * 32 + "/poses.npz"
    path = store.local_path(key)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"poses")
    store.publish(key)
    if not store.is_remote:
        assert store.fetch(key) == path
        return
    # Another server or worker: the same bucket, an empty data folder of its own.
    other_layout = DataLayout(tmp_path / "elsewhere")
    assert isinstance(store, S3ObjectStore)
    other = S3ObjectStore(other_layout, store._client, _location(store))
    fetched = other.fetch(key)
    assert fetched.is_relative_to(other_layout.root)
    assert fetched.read_bytes() == b"poses"
    with pytest.raises(FileNotFoundError):
        other.fetch("references/" + "b" * 32 + "/missing.jpg")


def _location(store: S3ObjectStore) -> S3Location:
    return S3Location(store._bucket, store._prefix)


def test_keys_cannot_leave_the_store(store: ObjectStore) -> None:
    with pytest.raises(ValueError, match="outside"):
        store.write("../escape.txt", b"x")


def test_an_unreachable_store_is_a_clear_error(tmp_path: Path) -> None:
    from tests.s3server import free_port

    settings = Settings(
        data_dir=tmp_path / "data",
        storage_url="s3://nowhere/x",
        storage_endpoint_url=f"http://127.0.0.1:{free_port()}",
        # Keys, so that the client goes as far as the network (without, boto3 stops earlier).
        storage_access_key=ACCESS_KEY,
        storage_secret_key=SECRET_KEY,
    )
    with pytest.raises(ObjectStoreError, match="could not connect"):
        object_store(settings, DataLayout(settings.data_dir))


def test_the_app_on_s3_uploads_preprocesses_plays_by_range_practises_and_deletes(
    s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upload on one server (its data folder), preprocess on a worker with an empty data
    folder of its own, play and practise from the store."""
    from dancecoach.api.app import create_app
    from tests.api.fakes import GREY, WHITE, FakeTracker, reference_sequence, write_video
    from tests.api.test_sessions import _dance, _plan  # the frames the local API tests send

    # Pose extraction is not what this test is about: it returns the routine's known poses.
    monkeypatch.setattr(
        "dancecoach.library.pose_cache.load_or_extract",
        lambda video, settings, progress, follow_x=None: reference_sequence(),
    )
    store_settings = s3.settings()
    uploader = Settings(data_dir=tmp_path / "one", **store_settings)  # type: ignore[arg-type]
    player = Settings(data_dir=tmp_path / "two", **store_settings)  # type: ignore[arg-type]
    shared_db = f"sqlite:///{tmp_path / 'shared.db'}"
    uploader = uploader.model_copy(update={"database_url": shared_db})
    player = player.model_copy(update={"database_url": shared_db})
    video = write_video(tmp_path / "routine.avi")

    def tracker() -> FakeTracker:
        return FakeTracker(reference_sequence())

    with TestClient(create_app(uploader, tracker_factory=tracker, demo_reference=False)) as one:
        with video.open("rb") as stream:
            created = one.post("/api/references", files={"file": ("routine.avi", stream)})
        assert created.status_code == 202, created.text
        reference_id = created.json()["reference_video_id"]
        deadline = time.monotonic() + 60
        while one.get(f"/api/references/{reference_id}").json()["status"] == "processing":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert one.get(f"/api/references/{reference_id}").json()["status"] == "ready"

    stored = _bucket_keys(s3, store_settings["storage_url"])
    folder = f"references/{reference_id}/"
    assert f"{folder}video.avi" in stored
    assert f"{folder}poses.npz" in stored
    assert f"{folder}thumbnail.jpg" in stored
    assert f"{folder}playable.mp4" in stored
    # The second server has none of it in its own data folder until it reads it.
    assert not (tmp_path / "two" / "references" / reference_id).exists()

    with TestClient(create_app(player, tracker_factory=tracker, demo_reference=False)) as two:
        full = two.get(f"/api/references/{reference_id}/video")
        assert full.status_code == 200
        # The .avi test video is not browser-playable: the H.264 copy made by the worker.
        assert full.content[4:8] == b"ftyp"
        partial = two.get(
            f"/api/references/{reference_id}/video", headers={"Range": "bytes=100-199"}
        )
        assert partial.status_code == 206
        assert partial.content == full.content[100:200]
        assert partial.headers["content-range"] == f"bytes 100-199/{len(full.content)}"
        tail = two.get(f"/api/references/{reference_id}/video", headers={"Range": "bytes=-50"})
        assert tail.status_code == 206 and tail.content == full.content[-50:]
        beyond = two.get(
            f"/api/references/{reference_id}/video",
            headers={"Range": f"bytes={len(full.content)}-"},
        )
        assert beyond.status_code == 416
        thumbnail = two.get(f"/api/references/{reference_id}/thumbnail")
        assert thumbnail.status_code == 200 and thumbnail.content[:2] == b"\xff\xd8"

        session_id = two.post(
            "/api/sessions/create", json={"reference_video_id": reference_id}
        ).json()["session_id"]
        plan = _plan(0.5, 5.0, lambda t: WHITE if 2.0 <= t < 3.5 else GREY)
        _dance(two, session_id, plan)
        report = two.post(f"/api/sessions/{session_id}/finalize").json()
        assert report["analytics"]["total_frames"] == len(plan)
        frames = [k for k in _stored(s3, store_settings) if k.startswith(f"sessions/{session_id}/")]
        assert frames and all("/frames/" in k for k in frames)
        # The replay clip is cut from the frames in the store.
        clip = two.get(report["problem_segments"][0]["video_clip"])
        assert clip.status_code == 200
        assert clip.content[:4] == b"\x1a\x45\xdf\xa3"  # WebM (EBML)
        assert any("/clips/" in k for k in _stored(s3, store_settings))
        assert not (tmp_path / "two" / "sessions" / session_id / "frames").exists()

        assert two.delete(f"/api/references/{reference_id}").status_code == 204
    assert _stored(s3, store_settings) == []


def _stored(s3: S3Server, store_settings: dict[str, str]) -> list[str]:
    return _bucket_keys(s3, store_settings["storage_url"])


def test_the_default_store_is_the_data_folder(settings: Settings) -> None:
    store = object_store(settings, DataLayout(settings.data_dir))
    assert isinstance(store, LocalObjectStore)
    assert not store.is_remote
