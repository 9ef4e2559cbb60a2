"""Choosing the followed dancer among synthetic candidates with a known answer."""

from __future__ import annotations

import random

import numpy as np
from numpy.typing import NDArray

from dancecoach.estimation.tracking import LiveFollower, most_central, select_dancer
from dancecoach.pose.landmarks import NUM_LANDMARKS, Landmark

FPS = 15.0
ASPECT = 16 / 9


def body(
    x: float, y: float = 0.5, torso: float = 0.25, visibility: float = 0.9
) -> NDArray[np.float32]:
    """A (33, 4) pose whose shoulders-hips centre is at (x, y), torso `torso` of the height."""
    pose = np.zeros((NUM_LANDMARKS, 4), dtype=np.float32)
    pose[:, 0], pose[:, 1], pose[:, 3] = x, y, visibility
    half_width = torso / 3 / ASPECT
    for side, dx in ((0, -half_width), (1, half_width)):
        pose[(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)[side], :2] = (x + dx, y - torso / 2)
        pose[(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)[side], :2] = (x + dx, y + torso / 2)
    pose[Landmark.NOSE, :2] = (x, y - torso)
    return pose


def times(frames: int) -> NDArray[np.float64]:
    return np.arange(frames, dtype=np.float64) / FPS


def followed_x(result: NDArray[np.float32]) -> NDArray[np.float32]:
    """Body-centre x of the followed pose per frame (NaN where nobody is followed)."""
    hips = result[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0].mean(axis=1)
    shoulders = result[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER], 0].mean(axis=1)
    return np.asarray((hips + shoulders) / 2, dtype=np.float32)


def shuffled(
    frames: list[list[NDArray[np.float32]]], seed: int = 1
) -> list[list[NDArray[np.float32]]]:
    """The detector's order of people is arbitrary: shuffle it per frame."""
    rng = random.Random(seed)
    return [rng.sample(poses, len(poses)) for poses in frames]


def test_dancer_stays_followed_while_a_passer_by_walks_across_in_front() -> None:
    frames = 60
    candidates = shuffled(
        [[body(0.5), body(0.05 + 0.9 * i / (frames - 1), torso=0.27)] for i in range(frames)]
    )
    result = select_dancer(candidates, times(frames), ASPECT)
    assert np.allclose(followed_x(result), 0.5)


def test_lost_dancer_gives_missing_frames_not_the_passer_by() -> None:
    frames = 45
    candidates: list[list[NDArray[np.float32]]] = []
    for i in range(frames):
        lost = 20 <= i < 26
        poses = [] if lost else [body(0.5)]
        if i >= 15:  # someone enters at the side and stays
            poses.append(body(0.85, torso=0.22))
        candidates.append(poses)
    result = select_dancer(shuffled(candidates), times(frames), ASPECT)
    x = followed_x(result)
    assert np.isnan(result[20:26]).all()
    assert np.allclose(np.delete(x, range(20, 26)), 0.5)


def test_host_at_the_centre_briefly_loses_to_the_dancer_present_throughout() -> None:
    frames = 90
    candidates = [[body(0.35)] + ([body(0.5, torso=0.28)] if i < 20 else []) for i in range(frames)]
    result = select_dancer(shuffled(candidates), times(frames), ASPECT)
    assert np.allclose(followed_x(result), 0.35)


def test_dancer_split_by_a_loss_beats_someone_present_longer_than_either_piece() -> None:
    frames = 121
    candidates: list[list[NDArray[np.float32]]] = []
    for i in range(frames):
        poses = [body(0.5)] if not 40 <= i < 63 else []  # lost for 1.5 s
        if i <= 90:
            poses.append(body(0.62))
        candidates.append(poses)
    result = select_dancer(shuffled(candidates), times(frames), ASPECT)
    x = followed_x(result)
    assert np.isnan(x[40:63]).all()
    assert np.allclose(np.delete(x, range(40, 63)), 0.5)


def test_a_second_detection_of_the_dancer_does_not_split_them_in_two() -> None:
    # MediaPipe sometimes finds one person twice; when it then misses the original, the
    # duplicate must carry the dancer on rather than a separate track that takes over.
    frames = 75
    candidates: list[list[NDArray[np.float32]]] = []
    for i in range(frames):
        poses = [] if 45 <= i < 48 else [body(0.5)]
        if 30 <= i < 60:
            poses.append(body(0.49, torso=0.22, visibility=0.7))
        candidates.append(poses)
    result = select_dancer(shuffled(candidates), times(frames), ASPECT)
    x = followed_x(result)
    assert not np.isnan(x).any()
    assert np.allclose(x, 0.5, atol=0.011)  # the dancer or their duplicate, 0.01 apart


def test_dancer_who_crouches_and_jumps_up_stays_one_dancer() -> None:
    # Crouching shrinks the torso seen in 2D to 40%; the jump up is missed for four frames.
    frames = 75
    candidates: list[list[NDArray[np.float32]]] = []
    for i in range(frames):
        crouch = min(max((i - 30) / 10, 0.0), 1.0) if i <= 40 else 0.0
        y = 0.5 + 0.15 * crouch if i <= 40 else 0.4
        missed = 41 <= i < 45
        candidates.append([] if missed else [body(0.5, y=y, torso=0.25 * (1 - 0.6 * crouch))])
    result = select_dancer(candidates, times(frames), ASPECT)
    present = ~np.isnan(result[:, 0, 0])
    assert not present[41:45].any()
    assert np.delete(present, range(41, 45)).all()


def test_follow_x_chooses_the_dancer_at_that_place() -> None:
    frames = 30
    candidates = shuffled([[body(0.3), body(0.7)] for _ in range(frames)])
    left = select_dancer(candidates, times(frames), ASPECT, follow_x=0.25)
    right = select_dancer(candidates, times(frames), ASPECT, follow_x=0.75)
    assert np.allclose(followed_x(left), 0.3)
    assert np.allclose(followed_x(right), 0.7)


def test_follow_x_prefers_a_dancer_there_from_the_start_over_a_later_arrival() -> None:
    frames = 90
    # The later arrival comes 4 s in, after the 3 s in which dancers count as there at the start.
    arrival = round(4.0 * FPS)
    candidates = [
        [body(0.3), body(0.62)] + ([body(0.7)] if i >= arrival else []) for i in range(frames)
    ]
    result = select_dancer(shuffled(candidates), times(frames), ASPECT, follow_x=0.7)
    assert np.allclose(followed_x(result), 0.62)


def test_no_people_gives_all_missing_frames() -> None:
    result = select_dancer([[] for _ in range(10)], times(10), ASPECT)
    assert result.shape == (10, NUM_LANDMARKS, 4)
    assert np.isnan(result).all()
    assert select_dancer([], times(0), ASPECT).shape == (0, NUM_LANDMARKS, 4)


def test_most_central_prefers_the_person_in_the_middle() -> None:
    chosen = most_central([body(0.1), body(0.55), body(0.9)], ASPECT)
    assert chosen is not None
    assert np.isclose(followed_x(chosen[None])[0], 0.55)
    assert most_central([], ASPECT) is None


def test_live_follower_keeps_its_person_and_waits_before_taking_someone_else() -> None:
    follower = LiveFollower()
    first = follower.choose([body(0.3)], 0.0, ASPECT)
    assert first is not None
    # Once following someone, a more central newcomer does not take over,
    for step, x in enumerate((0.31, 0.32), start=1):
        kept = follower.choose([body(0.5), body(x)], step / 10, ASPECT)
        assert kept is not None and np.isclose(followed_x(kept[None])[0], x)
    # while the followed person is lost the frame has no pose (someone far away is not them),
    assert follower.choose([body(0.5)], 0.3, ASPECT) is None
    assert follower.choose([body(0.9)], 1.0, ASPECT) is None
    # and only after more than a second without them is someone else followed.
    taken = follower.choose([body(0.9)], 1.4, ASPECT)
    assert taken is not None and np.isclose(followed_x(taken[None])[0], 0.9)
    # With nobody followed yet, the most central person is taken.
    fresh = LiveFollower().choose([body(0.1), body(0.45)], 0.0, ASPECT)
    assert fresh is not None and np.isclose(followed_x(fresh[None])[0], 0.45)
