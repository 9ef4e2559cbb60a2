"""The compiled credit kernel gives compare_features' credits, row for row."""

from __future__ import annotations

import numpy as np

from dancecoach.scoring.comparison import compare_features
from dancecoach.scoring.compiled_credit import row_credits
from dancecoach.scoring.features import IS_CIRCULAR, NUM_FEATURES, PoseFeatures


def _features(rng: np.random.Generator, count: int) -> PoseFeatures:
    """Random features with what real poses bring: directions on both sides of +-180 (their
    differences wrap), unseen points (low or NaN visibility), features that could not be
    measured (NaN), and whole poses with next to nothing seen."""
    values = np.where(
        IS_CIRCULAR,
        rng.uniform(-180.0, 180.0, (count, NUM_FEATURES)),
        rng.normal(0, 1, (count, NUM_FEATURES)) * 60.0,
    )
    values[rng.random(values.shape) < 0.1] = np.nan
    visibility = rng.uniform(0.0, 1.0, (count, NUM_FEATURES))
    visibility[rng.random(visibility.shape) < 0.05] = np.nan
    visibility[rng.random(count) < 0.1] = 0.2  # out of frame
    return PoseFeatures(values, visibility, rng.choice([-1.0, 1.0], count))


def test_the_kernel_gives_the_credits_of_compare_features() -> None:
    rng = np.random.default_rng(7)
    users = _features(rng, 40)
    references = _features(rng, 3000)
    owner = rng.integers(0, 40, 3000).astype(np.intp)
    # A pose against itself, fully seen.
    references.values[0], owner[0] = users.values[3], 3
    references.visibility[0] = 1.0
    users.visibility[3] = 1.0
    expected = compare_features(users[owner], references)  # type: ignore[index]

    got = row_credits(users, owner, references)

    assert got.shape == (3000, 1 + expected.group_credit().shape[1])
    np.testing.assert_allclose(got[:, 0], expected.credit, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got[:, 1:], expected.group_credit(), rtol=0, atol=1e-12)
    assert got[0, 0] == 1.0  # a pose matches itself fully
    # Both kinds of unknown occur and agree: too little compared overall, a group unseen.
    assert np.isnan(got[:, 0]).any() and np.isfinite(got[:, 0]).any()
    assert np.isnan(got[:, 1:]).any()


def test_no_rows_is_no_credits() -> None:
    users = _features(np.random.default_rng(1), 2)
    empty = PoseFeatures(np.empty((0, NUM_FEATURES)), np.empty((0, NUM_FEATURES)), np.empty(0))
    assert row_credits(users, np.empty(0, dtype=np.intp), empty).shape[0] == 0
