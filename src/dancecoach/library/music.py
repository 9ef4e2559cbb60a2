"""The music of each reference: beat analysis at preprocessing and start-up, count 1 shifts.

Beats are analysed once per reference (and again when the analysis changes: BEATS_VERSION)
and stored in the database; the grid handed to scoring and to the wire is the stored one
with the teacher's shift of count 1 applied.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from dancecoach.errors import NotFoundError
from dancecoach.library.mastery import (
    EightProgress,
    RoutineMastery,
    eight_progress,
    routines_mastery,
)
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.music.beats import COUNTS_PER_EIGHT, BeatGrid, analyse_beats, warm_up
from dancecoach.scoring.music.phrases import phrases
from dancecoach.storage.beat_store import BeatStore
from dancecoach.storage.models import EightMastery, ReferenceBeats

if TYPE_CHECKING:
    from dancecoach.library.references import ReferenceService

log = logging.getLogger(__name__)

# Bump when the analysis changes: stored grids of older versions are analysed again at start.
BEATS_VERSION = 1

_warm_lock = threading.Lock()
_warmed = False
# Set when the warm-up has finished (or failed): librosa's compiled kernels take ~200 MB, which
# whoever measures the process's memory must let settle first.
WARM_UP_DONE = threading.Event()


def warm_up_in_background() -> None:
    """Compile librosa's kernels on a daemon thread, once per process (seconds of work that
    would otherwise delay the first upload's preprocessing)."""
    global _warmed
    with _warm_lock:
        if _warmed:
            return
        _warmed = True

    def run() -> None:
        try:
            warm_up()
        except Exception:
            log.warning("warming up the beat analysis failed", exc_info=True)
        finally:
            WARM_UP_DONE.set()

    threading.Thread(target=run, name="beats-warm-up", daemon=True).start()


def grid_from_row(row: ReferenceBeats | None) -> BeatGrid:
    if row is None or row.tempo_bpm is None or not row.beat_times_s:
        return BeatGrid.empty()
    grid = BeatGrid(
        float(row.tempo_bpm), np.asarray(row.beat_times_s, dtype=np.float64), int(row.downbeat)
    )
    return grid.shifted(int(row.downbeat_shift))


def analyse_video(video: Path, poses: PoseSequence | None) -> BeatGrid:
    """The beat grid of a video's soundtrack (empty without sound or without a steady beat)."""
    from dancecoach.estimation.soundtrack import read_soundtrack
    from dancecoach.scoring.moments import motion_speed

    soundtrack = read_soundtrack(video)
    if soundtrack is None:
        return BeatGrid.empty()
    speed = times = None
    if poses is not None and len(poses) >= 3:
        speed, times = motion_speed(poses), poses.timestamps_s
    grid, _ = analyse_beats(
        soundtrack.samples, soundtrack.sample_rate_hz, motion_speed=speed, motion_times_s=times
    )
    return grid


class ReferenceMusic:
    """Beat grids of the library's references (stored; cached in memory)."""

    def __init__(self, store: BeatStore) -> None:
        self._store = store
        self._grids: dict[str, BeatGrid] = {}
        self._lock = threading.Lock()

    def analyse(self, reference_id: str, video: Path, poses: PoseSequence | None) -> BeatGrid:
        """Analyse and store the reference's beats (a teacher's shift of count 1 is kept)."""
        grid = analyse_video(video, poses)
        row = self._store.put(
            reference_id,
            version=BEATS_VERSION,
            tempo_bpm=grid.tempo_bpm,
            beat_times_s=[round(float(t), 4) for t in grid.times_s],
            downbeat=grid.downbeat,
        )
        with self._lock:
            self._grids.pop(reference_id, None)
        log.info(
            "beats of reference %s: %s BPM, %d beats",
            reference_id,
            grid.tempo_bpm,
            len(grid.times_s),
        )
        return grid_from_row(row)

    def is_current(self, reference_id: str) -> bool:
        row = self._store.get(reference_id)
        return row is not None and row.version == BEATS_VERSION

    def current_ids(self) -> set[str]:
        """The references whose stored beats are of this version of the analysis."""
        return self._store.analysed_ids(BEATS_VERSION)

    def grid(self, reference_id: str) -> BeatGrid:
        """The reference's beats with count 1 where the teacher put it (empty: no beats)."""
        with self._lock:
            cached = self._grids.get(reference_id)
        if cached is not None:
            return cached
        row = self._store.get(reference_id)
        grid = grid_from_row(row)
        # Missing or stale beats are not kept: a job worker may be analysing them right now,
        # and this process would never hear of its result.
        if row is not None and row.version == BEATS_VERSION:
            with self._lock:
                self._grids[reference_id] = grid
        return grid

    def mastery(self, reference_id: str, user_id: str | None) -> list[EightMastery]:
        """One learner's Break-It-Down progress per eight of the reference (user None: the
        one user of a server without accounts)."""
        return self._store.mastery(reference_id, user_id or "")

    def record_attempt(
        self,
        reference_id: str,
        user_id: str | None,
        eight: int,
        stage: int,
        score: float,
        rate: float | None = None,
    ) -> EightMastery:
        return self._store.record_attempt(reference_id, user_id or "", eight, stage, score, rate)

    def eight_progress(self, reference_id: str, user_id: str | None) -> list[EightProgress]:
        """mastery() read: best grade per speed and whether each eight is mastered."""
        return [eight_progress(row) for row in self.mastery(reference_id, user_id)]

    def routines_mastery(
        self, reference_ids: Iterable[str], user_id: str | None
    ) -> list[RoutineMastery]:
        """How much of each reference one learner has mastered (eights at Good at full speed)."""
        grids = {reference_id: self.grid(reference_id) for reference_id in reference_ids}
        return routines_mastery(grids, self._store.mastery_of_user(user_id or ""))

    def forget_mastery(self, user_id: str | None) -> int:
        """Delete one learner's Break-It-Down progress everywhere; returns the rows deleted."""
        return self._store.forget_mastery(user_id or "")

    def downbeat_shift(self, reference_id: str) -> int:
        """How many beats the teacher moved count 1 from where the analysis heard it (0..7)."""
        row = self._store.get(reference_id)
        return 0 if row is None else int(row.downbeat_shift)

    def set_downbeat_shift(self, reference_id: str, beats: int) -> BeatGrid:
        """Put count 1 `beats` beats after where the analysis heard it (negative: before)."""
        updated = self._store.set_shift(reference_id, beats % COUNTS_PER_EIGHT)
        with self._lock:
            self._grids.pop(reference_id, None)
        return grid_from_row(updated)


def references_without_beats(references: ReferenceService, music: ReferenceMusic) -> list[str]:
    """The ready references whose beats are missing or stale (two queries, no analysis)."""
    current = music.current_ids()
    return [
        reference.id
        for reference in references.list_all()
        if reference.status == "ready" and reference.id not in current
    ]


def catch_up_beats(
    references: ReferenceService,
    music: ReferenceMusic,
    reference_id: str,
    eights_per_section: int,
) -> bool:
    """Analyse one ready reference's beats if they are missing or stale; if it then has no
    sections, suggest some (only then, so that suggestions a teacher removed do not come back
    at the next start). Returns whether it analysed.

    Idempotent: a reference with current beats, not ready, deleted or without its video is
    left alone, so a second run (another server, a retried job) does nothing.
    """
    try:
        reference = references.get(reference_id)
        if reference.status != "ready" or music.is_current(reference_id):
            return False
        video = references.video_path(reference_id)
    except NotFoundError:
        return False
    try:
        poses: PoseSequence | None = references.poses(reference_id)
    except Exception:
        poses = None  # the beats are found from the sound alone, a little less surely
    music.analyse(reference_id, video, poses)
    if not references.sections(reference_id):
        suggest_sections(references, music, reference_id, eights_per_section)
    return True


def catch_up(references: ReferenceService, music: ReferenceMusic, eights_per_section: int) -> int:
    """catch_up_beats for every reference that needs it, in this process (the server without
    a job queue, at start-up in the background); returns how many were analysed."""
    analysed = 0
    for reference_id in references_without_beats(references, music):
        try:
            analysed += catch_up_beats(references, music, reference_id, eights_per_section)
        except Exception:
            log.exception("beat analysis of reference %s failed", reference_id)
    if analysed:
        log.info("analysed the beats of %d references", analysed)
    return analysed


def suggest_sections(
    references: ReferenceService, music: ReferenceMusic, reference_id: str, eights: int
) -> int:
    """Cut a reference without sections into phrases of `eights` eight-counts (suggested
    sections the teacher can rename or delete); when every section is a suggestion (count 1
    moved), they are cut again. Returns how many sections were added."""
    if eights <= 0:
        return 0
    existing = references.sections(reference_id)
    if any(not section.suggested for section in existing):
        return 0  # the teacher's own sections stay as they are
    cut = phrases(music.grid(reference_id), references.get(reference_id).duration_s or 0.0, eights)
    if not cut:
        return 0
    for section in existing:
        references.delete_section(reference_id, section.id)
    for phrase in cut:
        references.add_section(
            reference_id, phrase.title, phrase.start_s, phrase.end_s, suggested=True
        )
    return len(cut)
