"""Live judgement: each webcam frame scored the way a recorded section is, as it arrives.

A recorded section is time-warped before it is judged (alignment.warp_lags): each moment may
be a little early or late, so timing reads as lag and not as wrong shapes. A live frame is
judged the same way, causally: over the last second of dance time the learner's frames are
compared with the reference at every lag within the warp's reach, the gain above chance is
pooled over that second at each lag (sum(credit - chance) / sum(1 - chance), agreement.py),
and the best lag, at a small cost per second of lag, is what the learner reads. One lag per
second is a warp that is smooth by construction; it follows a learner who drifts, and the
lag it finds is the learner's timing at that moment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.body_parts import BODY_PART_GROUPS
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.agreement import sample_frames
from dancecoach.scoring.alignment import LAG_PRIOR_COST_PER_S, WARP_WINDOW_S
from dancecoach.scoring.comparison import compare_features, errors_of_rows
from dancecoach.scoring.compiled_credit import row_credits, warm_up
from dancecoach.scoring.features import PoseFeatures, compute_features
from dancecoach.scoring.judgement import scores_from_gains
from dancecoach.scoring.results import FrameComparison

# The learner reads the gain pooled over this much dance time (seconds), not one frame's: a
# single frame's gain swings with every in-between pose, and the mean of per-frame scores
# through the saturating scale ran far below the score of the same frames pooled (shared
# pairs streamed in sync: per-frame means of 52-67 against sections of 59-87). Over 2 s (four
# beats at 120 BPM, half an eight) the means came within 4-13 points of the sections, and
# holding one pose or dancing another routine averaged 12-28; over 1 s, 22-50: the best of
# the lags over a few frames finds a passing likeness too easily.
LIVE_WINDOW_S = 2.0


@dataclass
class LiveWindow:
    """A stream's last `window_s` seconds of comparisons at every lag: small and picklable (it
    travels with the stream's state between analysis processes)."""

    times_s: list[float] = field(default_factory=list)
    # Per frame, one flat row (window_rows): credit - chance `(lags, 1 + groups)` (overall,
    # then BODY_PART_GROUPS; 0 where unknown), 1 - chance `(1 + groups,)` (0 where unknown),
    # and 1 where that is known. One row, so that a frame costs one addition and, as it
    # leaves, one subtraction (as three arrays, the window was a tenth of a frame's scoring).
    rows: list[NDArray[np.float32]] = field(default_factory=list)
    # The rows' sum over the window, kept as frames come and go. Float64: a session's hour of
    # additions and subtractions drifts by ~1e-12.
    total: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    lags: int = 0

    def push(
        self,
        time_s: float,
        above: NDArray[np.float32],
        room: NDArray[np.float32],
        window_s: float,
    ) -> None:
        """Add a frame's comparisons: above `(lags, 1 + groups)` (0 where unknown) and room
        `(1 + groups,)` (NaN where unknown); drop those older than window_s."""
        self.push_row(time_s, window_rows(above[None], room[None])[0], len(above), window_s)

    def push_row(self, time_s: float, row: NDArray[np.float32], lags: int, window_s: float) -> None:
        """push() of a frame's row as window_rows made it."""
        # Dance time running backwards or jumping (a seek, a section loop) starts a new window.
        if self.times_s and not self.times_s[-1] <= time_s <= self.times_s[-1] + window_s:
            self.times_s, self.rows = [], []
        if not self.times_s:
            self.total = np.zeros(row.shape)
            self.lags = lags
        self.times_s.append(time_s)
        self.rows.append(row)
        # Each frame's row is added once and later subtracted, as it was stored: the sums are
        # the window's own, whatever came and went.
        self.total += row
        while self.times_s[0] <= time_s - window_s:
            self.total -= self.rows[0]
            del self.times_s[0], self.rows[0]

    @property
    def above_total(self) -> NDArray[np.float64]:
        """The window's sum of credit - chance `(lags, 1 + groups)`."""
        columns = self._columns()
        return self.total[: self.lags * columns].reshape(self.lags, columns)

    @property
    def room_total(self) -> NDArray[np.float64]:
        """The window's sum of 1 - chance where known `(1 + groups,)`."""
        columns = self._columns()
        return self.total[self.lags * columns : (self.lags + 1) * columns]

    @property
    def room_known(self) -> NDArray[np.float64]:
        """How many of the window's frames know their room `(1 + groups,)`."""
        return self.total[(self.lags + 1) * self._columns() :]

    def _columns(self) -> int:
        return len(self.total) // (self.lags + 2)


def window_rows(above: NDArray[np.float32], room: NDArray[np.float32]) -> NDArray[np.float32]:
    """Frames' LiveWindow rows from their above `(frames, lags, 1 + groups)` and room
    `(frames, 1 + groups)` (NaN where unknown), made together (numpy's per-call cost)."""
    known = ~np.isnan(room)
    return np.concatenate(
        [
            above.reshape(len(above), -1),
            np.where(known, room, np.float32(0.0)),
            known.astype(np.float32),
        ],
        axis=1,
    )


@dataclass(frozen=True)
class LiveVerdict:
    """One frame as judged live.

    comparison: what the learner reads (accuracy and part scores pooled over the window at the
        best lag; the frame's own errors at that lag). NaN accuracy when nothing was compared.
    lag_s: the best lag, seconds (negative: the learner is late); 0 when nothing was compared.
    steady_lag_s: the middle of the lags that agree about as well as the best one, seconds,
        without the pull towards zero lag: poses a frame or two apart earn the same full
        credit, so the best lag sits at the edge of that plateau nearest zero, and a steady
        delay (the camera's) is read from its middle. NaN when nothing was compared.
    above, room: this frame's overall credit minus chance, and 1 minus chance, at the best lag
        (NaN when unknown): summed over any stretch of frames, above / room is that stretch's
        gain above chance, the number a move's score comes from (agreement.py).
    """

    comparison: FrameComparison
    lag_s: float
    steady_lag_s: float
    above: float
    room: float


# Lags whose pooled gain is within this of the best count as agreeing as well (steady_lag_s):
# a hundredth of the way from chance to a perfect copy.
_PLATEAU_GAIN = 0.01


class LiveJudge:
    """Judges one stream's poses against a reference (already mirrored when the learner
    performs its mirror image). Immutable after construction: the per-stream state is the
    LiveWindow passed to each call."""

    def __init__(
        self,
        reference: PoseSequence,
        *,
        window_s: float = LIVE_WINDOW_S,
        max_lag_s: float = WARP_WINDOW_S,
    ) -> None:
        self.reference = reference
        self._features = compute_features(reference.landmarks, reference.aspect_ratio)
        self.chance_sample = sample_frames(self._features)
        steps = max(0, round(max_lag_s * reference.fps))
        self._lag_frames = np.arange(-steps, steps + 1)
        self.lags_s = self._lag_frames / reference.fps
        # The warp's weak pull towards zero lag, so that a held pose does not drift.
        self._lag_cost = LAG_PRIOR_COST_PER_S * np.abs(self.lags_s)
        self._window_s = window_s
        warm_up()  # at once where the process did not warm it as it started

    def judge(
        self,
        pose: NDArray[np.float32],
        aspect: float,
        time_s: float,
        window: LiveWindow,
    ) -> LiveVerdict:
        """The frame as the learner reads it, with the lag (seconds; negative: the learner is
        late) at which the window agrees best (see LiveVerdict).

        accuracy and part_scores are pooled over the window at that lag; errors are the
        frame's own at that lag, so a late move is not reported as a wrong shape. NaN accuracy
        (and no errors) when nothing of the pose could be compared.
        """
        return judge_frames([LiveFrame(self, pose, aspect, time_s, window)])[0]

    def _reference_at(self, time_s: float) -> PoseFeatures:
        """The reference's features at time_s + every lag `(lags, features)`, NaN outside it
        (the nearest reference frame: the lag grid is one frame fine)."""
        reference = self.reference
        if len(reference) == 0:
            empty = np.full((len(self._lag_frames), self._features.values.shape[-1]), np.nan)
            return PoseFeatures(empty, np.zeros_like(empty), np.ones(len(self._lag_frames)))
        centre = round((time_s - float(reference.timestamps_s[0])) * reference.fps)
        first, last = centre + int(self._lag_frames[0]), centre + int(self._lag_frames[-1])
        if first >= 0 and last < len(reference):
            # Every lag inside the reference (all but a window's width at either end): the
            # lags are consecutive frames, a slice, without the four array calls below that
            # were a tenth of a browser-pose frame's scoring.
            features = self._features
            return PoseFeatures(
                features.values[first : last + 1],
                features.visibility[first : last + 1],
                features.left_side_sign[first : last + 1],
            )
        index = centre + self._lag_frames
        inside = (index >= 0) & (index < len(reference))
        safe = np.clip(index, 0, max(len(reference) - 1, 0))
        values = np.where(inside[:, None], self._features.values[safe], np.nan)
        visibility = np.where(inside[:, None], self._features.visibility[safe], 0.0)
        return PoseFeatures(values, visibility, self._features.left_side_sign[safe])


@dataclass(frozen=True)
class LiveFrame:
    """One stream's frame to judge: its judge, pose `(33, 4)`, aspect (width / height),
    dance time and window (updated by the judging)."""

    judge: LiveJudge
    pose: NDArray[np.float32]
    aspect: float
    time_s: float
    window: LiveWindow


def judge_frames(frames: Sequence[LiveFrame]) -> list[LiveVerdict]:
    """LiveJudge.judge for many streams' frames at once (any mix of references).

    Every frame is compared with its reference at every lag and with its reference's chance
    sample; the credits of all those rows (a few hundred a frame) are found in one compiled
    pass (compiled_credit.row_credits), and the errors only at each frame's chosen lag. Judged
    one by one, a frame paid numpy's per-call cost of each step twice (lags, then chance) and
    the server's share of a browser-pose frame was mostly that.
    """
    if not frames:
        return []
    user = compute_features(
        np.stack([frame.pose for frame in frames]),
        np.array([frame.aspect for frame in frames], dtype=np.float64),
    )
    # Per frame: its reference at every lag, then its chance sample (agreement.chance_levels).
    references: list[PoseFeatures] = []
    for frame in frames:
        references += [frame.judge._reference_at(frame.time_s), frame.judge.chance_sample]
    sizes = np.array([len(part.values) for part in references], dtype=np.intp)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    owner = np.repeat(np.arange(len(frames)), sizes[0::2] + sizes[1::2])
    rows_compared = PoseFeatures(
        np.concatenate([part.values for part in references]),
        np.concatenate([part.visibility for part in references]),
        np.concatenate([part.left_side_sign for part in references]),
    )
    # Each row's credit, overall then per group (compiled: these rows are most of the work).
    credit = row_credits(user, owner, rows_compared)
    # Chance levels: the mean credit over each frame's sample rows, ignoring NaN, as
    # agreement.chance_levels (NaN where nothing could be compared), from running sums.
    valid = ~np.isnan(credit)
    totals = np.concatenate([np.zeros((1, credit.shape[1])), np.where(valid, credit, 0.0)])
    counts = np.concatenate([np.zeros((1, credit.shape[1])), valid.astype(np.float64)])
    totals, counts = np.cumsum(totals, axis=0), np.cumsum(counts, axis=0)
    sample_sum = totals[ends[1::2]] - totals[starts[1::2]]
    sample_count = counts[ends[1::2]] - counts[starts[1::2]]
    levels = np.where(sample_count > 0, sample_sum / np.maximum(sample_count, 1.0), np.nan)
    # Frames whose references have as many lags are judged together (usually all of them).
    groups: dict[int, list[int]] = {}
    for index, frame in enumerate(frames):
        groups.setdefault(len(frame.judge.lags_s), []).append(index)
    verdicts: list[LiveVerdict | None] = [None] * len(frames)
    for lags, members in groups.items():
        rows = starts[0::2][members][:, None] + np.arange(lags)[None, :]  # (members, lags)
        judged = _verdicts(
            [frames[index] for index in members],
            user[np.array(members)],  # type: ignore[index]
            rows_compared,
            credit[rows],
            rows,
            levels[members],
        )
        for index, verdict in zip(members, judged, strict=True):
            verdicts[index] = verdict
    return [verdict for verdict in verdicts if verdict is not None]


def _verdicts(
    frames: Sequence[LiveFrame],
    user: PoseFeatures,
    compared: PoseFeatures,
    credit: NDArray[np.float64],
    rows: NDArray[np.intp],
    level: NDArray[np.float64],
) -> list[LiveVerdict]:
    """The verdicts of frames with as many lags: their poses' features, their credits at every
    lag `(frames, lags, 1 + groups)` (overall, then BODY_PART_GROUPS), which `rows` of
    `compared` those are, and the frames' chance levels `(frames, 1 + groups)`. Each frame's
    window takes its comparisons."""
    known = ~np.isnan(credit) & ~np.isnan(level)[:, None, :]
    frame_known = np.isfinite(credit[:, :, 0]).any(axis=1) & ~np.isnan(level[:, 0])
    # float32 halves the state that travels between processes; sums of a few tens of values
    # lose nothing a score shows.
    above_now = np.where(known, credit - level[:, None, :], 0.0).astype(np.float32)
    room_now = (1.0 - level).astype(np.float32)
    _, lags, columns = above_now.shape
    for frame, row in zip(frames, window_rows(above_now, room_now), strict=True):
        frame.window.push_row(frame.time_s, row, lags, frame.judge._window_s)
    totals = np.stack([frame.window.total for frame in frames])  # (frames, row)
    above = totals[:, : lags * columns].reshape(len(frames), lags, columns)
    room = totals[:, None, lags * columns : (lags + 1) * columns]
    room_known = totals[:, None, (lags + 1) * columns :]
    # As agreement.gain: no room above chance at all (a reference that never moves) and the
    # learner matching it is full agreement; nothing known is no score.
    gains = np.where(
        room > 0, above / np.where(room > 0, room, 1.0), np.where(room_known > 0, 1.0, np.nan)
    )
    # Only lags at which the frame has a reference pose may be chosen.
    missing = np.isnan(credit[:, :, 0])
    overall = np.where(missing, -np.inf, gains[:, :, 0])  # (frames, lags)
    lag_cost = np.stack([frame.judge._lag_cost for frame in frames])
    best = np.argmax(overall - lag_cost, axis=1)
    lags_s = np.stack([frame.judge.lags_s for frame in frames])
    steady_lags_s = _plateau_middles(overall, lags_s).tolist()
    chosen = np.arange(len(frames))
    scores = scores_from_gains(gains[chosen, best]) / 100.0  # (frames, 1 + groups)
    # The errors are read at the chosen lags only: one comparison a frame.
    errors = errors_of_rows(compare_features(user, compared[rows[chosen, best]]))
    verdicts: list[LiveVerdict] = []
    for index, frame in enumerate(frames):
        if not frame_known[index]:
            nothing = float("nan")
            empty = FrameComparison(accuracy=nothing, part_scores={})
            verdicts.append(LiveVerdict(empty, 0.0, nothing, nothing, nothing))
            continue
        judge, lag = frame.judge, int(best[index])
        row_scores = scores[index].tolist()
        part_scores = {
            group: score
            for group, score in zip(BODY_PART_GROUPS, row_scores[1:], strict=True)
            if not math.isnan(score)
        }
        verdicts.append(
            LiveVerdict(
                FrameComparison(
                    accuracy=row_scores[0],
                    part_scores=part_scores,
                    errors=errors[index],
                ),
                lag_s=float(judge.lags_s[lag]),
                steady_lag_s=steady_lags_s[index],
                above=float(above_now[index, lag, 0]) if known[index, lag, 0] else math.nan,
                room=float(room_now[index, 0]),
            )
        )
    return verdicts


def _plateau_middles(
    gains: NDArray[np.float64], lags_s: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Per frame, the middle (seconds) of the run of lags around the highest gain whose gains
    are within _PLATEAU_GAIN of it `(frames,)`; NaN where no gain is finite. gains and lags_s
    `(frames, lags)`."""
    top = np.max(gains, axis=1)
    near = gains >= (top - _PLATEAU_GAIN)[:, None]
    peak = np.argmax(gains, axis=1)[:, None]
    lag = np.arange(gains.shape[1])[None, :]
    # The run ends at the nearest lags on either side of the peak that are not near it.
    start = np.max(np.where(~near & (lag < peak), lag, -1), axis=1) + 1
    end = np.min(np.where(~near & (lag > peak), lag, gains.shape[1]), axis=1) - 1
    frame = np.arange(len(gains))
    middle = (lags_s[frame, start] + lags_s[frame, end]) / 2.0
    return np.where(np.isfinite(top), middle, np.nan)
