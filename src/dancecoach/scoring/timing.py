"""On time, late or early: the one threshold for reporting a timing lag.

80 ms is the threshold the session reports have always used for their timing: just over one
frame at the rate recordings are sampled at (15 fps: 67 ms), so a lag the time warp cannot
tell apart from where a frame happened to fall is never called late or early. The session
reports, the compare command, the HTML report, the coaching (templates and the LLM's rules)
and the web page (through /api/protocol and the reports' `timing`) all use it.
"""

from __future__ import annotations

from typing import Literal

ON_TIME_MS = 80.0  # an average lag within +-ON_TIME_MS milliseconds is on time

Timing = Literal["late", "early", "on time"]


def timing_word(lag_ms: float) -> Timing:
    """ "late" (positive lag beyond the threshold), "early" or "on time"."""
    if lag_ms > ON_TIME_MS:
        return "late"
    if lag_ms < -ON_TIME_MS:
        return "early"
    return "on time"
