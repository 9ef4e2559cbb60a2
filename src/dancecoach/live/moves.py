"""A grade for every move, live: each move's frames pooled as they arrive, graded as it ends.

The moves are the reference's eight-counts where it has beats (what a dancer counts and a
teacher drills), otherwise the moves found from its own motion (scoring.moments.find_moves).
A move's score is the gain above chance pooled over its frames at each frame's best lag
(sum(credit - chance) / sum(1 - chance), as a recorded section's moves are scored), read on the
one scale (scoring.judgement): the same numbers, the same grade bands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.judgement import Grade, grade_of, score_from_gain
from dancecoach.scoring.moments import Section, find_moves
from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.music.counts import eight_moves

# A move is graded when the learner danced at least this share of it (dance time between its
# first and last compared frame): starting a section mid-move, or a loop cutting one short,
# leaves a piece too small to say anything about.
MIN_COVERED_SHARE = 0.5
# ... and at least this many frames in it were compared (a person was seen).
MIN_FRAMES = 4
# A move is over this close to its end (dance seconds): a section or a song that ends with the
# move sends no frame past it, and a grade a beat late reads as belonging to the next move.
# Frames in these last moments go to no move.
END_GRACE_S = 0.25


@dataclass(frozen=True)
class MoveGrade:
    """One move as graded live (reference seconds; score 0-100)."""

    label: str
    start_s: float
    end_s: float
    score: float
    grade: Grade
    eight: int | None  # the eight-count it is (1-based), None for moves found without beats


def live_moves(reference: PoseSequence, grid: BeatGrid) -> list[tuple[Section, int | None]]:
    """The moves of a reference, in time order, with their eight number (None without beats):
    its eight-counts (scoring.music.counts.eight_moves), else the moves found in its motion."""
    if not grid.has_beats:
        return [(move, None) for move in find_moves(reference)]
    return list(eight_moves(grid, reference.duration_s))


class MoveGrader:
    """Pools one stream's frames into its moves and grades each move as the dance leaves it.

    Not thread-safe: fed on the event loop, one frame at a time in dance-time order.
    """

    def __init__(self, moves: list[tuple[Section, int | None]]) -> None:
        self._moves = moves
        self._current: int | None = None  # index of the move being danced
        self._graded: int | None = None  # index of the move graded at its end, still running
        self._first_s = self._last_s = 0.0
        self._above = self._room = 0.0
        self._frames = 0

    def add(self, time_s: float, above: float | None, room: float | None) -> MoveGrade | None:
        """Add a frame (above, room: its agreement at its best lag, None when nothing was
        compared); returns the grade of the move this frame ends (it is within END_GRACE_S of
        the move's end) or has just left, if any."""
        index = self._move_at(time_s)
        if index is not None and index == self._graded:
            return None  # the last moments of a move already graded
        finished = None
        if index != self._current:
            finished = self._finish()
            self._current = index
        compared = above is not None and room is not None and not math.isnan(above + room)
        if index is not None and compared:
            assert above is not None and room is not None
            if self._frames == 0:
                self._first_s = time_s
            self._above += above
            self._room += room
            self._frames += 1
            self._last_s = time_s
        if index is not None and time_s >= self._moves[index][0].end_s - END_GRACE_S:
            finished = self._finish() or finished
            self._graded, self._current = index, None
        return finished

    def restart(self) -> MoveGrade | None:
        """The dance jumped (a seek, a section loop): grade what was danced of the current move,
        then start over."""
        finished = self._finish()
        self._current = self._graded = None
        return finished

    def _finish(self) -> MoveGrade | None:
        current = self._current
        above, room, frames = self._above, self._room, self._frames
        covered = self._last_s - self._first_s
        self._above = self._room = 0.0
        self._frames = 0
        if current is None or frames < MIN_FRAMES:
            return None
        move, eight = self._moves[current]
        if covered < MIN_COVERED_SHARE * (move.end_s - move.start_s) or room <= 0:
            return None
        score = round(score_from_gain(above / room), 1)
        return MoveGrade(move.title, move.start_s, move.end_s, score, grade_of(score), eight)

    def _move_at(self, time_s: float) -> int | None:
        for index, (move, _) in enumerate(self._moves):
            if move.start_s <= time_s < move.end_s:
                return index
        return None
