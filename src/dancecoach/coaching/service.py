"""The feedback facade: LLM coaching when a key is configured, template coaching otherwise.

`generate` never raises and always returns 3-5 items: any LLM problem (no key, timeout,
connection, HTTP error, malformed or off-format answer) is logged and answered from templates.
"""

from __future__ import annotations

import logging

from dancecoach.coaching.items import FeedbackItem, FeedbackSource
from dancecoach.coaching.llm import HttpClient, LLMUnavailableError, ask_for_json
from dancecoach.coaching.prompt import build_request
from dancecoach.coaching.templates import template_feedback
from dancecoach.coaching.validation import InvalidAnswerError, parse_answer
from dancecoach.config import Settings
from dancecoach.pose.body_parts import WHOLE_BODY
from dancecoach.scoring.results import ScoreReport

__all__ = ["FeedbackItem", "FeedbackService", "FeedbackSource"]

log = logging.getLogger(__name__)


class FeedbackService:
    """Turns a score report into coaching items.

    http_client: optional HTTP client for the openai client (connection reuse, tests); the
    service never closes a client it was given.
    """

    def __init__(self, settings: Settings, *, http_client: HttpClient | None = None) -> None:
        self._settings = settings
        self._http_client = http_client

    def generate(
        self, report: ScoreReport, *, section_title: str | None = None
    ) -> list[FeedbackItem]:
        """3-5 feedback items for a section (or a whole session); never raises."""
        if self._settings.openai_api_key and report.frames_compared > 0:
            items = self._from_llm(report, section_title)
            if items is not None:
                return items
        return self._from_templates(report, section_title)

    def _from_llm(
        self, report: ScoreReport, section_title: str | None
    ) -> list[FeedbackItem] | None:
        try:
            request = build_request(report, section_title)
            answer = ask_for_json(
                self._settings, request.system, request.user, http_client=self._http_client
            )
            items = parse_answer(answer, request.windows)
        except (LLMUnavailableError, InvalidAnswerError) as error:
            log.warning("LLM feedback unavailable, using template feedback: %s", error)
            return None
        except Exception:
            # The promise is coaching for every section: an unexpected bug in the LLM path must
            # not cost the learner their feedback, so it is logged in full and templated.
            log.exception("LLM feedback failed unexpectedly, using template feedback")
            return None
        log.info("LLM feedback: %d items from %s", len(items), self._settings.llm_model)
        return items

    def _from_templates(self, report: ScoreReport, section_title: str | None) -> list[FeedbackItem]:
        try:
            return template_feedback(report, section_title=section_title)
        except Exception:
            # Same promise as above; a bug here is a bug, but the learner still gets a word.
            log.exception("template feedback failed")
            return [
                FeedbackItem(
                    0.0,
                    title,
                    text,
                    "minor",
                    (WHOLE_BODY,),
                    "template",
                )
                for title, text in (
                    ("Overall", f"You scored {round(report.overall_score)}/100 on this run."),
                    ("Watch closely", "Replay the reference and copy one body part at a time."),
                    ("Keep going", "Every run teaches your body the moves: you've got this!"),
                )
            ]
