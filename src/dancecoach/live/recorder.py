"""Persistence of live results while dancing: scored frames in batches, learner JPEGs in files.

Rows are written every FLUSH_INTERVAL_S, and on pause and disconnect, in an I/O thread so the
event loop and inference never wait for disk. The server's streams share one FrameWriter: one
transaction every FLUSH_INTERVAL_S holds every session's new frames. Written by each session
(a transaction per 10 frames), 140 browser-pose sessions made 140 writes a second whose I/O
threads kept taking the GIL from the event loop, which waited up to the switch interval each
time: the server then answered ~940 frames a second, and ~1400 with no writes at all (bench
.load). A recorder on its own (no writer) writes every BATCH_FRAMES frames or FLUSH_INTERVAL_S.
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

import numpy as np
import orjson

from dancecoach.errors import StorageUnavailableError
from dancecoach.live.analysis import FrameAnalysis
from dancecoach.scoring.results import JointError
from dancecoach.storage.database import SerializedJSON
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.models import utc_now
from dancecoach.storage.objects import ObjectStore

BATCH_FRAMES = 10
FLUSH_INTERVAL_S = 0.5
# Frames (with their JPEGs, ~20-60 kB each) held while the disk refuses writes: 10 s at 10 FPS.
# Past it the stream pauses rather than keep every JPEG in memory until the disk recovers.
MAX_BACKLOG_FRAMES = 100
# How often the shared writer stores every session's new frames: often enough that each
# transaction stays small (at 140 sessions, 700 rows every 0.5 s held the event loop up for
# 100-150 ms each time; 140 rows every 0.1 s, ~20 ms).
WRITE_INTERVAL_S = 0.1
# A frame's errors stored with it, most severe first (its problem moments are read from them).
STORED_ERRORS = 5

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pending:
    seq: int
    pass_index: int
    analysis: FrameAnalysis
    jpeg: bytes | None  # None: the browser found the pose and kept the frame
    received_at: datetime


def _error_dict(error: JointError) -> dict[str, str | float]:
    """The stored form of a frame's error (the `errors` JSON column of a scored frame)."""
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
        objects: ObjectStore,
        io_executor: Executor,
        next_seq: int,
        writer: FrameWriter | None = None,
    ) -> None:
        """writer: the server's shared writer (else this recorder writes its own batches)."""
        self._writer = writer
        self._session_id = session_id
        self._frames = frames
        self._objects = objects
        self._io = io_executor
        self._next_seq = next_seq
        # Every frame up to this seq is stored (rows and JPEGs).
        self.stored_through = next_seq - 1
        self._pending: list[_Pending] = []
        self._last_flush = time.monotonic()
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    def record(self, analysis: FrameAnalysis, jpeg: bytes | None, pass_index: int) -> int:
        """Queue a scored frame; returns its seq. Starts a background flush when due.

        Raises StorageUnavailableError (and keeps nothing) when MAX_BACKLOG_FRAMES frames
        already wait for a disk that keeps failing.
        """
        if len(self._pending) >= MAX_BACKLOG_FRAMES:
            raise StorageUnavailableError(
                "The server cannot store your frames right now (its disk is full or failing), "
                "so the stream is paused; resume in a while, or tell whoever runs the server."
            )
        seq = self._next_seq
        self._next_seq += 1
        self._pending.append(_Pending(seq, pass_index, analysis, jpeg, utc_now()))
        due = time.monotonic() - self._last_flush >= FLUSH_INTERVAL_S
        if self._writer is None and (len(self._pending) >= BATCH_FRAMES or due):
            task = asyncio.create_task(self.flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return seq

    async def run_periodic_flush(self) -> None:
        """Flush what a paused or idle client left in the buffer (with a writer: be written
        with the other sessions' frames until cancelled)."""
        if self._writer is not None:
            self._writer.add(self)
            try:
                await asyncio.Event().wait()
            finally:
                self._writer.remove(self)
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
                self.stored_through = max(self.stored_through, batch[-1].seq)
            except Exception:
                # Keep the frames for the next attempt rather than losing them.
                log.exception(
                    "could not store %d frames of session %s", len(batch), self._session_id
                )
                self._pending = batch + self._pending

    async def stored(self, seq: int) -> bool:
        """Store frame seq now if it is not yet (with whatever else waits: replies waiting
        at once share one write); False when the store refused it (it stays buffered)."""
        if seq > self.stored_through:
            await self.flush()
        return seq <= self.stored_through

    async def close(self) -> None:
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        await self.flush()

    def _write(self, batch: list[_Pending]) -> None:
        self._frames.insert_many(self._rows(batch))

    def _rows(self, batch: list[_Pending]) -> list[dict[str, object]]:
        """The batch's rows, once its JPEGs are written."""
        # Browser-pose frames carry no image: a batch of them writes no image file.
        images = [item.jpeg for item in batch if item.jpeg is not None]
        image_file: str | None = None
        if images:
            layout = self._objects.layout
            image_file = layout.relative(layout.frame_batch_path(self._session_id, batch[0].seq))
            self._objects.write(image_file, b"".join(images))
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
                    "part_scores": SerializedJSON(orjson.dumps(analysis.part_scores).decode()),
                    "errors": SerializedJSON(
                        orjson.dumps(
                            [_error_dict(error) for error in analysis.errors[:STORED_ERRORS]]
                        ).decode()
                    ),
                    "width": analysis.width,
                    "height": analysis.height,
                    "image_file": None if item.jpeg is None else image_file,
                    "image_offset": None if item.jpeg is None else offset,
                    "image_length": None if item.jpeg is None else len(item.jpeg),
                }
            )
            offset += 0 if item.jpeg is None else len(item.jpeg)
        return rows

    async def _take_for_writer(self) -> list[_Pending] | None:
        """Hand the buffered frames to the shared writer, holding this recorder's lock until
        _written (None, and no lock, when a flush of its own is under way or nothing waits)."""
        if self._lock.locked() or not self._pending:
            return None
        await self._lock.acquire()  # free: taken at once, with no other task in between
        batch, self._pending = self._pending, []
        self._last_flush = time.monotonic()
        return batch

    def _written(self, batch: list[_Pending], stored: bool) -> None:
        if stored:
            self.stored_through = max(self.stored_through, batch[-1].seq)
        else:  # kept for the next attempt rather than lost
            self._pending = batch + self._pending
        self._lock.release()


class FrameWriter:
    """Writes every registered recorder's buffered frames in one transaction, every
    FLUSH_INTERVAL_S, while any recorder is registered."""

    def __init__(self, frames: FrameStore, io_executor: Executor) -> None:
        self._frames = frames
        self._io = io_executor
        self._recorders: dict[int, FrameRecorder] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, recorder: FrameRecorder) -> None:
        self._recorders[id(recorder)] = recorder
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="live-frame-writer")

    def remove(self, recorder: FrameRecorder) -> None:
        self._recorders.pop(id(recorder), None)

    async def _run(self) -> None:
        try:
            while self._recorders:
                await asyncio.sleep(WRITE_INTERVAL_S)
                await self.write()
        finally:
            self._task = None

    async def write(self) -> None:
        """Store what every recorder has buffered now, together."""
        taken: list[tuple[FrameRecorder, list[_Pending]]] = []
        for recorder in list(self._recorders.values()):
            batch = await recorder._take_for_writer()
            if batch is not None:
                taken.append((recorder, batch))
        if not taken:
            return
        stored = False
        try:
            await asyncio.get_running_loop().run_in_executor(self._io, self._write, taken)
            stored = True
        except Exception:
            frames = sum(len(batch) for _, batch in taken)
            log.exception("could not store %d frames of %d sessions", frames, len(taken))
        finally:
            for recorder, batch in taken:
                recorder._written(batch, stored)

    def _write(self, taken: list[tuple[FrameRecorder, list[_Pending]]]) -> None:
        self._frames.insert_many(
            [row for recorder, batch in taken for row in recorder._rows(batch)]
        )
