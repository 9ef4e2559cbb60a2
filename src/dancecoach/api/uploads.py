"""Receiving a multipart upload by streaming it to disk, with the size limit enforced as it comes.

Starlette's own form parsing would spool the whole body before the route sees it; here the
limit stops an oversized upload at the first byte over it and nothing is kept.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from dancecoach.errors import DancecoachError, LimitExceededError
from dancecoach.storage.files import new_id

# Headers and boundaries of a multipart body: allowed on top of the file's own size.
_ENVELOPE_BYTES = 64 * 1024
_MAX_FIELD_BYTES = 4096


class InvalidUploadError(DancecoachError):
    """The request is not a multipart form with a file in the expected field."""


@dataclass
class StagedUpload:
    path: Path
    filename: str
    size_bytes: int
    fields: dict[str, str] = field(default_factory=dict)


class _FormSink:
    """python-multipart callbacks: the file part goes to disk, small fields to memory."""

    def __init__(self, path: Path, file_field: str, max_bytes: int) -> None:
        self.path = path
        self.file_field = file_field
        self.max_bytes = max_bytes
        self.fields: dict[str, str] = {}
        self.filename = ""
        self.files_seen = 0
        self.size_bytes = 0
        self.problem: DancecoachError | None = None
        self.complete = False
        self._file: BinaryIO | None = None
        self._header_field = b""
        self._header_value = b""
        self._part_name = ""
        self._part_filename: str | None = None
        self._part_value = bytearray()

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._part_name, self._part_filename = "", None
        self._part_value = bytearray()

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            _, options = parse_options_header(self._header_value)
            self._part_name = options.get(b"name", b"").decode("utf-8", "replace")
            filename = options.get(b"filename")
            self._part_filename = None if filename is None else filename.decode("utf-8", "replace")
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        if self._part_name == self.file_field:
            self.files_seen += 1
            if self.files_seen == 1:
                self.filename = self._part_filename or ""
                self._file = self.path.open("wb")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.problem is not None:
            return
        chunk = data[start:end]
        if self._part_name == self.file_field:
            if self._file is None or self.files_seen != 1:
                return
            self.size_bytes += len(chunk)
            if self.size_bytes > self.max_bytes:
                limit_mb = self.max_bytes / 1_000_000
                self.problem = LimitExceededError(
                    f"The upload is larger than the {limit_mb:g} MB limit."
                )
                return
            self._file.write(chunk)
        else:
            self._part_value.extend(chunk)
            if len(self._part_value) > _MAX_FIELD_BYTES:
                self.problem = InvalidUploadError(
                    f"The form field {self._part_name!r} is too long."
                )

    def _part_end(self) -> None:
        if self._part_name and self._part_name != self.file_field:
            self.fields[self._part_name] = self._part_value.decode("utf-8", "replace")

    def _end(self) -> None:
        self.complete = True

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


async def receive_upload(
    request: Request, *, dest_dir: Path, max_bytes: int, file_field: str = "file"
) -> StagedUpload:
    """Stream the body's file part to a new file in dest_dir; small text fields are returned.

    Raises LimitExceededError when the file is larger than max_bytes and InvalidUploadError
    for anything that is not a multipart form with exactly one file in file_field.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidUploadError("Send the video as multipart/form-data with a 'file' field.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + _ENVELOPE_BYTES:
        raise LimitExceededError(
            f"The upload is larger than the {max_bytes / 1_000_000:g} MB limit."
        )
    dest_dir.mkdir(parents=True, exist_ok=True)
    sink = _FormSink(dest_dir / f"upload-{new_id()}.part", file_field, max_bytes)
    parser = MultipartParser(boundary, sink.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if sink.problem is not None:
                raise sink.problem
        parser.finalize()
    except DancecoachError:
        sink.discard()
        raise
    except Exception as error:
        sink.discard()
        raise InvalidUploadError("The multipart body is malformed.") from error
    sink.close()
    if not sink.complete:
        sink.discard()
        raise InvalidUploadError("The multipart body ended early (the upload was cut off).")
    if sink.files_seen != 1:
        sink.discard()
        raise InvalidUploadError(f"Send exactly one file in the {file_field!r} form field.")
    if sink.size_bytes == 0:
        sink.discard()
        raise InvalidUploadError("The uploaded file is empty.")
    return StagedUpload(sink.path, sink.filename, sink.size_bytes, sink.fields)
