"""Request budgets: uploads an hour per user (each costs minutes of CPU and disk), sign-in
attempts an hour per client address and per username."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from dancecoach.errors import RateLimitedError

_HOUR_S = 3600.0


class HourlyLimit:
    """At most `per_hour` events per key in any sliding hour (in memory: one server process)."""

    def __init__(
        self, per_hour: int, what: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._per_hour = per_hour
        self._what = what
        self._clock = clock
        self._events: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Count one event for key, or raise RateLimitedError when its hour is used up."""
        now = self._clock()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - _HOUR_S:
                events.popleft()
            if len(events) >= self._per_hour:
                wait_min = max(1, round((events[0] + _HOUR_S - now) / 60))
                raise RateLimitedError(
                    f"At most {self._per_hour} {self._what} an hour; try again in about "
                    f"{wait_min} minutes."
                )
            events.append(now)

    def give_back(self, key: str) -> None:
        """Uncount key's latest event (one that turned out not to count, e.g. a right password)."""
        with self._lock:
            events = self._events.get(key)
            if events:
                events.pop()
            if not events:
                self._events.pop(key, None)  # no empty entries left behind for unknown names
