"""Folders of more objects than one S3 request lists or deletes (1000): a long practice
session stores thousands of learner frame batches, and deleting it must remove them all."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dancecoach.config import Settings
from dancecoach.storage.files import DataLayout
from dancecoach.storage.objects import S3ObjectStore, object_store
from tests.s3server import running_s3_server

# More than one page of list_objects_v2 (1000 keys), so a listing that stops at the first page
# leaves frames behind. (moto accepts more than the 1000 keys a delete_objects request may
# carry on AWS, so the batching itself is not observable here.)
_OBJECTS = 1234


def test_a_folder_of_more_than_a_thousand_objects_is_measured_and_deleted(tmp_path: Path) -> None:
    with running_s3_server() as server:
        settings = Settings(data_dir=tmp_path / "data", **server.settings())  # type: ignore[arg-type]
        store = object_store(settings, DataLayout(settings.data_dir))
        assert isinstance(store, S3ObjectStore)
        session = "sessions/" + "c" * 32 + "/"
        other = "sessions/" + "d" * 32 + "/frames/00000000.jpegs"
        with ThreadPoolExecutor(4) as pool:
            list(
                pool.map(
                    lambda n: store.write(f"{session}frames/{n:08d}.jpegs", b"x" * (n % 7 + 1)),
                    range(_OBJECTS),
                )
            )
        store.write(other, b"kept")
        assert store.prefix_bytes(session) == sum(n % 7 + 1 for n in range(_OBJECTS))

        store.delete_prefix(session)

        assert store.prefix_bytes(session) == 0
        assert store.size(f"{session}frames/{0:08d}.jpegs") is None
        assert store.size(f"{session}frames/{_OBJECTS - 1:08d}.jpegs") is None
        assert store.read(other) == b"kept"  # another session's folder is untouched
