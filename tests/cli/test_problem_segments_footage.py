"""Problem segments on real footage lie inside the videos and name body parts that really differ."""

from __future__ import annotations

import numpy as np
import pytest

from dancecoach.config import Settings
from dancecoach.library.pose_cache import load_or_extract
from dancecoach.scoring.features import FEATURE_INDEX, compute_features
from dancecoach.scoring.matching import match_performance
from dancecoach.scoring.performance import summarize
from tests import shared_poses
from tests.footage import SAME_CHOREOGRAPHY, SAME_EXERCISE_WITH_ERROR, labelled_pair

pytestmark = [pytest.mark.footage, pytest.mark.slow]


@pytest.fixture(scope="module")
def settings() -> Settings:
    """The run's shared data folder: each clip's poses are extracted once (shared_poses)."""
    return shared_poses.settings()


def test_an_exercise_with_a_neck_error_is_told_about_the_head(settings: Settings) -> None:
    # The manifest's exercise pair with an error: the attempt pulls the neck. (The manifest
    # does not say which body part is wrong; a second such pair would need that field.)
    pair = labelled_pair(SAME_EXERCISE_WITH_ERROR)
    reference = load_or_extract(pair.reference.path, settings)
    attempt = load_or_extract(pair.attempt.path, settings)
    report = summarize(
        reference, match_performance(reference, attempt, mirror=None, alignment="search")
    )
    assert report.problem_segments
    for segment in report.problem_segments:
        assert 0.0 <= segment.start_s < segment.end_s <= reference.duration_s + 0.1
        assert 0.0 <= segment.attempt_start_s < segment.attempt_end_s <= attempt.duration_s + 0.1
    head_errors = [e for s in report.problem_segments for e in s.errors if e.body_part == "head"]
    assert head_errors, [e.message for s in report.problem_segments for e in s.errors]
    # Pulling the neck: the head is tilted further from the spine than in the reference.
    assert all(abs(e.user_deg) > abs(e.reference_deg) for e in head_errors)
    assert "head" in head_errors[0].message


def test_segment_numbers_match_the_frames_they_describe(settings: Settings) -> None:
    """Checked by hand once, asserted here: each segment's stated angles are what the poses show."""
    pair = labelled_pair(SAME_CHOREOGRAPHY)
    reference = load_or_extract(pair.reference.path, settings)
    attempt = load_or_extract(pair.attempt.path, settings)
    matched = match_performance(reference, attempt, mirror=None, alignment="search")
    report = summarize(reference, matched)
    assert report.problem_segments
    user_features = compute_features(attempt.landmarks, attempt.aspect_ratio).values
    for segment in report.problem_segments:
        frames = (attempt.timestamps_s >= segment.attempt_start_s) & (
            attempt.timestamps_s < segment.attempt_end_s
        )
        assert frames.any()
        assert segment.score < report.overall_score
        for error in segment.errors:
            column = user_features[frames, FEATURE_INDEX[error.feature]]
            column = column[~np.isnan(column)]
            # The stated learner angle is one the learner really held in that stretch.
            assert column.min() - 5 <= error.user_deg <= column.max() + 5, error
            # Large enough to be worth a correction: 20 degrees, or 0.3 torso lengths apart.
            distance = error.feature in ("hand_spread", "foot_width")
            assert abs(error.difference) >= (0.3 if distance else 20.0), error
