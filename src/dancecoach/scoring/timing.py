"""On time, late or early: the one threshold for reporting a timing lag.

80 ms is the threshold the session reports have always used for their timing: just over one
frame at the rate recordings are sampled at (15 fps: 67 ms), so a lag the time warp cannot
tell apart from where a frame happened to fall is never called late or early. The session
reports, the compare command, the HTML report, the coaching (templates and the LLM's rules)
and the web page (through /api/protocol and the reports' `timing`) all use it.
"""

from __future__ import annotations

from typing import Literal

from dancecoach.scoring.results import Severity

ON_TIME_MS = 80.0  # an average lag within +-ON_TIME_MS milliseconds is on time

Timing = Literal["late", "early", "on time"]

# Average lags from these many milliseconds are medium / major timing problems: a quarter of a
# second is felt as off the beat by a watcher, 0.4 s is most of a beat at 120-150 BPM.
LAG_MEDIUM_MS = 250.0
LAG_MAJOR_MS = 400.0


def timing_word(lag_ms: float) -> Timing:
    """ "late" (positive lag beyond the threshold), "early" or "on time"."""
    if lag_ms > ON_TIME_MS:
        return "late"
    if lag_ms < -ON_TIME_MS:
        return "early"
    return "on time"


def timing_severity(lag_ms: float) -> Severity:
    """How serious an average lag is (early or late alike), for coaching and the report."""
    magnitude = abs(lag_ms)
    if magnitude >= LAG_MAJOR_MS:
        return "major"
    if magnitude >= LAG_MEDIUM_MS:
        return "medium"
    return "minor"
