"""Live cues: only major errors, only when sustained, at most one new cue per 1.5 s."""

from __future__ import annotations

from dancecoach.live.cues import MIN_INTERVAL_S, SUSTAIN_S, CueDebouncer
from dancecoach.scoring.results import JointError, Severity


def _error(feature: str, severity: Severity = "major") -> JointError:
    side, part, *_ = feature.split("_")
    return JointError(
        body_part=f"{side}_{part}",
        group=f"{side}_arm",
        feature=feature,
        user_deg=10.0,
        reference_deg=90.0,
        difference=-80.0,
        severity=severity,
        message=f"Raise your {side} arm higher",
    )


def _run(cues: CueDebouncer, errors: list[JointError], start_s: float, end_s: float) -> list[float]:
    """Feed frames at 10 fps; returns the times at which a cue was shown."""
    shown = []
    time_s = start_s
    while time_s < end_s - 1e-9:
        if cues.update(time_s, errors):
            shown.append(round(time_s, 2))
        time_s += 0.1
    return shown


def test_a_sustained_major_error_becomes_a_cue_after_half_a_second() -> None:
    shown = _run(CueDebouncer(), [_error("left_shoulder_angle")], 0.0, 2.0)
    assert shown[0] >= SUSTAIN_S - 1e-9
    assert shown[0] <= SUSTAIN_S + 0.1


def test_a_flickering_error_never_becomes_a_cue() -> None:
    cues = CueDebouncer()
    for index in range(40):
        errors = [_error("left_shoulder_angle")] if index % 4 else []
        assert cues.update(index * 0.1, errors) == []


def test_minor_and_medium_errors_are_never_cues() -> None:
    errors = [_error("left_shoulder_angle", "medium"), _error("right_elbow_angle", "minor")]
    assert _run(CueDebouncer(), errors, 0.0, 3.0) == []


def test_a_second_error_waits_for_the_cue_interval() -> None:
    cues = CueDebouncer()
    both = [_error("left_shoulder_angle"), _error("right_knee_angle")]
    first_time = second_time = None
    for index in range(40):
        active = cues.update(index * 0.1, both)
        if len(active) >= 1 and first_time is None:
            first_time = index * 0.1
        if len(active) == 2 and second_time is None:
            second_time = index * 0.1
    assert first_time is not None and second_time is not None
    assert second_time - first_time >= MIN_INTERVAL_S - 1e-9


def test_a_cue_ends_when_the_error_goes_and_a_pause_restarts_the_timer() -> None:
    cues = CueDebouncer()
    error = [_error("left_shoulder_angle")]
    assert _run(cues, error, 0.0, 1.0)
    assert cues.update(1.0, []) == []
    # After a two-second gap (a pause) the error must be sustained again before it shows.
    assert cues.update(3.0, error) == []
    assert cues.update(3.2, error) == []
