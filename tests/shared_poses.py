"""One pose cache for the whole test run, for the tests whose subject is not extraction.

Extracting a real clip's poses takes ~20 s here, and several test modules (each with its own
data folder, most behind a server of their own) upload the same teacher's clip. The product's
pose cache is keyed by the video's content, sampling rate and dancer (library.pose_cache), so
a cache entry made by one data folder is exactly what another would make: a test that opts in
starts with every entry made so far and gives back the ones it made. Tests of extraction
itself, of its progress, or of a job interrupted while it extracts do not opt in. Entries are
written under temporary names and renamed, so processes sharing the folder never read half of
one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dancecoach.config import Settings
from dancecoach.library.pose_cache import cache_dir

_shared: Path | None = None


# A folder the caller of pytest made and removes (the Makefile: both parts of `make test` and
# every xdist worker share it); without it, each pytest process makes its own.
SHARED_POSES_VARIABLE = "DANCECOACH_TEST_SHARED_POSES"


def data_dir() -> Path:
    """The run's shared data folder: its pose cache is the one tests share. Tests that only
    read poses (offline comparisons) use it as their own data folder."""
    global _shared
    if _shared is None:
        given = os.environ.get(SHARED_POSES_VARIABLE)
        if given:
            _shared = Path(given)
            _shared.mkdir(parents=True, exist_ok=True)
        else:
            _shared = Path(tempfile.mkdtemp(prefix="dancecoach-shared-poses-"))
    return _shared


def settings() -> Settings:
    """Settings on the shared data folder, with no LLM."""
    return Settings(data_dir=data_dir(), openai_api_key=None, openai_base_url=None)


def _pose_cache(folder: Path) -> Path:
    return cache_dir(Settings(data_dir=folder, openai_api_key=None, openai_base_url=None))


def _copy_new(source: Path, destination: Path) -> int:
    if not source.is_dir():
        return 0
    destination.mkdir(parents=True, exist_ok=True)
    copied = 0
    for entry in source.glob("*.npz"):
        if not (destination / entry.name).exists():
            # Through a temporary name: a reader never sees half an entry.
            partial = destination / f".{entry.name}.part"
            shutil.copyfile(entry, partial)
            partial.replace(destination / entry.name)
            copied += 1
    return copied


def seed(folder: Path) -> int:
    """Give a data folder every pose cache entry made so far in this run; how many."""
    return _copy_new(_pose_cache(data_dir()), _pose_cache(folder))


def harvest(folder: Path) -> int:
    """Keep the entries a data folder made for the tests after it; how many were new."""
    return _copy_new(_pose_cache(folder), _pose_cache(data_dir()))


def remove() -> None:
    """Delete the shared data folder at the end of the run, unless the caller made it."""
    global _shared
    if _shared is not None and not os.environ.get(SHARED_POSES_VARIABLE):
        shutil.rmtree(_shared, ignore_errors=True)
    _shared = None
