"""Facing on real footage: two different dancers of the same choreography face about the same
way, so that the turn threshold (coaching/turns.py) stays quiet on a good copy."""

from __future__ import annotations

import numpy as np
import pytest

from dancecoach.coaching.turns import MIN_TURN_DEG
from dancecoach.library.pose_cache import load_or_extract
from dancecoach.scoring.facing import yaw_difference_deg
from dancecoach.scoring.matching import match_performance
from tests import shared_poses
from tests.footage import footage, manifest

pytestmark = [pytest.mark.footage, pytest.mark.slow]


def test_same_choreography_dancers_face_alike() -> None:
    data = manifest()
    clips = data["clips"]

    def one_full_body(clip: str) -> bool:
        return bool(clips[clip]["full_body"]) and clips[clip]["people"] == 1

    pair = next(
        p
        for p in data["pairs"]
        if p["relation"] == "same_choreography"
        and one_full_body(p["reference"])
        and one_full_body(p["attempt"])
    )
    settings = shared_poses.settings()
    reference, attempt = (
        load_or_extract(footage(pair[k]), settings) for k in ("reference", "attempt")
    )
    matched = match_performance(reference, attempt, mirror=pair["mirrored"], alignment="search")
    assert matched.body is not None
    difference = yaw_difference_deg(matched.body.learner_yaw_deg, matched.body.reference_yaw_deg)
    measured = matched.compared & np.isfinite(difference)
    # Most frames are measured: NaN is for the unsure ones, not the rule.
    assert measured.sum() >= 0.7 * matched.compared.sum()
    # Measured on the BLACKPINK pair: a median of 14 degrees (22 on the Maybe-not pair).
    assert float(np.median(np.abs(difference[measured]))) < MIN_TURN_DEG
