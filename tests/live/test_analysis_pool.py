"""Live analysis in worker processes: same results as in the server, errors and crashes."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from dancecoach.config import Settings
from dancecoach.errors import InvalidImageError
from dancecoach.estimation.extraction import extract_video
from dancecoach.estimation.video import iter_frames
from dancecoach.live.analysis import (
    FrameAnalyzer,
    FrameLimits,
    default_decoder,
    live_tracker_factory,
)
from dancecoach.live.scheduler import running_in_lane
from dancecoach.live.workers import pool as analysis_pool
from dancecoach.live.workers.pool import (
    AnalysisProcessPool,
    AnalysisUnavailableError,
    RemoteFrameAnalyzer,
)
from tests.api.fakes import jpeg, reference_sequence
from tests.footage import SAME_CHOREOGRAPHY, clip_where, labelled_pair

pytestmark = pytest.mark.exclusive  # hung processes are found by timeouts


@pytest.fixture(scope="module")
def pool() -> Iterator[AnalysisProcessPool]:
    analysis = AnalysisProcessPool(2, FrameLimits.from_settings(Settings()))
    analysis.start()
    yield analysis
    analysis.stop()


def test_any_process_takes_a_streams_frames_and_errors_cross_back(
    pool: AnalysisProcessPool,
) -> None:
    stream = pool.analyzer(reference_sequence(), False)
    try:
        with running_in_lane(1):
            empty_room = stream.analyze(jpeg(), 1.0, time.monotonic())
        assert empty_room.warning == "no_person"
        assert empty_room.accuracy is None
        with running_in_lane(0), pytest.raises(InvalidImageError):
            stream.analyze(b"not a jpeg", 1.1, time.monotonic())
        # The error did not break the stream.
        with running_in_lane(1):
            assert stream.analyze(jpeg(), 1.2, time.monotonic()).warning == "no_person"
    finally:
        stream.close()


def test_a_crashed_process_is_replaced_and_the_stream_goes_on(
    pool: AnalysisProcessPool,
) -> None:
    analyzer = pool.analyzer(reference_sequence(), False)
    try:
        analyzer.warm_up()
        pid = pool.process_ids()[1]
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        with running_in_lane(1):
            with pytest.raises(AnalysisUnavailableError, match="restarted"):
                analyzer.analyze(jpeg(), 2.0, time.monotonic())
            assert analyzer.analyze(jpeg(), 2.1, time.monotonic()).warning == "no_person"
        assert pool.process_ids()[1] not in (None, pid)
    finally:
        analyzer.close()


def test_two_threads_calling_one_process_at_once_each_get_their_own_replies(
    pool: AnalysisProcessPool,
) -> None:
    # Calls are pipelined: both requests sit in the pipe and the replies come back in order.
    streams = [pool.analyzer(reference_sequence(), False) for _ in range(3)]
    first, third = streams[0], streams[2]
    failures: list[BaseException] = []

    def run(analyzer: RemoteFrameAnalyzer, offset: float) -> None:
        try:
            with running_in_lane(0):  # both threads call the first process
                for index in range(25):
                    timestamp = offset + index / 10
                    if index % 5 == 4:
                        with pytest.raises(InvalidImageError):
                            analyzer.analyze(b"not a jpeg", timestamp, time.monotonic())
                        continue
                    result = analyzer.analyze(jpeg(), timestamp, time.monotonic())
                    assert result.timestamp_s == timestamp
                    assert result.warning == "no_person"
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    try:
        threads = [
            threading.Thread(target=run, args=(first, 100.0)),
            threading.Thread(target=run, args=(third, 200.0)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not failures, failures
    finally:
        for stream in streams:
            stream.close()


def test_a_hung_process_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis_pool, "_CALL_TIMEOUT_S", 2.0)
    hanging = AnalysisProcessPool(1, FrameLimits.from_settings(Settings()))
    hanging.start()
    analyzer = hanging.analyzer(reference_sequence(), False)
    try:
        analyzer.warm_up()
        pid = hanging.process_ids()[0]
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(AnalysisUnavailableError, match="restarted"):
            analyzer.analyze(jpeg(), 1.0, time.monotonic())
        assert time.monotonic() - started < 10
        assert analyzer.analyze(jpeg(), 1.1, time.monotonic()).warning == "no_person"
        assert hanging.process_ids()[0] not in (None, pid)
    finally:
        analyzer.close()
        hanging.stop()


@pytest.mark.footage
def test_frames_taken_by_either_process_score_exactly_like_the_server_process(
    pool: AnalysisProcessPool,
) -> None:
    pair = labelled_pair(SAME_CHOREOGRAPHY, known_offset=True)
    assert pair.offset_s is not None
    offset_s = pair.offset_s
    # Two seconds of the attempt, in reference time, and the reference up to a second past them.
    reference = extract_video(pair.reference.path, end_s=offset_s + 5.0, workers=2)
    frames = [
        (t, cv2.imencode(".jpg", frame)[1].tobytes())
        for t, frame in iter_frames(pair.attempt.path, 10, 2.0, 4.0)
    ]
    here = FrameAnalyzer(
        reference,
        mirror=False,
        decode=default_decoder(Settings()),
        tracker_factory=live_tracker_factory("int8"),
    )
    there = pool.analyzer(reference, False)
    try:
        # Frames alternate between the processes, in runs of 1 to 3: the tracking and
        # smoothing state goes with them, so every frame is scored as in one process.
        lanes = [0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0]
        for index, (timestamp, data) in enumerate(frames):
            local = here.analyze(data, timestamp + offset_s, 0.0)
            with running_in_lane(lanes[index % len(lanes)]):
                remote = there.analyze(data, timestamp + offset_s, 0.0)
            assert remote.landmarks is not None and local.landmarks is not None
            np.testing.assert_array_equal(remote.landmarks, local.landmarks)
            assert remote.accuracy == local.accuracy
            assert [e.message for e in remote.errors] == [e.message for e in local.errors]
    finally:
        here.close()
        there.close()


def _one_dancer() -> Path:
    """A clip with one full-body dancer, upright, long enough for the frames taken from it."""
    return clip_where(people=1, full_body=True, rotated=False, dance=True, min_duration_s=2.0).path


def _resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(row for row in status.splitlines() if row.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.mark.footage
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_process_gives_memory_back_as_streams_come_and_go() -> None:
    # A server runs for weeks: a process must not keep what closed streams freed.
    frames = [
        cv2.imencode(".jpg", frame)[1].tobytes()
        for _, frame in iter_frames(_one_dancer(), 10, 1.0, 1.5)
    ]
    pool = AnalysisProcessPool(1, FrameLimits.from_settings(Settings()))
    pool.start()
    try:
        after_round = []
        for _ in range(4):
            analyzers = [pool.analyzer(reference_sequence(), False) for _ in range(5)]
            for analyzer in analyzers:
                for index, data in enumerate(frames):
                    assert analyzer.analyze(data, 1.0 + index / 10, 0.0).landmarks is not None
            pid = pool.process_ids()[0]
            assert pid is not None
            for analyzer in analyzers:
                analyzer.close()
            after_round.append(_resident_mb(pid))
        # When each stream had its own MediaPipe graph and nothing was given back, this grew
        # ~150 MB a round.
        print("analysis process MB after each round:", [round(m) for m in after_round])
        assert after_round[-1] - after_round[0] < 60, after_round
    finally:
        pool.stop()
