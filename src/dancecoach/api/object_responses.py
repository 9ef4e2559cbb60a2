"""Stored objects as HTTP responses, with Range requests (video players seek with them).

From the data folder, Starlette's FileResponse serves the file (Range, ETag, Last-Modified).
From an S3 store, the requested bytes are streamed through this server, so the browser keeps
one origin (no store address in the page, no cross-origin video) and the store needs no
public access.
"""

from __future__ import annotations

import re

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse

from dancecoach.errors import NotFoundError
from dancecoach.storage.objects import ObjectStore

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


async def object_response(
    request: Request, objects: ObjectStore, key: str, media_type: str, missing: str
) -> Response:
    """The object under key, whole or the one byte range asked for; 404 (missing) without it."""
    if not objects.is_remote:
        path = objects.local_path(key)
        if not path.is_file():
            raise NotFoundError(missing)
        return FileResponse(path, media_type=media_type)
    size = await run_in_threadpool(objects.size, key)
    if size is None:
        raise NotFoundError(missing)
    headers = {"Accept-Ranges": "bytes"}
    byte_range = _parse_range(request.headers.get("range"), size)
    if byte_range is None:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, end, partial = byte_range
    headers["Content-Length"] = str(end - start + 1)
    if partial:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    if size == 0:
        return Response(b"", media_type=media_type, headers=headers)
    return StreamingResponse(
        objects.stream(key, start, end),
        status_code=206 if partial else 200,
        media_type=media_type,
        headers=headers,
    )


def _parse_range(header: str | None, size: int) -> tuple[int, int, bool] | None:
    """(start, end inclusive, partial) of a single-range header; the whole object when there
    is none or it is not a single byte range (as RFC 9110 allows); None when unsatisfiable."""
    whole = (0, max(size - 1, 0), False)
    match = _RANGE.match((header or "").strip())
    if match is None or match.group(1) == match.group(2) == "":
        return whole
    first, last = match.groups()
    if first == "":  # the last n bytes
        length = int(last)
        if length == 0:
            return None
        return max(size - length, 0), size - 1, True
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end, True
