"""The footage pickers choose clips by what a test needs, from the manifest alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.footage import (
    SAME_CHOREOGRAPHY,
    SAME_PERFORMANCE,
    clip_where,
    clips_where,
    labelled_pair,
    labelled_pairs,
    shortest_clip,
    unrelated_pairs,
)


def _clip(**facts: object) -> dict[str, object]:
    plain = {"duration_s": 10.0, "fps": 30, "size": [720, 1280], "people": 1, "full_body": True}
    return {**plain, **facts}


MANIFEST = {
    "pairs": [
        {
            "reference": "b/teacher.mp4",
            "attempt": "b/student.mp4",
            "relation": SAME_CHOREOGRAPHY,
            "offset_s": 0.5,
            "mirrored": False,
            "reference_trim_end_s": 9.0,
        },
        {
            "reference": "a/silent_one.mp4",
            "attempt": "a/silent_two.mp4",
            "relation": SAME_CHOREOGRAPHY,
            "offset_s": 0.0,
            "mirrored": False,
            "audio": False,
        },
        {
            "reference": "b/teacher.mp4",
            "attempt": "b/teacher_copy.mp4",
            "relation": SAME_PERFORMANCE,
            "offset_s": 0.0,
            "mirrored": False,
        },
    ],
    "unrelated_examples": [["b/teacher.mp4", "a/silent_one.mp4"]],
    "clips": {
        "b/teacher.mp4": _clip(duration_s=12.0, choreography="x"),
        "b/student.mp4": _clip(people="1 (a second at the edge)", choreography="x"),
        "b/teacher_copy.mp4": _clip(choreography="x", full_body=False),
        "a/silent_one.mp4": _clip(choreography="y", audio=False),
        "a/silent_two.mp4": _clip(choreography="y", stored_size=[640, 352], rotation_tag_deg=-90),
        "c/street.avi": _clip(people="many", duration_s=4.0),
    },
}


@pytest.fixture(autouse=True)
def _fake_footage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    monkeypatch.setenv("DANCECOACH_TESTDATA", str(tmp_path))


def test_pairs_are_chosen_by_relation_and_sound_in_manifest_order() -> None:
    alike = labelled_pairs()
    assert [p.attempt.name for p in alike] == [
        "b/student.mp4",
        "a/silent_two.mp4",
        "b/teacher_copy.mp4",
    ]
    first = labelled_pair(SAME_CHOREOGRAPHY, audio=True, known_offset=True)
    assert first.offset_s == 0.5
    assert first.reference_end_s == 9.0  # the trim end, not the clip's 12 s
    assert first.attempt_end_s == 10.0
    # A pair is silent when the manifest says so or either clip has no sound.
    assert [p.reference.name for p in labelled_pairs(audio=False)] == ["a/silent_one.mp4"]
    assert [p.attempt.name for p in labelled_pairs(SAME_PERFORMANCE)] == ["b/teacher_copy.mp4"]
    assert labelled_pairs(SAME_PERFORMANCE, full_body=True) == []


def test_clips_are_chosen_by_their_facts_first_by_name() -> None:
    assert clip_where(people=1).name == "a/silent_one.mp4"
    assert clip_where(people=1, audio=True).name == "a/silent_two.mp4"
    rotated = clip_where(rotated=True)
    assert rotated.upright_size == (352, 640)  # stored 640x352, shown as a portrait
    assert clip_where(rotated=False).upright_size == (720, 1280)
    assert clip_where(people="many").name == "c/street.avi"
    assert shortest_clip().name == "a/silent_one.mp4"  # one dancer; first by name of the 10 s
    assert shortest_clip(people=None, dance=None).name == "c/street.avi"
    assert clip_where(dance=False).name == "c/street.avi"
    # A count given in words (somebody else in the picture) is not one person.
    assert "b/student.mp4" not in {c.name for c in clips_where(people=1)}
    assert [c.name for c in clips_where(min_duration_s=11.0)] == ["b/teacher.mp4"]


def test_unrelated_pairs_and_a_need_nothing_fits_fail_clearly() -> None:
    [(first, second)] = unrelated_pairs()
    assert first.choreography != second.choreography
    assert unrelated_pairs(audio=True) == []
    with pytest.raises(pytest.fail.Exception, match="no clip with people=3"):
        clip_where(people=3)
    with pytest.raises(pytest.fail.Exception, match="no same_performance pair"):
        labelled_pair(SAME_PERFORMANCE, audio=False)
