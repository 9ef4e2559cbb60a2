"""One process at a time compiles numba kernels into numba's on-disk cache.

librosa's kernels and scoring/compiled_credit.py are compiled by numba on first use and cached
beside their modules. Two processes compiling the same kernel at once can leave that cache
inconsistent, and every process that loads it afterwards crashes: seen in CI on a fresh
install, where two test processes warmed librosa together and from then on each beat analysis
ended in a segmentation fault inside librosa's beat tracker. Processes do start together (the
server's analysis and scoring processes, job workers, cluster instances), so each process's
first use of a compiled kernel runs under an exclusive lock on a file of this installation; the
others wait for it, then load what it cached in a fraction of a second.
"""

from __future__ import annotations

import fcntl
import hashlib
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_done: set[str] = set()  # the entries whose first use has finished in this process
_registry = threading.Lock()
_entry_locks: dict[str, threading.Lock] = {}  # one thread of this process compiles an entry


def _lock_path(kernels: str) -> Path:
    # One lock per installation (the caches belong to its packages) and family of kernels, in
    # the machine's temporary folder, which every process may write.
    installation = hashlib.sha256(sys.prefix.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"dancecoach-compile-{installation}-{kernels}.lock"


@contextmanager
def first_use(kernels: str, entry: str) -> Iterator[None]:
    """Run the block under the installation's compile lock of `kernels` (a family of kernels
    that share a cache, such as librosa's) if it is this process's first use of `entry` (a call
    path into them, which may compile kernels of its own) until a block of it has finished
    without an error; later blocks run at once. First uses of the same kernels must not nest:
    the inner one would wait for the outer one's lock."""
    if entry not in _done:
        with _registry:
            lock = _entry_locks.setdefault(entry, threading.Lock())
        with lock:
            if entry not in _done:
                with _lock_path(kernels).open("a") as handle:
                    # Released when the file closes, or by the kernel if the process dies.
                    fcntl.flock(handle, fcntl.LOCK_EX)
                    yield
                    _done.add(entry)
                    return
    yield
