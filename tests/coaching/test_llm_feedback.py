"""LLM coaching against a local OpenAI-compatible server, through the real openai client."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from dancecoach.coaching.service import FeedbackService
from dancecoach.config import Settings
from tests.coaching import fake_openai
from tests.coaching.fake_openai import FakeOpenAI, Reply, answer, completion, error
from tests.coaching.reports import typical_report


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    yield from fake_openai.running()


def settings_for(server: FakeOpenAI, tmp_path: Path, timeout_s: float = 5.0) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        openai_api_key="test-key",
        openai_base_url=server.base_url,
        llm_timeout_s=timeout_s,
    )


def good_items() -> list[dict[str, Any]]:
    """A valid answer for typical_report(): timestamps inside its problem segments."""
    return [
        {
            "timestamp": 12.5,
            "title": "Reach through the left arm",
            "feedback": "At 0:12 your left elbow stayed bent at 95 degrees while the reference "
            "reached 145. Straighten it as you reach up: that long line is the move. You're close!",
            "severity": "major",
            "body_parts": ["left_elbow", "left_arm"],
        },
        {
            "timestamp": 16.8,
            "title": "Lift the right arm",
            "feedback": "Your right arm was 55 degrees lower than the reference. Lift it to "
            "shoulder height on the count. Nice energy, keep it!",
            "severity": "medium",
            "body_parts": ["right_upper_arm"],
        },
        {
            "timestamp": 20.5,
            "title": "Wider stance",
            "feedback": "Your feet were closer together than the reference. Step wider so the "
            "move feels grounded, and start it on the beat. Great progress overall!",
            "severity": "minor",
            "body_parts": ["feet"],
        },
    ]


def with_change(index: int, **changes: Any) -> list[dict[str, Any]]:
    items = good_items()
    items[index].update(changes)
    return items


def assert_template(items: list[Any]) -> None:
    assert 3 <= len(items) <= 5
    assert {item.source for item in items} == {"template"}


def test_request_carries_model_and_numbers_but_no_image(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(answer(good_items()))
    FeedbackService(settings_for(server, tmp_path)).generate(
        typical_report(), section_title="Chorus"
    )

    assert len(server.requests) == 1
    request = server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers.get("authorization") == "Bearer test-key"
    body = request.json
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"] == {"type": "json_object"}
    # Only plain-text messages: no content parts, so no image_url parts and no base64 images.
    assert all(isinstance(message["content"], str) for message in body["messages"])
    raw = request.raw_body.decode()
    for image_marker in ("image_url", "data:image", "base64", "/9j/"):
        assert image_marker not in raw
    prompt = "\n".join(message["content"] for message in body["messages"])
    # The learner's and the reference's degrees, the joints (learner's sides) and the times.
    facts = json.loads(body["messages"][-1]["content"].split("\n", 1)[1])
    errors = facts["problem_segments"][0]["errors"]
    assert (errors[0]["body_part"], errors[0]["student"], errors[0]["reference"]) == (
        "left_elbow",
        95.0,
        145.0,
    )
    assert facts["problem_segments"][2]["lag_ms"] == 310.0
    assert facts["trend"]["direction"] == "improving"
    assert facts["section"] == "Chorus"
    assert "never swap" in prompt


def test_request_is_strict_json_even_with_missing_numbers(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    report = typical_report()
    first = report.problem_segments[0]
    broken = replace(first, errors=(replace(first.errors[0], user_deg=math.nan),))
    server.script(answer(good_items()))
    items = FeedbackService(settings_for(server, tmp_path)).generate(
        replace(report, problem_segments=(broken, *report.problem_segments[1:]))
    )
    assert "NaN" not in server.requests[0].raw_body.decode()
    assert {item.source for item in items} == {"llm"}


def test_model_comes_from_settings(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(answer(good_items()))
    settings = settings_for(server, tmp_path).model_copy(update={"llm_model": "local-coach"})
    FeedbackService(settings).generate(typical_report())
    assert server.requests[0].json["model"] == "local-coach"


def test_good_answer_is_used(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(answer(good_items()))
    items = FeedbackService(settings_for(server, tmp_path)).generate(typical_report())

    assert [item.title for item in items] == [item["title"] for item in good_items()]
    assert [item.timestamp_s for item in items] == [12.5, 16.8, 20.5]
    assert items[0].body_parts == ("left_elbow", "left_arm")
    assert items[0].severity == "major"
    assert {item.source for item in items} == {"llm"}


def test_timeout_falls_back_within_the_budget(
    server: FakeOpenAI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(Reply(delay_s=10.0, body=answer(good_items()).body))
    service = FeedbackService(settings_for(server, tmp_path, timeout_s=1.0))

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="dancecoach.coaching"):
        items = service.generate(typical_report())
    elapsed_s = time.monotonic() - started

    assert elapsed_s < 1.0 + 1.0
    assert_template(items)
    assert len(server.requests) == 1  # a timeout spends the budget: no retry
    assert "timed out" in caplog.text


def test_trickling_answer_is_cut_off_at_the_total_budget(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    # Every byte arrives well within the read timeout; only a total budget stops this.
    server.script(Reply(body=answer(good_items()).body, trickle_interval_s=0.3))
    service = FeedbackService(settings_for(server, tmp_path, timeout_s=1.0))

    started = time.monotonic()
    items = service.generate(typical_report())

    assert time.monotonic() - started < 1.0 + 1.0
    assert_template(items)


def test_rate_limit_then_success_is_retried(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(error(429, headers={"retry-after": "0.1"}), answer(good_items()))
    items = FeedbackService(settings_for(server, tmp_path)).generate(typical_report())

    assert len(server.requests) == 2
    assert {item.source for item in items} == {"llm"}


def test_server_error_then_success_is_retried(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(error(503), answer(good_items()))
    items = FeedbackService(settings_for(server, tmp_path)).generate(typical_report())
    assert len(server.requests) == 2
    assert {item.source for item in items} == {"llm"}


def test_server_error_twice_falls_back(
    server: FakeOpenAI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(error(500), error(500), answer(good_items()))
    with caplog.at_level(logging.WARNING, logger="dancecoach.coaching"):
        items = FeedbackService(settings_for(server, tmp_path)).generate(typical_report())

    assert len(server.requests) == 2  # one retry, not more
    assert_template(items)
    assert "HTTP 500" in caplog.text


def test_client_error_falls_back_without_retry(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(error(401), answer(good_items()))
    items = FeedbackService(settings_for(server, tmp_path)).generate(typical_report())
    assert len(server.requests) == 1
    assert_template(items)


def test_unreachable_server_falls_back(tmp_path: Path) -> None:
    with FakeOpenAI() as stopped:  # closed again at once: nothing listens on its port
        url = stopped.base_url
    settings = Settings(
        data_dir=tmp_path, openai_api_key="test-key", openai_base_url=url, llm_timeout_s=2.0
    )
    assert_template(FeedbackService(settings).generate(typical_report()))


@pytest.mark.parametrize(
    "reply",
    [
        completion("Sure! Here is your feedback: {items: [oops"),
        completion(""),
        Reply(body=b"<html>bad gateway</html>"),
        completion(json.dumps(good_items())),  # a list, not {"items": [...]}
    ],
    ids=["not-json", "empty", "http-body-not-json", "no-items-key"],
)
def test_malformed_answer_falls_back(server: FakeOpenAI, tmp_path: Path, reply: Reply) -> None:
    server.script(reply)
    items = FeedbackService(settings_for(server, tmp_path)).generate(typical_report())
    assert_template(items)


@pytest.mark.parametrize(
    "items",
    [
        with_change(0, severity="critical"),
        with_change(1, body_parts=[]),
        with_change(1, body_parts=["left_arm", ""]),
        with_change(2, feedback=" ".join(["word"] * 140)),
        with_change(0, timestamp=99.0),  # outside every problem segment
        with_change(0, timestamp="12.5"),
        with_change(1, title=""),
        good_items()[:2],
        good_items() + good_items(),
        [{k: v for k, v in item.items() if k != "feedback"} for item in good_items()],
    ],
    ids=[
        "bad-severity",
        "no-body-parts",
        "blank-body-part",
        "too-long",
        "timestamp-outside",
        "timestamp-string",
        "blank-title",
        "two-items",
        "six-items",
        "missing-feedback",
    ],
)
def test_schema_violating_answer_falls_back(
    server: FakeOpenAI, tmp_path: Path, items: list[dict[str, Any]]
) -> None:
    server.script(answer(items))
    result = FeedbackService(settings_for(server, tmp_path)).generate(typical_report())
    assert len(server.requests) == 1
    assert_template(result)


def test_no_key_means_templates_and_no_network(server: FakeOpenAI, settings: Settings) -> None:
    no_key = settings.model_copy(update={"openai_base_url": server.base_url})
    items = FeedbackService(no_key).generate(typical_report())
    assert server.requests == []
    assert_template(items)


def test_given_http_client_is_used_and_left_open(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(answer(good_items()), answer(good_items()))
    with httpx.Client() as client:
        service = FeedbackService(settings_for(server, tmp_path), http_client=client)
        first = service.generate(typical_report())
        second = service.generate(typical_report())
        assert not client.is_closed
    assert {item.source for item in first + second} == {"llm"}
    assert len(server.requests) == 2
