"""The OpenAI chat call: JSON mode, a total time budget, one retry on a rate limit or server error.

The openai client's own retries are off (max_retries=0) so that the budget is ours: the whole
exchange, retry included, ends within `Settings.llm_timeout_s`, after which the caller falls
back to template feedback. Only text goes out: the request is two plain-text messages.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError

import httpx
import httpx2
import openai
from openai.types.chat import ChatCompletionMessageParam

from dancecoach.config import Settings
from dancecoach.errors import DancecoachError

log = logging.getLogger(__name__)

HttpClient = httpx.Client | httpx2.Client

# A retry only makes sense with time left for an answer; gpt-4o-mini needs a few seconds.
_MIN_TIME_FOR_RETRY_S = 1.0
_DEFAULT_RETRY_PAUSE_S = 0.5
_MAX_RETRY_PAUSE_S = 2.0
_MAX_ANSWER_TOKENS = 1200
_TEMPERATURE = 0.5


class LLMUnavailableError(DancecoachError):
    """The model gave no usable answer in time (timeout, connection, HTTP error, empty answer)."""


def _retry_pause_s(error: openai.APIStatusError, remaining_s: float) -> float:
    """The server's Retry-After when it asks for a short wait, else a short default pause."""
    pause = _DEFAULT_RETRY_PAUSE_S
    header = error.response.headers.get("retry-after")
    if header is not None:
        with contextlib.suppress(ValueError):
            pause = float(header)
    return max(0.0, min(pause, _MAX_RETRY_PAUSE_S, remaining_s - _MIN_TIME_FOR_RETRY_S))


def _is_transient(error: openai.APIStatusError) -> bool:
    return error.status_code == 429 or error.status_code >= 500


def _ask_once(
    client: openai.OpenAI,
    model: str,
    messages: list[ChatCompletionMessageParam],
    timeout_s: float,
) -> str:
    completion = client.chat.completions.create(
        model=model,
        messages=messages,
        response_format={"type": "json_object"},
        temperature=_TEMPERATURE,
        max_tokens=_MAX_ANSWER_TOKENS,
        timeout=timeout_s,
    )
    choices = getattr(completion, "choices", None)
    if not choices:
        raise LLMUnavailableError("the answer has no choices")
    choice = choices[0]
    if choice.finish_reason == "length":
        raise LLMUnavailableError("the answer was cut off at the token limit")
    content = choice.message.content
    if not isinstance(content, str) or not content:
        raise LLMUnavailableError("the answer is empty")
    return content


def _within(deadline: float, call: Callable[[], str]) -> str:
    """Run call() but give up at the deadline, even if the server trickles bytes.

    httpx timeouts are per read, not per request; a worker thread bounds the wall-clock time.
    An abandoned call ends by itself at its own (equal) httpx timeout.
    """
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise LLMUnavailableError("no time left")
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm-call")
    try:
        result: str = pool.submit(call).result(timeout=remaining)
        return result
    except FutureTimeoutError as error:
        raise LLMUnavailableError("timed out") from error
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _request(
    client: openai.OpenAI, settings: Settings, messages: list[ChatCompletionMessageParam]
) -> str:
    deadline = time.monotonic() + settings.llm_timeout_s
    for attempt in (1, 2):
        remaining = deadline - time.monotonic()
        try:
            call = functools.partial(_ask_once, client, settings.llm_model, messages, remaining)
            return _within(deadline, call)
        except openai.APITimeoutError as error:
            raise LLMUnavailableError(f"timed out after {settings.llm_timeout_s:g} s") from error
        except openai.APIConnectionError as error:
            raise LLMUnavailableError(f"could not connect ({error})") from error
        except openai.APIStatusError as error:
            remaining = deadline - time.monotonic()
            if attempt == 2 or not _is_transient(error) or remaining < _MIN_TIME_FOR_RETRY_S:
                raise LLMUnavailableError(
                    f"HTTP {error.status_code} (attempt {attempt})"
                ) from error
            log.info("LLM answered HTTP %s; retrying once", error.status_code)
            time.sleep(_retry_pause_s(error, remaining))
        except openai.OpenAIError as error:
            raise LLMUnavailableError(f"{type(error).__name__}: {error}") from error
    raise AssertionError("unreachable: the second attempt returns or raises")


def ask_for_json(
    settings: Settings, system: str, user: str, *, http_client: HttpClient | None = None
) -> str:
    """The model's JSON answer (text) to a system + user prompt; raises LLMUnavailableError."""
    if not settings.openai_api_key:
        raise LLMUnavailableError("no OpenAI API key is configured")
    messages: list[ChatCompletionMessageParam] = [
        {"role": "system", "content": system},
        {"role": "user", "content": user},
    ]
    client = openai.OpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        # openai accepts both httpx generations at run time; its annotation names only httpx2.
        http_client=http_client,  # type: ignore[arg-type]
    )
    try:
        return _request(client, settings, messages)
    finally:
        # Closing the openai client closes its HTTP client: only do it when it is ours.
        if http_client is None:
            client.close()
