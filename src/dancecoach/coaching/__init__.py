"""Coaching words after a section: LLM feedback (OpenAI) checked against the item format, with
specific template feedback as the fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.coaching.items import FeedbackItem
    from dancecoach.coaching.service import FeedbackService
    from dancecoach.coaching.templates import template_feedback

__all__ = ["FeedbackItem", "FeedbackService", "template_feedback"]

_MODULES = {
    "FeedbackService": "service",
    "FeedbackItem": "items",
    "template_feedback": "templates",
}


__getattr__ = lazy_exports(__name__, _MODULES)
