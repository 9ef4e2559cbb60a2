"""The feedback item: one piece of coaching tied to a moment of the dance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dancecoach.scoring.results import Severity

FeedbackSource = Literal["llm", "template"]

# The founding design asks for 3-5 items per section, each under 100 words.
MIN_ITEMS = 3
MAX_ITEMS = 5
MAX_FEEDBACK_WORDS = 100


@dataclass(frozen=True)
class FeedbackItem:
    """One coaching item in the founding design's format.

    timestamp_s: the moment it is about, in reference seconds.
    body_parts: the parts it is about, e.g. ("left_elbow",), in the learner's own left/right.
    source: "llm" when the language model wrote it, "template" for the built-in fallback.
    """

    timestamp_s: float
    title: str
    feedback: str
    severity: Severity
    body_parts: tuple[str, ...]
    source: FeedbackSource


def word_count(text: str) -> int:
    return len(text.split())
