"""Problem segments: what a learner reads as a segment's title."""

from __future__ import annotations

from dancecoach.pose.body_parts import WHOLE_BODY, part_label
from dancecoach.scoring.segments import segment_title


def test_a_segment_is_titled_with_the_vocabulary_s_words_for_its_body_part() -> None:
    # The torso group is "upper body" wherever a learner reads it (scores, coaching, the page).
    assert segment_title(("torso", "left_arm"), "0:08") == "Upper body at 0:08"
    assert "Torso" not in segment_title(("torso",), "0:08")
    assert segment_title(("left_arm",), "the third eight") == "Left arm at the third eight"
    assert segment_title((), "0:08") == f"{part_label(WHOLE_BODY)} at 0:08" == "Whole body at 0:08"
