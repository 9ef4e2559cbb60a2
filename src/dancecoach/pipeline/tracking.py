"""Choosing the followed dancer among the people detected in each frame.

Candidates are linked into tracks frame to frame by position and size; the followed dancer is
the track that is present longest, most centred and largest (or, when a caller chooses, the one
that starts nearest a given x). A track is never switched to someone else: when the dancer is
lost the frame is missing (NaN) rather than filled with a passer-by.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dancecoach.pipeline.landmarks import NUM_LANDMARKS, VISIBILITY, Landmark

_SHOULDERS = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]
_HIPS = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
# Linking: a candidate continues a track when its body centre moved less than this many torso
# lengths (plus an allowance per second of gap) and its torso size changed less than 1.6x.
_LINK_DISTANCE_TORSOS = 0.8
_LINK_DISTANCE_PER_GAP_S = 3.0
_MAX_GAP_S = 1.0
_MAX_SIZE_RATIO = 1.6
# Joining pieces of the chosen dancer's track that were split by a longer loss.
_MAX_JOIN_GAP_S = 2.5


@dataclass(frozen=True)
class Placement:
    """Where a pose is: body centre and torso length in y-comparable image units."""

    centre: NDArray[np.float64]
    torso: float
    visibility: float


def placement(pose: NDArray[np.float32], aspect_ratio: float) -> Placement:
    xy = pose[:, :2].astype(np.float64) * np.array([aspect_ratio, 1.0])
    shoulders, hips = xy[_SHOULDERS].mean(axis=0), xy[_HIPS].mean(axis=0)
    torso = float(np.linalg.norm(shoulders - hips))
    return Placement((shoulders + hips) / 2.0, max(torso, 1e-6), float(pose[:, VISIBILITY].mean()))


@dataclass
class Track:
    frames: list[int] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)

    def can_take(self, frame_time: float, last_time: float, where: Placement) -> float | None:
        """Link distance in torso lengths if the candidate may continue this track, else None."""
        gap = frame_time - last_time
        if gap <= 0 or gap > _MAX_GAP_S:
            return None
        last = self.placements[-1]
        ratio = where.torso / last.torso
        if not 1 / _MAX_SIZE_RATIO <= ratio <= _MAX_SIZE_RATIO:
            return None
        distance = float(np.linalg.norm(where.centre - last.centre)) / last.torso
        limit = _LINK_DISTANCE_TORSOS + _LINK_DISTANCE_PER_GAP_S * gap
        return distance if distance <= limit else None


def _build_tracks(
    candidates: list[list[NDArray[np.float32]]], times: NDArray[np.float64], aspect_ratio: float
) -> list[Track]:
    tracks: list[Track] = []
    for frame, poses in enumerate(candidates):
        places = [placement(p, aspect_ratio) for p in poses]
        open_tracks = [t for t in tracks if times[frame] - times[t.frames[-1]] <= _MAX_GAP_S]
        pairs = []
        for track in open_tracks:
            for index, where in enumerate(places):
                distance = track.can_take(times[frame], times[track.frames[-1]], where)
                if distance is not None:
                    pairs.append((distance, id(track), track, index))
        taken_tracks: set[int] = set()
        taken_candidates: set[int] = set()
        for _, key, track, index in sorted(pairs, key=lambda item: item[0]):
            if key in taken_tracks or index in taken_candidates:
                continue
            taken_tracks.add(key)
            taken_candidates.add(index)
            track.frames.append(frame)
            track.candidates.append(index)
            track.placements.append(places[index])
        for index, where in enumerate(places):
            if index not in taken_candidates:
                tracks.append(Track([frame], [index], [where]))
    return tracks


def _track_score(track: Track, aspect_ratio: float, largest_torso: float) -> float:
    """Presence x centredness x size x visibility, summed over the track's frames."""
    score = 0.0
    for where in track.placements:
        off_centre = abs(where.centre[0] - aspect_ratio / 2.0) / (aspect_ratio / 2.0)
        centredness = max(0.05, 1.0 - off_centre)
        size = min(1.0, where.torso / largest_torso)
        score += centredness * (0.5 + 0.5 * size) * where.visibility
    return score


def _join_pieces(chosen: Track, tracks: list[Track], times: NDArray[np.float64]) -> list[Track]:
    """The chosen track plus later/earlier tracks that plausibly are the same dancer."""
    pieces = [chosen]
    used = {id(chosen)}
    changed = True
    while changed:
        changed = False
        first = min(pieces, key=lambda t: t.frames[0])
        last = max(pieces, key=lambda t: t.frames[-1])
        best: tuple[float, Track] | None = None
        for track in tracks:
            if id(track) in used:
                continue
            for before, after in ((last, track), (track, first)):
                gap = times[after.frames[0]] - times[before.frames[-1]]
                if not 0 < gap <= _MAX_JOIN_GAP_S:
                    continue
                a, b = before.placements[-1], after.placements[0]
                distance = float(np.linalg.norm(a.centre - b.centre)) / a.torso
                ratio = b.torso / a.torso
                fits = 1 / _MAX_SIZE_RATIO <= ratio <= _MAX_SIZE_RATIO
                near = distance <= _LINK_DISTANCE_TORSOS + _LINK_DISTANCE_PER_GAP_S * gap
                if fits and near and (best is None or distance < best[0]):
                    best = (distance, track)
        if best is not None:
            pieces.append(best[1])
            used.add(id(best[1]))
            changed = True
    return pieces


def select_dancer(
    candidates: list[list[NDArray[np.float32]]],
    times_s: NDArray[np.float64],
    aspect_ratio: float,
    follow_x: float | None = None,
) -> NDArray[np.float32]:
    """One pose per frame `(frames, 33, 4)` for the followed dancer, NaN where absent.

    follow_x: normalized x (0..1) of the dancer to follow where they first appear; by default
    the most present, centred and largest dancer is followed.
    """
    result = np.full((len(candidates), NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
    tracks = _build_tracks(candidates, times_s, aspect_ratio)
    if not tracks:
        return result
    if follow_x is None:
        largest = max(p.torso for t in tracks for p in t.placements)
        chosen = max(tracks, key=lambda t: _track_score(t, aspect_ratio, largest))
    else:
        target = follow_x * aspect_ratio
        longest = max(len(t.frames) for t in tracks)
        # Ignore fleeting detections so a click cannot lock onto a false positive.
        steady = [t for t in tracks if len(t.frames) >= max(3, longest // 5)]
        chosen = min(steady, key=lambda t: abs(t.placements[0].centre[0] - target))
    for track in _join_pieces(chosen, tracks, times_s):
        for frame, index in zip(track.frames, track.candidates, strict=True):
            result[frame] = candidates[frame][index]
    return result
