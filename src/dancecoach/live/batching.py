"""Scoring of browser-pose streams on the event loop: every waiting stream's newest landmarks
in one batch. Used when live analysis runs in threads (`DANCECOACH_INFERENCE_PROCESSES=false`,
and the tests' doubles); with analysis processes the batches go to a scoring process instead
(live/workers/pose_scoring.py), which keeps the loop free for the sockets.

A stream whose poses the learner's browser finds costs the server the scoring alone (a few
hundred microseconds), so these streams do not go through the inference threads that exist to
keep the pose model's 8-30 ms off the event loop. A stream's frame marks it ready, and once the
loop has read what its sockets had (the callbacks already due), one callback scores the newest
frame of every ready stream together (live.analysis.analyze_poses). The more sessions send at
once, the larger the batch and the less each frame pays numpy's per-call cost. On the loop, not
in a thread: a scoring thread and the loop took turns at the GIL, and the loop, which gives it
up at every socket call, waited up to the switch interval (5 ms) to get it back each time (at
100 sessions p50 50-80 ms, p95 ~200 ms, 920 frames/s). A frame that is replaced in its
stream's slot before it was scored counts as dropped, as with the inference threads, so beyond
capacity the scored frames stay fresh.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Protocol

from dancecoach.errors import DancecoachError
from dancecoach.live.analysis import (
    Analyzer,
    FrameAnalyzer,
    PosedFrame,
    analyze_poses,
)
from dancecoach.live.browser_pose import BrowserPose
from dancecoach.live.session import Incoming, Outcome

log = logging.getLogger(__name__)

# Frames scored in one call at most: enough to amortise the per-call cost many times over,
# few enough that a batch (~0.2 ms a frame) holds up the loop's sockets for ~15 ms at most.
MAX_BATCH = 64


class BatchStream(Protocol):
    """A stream as the batch scorer sees it (see LiveStream)."""

    @property
    def analyzer(self) -> Analyzer: ...

    def has_frame(self) -> bool: ...

    def take_newest(self) -> Incoming | None:
        """The newest frame, now taken (None if there is none)."""

    def deliver(self, frame: Incoming, outcome: Outcome) -> None:
        """Hand the outcome of a taken frame to the stream (on its event loop)."""


class BatchScorer:
    """Scores browser-pose streams on the event loop (same interface as InferenceScheduler;
    every call comes from the loop's thread)."""

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self._max_batch = max_batch
        self._ready: dict[int, BatchStream] = {}  # in arrival order
        self._registered: set[int] = set()
        self._scheduled = False

    def start(self) -> None:
        """Nothing to start: batches run as loop callbacks."""

    def stop(self) -> None:
        self._ready.clear()

    def register(self, stream: BatchStream) -> None:
        self._registered.add(id(stream))

    def notify(self, stream: BatchStream) -> None:
        """The stream has a new frame: score it with the next batch."""
        if id(stream) not in self._registered:
            return
        self._ready[id(stream)] = stream
        if not self._scheduled:
            self._scheduled = True
            # After the callbacks already due: the frames other sockets brought join the batch.
            asyncio.get_running_loop().call_soon(self._score_ready)

    def unregister(self, stream: BatchStream) -> threading.Event:
        """Stop scoring the stream (no batch is running while the loop runs anything else)."""
        self._registered.discard(id(stream))
        self._ready.pop(id(stream), None)
        done = threading.Event()
        done.set()
        return done

    def _score_ready(self) -> None:
        keys = list(self._ready)[: self._max_batch]
        streams = [self._ready.pop(key) for key in keys]
        try:
            _score(streams)
        except Exception:
            log.exception("scoring a batch of live frames failed")
        finally:
            if self._ready:  # more than one batch: let the sockets be read in between
                asyncio.get_running_loop().call_soon(self._score_ready)
            else:
                self._scheduled = False


def _score(streams: list[BatchStream]) -> None:
    taken = [(stream, frame) for stream in streams if (frame := stream.take_newest())]
    outcomes: dict[int, Outcome] = {}
    posed: list[tuple[int, PosedFrame]] = []
    for index, (stream, frame) in enumerate(taken):
        analyzer = stream.analyzer
        if isinstance(analyzer, FrameAnalyzer) and isinstance(frame.frame, BrowserPose):
            posed.append(
                (index, PosedFrame(analyzer, frame.frame, frame.timestamp_s, frame.received_s))
            )
        else:  # not a browser pose here: scored on its own (and refused if an image)
            outcomes[index] = _analyze_one(analyzer, frame)
    if posed:
        analyses: list[Outcome]
        try:
            analyses = list(analyze_poses([item for _, item in posed]))
        except Exception:
            log.exception("scoring %d browser poses failed", len(posed))
            analyses = [DancecoachError("The frame could not be analysed.")] * len(posed)
        for (index, _), analysis in zip(posed, analyses, strict=True):
            outcomes[index] = analysis
    for index, (stream, frame) in enumerate(taken):
        try:
            stream.deliver(frame, outcomes[index])
        except Exception:
            log.exception("delivering a live frame's result failed")


def _analyze_one(analyzer: Analyzer, frame: Incoming) -> Outcome:
    try:
        return analyzer.analyze(frame.frame, frame.timestamp_s, frame.received_s)
    except DancecoachError as error:
        return error
    except Exception:
        log.exception("analysis of a live frame failed")
        return DancecoachError("The frame could not be analysed.")
