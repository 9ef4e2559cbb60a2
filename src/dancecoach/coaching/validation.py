"""Strict checking of the model's answer: anything off-format is rejected, never patched up.

A rejected answer makes the service fall back to template feedback, so every rule here is
something a learner would otherwise see go wrong (an empty title, a 300-word essay, a
timestamp in a part of the dance that had no problem).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, cast

from dancecoach.coaching.items import (
    MAX_FEEDBACK_WORDS,
    MAX_ITEMS,
    MIN_ITEMS,
    FeedbackItem,
    word_count,
)
from dancecoach.coaching.prompt import WINDOW_TOLERANCE_S
from dancecoach.errors import DancecoachError
from dancecoach.scoring.results import SEVERITY_RANK, Severity

_MAX_TITLE_CHARS = 80
_MAX_BODY_PARTS = 8
_MAX_BODY_PART_CHARS = 40


class InvalidAnswerError(DancecoachError):
    """The model's answer is not JSON or breaks the item format."""


def _text(item: dict[str, Any], key: str, index: int) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidAnswerError(f"item {index}: {key} must be a non-empty string")
    return value.strip()


def _timestamp(item: dict[str, Any], index: int, windows: Sequence[tuple[float, float]]) -> float:
    value = item.get("timestamp")
    # bool is an int subclass: true/false are not times.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidAnswerError(f"item {index}: timestamp must be a number of seconds")
    seconds = float(value)
    inside = any(
        start - WINDOW_TOLERANCE_S <= seconds <= end + WINDOW_TOLERANCE_S for start, end in windows
    )
    if not inside:
        raise InvalidAnswerError(f"item {index}: timestamp {seconds} is outside the allowed ranges")
    return seconds


def _severity(item: dict[str, Any], index: int) -> Severity:
    value = item.get("severity")
    if not isinstance(value, str) or value.strip().lower() not in SEVERITY_RANK:
        raise InvalidAnswerError(f"item {index}: severity must be minor, medium or major")
    return cast(Severity, value.strip().lower())


def _body_parts(item: dict[str, Any], index: int) -> tuple[str, ...]:
    value = item.get("body_parts")
    if not isinstance(value, list) or not 1 <= len(value) <= _MAX_BODY_PARTS:
        raise InvalidAnswerError(f"item {index}: body_parts must be a list of 1-8 names")
    parts = []
    for part in value:
        if not isinstance(part, str) or not part.strip() or len(part) > _MAX_BODY_PART_CHARS:
            raise InvalidAnswerError(f"item {index}: body_parts must be non-empty short strings")
        parts.append(part.strip())
    return tuple(parts)


def _item(raw: object, index: int, windows: Sequence[tuple[float, float]]) -> FeedbackItem:
    if not isinstance(raw, dict):
        raise InvalidAnswerError(f"item {index} is not an object")
    item = cast(dict[str, Any], raw)
    title = _text(item, "title", index)
    if len(title) > _MAX_TITLE_CHARS:
        raise InvalidAnswerError(
            f"item {index}: title is longer than {_MAX_TITLE_CHARS} characters"
        )
    feedback = _text(item, "feedback", index)
    if word_count(feedback) > MAX_FEEDBACK_WORDS:
        raise InvalidAnswerError(f"item {index}: feedback is over {MAX_FEEDBACK_WORDS} words")
    return FeedbackItem(
        timestamp_s=_timestamp(item, index, windows),
        title=title,
        feedback=feedback,
        severity=_severity(item, index),
        body_parts=_body_parts(item, index),
        source="llm",
    )


def parse_answer(content: str, windows: Sequence[tuple[float, float]]) -> list[FeedbackItem]:
    """The model's JSON answer as feedback items (raises InvalidAnswerError)."""
    try:
        answer = json.loads(content)
    except (json.JSONDecodeError, RecursionError) as error:
        raise InvalidAnswerError(f"the answer is not JSON ({error})") from error
    if not isinstance(answer, dict) or not isinstance(answer.get("items"), list):
        raise InvalidAnswerError('the answer has no "items" list')
    raw_items = cast(list[object], answer["items"])
    if not MIN_ITEMS <= len(raw_items) <= MAX_ITEMS:
        raise InvalidAnswerError(
            f"the answer has {len(raw_items)} items, not {MIN_ITEMS}-{MAX_ITEMS}"
        )
    return [_item(raw, i, windows) for i, raw in enumerate(raw_items)]
