"""Choosing the followed dancer among the people detected in each frame.

Candidates are linked into tracks frame to frame by position and size (a second detection of
one person is recognised as such); the followed dancer is the track, with the pieces it was
split into by losses, that is present longest, most centred and largest, or, when a caller
chooses, the one that starts nearest a given x. A track is never switched to someone else: when
the dancer is lost the frame is missing (NaN) rather than filled with a passer-by. LiveFollower
does the same causally, frame by frame, for live streams.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dancecoach.pose.landmarks import NUM_LANDMARKS, VISIBILITY, Landmark

_TORSO = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
# Linking: a candidate continues a track when its body centre moved less than this many torso
# lengths (plus an allowance per second of gap) and its torso is within 1.6x of the track's
# last or usual torso length.
_LINK_DISTANCE_TORSOS = 0.8
_LINK_DISTANCE_PER_GAP_S = 3.0
MAX_GAP_S = 1.0
_MAX_SIZE_RATIO = 1.6
# A person's usual size is their largest torso in this window (crouching shrinks the torso).
_SCALE_WINDOW_S = 1.0
# Joining pieces of one dancer's track that were split by a longer loss.
_MAX_JOIN_GAP_S = 2.5
# Two poses whose landmark boxes overlap this much (intersection over union), or whose body
# centres are this close (in torso lengths), are one person found twice, which MediaPipe's
# tracking sometimes does.
_DUPLICATE_OVERLAP = 0.5
_DUPLICATE_DISTANCE_TORSOS = 0.5
# When several tracks could take a candidate, the one seen most recently is preferred: each
# second since a track was last seen counts as this many torso lengths of distance.
_STALENESS_TORSOS_PER_S = 2.0
# Tracks tried as the seed of the followed dancer's chain of pieces (the best scoring ones).
_SEED_TRACKS = 6
# follow_x only considers dancers that appear within this time of the first steady one (3 s:
# in a group video a dancer half hidden at first is often only found after 2-3 s).
_FOLLOW_START_WINDOW_S = 3.0
# ... and are seen in this share of the frames of the start window plus this many seconds.
_STEADY_SHARE = 0.2
_STEADY_WINDOW_S = 2.0


@dataclass(frozen=True)
class Placement:
    """Where a pose is: body centre and torso length in y-comparable image units."""

    centre: NDArray[np.float64]
    torso: float
    visibility: float


def placement(pose: NDArray[np.float32], aspect_ratio: float) -> Placement:
    """Body centre (mid shoulders-hips) and torso length, x scaled by the aspect ratio."""
    # Plain floats: this runs for every live frame, and numpy calls on 4 points cost ~7x more.
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = pose[_TORSO, :2].astype(np.float64).tolist()
    shoulders_x, shoulders_y = (x1 * aspect_ratio + x2 * aspect_ratio) / 2.0, (y1 + y2) / 2.0
    hips_x, hips_y = (x3 * aspect_ratio + x4 * aspect_ratio) / 2.0, (y3 + y4) / 2.0
    torso = math.hypot(shoulders_x - hips_x, shoulders_y - hips_y)
    centre = np.array([(shoulders_x + hips_x) / 2.0, (shoulders_y + hips_y) / 2.0])
    return Placement(centre, max(torso, 1e-6), float(pose[:, VISIBILITY].mean()))


def link_distance(
    before: Placement, after: Placement, gap_s: float, scale: float | None = None
) -> float | None:
    """Distance in body scales if `after` may be the same person as `before`, else None.

    scale: the person's usual torso length (their largest in the last second); the torso seen
    in 2D shrinks when they crouch or bend, and distances and sizes are judged against the
    usual size as well, so that standing up again (or jumping) does not look like a new person.
    """
    usual = max(before.torso, scale or 0.0)
    size_fits = any(
        1 / _MAX_SIZE_RATIO <= after.torso / reference <= _MAX_SIZE_RATIO
        for reference in (before.torso, usual)
    )
    if not size_fits:
        return None
    distance = float(np.linalg.norm(after.centre - before.centre)) / usual
    limit = _LINK_DISTANCE_TORSOS + _LINK_DISTANCE_PER_GAP_S * gap_s
    return distance if distance <= limit else None


class RecentScale:
    """A person's largest torso length over the last _SCALE_WINDOW_S seconds."""

    def __init__(self) -> None:
        self._recent: deque[tuple[float, float]] = deque()

    def add(self, time_s: float, torso: float) -> None:
        self._recent.append((time_s, torso))
        while self._recent[0][0] < time_s - _SCALE_WINDOW_S:
            self._recent.popleft()

    def value(self) -> float:
        return max((torso for _, torso in self._recent), default=0.0)


def centredness(where: Placement, aspect_ratio: float) -> float:
    """1 at the horizontal centre of the frame, falling to 0.05 at the edges."""
    off_centre = abs(where.centre[0] - aspect_ratio / 2.0) / (aspect_ratio / 2.0)
    return max(0.05, 1.0 - float(off_centre))


@dataclass
class Track:
    """One person's candidates over consecutive frames (gaps of up to MAX_GAP_S allowed)."""

    frames: list[int] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    scale: RecentScale = field(default_factory=RecentScale)

    def add(self, frame: int, index: int, where: Placement, time_s: float) -> None:
        self.frames.append(frame)
        self.candidates.append(index)
        self.placements.append(where)
        self.scale.add(time_s, where.torso)


def _box(pose: NDArray[np.float32], aspect_ratio: float) -> NDArray[np.float64]:
    """(left, top, right, bottom) of the landmarks, x scaled by the aspect ratio."""
    xy = pose[:, :2].astype(np.float64) * np.array([aspect_ratio, 1.0])
    return np.concatenate([xy.min(axis=0), xy.max(axis=0)])


def _overlap(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Intersection over union of two boxes."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    intersection = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection
    return float(intersection / union) if union > 0 else 0.0


def _same_person(
    box: NDArray[np.float64], where: Placement, other_box: NDArray[np.float64], other: Placement
) -> bool:
    """Whether two detections in one frame are the same person found twice."""
    distance = float(np.linalg.norm(where.centre - other.centre))
    near = distance <= _DUPLICATE_DISTANCE_TORSOS * max(where.torso, other.torso)
    return near or _overlap(box, other_box) >= _DUPLICATE_OVERLAP


def build_tracks(
    candidates: list[list[NDArray[np.float32]]], times: NDArray[np.float64], aspect_ratio: float
) -> list[Track]:
    """Each person's candidates linked over frames (x scaled by the aspect ratio)."""
    tracks: list[Track] = []
    open_tracks: list[Track] = []
    for frame, poses in enumerate(candidates):
        now = float(times[frame])
        places = [placement(p, aspect_ratio) for p in poses]
        duplicates = _duplicates(poses, places, aspect_ratio)
        open_tracks = [t for t in open_tracks if now - times[t.frames[-1]] <= MAX_GAP_S]
        pairs = []
        for number, track in enumerate(open_tracks):
            gap = now - float(times[track.frames[-1]])
            for index, where in enumerate(places):
                distance = link_distance(track.placements[-1], where, gap, track.scale.value())
                if distance is not None:
                    pairs.append((distance + _STALENESS_TORSOS_PER_S * gap, number, index))
        # Greedy assignment, closest pairs first: each track and each person used at most once.
        # A second detection of someone already assigned is the same person, so it can neither
        # continue another track nor start a new one (a duplicate track would overlap the
        # person's own in time, and overlapping tracks can never be joined into one).
        taken_tracks: set[int] = set()
        taken_candidates: set[int] = set()
        for _, number, index in sorted(pairs):
            if number in taken_tracks or index in taken_candidates:
                continue
            taken_tracks.add(number)
            taken_candidates |= {index, *duplicates[index]}
            open_tracks[number].add(frame, index, places[index], now)
        # Candidates left over start new tracks, the most visible of any duplicates first.
        for index in sorted(range(len(poses)), key=lambda i: -places[i].visibility):
            if index in taken_candidates:
                continue
            taken_candidates |= {index, *duplicates[index]}
            new = Track()
            new.add(frame, index, places[index], now)
            tracks.append(new)
            open_tracks.append(new)
    return tracks


def _duplicates(
    poses: list[NDArray[np.float32]], places: list[Placement], aspect_ratio: float
) -> list[set[int]]:
    """For each candidate, the other candidates of the frame that are the same person."""
    boxes = [_box(pose, aspect_ratio) for pose in poses]
    same: list[set[int]] = [set() for _ in poses]
    for i in range(len(poses)):
        for j in range(i + 1, len(poses)):
            if _same_person(boxes[i], places[i], boxes[j], places[j]):
                same[i].add(j)
                same[j].add(i)
    return same


def _track_score(track: Track, aspect_ratio: float, largest_torso: float) -> float:
    """Presence x centredness x size x visibility, summed over the track's frames.

    Summing over frames makes presence (continuity) dominate; centredness, size and
    visibility weigh each frame between 0.025 and 1, so they break ties.
    """
    score = 0.0
    for where in track.placements:
        size = min(1.0, where.torso / largest_torso)
        score += centredness(where, aspect_ratio) * (0.5 + 0.5 * size) * where.visibility
    return score


def _scale_at_end(track: Track, times: NDArray[np.float64]) -> float:
    """The track's largest torso in its last _SCALE_WINDOW_S seconds."""
    end_s = float(times[track.frames[-1]])
    largest = 0.0
    for frame, where in zip(reversed(track.frames), reversed(track.placements), strict=True):
        if float(times[frame]) < end_s - _SCALE_WINDOW_S:
            break
        largest = max(largest, where.torso)
    return largest


def _join_pieces(seed: Track, tracks: list[Track], times: NDArray[np.float64]) -> list[Track]:
    """The seed track plus later/earlier tracks that plausibly are the same dancer.

    A piece is only joined in a gap where the chain has nobody, so it never overlaps in time
    with the dancer already followed; the nearest fitting piece is taken first.
    """
    pieces = [seed]
    used = {id(seed)}
    while True:
        first = min(pieces, key=lambda t: t.frames[0])
        last = max(pieces, key=lambda t: t.frames[-1])
        best: tuple[float, Track] | None = None
        for track in tracks:
            if id(track) in used:
                continue
            for before, after in ((last, track), (track, first)):
                gap = float(times[after.frames[0]] - times[before.frames[-1]])
                if not 0 < gap <= _MAX_JOIN_GAP_S:
                    continue
                distance = link_distance(
                    before.placements[-1], after.placements[0], gap, _scale_at_end(before, times)
                )
                if distance is not None and (best is None or distance < best[0]):
                    best = (distance, track)
        if best is None:
            return pieces
        pieces.append(best[1])
        used.add(id(best[1]))


def starting_dancers(tracks: list[Track], times: NDArray[np.float64]) -> list[Track]:
    """The dancers a choice is made among: steady tracks that appear at the start (within
    _FOLLOW_START_WINDOW_S of the first steady one). follow_x picks among these by where each
    first appears, so a picker that offers these offers exactly what follow_x can follow.

    Steady is judged on the first seconds only (seen in a fifth of their frames), so a scan of
    the start and the extraction of the whole video agree on who is there.
    """
    lasting = [t for t in tracks if len(t.frames) >= 3]
    if not lasting:
        return []
    start = min(float(times[t.frames[0]]) for t in lasting)
    window_end = start + _FOLLOW_START_WINDOW_S + _STEADY_WINDOW_S
    window = int(np.count_nonzero((times >= start) & (times <= window_end)))
    needed = max(3, round(window * _STEADY_SHARE))

    def frames_in_window(track: Track) -> int:
        return sum(1 for frame in track.frames if start <= float(times[frame]) <= window_end)

    return [
        t
        for t in lasting
        if float(times[t.frames[0]]) <= start + _FOLLOW_START_WINDOW_S
        and frames_in_window(t) >= needed
    ]


def _follow_x_seed(tracks: list[Track], times: NDArray[np.float64], target_x: float) -> Track:
    """The steady track starting nearest target_x among those that appear at the start."""
    # Nobody steady at the start (a short clip of fleeting detections): anyone will do.
    early = starting_dancers(tracks, times) or tracks
    return min(early, key=lambda t: abs(float(t.placements[0].centre[0]) - target_x))


def select_dancer(
    candidates: list[list[NDArray[np.float32]]],
    times_s: NDArray[np.float64],
    aspect_ratio: float,
    follow_x: float | None = None,
) -> NDArray[np.float32]:
    """One pose per frame `(frames, 33, 4)` for the followed dancer, NaN where absent.

    candidates: per frame, the poses found (any order). follow_x: normalized x (0..1) of the
    dancer to follow where they first appear; by default the most present, centred and largest
    dancer is followed.
    """
    result = np.full((len(candidates), NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
    tracks = build_tracks(candidates, times_s, aspect_ratio)
    if not tracks:
        return result
    if follow_x is None:
        largest = max(p.torso for t in tracks for p in t.placements)
        scores = {id(t): _track_score(t, aspect_ratio, largest) for t in tracks}
        seeds = sorted(tracks, key=lambda t: scores[id(t)], reverse=True)[:_SEED_TRACKS]
        # Score whole chains, so a dancer split in pieces by a loss still beats someone
        # present for longer than any one piece.
        chains = [_join_pieces(seed, tracks, times_s) for seed in seeds]
        pieces = max(chains, key=lambda chain: sum(scores[id(t)] for t in chain))
    else:
        seed = _follow_x_seed(tracks, times_s, follow_x * aspect_ratio)
        pieces = _join_pieces(seed, tracks, times_s)
    for track in pieces:
        for frame, index in zip(track.frames, track.candidates, strict=True):
            result[frame] = candidates[frame][index]
    return result


def most_central(
    poses: list[NDArray[np.float32]], aspect_ratio: float
) -> NDArray[np.float32] | None:
    """The pose nearest the image centre (in torso lengths, so larger poses are preferred)."""
    if not poses:
        return None

    def badness(pose: NDArray[np.float32]) -> float:
        where = placement(pose, aspect_ratio)
        off_centre = float(np.linalg.norm(where.centre - np.array([aspect_ratio / 2, 0.5])))
        return off_centre / where.torso

    return min(poses, key=badness)


class LiveFollower:
    """Keeps following one person in a live stream, frame by frame (causal).

    The person nearest where the followed one was is kept; when nobody fits, the frame has no
    pose, and only after MAX_GAP_S without the followed person is the most central one taken.
    """

    def __init__(self) -> None:
        self._last: Placement | None = None
        self._last_time_s = 0.0
        self._scale = RecentScale()

    def choose(
        self, poses: list[NDArray[np.float32]], timestamp_s: float, aspect_ratio: float
    ) -> NDArray[np.float32] | None:
        """The followed person's pose among this frame's poses, or None."""
        gap = timestamp_s - self._last_time_s
        chosen: NDArray[np.float32] | None = None
        chosen_placement: Placement | None = None
        if self._last is not None and gap <= MAX_GAP_S:
            previous, scale = self._last, self._scale.value()
            placed = [placement(pose, aspect_ratio) for pose in poses]
            fitting = [
                (distance, index)
                for index, where in enumerate(placed)
                if (distance := link_distance(previous, where, gap, scale)) is not None
            ]
            if fitting:
                chosen_index = min(fitting)[1]
                chosen, chosen_placement = poses[chosen_index], placed[chosen_index]
        else:
            chosen = most_central(poses, aspect_ratio)
            self._scale = RecentScale()
        if chosen is not None:
            self._last = chosen_placement or placement(chosen, aspect_ratio)
            self._last_time_s = timestamp_s
            self._scale.add(timestamp_s, self._last.torso)
        return chosen
