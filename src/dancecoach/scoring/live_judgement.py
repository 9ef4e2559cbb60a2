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
    # Per frame: credit - chance `(lags, 1 + groups)` (overall, then BODY_PART_GROUPS; 0 where
    # unknown), 1 - chance `(1 + groups,)` (0 where unknown) and where that is known.
    above: list[NDArray[np.float32]] = field(default_factory=list)
    room: list[NDArray[np.float32]] = field(default_factory=list)
    known: list[NDArray[np.bool_]] = field(default_factory=list)
    # Their sums over the window, kept as frames come and go (summing the window anew cost
    # three numpy calls a frame): above `(lags, 1 + groups)`, room, and how many frames' room
    # is known `(1 + groups,)`. Float64: a session's hour of additions and subtractions drifts
    # by ~1e-12.
    above_total: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    room_total: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    room_known: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))

    def push(
        self,
        time_s: float,
        above: NDArray[np.float32],
        room: NDArray[np.float32],
        window_s: float,
    ) -> None:
        """Add a frame's comparisons: above `(lags, 1 + groups)` (0 where unknown) and room
        `(1 + groups,)` (NaN where unknown); drop those older than window_s."""
        # Dance time running backwards or jumping (a seek, a section loop) starts a new window.
        if self.times_s and not self.times_s[-1] <= time_s <= self.times_s[-1] + window_s:
            self.times_s, self.above, self.room, self.known = [], [], [], []
        if not self.times_s:
            self.above_total = np.zeros(above.shape)
            self.room_total = np.zeros(room.shape)
            self.room_known = np.zeros(room.shape)
        known = ~np.isnan(room)
        room = np.where(known, room, np.float32(0.0))
        self.times_s.append(time_s)
        self.above.append(above)
        self.room.append(room)
        self.known.append(known)
        # Each frame's part is added once and later subtracted, as it was stored: the sums are
        # the window's own, whatever came and went.
        self.above_total += above
        self.room_total += room
        self.room_known += known
        while self.times_s[0] <= time_s - window_s:
            self.above_total -= self.above[0]
            self.room_total -= self.room[0]
            self.room_known -= self.known[0]
            del self.times_s[0], self.above[0], self.room[0], self.known[0]


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

    def _plateau_middle(self, gains: NDArray[np.float64]) -> float:
        """The middle (seconds) of the run of lags around the highest gain whose gains are
        within _PLATEAU_GAIN of it."""
        top = float(np.max(gains))
        if not np.isfinite(top):
            return float("nan")
        near = gains >= top - _PLATEAU_GAIN
        peak = int(np.argmax(gains))
        start = peak
        while start > 0 and near[start - 1]:
            start -= 1
        end = peak
        while end < len(near) - 1 and near[end + 1]:
            end += 1
        return float((self.lags_s[start] + self.lags_s[end]) / 2.0)

    def _reference_at(self, time_s: float) -> PoseFeatures:
        """The reference's features at time_s + every lag `(lags, features)`, NaN outside it
        (the nearest reference frame: the lag grid is one frame fine)."""
        reference = self.reference
        if len(reference) == 0:
            empty = np.full((len(self._lag_frames), self._features.values.shape[-1]), np.nan)
            return PoseFeatures(empty, np.zeros_like(empty), np.ones(len(self._lag_frames)))
        index = np.rint((time_s - reference.timestamps_s[0]) * reference.fps).astype(np.intp)
        index = index + self._lag_frames
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
    for index, frame in enumerate(frames):
        frame.window.push(frame.time_s, above_now[index], room_now[index], frame.judge._window_s)
    windows = [frame.window for frame in frames]
    above = np.stack([window.above_total for window in windows])  # (frames, lags, 1 + groups)
    room = np.stack([window.room_total for window in windows])[:, None, :]
    room_known = np.stack([window.room_known for window in windows])[:, None, :]
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
                steady_lag_s=judge._plateau_middle(overall[index]),
                above=float(above_now[index, lag, 0]) if known[index, lag, 0] else math.nan,
                room=float(room_now[index, 0]),
            )
        )
    return verdicts
