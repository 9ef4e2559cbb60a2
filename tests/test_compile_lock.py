"""Processes that start together compile numba kernels one at a time (compile_lock)."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from pathlib import Path

from dancecoach.compile_lock import first_use

HOLD_S = 0.4


def _first_use_twice(kernels: str, log: str) -> None:
    """Log when this process's first use of an entry ran, then how long a second use waited."""
    with first_use(kernels, "entry"):
        started = time.time()
        time.sleep(HOLD_S)  # as a compilation would
        ended = time.time()
    with Path(log).open("a") as stream:
        stream.write(f"{started} {ended}\n")
    time.sleep(HOLD_S)  # the other process is in its first use by now, holding the lock
    waited = time.monotonic()
    with first_use(kernels, "entry"):
        pass
    with Path(log).open("a") as stream:
        stream.write(f"second {time.monotonic() - waited}\n")


def test_first_uses_in_processes_started_together_never_overlap(tmp_path: Path) -> None:
    kernels = f"test-{uuid.uuid4().hex}"
    log = tmp_path / "log.txt"
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_first_use_twice, args=(kernels, str(log))) for _ in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    lines = log.read_text().splitlines()
    spans = sorted(tuple(map(float, line.split())) for line in lines if not line.startswith("s"))
    assert len(spans) == 2
    (_, first_end), (second_start, _) = spans
    assert second_start >= first_end  # one after the other, never together
    # A process that has compiled does not wait for another's first use.
    seconds = [float(line.split()[1]) for line in lines if line.startswith("second")]
    assert len(seconds) == 2
    assert min(seconds) < HOLD_S / 4
