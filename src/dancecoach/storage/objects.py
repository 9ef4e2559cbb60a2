"""Object storage for videos, pose files, thumbnails, learner frames and clips.

One interface, two places: the local data folder (the default, as before), or any
S3-compatible store (`DANCECOACH_STORAGE_URL=s3://bucket/prefix`), so that several servers and
job workers share one library. Objects are named by keys, the relative paths the database
already keeps ("references/<id>/video.mp4", "sessions/<id>/frames/00000010.jpegs"), laid out as
in storage/files.py.

Video decoding (OpenCV, PyAV) needs files, so every key also has a local path in the data
folder: with the local store that path *is* the object; with S3 the data folder is this
machine's cache of the store: `fetch` downloads an object there once, and work written there
(poses, thumbnails, playable copies) becomes durable with `publish`. Objects are written once
under a key and not changed afterwards (a new reference or clip gets a new key), so a cached
copy never goes stale.

The S3 client is boto3's (any S3-compatible server: AWS, MinIO, Ceph, moto), with path-style
addressing ("endpoint/bucket/key"), which every such server answers, unlike bucket subdomains.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dancecoach.config import Settings
from dancecoach.storage.files import DataLayout

_STREAM_CHUNK_BYTES = 1 << 16
# DeleteObjects takes at most this many keys a request (the S3 API's limit).
_DELETE_BATCH = 1000
# Error codes of a missing object: HEAD answers a bare "404" (it has no body to name a code).
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})

# boto3 builds its clients at run time from the service's model and ships no type hints
# (boto3-stubs is not in the pinned environment): the client is Any, confined to this module.
S3Client = Any


def object_store(settings: Settings, layout: DataLayout) -> ObjectStore:
    """The store the settings name: the data folder, or S3 by DANCECOACH_STORAGE_URL."""
    if not settings.storage_url:
        return LocalObjectStore(layout)
    return S3ObjectStore.connect(
        layout,
        settings.storage_url,
        endpoint_url=settings.storage_endpoint_url,
        access_key=settings.storage_access_key,
        secret_key=settings.storage_secret_key,
        region=settings.storage_region,
    )


class ObjectStoreError(OSError):
    """The object store cannot be reached or refused the operation."""


class ObjectStore(ABC):
    """Objects by key, each with a local path in the data folder (see the module docstring)."""

    def __init__(self, layout: DataLayout) -> None:
        self.layout = layout

    def local_path(self, key: str) -> Path:
        """Where the object's local copy lives (checked to stay inside the data folder)."""
        return self.layout.absolute(key)

    def key(self, path: Path) -> str:
        """The key of a local path inside the data folder."""
        return self.layout.relative(path)

    @property
    @abstractmethod
    def is_remote(self) -> bool:
        """True when objects live elsewhere than the data folder."""

    @abstractmethod
    def fetch(self, key: str) -> Path:
        """A local file with the object's bytes; FileNotFoundError when there is no object."""

    @abstractmethod
    def publish(self, key: str) -> None:
        """Make the file written at local_path(key) the object under key."""

    @abstractmethod
    def write(self, key: str, data: bytes) -> None:
        """Store bytes under key (learner frames: no local copy is kept with S3)."""

    @abstractmethod
    def read(self, key: str, offset: int | None = None, length: int | None = None) -> bytes | None:
        """length bytes at offset (all of it when offset is None); None when they are gone."""

    @abstractmethod
    def size(self, key: str) -> int | None:
        """The object's size in bytes; None when there is no object."""

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    @abstractmethod
    def stream(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes start..end (inclusive) of an object, in chunks (HTTP Range replies)."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> None:
        """Delete every object whose key starts with prefix (a folder: ends with "/")."""

    @abstractmethod
    def prefix_bytes(self, prefix: str) -> int:
        """Bytes of the objects under a prefix (0 when there are none)."""


class LocalObjectStore(ObjectStore):
    """The data folder itself: each key's local path is the object."""

    @property
    def is_remote(self) -> bool:
        return False

    def fetch(self, key: str) -> Path:
        path = self.local_path(key)
        if not path.is_file():
            raise FileNotFoundError(f"no stored file {key}")
        return path

    def publish(self, key: str) -> None:
        if not self.local_path(key).is_file():
            raise FileNotFoundError(f"nothing written at {key}")

    def write(self, key: str, data: bytes) -> None:
        path = self.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def read(self, key: str, offset: int | None = None, length: int | None = None) -> bytes | None:
        return self.layout.read_part(key, offset, length)

    def size(self, key: str) -> int | None:
        try:
            return self.local_path(key).stat().st_size
        except (OSError, ValueError):
            return None

    def stream(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with self.local_path(key).open("rb") as file:
            file.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = file.read(min(_STREAM_CHUNK_BYTES, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk

    def delete_prefix(self, prefix: str) -> None:
        self.layout.remove_tree(self.layout.absolute(prefix.rstrip("/")))

    def prefix_bytes(self, prefix: str) -> int:
        total = 0
        for path in self.layout.absolute(prefix.rstrip("/")).rglob("*"):
            with contextlib.suppress(OSError):
                if path.is_file():
                    total += path.stat().st_size
        return total


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        """s3://bucket/some/prefix -> bucket, "some/prefix/" ("" without one)."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"storage URL must look like s3://bucket/prefix, got {url!r}")
        prefix = parts.path.strip("/")
        return cls(parts.netloc, f"{prefix}/" if prefix else "")


class S3ObjectStore(ObjectStore):
    """An S3-compatible bucket; the data folder caches what this machine reads or writes."""

    def __init__(self, layout: DataLayout, client: S3Client, location: S3Location) -> None:
        super().__init__(layout)
        self._client = client
        self._bucket = location.bucket
        self._prefix = location.prefix

    @classmethod
    def connect(
        cls,
        layout: DataLayout,
        url: str,
        *,
        endpoint_url: str,
        access_key: str | None,
        secret_key: str | None,
        region: str,
    ) -> S3ObjectStore:
        """Connect to the store; the bucket is created when it does not exist yet.

        Without keys, boto3 looks for credentials where AWS tools do (AWS_ACCESS_KEY_ID,
        ~/.aws, an instance role)."""
        import boto3
        from botocore.config import Config

        location = S3Location.parse(url)
        endpoint = urlsplit(endpoint_url)
        if endpoint.scheme not in ("http", "https") or not endpoint.netloc:
            raise ValueError(
                f"storage endpoint must look like http://host:port, got {endpoint_url!r}"
            )
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                # A store that drops a connection now and then should not fail an upload;
                # one that is down should fail in seconds, not minutes.
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
                # Live sessions' frame writes, playback streams and jobs share the client
                # (boto3 clients are thread-safe); botocore's default pool keeps only 10.
                max_pool_connections=32,
            ),
        )
        store = cls(layout, client, location)
        with _unavailable("connect to"):
            store._ensure_bucket(region)
        return store

    def _ensure_bucket(self, region: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._client.head_bucket(Bucket=self._bucket)
            return
        except ClientError as error:
            if _error_code(error) not in ("404", "NoSuchBucket", "NotFound"):
                raise
        # us-east-1 is S3's default location and must not be named (the API refuses it).
        where = {} if region == "us-east-1" else {"LocationConstraint": region}
        try:
            if where:
                self._client.create_bucket(Bucket=self._bucket, CreateBucketConfiguration=where)
            else:
                self._client.create_bucket(Bucket=self._bucket)
        except ClientError as error:  # another instance made it meanwhile
            if _error_code(error) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    @property
    def is_remote(self) -> bool:
        return True

    def _name(self, key: str) -> str:
        self.layout.absolute(key)  # the same check as a local path: no escaping the layout
        return self._prefix + key

    def _names(self, prefix: str) -> Iterator[dict[str, Any]]:
        """The listing entries (Key, Size, ...) of the objects under a key prefix (a folder)."""
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=self._name(prefix.rstrip("/")) + "/"
        )
        for page in pages:
            yield from page.get("Contents", [])

    def fetch(self, key: str) -> Path:
        path = self.local_path(key)
        if path.is_file():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        os.close(handle)
        try:
            with _unavailable("download from", not_found=key):
                self._client.download_file(self._bucket, self._name(key), temporary)
            Path(temporary).replace(path)
        finally:
            Path(temporary).unlink(missing_ok=True)
        return path

    def publish(self, key: str) -> None:
        path, name = self.local_path(key), self._name(key)
        if not path.is_file():
            raise FileNotFoundError(f"nothing written at {key}")
        with _unavailable("upload to"):
            self._client.upload_file(str(path), self._bucket, name)

    def write(self, key: str, data: bytes) -> None:
        name = self._name(key)
        with _unavailable("upload to"):
            self._client.put_object(Bucket=self._bucket, Key=name, Body=data)

    def read(self, key: str, offset: int | None = None, length: int | None = None) -> bytes | None:
        name = self._name(key)
        if offset is None or length is None:
            return self._get(name, key, {})
        if offset < 0 or length <= 0:
            return None
        data = self._get(name, key, {"Range": f"bytes={offset}-{offset + length - 1}"})
        return data if data is not None and len(data) == length else None

    def _get(self, name: str, key: str, options: dict[str, str]) -> bytes | None:
        """An object's bytes (a Range of them with options); None when gone or unreadable,
        which callers of read treat alike (missing bytes)."""
        try:
            with _unavailable("read from", not_found=key):
                body = self._client.get_object(Bucket=self._bucket, Key=name, **options)["Body"]
                try:
                    return bytes(body.read())
                finally:
                    body.close()
        except OSError:
            return None

    def size(self, key: str) -> int | None:
        name = self._name(key)
        try:
            with _unavailable("read from", not_found=key):
                head = self._client.head_object(Bucket=self._bucket, Key=name)
        except FileNotFoundError:
            return None
        return int(head.get("ContentLength") or 0)

    def stream(self, key: str, start: int, end: int) -> Iterator[bytes]:
        name = self._name(key)
        with _unavailable("read from", not_found=key):
            response = self._client.get_object(
                Bucket=self._bucket, Key=name, Range=f"bytes={start}-{end}"
            )
        body = response["Body"]
        try:
            with _unavailable("read from"):
                for chunk in body.iter_chunks(_STREAM_CHUNK_BYTES):
                    yield bytes(chunk)
        finally:
            body.close()

    def delete_prefix(self, prefix: str) -> None:
        with _unavailable("delete from"):
            names = [str(item["Key"]) for item in self._names(prefix)]
            for first in range(0, len(names), _DELETE_BATCH):
                batch = names[first : first + _DELETE_BATCH]
                answer = self._client.delete_objects(
                    Bucket=self._bucket,
                    Delete={"Objects": [{"Key": name} for name in batch], "Quiet": True},
                )
                for failure in answer.get("Errors", []):
                    raise ObjectStoreError(
                        f"could not delete {failure.get('Key')}: {failure.get('Message')}"
                    )
        self.layout.remove_tree(self.layout.absolute(prefix.rstrip("/")))

    def prefix_bytes(self, prefix: str) -> int:
        with _unavailable("list"):
            return sum(int(item.get("Size") or 0) for item in self._names(prefix))


def _error_code(error: Any) -> str:
    """The S3 error code of a botocore ClientError ("NoSuchKey", "404", "AccessDenied", ...)."""
    return str(error.response.get("Error", {}).get("Code", ""))


@contextlib.contextmanager
def _unavailable(action: str, not_found: str | None = None) -> Iterator[None]:
    """Store errors as OSError (what callers of a local file already handle): a missing object
    as FileNotFoundError when not_found names it, anything else as ObjectStoreError."""
    from botocore.exceptions import ClientError, NoCredentialsError

    try:
        yield
    except NoCredentialsError as error:
        raise ObjectStoreError(
            f"could not {action} the object store: no credentials (set "
            "DANCECOACH_STORAGE_ACCESS_KEY and DANCECOACH_STORAGE_SECRET_KEY)"
        ) from error
    except ClientError as error:
        if not_found is not None and _error_code(error) in _NOT_FOUND_CODES:
            raise FileNotFoundError(f"no stored object {not_found}") from error
        raise ObjectStoreError(f"could not {action} the object store: {error}") from error
    except ObjectStoreError:
        raise
    except Exception as error:  # unreachable endpoint, missing credentials, upload failures
        raise ObjectStoreError(f"could not {action} the object store: {error}") from error
