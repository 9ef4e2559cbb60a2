"""Persistence of live results while dancing: scored frames in batches, learner JPEGs in files.

Rows are written every BATCH_FRAMES frames or FLUSH_INTERVAL_S, whichever comes first, and on
pause and disconnect, in an I/O thread so the event loop and inference never wait for disk.
A crash loses at most the last unflushed batch: a batch's JPEGs are written, back to back in
one file, before its rows. With one file a frame, creating 140 files a second cost up to ~30 %
of the server process's CPU at 14 sessions, while many frame files had recently been deleted
(ext4 then searches long for a free inode); a few % otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from dancecoach.orchestration.live_analysis import FrameAnalysis
from dancecoach.storage.files import DataLayout
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.models import utc_now

BATCH_FRAMES = 10
FLUSH_INTERVAL_S = 0.5

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pending:
    seq: int
    pass_index: int
    analysis: FrameAnalysis
    jpeg: bytes
    received_at: datetime


def _error_dict(error: Any) -> dict[str, Any]:
    return {
        "body_part": error.body_part,
        "feature": error.feature,
        "message": error.message,
        "severity": error.severity,
        "difference": error.difference,
    }


class FrameRecorder:
    """Buffers one session's scored frames and writes them in the background."""

    def __init__(
        self,
        session_id: str,
        frames: FrameStore,
        layout: DataLayout,
        io_executor: Executor,
        next_seq: int,
    ) -> None:
        self._session_id = session_id
        self._frames = frames
        self._layout = layout
        self._io = io_executor
        self._next_seq = next_seq
        self._pending: list[_Pending] = []
        self._last_flush = time.monotonic()
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.written = 0

    @property
    def next_seq(self) -> int:
        return self._next_seq

    def record(self, analysis: FrameAnalysis, jpeg: bytes, pass_index: int) -> int:
        """Queue a scored frame; returns its seq. Starts a background flush when due."""
        seq = self._next_seq
        self._next_seq += 1
        self._pending.append(_Pending(seq, pass_index, analysis, jpeg, utc_now()))
        due = time.monotonic() - self._last_flush >= FLUSH_INTERVAL_S
        if len(self._pending) >= BATCH_FRAMES or due:
            task = asyncio.create_task(self.flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return seq

    async def run_periodic_flush(self) -> None:
        """Flush what a paused or idle client left in the buffer."""
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            if self._pending and time.monotonic() - self._last_flush >= FLUSH_INTERVAL_S:
                await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            batch, self._pending = self._pending, []
            self._last_flush = time.monotonic()
            if not batch:
                return
            loop = asyncio.get_running_loop()
            try:
                await loop.run_in_executor(self._io, self._write, batch)
                self.written += len(batch)
            except Exception:
                # Keep the frames for the next attempt rather than losing them.
                log.exception(
                    "could not store %d frames of session %s", len(batch), self._session_id
                )
                self._pending = batch + self._pending

    async def close(self) -> None:
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        await self.flush()

    def _write(self, batch: list[_Pending]) -> None:
        frames_dir = self._layout.session_frames_dir(self._session_id)
        frames_dir.mkdir(parents=True, exist_ok=True)
        batch_path = self._layout.frame_batch_path(self._session_id, batch[0].seq)
        batch_path.write_bytes(b"".join(item.jpeg for item in batch))
        image_file = self._layout.relative(batch_path)
        rows = []
        offset = 0
        for item in batch:
            analysis = item.analysis
            landmarks = (
                None
                if analysis.landmarks is None
                else np.ascontiguousarray(analysis.landmarks, dtype="<f4").tobytes()
            )
            rows.append(
                {
                    "session_id": self._session_id,
                    "seq": item.seq,
                    "pass_index": item.pass_index,
                    "timestamp_s": analysis.timestamp_s,
                    "received_at": item.received_at,
                    "accuracy": analysis.accuracy,
                    "landmarks": landmarks,
                    "part_scores": analysis.part_scores,
                    "errors": [_error_dict(error) for error in analysis.errors[:5]],
                    "width": analysis.width,
                    "height": analysis.height,
                    "image_file": image_file,
                    "image_offset": offset,
                    "image_length": len(item.jpeg),
                }
            )
            offset += len(item.jpeg)
        self._frames.insert_many(rows)
