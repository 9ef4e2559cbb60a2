"""Matching a learner's attempt to reference time, frame by frame, with mirror detection."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.sequence import PoseSequence
from dancecoach.pose.smoothing import smooth_recorded
from dancecoach.scoring.agreement import (
    chance_levels,
    frame_gains,
    gain,
    sample_frames,
)
from dancecoach.scoring.alignment import (
    SAME_ALIGNMENT_S,
    WARP_WINDOW_S,
    OffsetEstimate,
    PairChance,
    estimate_offset,
    nearest_frames,
    offset_grid,
    poses_at,
    warp_lags,
)
from dancecoach.scoring.audio import SongMatch
from dancecoach.scoring.body_position import BodyPosition, body_position
from dancecoach.scoring.comparison import FeatureComparison, compare_features
from dancecoach.scoring.features import PoseFeatures, compute_features
from dancecoach.scoring.judgement import score_from_gain, scores_from_gains
from dancecoach.scoring.results import AlignmentInfo, AlignmentSource

Alignment = Literal["timestamp", "search"]

# The mirrored reading must beat the direct one by this much gain (0..1) to be chosen. Between
# the same choreography's direct and mirrored readings the shared footage shows gaps of
# 0.15-0.30; between unrelated dances both readings sit near chance, and the direct one wins.
MIRROR_MARGIN = 0.05
# Without a shared song the offset is searched by pose, each second of shift costing this
# much gain, so that among near-equal shifts the smallest wins. A judgement, not a measurement:
# it came with the bounded pose search (b5affdd) with no sweep recorded. At the 3 s bound it
# costs 0.03 gain, below MIRROR_MARGIN and small against what the right shift gains over a wrong
# one; the bench finds every labelled pair's offset within 0.3 s with it (README), which says it
# does not pull real offsets to zero, not that 0.01 is the best value.
_SHIFT_COST_PER_S = 0.01
DEFAULT_MAX_POSE_OFFSET_S = 3.0
# Tempo rates the pose search tries (attempt tempo / reference tempo): a dancer 5-10 % faster
# or slower than the reference drifts by more than the time warp's window over a routine.
# Symmetric on a log scale, so that swapping the two videos finds the inverse rate.
TEMPO_RATES = (1 / 1.1, 1 / 1.05, 1.0, 1.05, 1.1)
# Both recordings are smoothed (zero-phase Gaussian, this sigma in seconds) before they are
# compared: two pose pipelines of the same footage (live: a 640 px JPEG through the int8 model;
# offline: the full-resolution video through the float one) differ by frame-to-frame jitter of
# ~3 % of the torso, which moved a mid-range score by ~9 points. At 0.1 s the live section and
# `compare` of the shared teacher/student pair differed by 7 points instead of 12.5 (measured
# with the scale's zero at the median unrelated gain; 9.7 with today's zero, see the README);
# movement slower than ~2 Hz keeps at least half its amplitude.
RECORDED_SMOOTHING_S = 0.1
# The shortest recording (seconds) whose offset is searched by pose: two moves (find_moves
# cuts moves of 1.5 s and more), so that no single move can be matched anywhere it fits.
MIN_SEARCH_S = 3.0


@dataclass(frozen=True)
class MatchedPerformance:
    """Every attempt frame matched to its reference moment.

    credit: `(frames,)` raw feature credit 0..1 at the matched moment (NaN: not compared).
    chance: `(frames,)` its chance level; group_credit / group_chance: `(frames, groups)`.
    accuracy: `(frames,)` the frame's own score 0..1 (score_from_gain of its gain), for
        displays and problem finding; aggregate scores use score() over frames instead.
    pair_gain: the gain of the whole pair, the same whichever video is the reference: the
        mean of the attempt read against the reference and the reference read against the
        attempt (a time warp follows one side's frames, so each direction alone is not
        symmetric). The overall score is score_from_gain(pair_gain).
    """

    attempt: PoseSequence
    reference_times_s: NDArray[np.float64]  # matched reference time per attempt frame
    lags_s: NDArray[np.float64]  # warp lag per frame (negative: the learner was late)
    in_range: NDArray[np.bool_]  # the matched time lies inside the reference
    comparison: FeatureComparison
    credit: NDArray[np.float64]
    chance: NDArray[np.float64]
    group_credit: NDArray[np.float64]
    group_chance: NDArray[np.float64]
    accuracy: NDArray[np.float64]
    offset_s: float
    mirrored: bool
    alignment: AlignmentInfo
    pair_gain: float
    # Facing and hand heights of both, for coaching's words (None: not measured).
    body: BodyPosition | None = None

    @property
    def compared(self) -> NDArray[np.bool_]:
        return np.asarray(~np.isnan(self.accuracy))

    @property
    def overall_score(self) -> float:
        """0-100 of the whole pair (NaN when nothing was compared)."""
        return score_from_gain(self.pair_gain)

    def score(self, mask: NDArray[np.bool_]) -> float:
        """0-100 over the attempt frames in mask; NaN when none was compared."""
        return score_from_gain(gain(self.credit, self.chance, mask))

    def group_score(self, group: int, mask: NDArray[np.bool_] | None = None) -> float:
        """0-100 of one body-part group (index into BODY_PART_GROUPS)."""
        return score_from_gain(gain(self.group_credit[:, group], self.group_chance[:, group], mask))


@dataclass(frozen=True)
class _Reading:
    """One way of reading the attempt against the reference (direct or mirrored)."""

    reference: PoseSequence
    features: PoseFeatures
    chance: PairChance
    offset: OffsetEstimate
    lags_s: NDArray[np.float64]
    pair_gain: float  # see MatchedPerformance.pair_gain


def _pair_chance(attempt_features: PoseFeatures, reference_features: PoseFeatures) -> PairChance:
    return PairChance(
        attempt=chance_levels(attempt_features, sample_frames(reference_features)),
        reference=chance_levels(reference_features, sample_frames(attempt_features)),
    )


@dataclass(frozen=True)
class _Search:
    """What to try: shifts (s), tempo rates, the cost per second of shift, and the source."""

    offsets_s: NDArray[np.float64]
    rates: tuple[float, ...]
    shift_cost_per_s: float
    source: AlignmentSource


def _search(
    reference: PoseSequence,
    attempt: PoseSequence,
    alignment: Alignment,
    song: SongMatch | None,
    max_pose_offset_s: float,
    warp_window_s: float,
) -> _Search:
    step_s = 1.0 / reference.fps
    if alignment == "timestamp":
        return _Search(np.array([0.0]), (1.0,), 0.0, "timestamp")
    if song is not None and song.same_song and song.candidates:
        # The music plays at one speed in both: no tempo search.
        grids = [offset_grid(c, SAME_ALIGNMENT_S, step_s) for c in song.candidates]
        return _Search(np.unique(np.concatenate(grids)), (1.0,), 0.0, "audio")
    # A search needs something to search on: a free shift lets a clip of one move find a
    # stretch of any dance that looks like it (a 1 s clip matched unrelated dances at 60-74).
    # Shorter recordings are compared as they start; tempo rates are tried only where the
    # smallest tempo step drifts further than the time warp reaches over the recording.
    shorter_s = min(reference.duration_s, attempt.duration_s)
    if shorter_s < MIN_SEARCH_S:
        return _Search(np.array([0.0]), (1.0,), 0.0, "pose")
    grid = offset_grid(0.0, max_pose_offset_s, step_s)
    smallest_step = min(abs(math.log(rate)) for rate in TEMPO_RATES if rate != 1.0)
    rates = TEMPO_RATES if shorter_s * smallest_step > warp_window_s else (1.0,)
    return _Search(grid, rates, _SHIFT_COST_PER_S, "pose")


def _inverse(offset: OffsetEstimate) -> OffsetEstimate:
    """The same alignment seen from the other video (attempt = (reference - offset) / rate)."""
    return OffsetEstimate(
        -offset.offset_s / offset.rate,
        offset.gain,
        offset.confidence,
        1.0 / offset.rate,
        offset.optimism,
    )


def _find_offset(
    reference: PoseSequence,
    features: PoseFeatures,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    chance: PairChance,
    search: _Search,
) -> OffsetEstimate:
    if len(search.offsets_s) == 1 and len(search.rates) == 1:
        return OffsetEstimate(float(search.offsets_s[0]), float("nan"), rate=search.rates[0])
    # Candidate offsets from the soundtrack are searched on their own small grids; the best of
    # those (or of the pose grid) wins.
    return estimate_offset(
        reference, features, attempt, attempt_features, chance, search.offsets_s,
        rates=search.rates, shift_cost_per_s=search.shift_cost_per_s,
    )  # fmt: skip


def _warped(
    reference: PoseSequence,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    chance: PairChance,
    offset: OffsetEstimate,
    warp_window_s: float,
) -> tuple[NDArray[np.float64], float]:
    """The time warp's lags at an alignment, and the gain of the attempt's frames there."""
    lags = warp_lags(
        reference,
        attempt,
        attempt_features,
        chance,
        offset_s=offset.offset_s,
        window_s=warp_window_s,
        rate=offset.rate,
    )
    times = offset.rate * attempt.timestamps_s + offset.offset_s + lags
    credit = compare_features(
        attempt_features, compute_features(poses_at(reference, times), reference.aspect_ratio)
    ).credit
    return lags, gain(credit, chance.matched(nearest_frames(reference, times)))


def _read(
    reference: PoseSequence,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    searches: tuple[_Search, _Search],
    warp_window_s: float,
) -> _Reading:
    """Align and judge one reading, the same whichever of the two videos is the reference.

    The offset is searched from both sides (searches: forward, then with the videos swapped);
    each candidate alignment is judged by its pair gain, the mean of the attempt's frames read
    against the reference and the reference's frames read against the attempt (a time warp
    follows one side's frames, so each direction alone is not symmetric).
    """
    features = compute_features(reference.landmarks, reference.aspect_ratio)
    chance = _pair_chance(attempt_features, features)
    swapped = PairChance(attempt=chance.reference, reference=chance.attempt)
    forward = _find_offset(reference, features, attempt, attempt_features, chance, searches[0])
    backward = _find_offset(attempt, attempt_features, reference, features, swapped, searches[1])
    best: _Reading | None = None
    for candidate in (forward, _inverse(backward)):
        lags, forward_gain = _warped(
            reference, attempt, attempt_features, chance, candidate, warp_window_s
        )
        _, backward_gain = _warped(
            attempt, reference, features, swapped, _inverse(candidate), warp_window_s
        )
        both = [g for g in (forward_gain, backward_gain) if not np.isnan(g)]
        pair = above_search_chance(float(np.mean(both)), candidate.optimism) if both else math.nan
        if best is None or (
            not np.isnan(pair) and (np.isnan(best.pair_gain) or pair > best.pair_gain)
        ):
            best = _Reading(reference, features, chance, candidate, lags, pair)
    assert best is not None
    return best


def raised_chance(chance: NDArray[np.float64], optimism: float) -> NDArray[np.float64]:
    """Chance levels with the search's optimism (0..1) counted as chance: chance + optimism *
    (1 - chance), so that a pooled gain G becomes (G - optimism) / (1 - optimism)."""
    return np.asarray(chance + optimism * (1.0 - chance))


def above_search_chance(pair_gain: float, optimism: float) -> float:
    """A pair gain with the search's optimism counted as chance (see raised_chance)."""
    return (pair_gain - optimism) / (1.0 - optimism) if optimism < 1.0 else math.nan


def _looks_mirrored(direct: float, flipped: float) -> bool:
    """The mirrored reading (pair gains) wins only with a clear margin."""
    if np.isnan(flipped):
        return False
    if np.isnan(direct):
        return True
    return bool(flipped > direct + MIRROR_MARGIN)


def match_performance(
    reference: PoseSequence,
    attempt: PoseSequence,
    *,
    mirror: bool | None,
    alignment: Alignment,
    song: SongMatch | None = None,
    max_pose_offset_s: float = DEFAULT_MAX_POSE_OFFSET_S,
    warp_window_s: float = WARP_WINDOW_S,
) -> MatchedPerformance:
    """Align the attempt to the reference and compare every frame.

    mirror: True when the learner performs the mirror image of the reference, None to detect it
    (once for the whole pair, from the aligned comparison).
    alignment: "timestamp" when attempt timestamps already are reference time (live), "search"
    to find the global offset between two recordings first: from the soundtracks' match (song)
    when they share a song, else by pose within +-max_pose_offset_s.
    """
    reference = smooth_recorded(reference, RECORDED_SMOOTHING_S)
    attempt = smooth_recorded(attempt, RECORDED_SMOOTHING_S)
    attempt_features = compute_features(attempt.landmarks, attempt.aspect_ratio)
    # The warp never reaches further than a quarter of the shorter recording: on a clip of one
    # move, half a second each way is a search of its own.
    shorter_s = min(reference.duration_s, attempt.duration_s)
    warp_window_s = min(warp_window_s, shorter_s / 4)
    if alignment == "search" and shorter_s < MIN_SEARCH_S:
        # A recording too short to search is compared as it starts, without a warp either:
        # on a clip of one move the warp is a search of its own (a 1 s clip read 45-58
        # against two unrelated dances with a quarter-second warp, 0 without).
        warp_window_s = 0.0
    swapped_song = None if song is None else song.swapped()
    searches = (
        _search(reference, attempt, alignment, song, max_pose_offset_s, warp_window_s),
        _search(attempt, reference, alignment, swapped_song, max_pose_offset_s, warp_window_s),
    )
    source = searches[0].source
    readings = {
        mirrored: _read(
            reference.mirrored() if mirrored else reference,
            attempt,
            attempt_features,
            searches,
            warp_window_s,
        )
        for mirrored in ([False, True] if mirror is None else [mirror])
    }
    pair_gains = {mirrored: reading.pair_gain for mirrored, reading in readings.items()}
    chosen = mirror if mirror is not None else _looks_mirrored(pair_gains[False], pair_gains[True])
    reading = readings[chosen]
    offset_s = reading.offset.offset_s
    reference_times = reading.offset.rate * attempt.timestamps_s + offset_s + reading.lags_s
    half_frame = 0.5 / reference.fps
    in_range = (
        (reference_times >= reference.timestamps_s[0] - half_frame)
        & (reference_times <= reference.timestamps_s[-1] + half_frame)
        if len(reference)
        else np.zeros(len(attempt), dtype=bool)
    )
    matched_poses = poses_at(reading.reference, reference_times)
    comparison = compare_features(
        attempt_features, compute_features(matched_poses, reference.aspect_ratio)
    )
    nearest = nearest_frames(reference, reference_times)
    credit = np.where(in_range, comparison.credit, np.nan)
    # What the offset search found by choosing among its shifts is chance too: every frame's
    # chance level is raised by it, so that moves, segments and the whole pair agree.
    optimism = reading.offset.optimism
    chance = raised_chance(reading.chance.matched(nearest), optimism)
    group_credit = np.where(in_range[:, None], comparison.group_credit(), np.nan)
    group_chance = raised_chance(reading.chance.matched_groups(nearest), optimism)
    accuracy = scores_from_gains(frame_gains(credit, chance)) / 100.0
    confidence = (
        song.confidence if source == "audio" and song is not None else reading.offset.confidence
    )
    info = AlignmentInfo(
        source=source,
        offset_s=round(offset_s, 3),
        confidence=round(confidence, 3),
        same_song=bool(song is not None and song.same_song),
        tempo_ratio=round(reading.offset.rate, 3),
    )
    return MatchedPerformance(
        attempt=attempt,
        reference_times_s=reference_times,
        lags_s=reading.lags_s,
        in_range=in_range,
        comparison=comparison,
        credit=credit,
        chance=chance,
        group_credit=group_credit,
        group_chance=group_chance,
        accuracy=accuracy,
        offset_s=offset_s,
        mirrored=chosen,
        alignment=info,
        pair_gain=pair_gains[chosen],
        body=body_position(reading.reference, attempt, reference_times, matched_poses),
    )
