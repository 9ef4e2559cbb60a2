"""The body of one analysis process: live frame analyzers, driven over a pipe.

The server runs live analysis in a few processes rather than threads. MediaPipe releases the
GIL while its model runs, but decoding results, comparing poses and the server's own Python
all need it, and with several busy threads the GIL handoffs left a 2-core server at ~130% CPU.
A process has its own GIL. Messages (pickled tuples), each answered by one reply:

    ("open", key, reference, mirror)                       -> ("ok", None)
    ("analyze", key, frame, timestamp_s, received_s, reset, state)   frame: JPEG or BrowserPose
        -> ("ok", (FrameAnalysis, LiveState)) | ("error", e)
    ("close", key)                                         -> ("ok", None)
    ("stop",)                                              -> the process exits

The process first answers ("ready", None) once the pose models are loaded. A stream's frames
may go to any process: each carries the stream's LiveState from the previous frame (None for the
first) and the reply carries it on, so the stream's tracking continues wherever its next frame
is analysed.
"""

from __future__ import annotations

import logging
import os
from multiprocessing.connection import Connection
from typing import Any

from dancecoach.errors import DancecoachError
from dancecoach.estimation.live_tracking import thread_models
from dancecoach.estimation.models.files import LandmarkPrecision
from dancecoach.live.analysis import (
    FrameAnalyzer,
    FrameLimits,
    live_tracker_factory,
)
from dancecoach.live.workers.pipe import requests
from dancecoach.memory.gc_pauses import freeze_startup_objects
from dancecoach.memory.native import limit_arenas, release_freed_memory
from dancecoach.scoring.compiled_credit import warm_up as warm_up_live_judgement

log = logging.getLogger(__name__)

Reply = tuple[str, Any]


class _Host:
    """The analyzers of the streams bound to this process, by key."""

    def __init__(self, limits: FrameLimits, precision: LandmarkPrecision) -> None:
        self._decode = limits.decoder()
        self._trackers = live_tracker_factory(precision)
        self._analyzers: dict[int, FrameAnalyzer] = {}

    def handle(self, message: tuple[Any, ...]) -> Reply:
        kind, key = message[0], message[1]
        if kind == "open":
            _, _, reference, mirror = message
            analyzer = FrameAnalyzer(
                reference,
                mirror=mirror,
                decode=self._decode,
                tracker_factory=self._trackers,
            )
            analyzer.warm_up()
            self._drop(key)
            self._analyzers[key] = analyzer
            return ("ok", None)
        if kind == "analyze":
            _, _, frame, timestamp_s, received_s, reset, state = message
            stream = self._analyzers.get(key)
            if stream is None:
                return ("error", DancecoachError("The stream is not open in this process."))
            if state is not None:
                stream.restore(state)
            if reset:
                stream.request_cue_reset()
            try:
                analysis = stream.analyze(frame, timestamp_s, received_s)
            except DancecoachError as error:
                return ("error", error)
            return ("ok", (analysis, stream.live_state()))
        if kind == "close":
            self._drop(key)
            return ("ok", None)
        return ("error", DancecoachError(f"Unknown analysis request {kind!r}."))

    def _drop(self, key: int) -> None:
        analyzer = self._analyzers.pop(key, None)
        if analyzer is not None:
            analyzer.close()
            release_freed_memory()

    def close_all(self) -> None:
        for key in list(self._analyzers):
            self._drop(key)


def pin_to_cpu(index: int) -> None:
    """Keep this process and the threads it starts on one CPU (the index-th it may use).

    With MediaPipe graphs (which hand every frame between their threads), two unpinned
    processes kept 2 cores 75% busy and pinned ones ~100%. With the landmark model run in the
    calling thread (estimation/roi_landmarks.py) pinning still won in interleaved runs at 14
    sessions (p95 23-93 ms pinned, 52-126 ms unpinned): two busy processes never share one core.
    """
    allowed = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {allowed[index % len(allowed)]})


def serve(
    connection: Connection,
    limits: FrameLimits,
    cpu_index: int | None,
    precision: LandmarkPrecision = "int8",
) -> None:
    """The process's main loop; returns when told to stop or when the server goes away."""
    limit_arenas()
    if cpu_index is not None:
        pin_to_cpu(cpu_index)
    thread_models(precision)  # load the models once, before the first stream waits for them
    warm_up_live_judgement()
    host = _Host(limits, precision)
    freeze_startup_objects()
    connection.send(("ready", None))
    try:
        for message in requests(connection):
            try:
                reply = host.handle(message)
            except Exception:
                log.exception("live analysis failed")
                reply = ("error", DancecoachError("The frame could not be analysed."))
            connection.send(reply)
    finally:
        host.close_all()
        connection.close()
