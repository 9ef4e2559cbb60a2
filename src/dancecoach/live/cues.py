"""Which errors become live cues: only major ones, only when sustained, and few of them.

An error (one feature of one body part) must be major in every frame for SUSTAIN_S of wall
time before it may be shown; at most one new cue starts per MIN_INTERVAL_S. A shown cue stays
in the list until the error goes away, so the client can keep showing it while it lasts.
Timing uses the server's wall clock (monotonic seconds), not dance time, because "half a
second" is about what a person notices, whatever the playback speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dancecoach.scoring.results import JointError

SUSTAIN_S = 0.5
MIN_INTERVAL_S = 1.5
# A gap longer than this (a pause, a lost connection) restarts every sustain timer.
MAX_FRAME_GAP_S = 0.6
MAX_ACTIVE_CUES = 2


def _key(error: JointError) -> str:
    return error.feature


@dataclass
class CueDebouncer:
    """Feed it every analysed frame's errors; it returns the cues to show now."""

    sustain_s: float = SUSTAIN_S
    min_interval_s: float = MIN_INTERVAL_S
    _major_since: dict[str, float] = field(default_factory=dict)
    _active: dict[str, JointError] = field(default_factory=dict)
    _last_cue_at: float | None = None
    _last_frame_at: float | None = None

    def reset(self) -> None:
        self._major_since.clear()
        self._active.clear()
        self._last_frame_at = None

    def update(self, now_s: float, errors: Sequence[JointError]) -> list[JointError]:
        """The active cues after this frame, oldest first.

        A frame without a comparison (no person) passes no errors: every timer stops.
        """
        if self._last_frame_at is not None and now_s - self._last_frame_at > MAX_FRAME_GAP_S:
            self.reset()
        self._last_frame_at = now_s
        majors = {_key(error): error for error in errors if error.severity == "major"}
        self._major_since = {key: self._major_since.get(key, now_s) for key in majors}
        # Active cues follow the error as it changes, and end when it is no longer major.
        self._active = {key: majors[key] for key in self._active if key in majors}
        may_start = self._last_cue_at is None or now_s - self._last_cue_at >= self.min_interval_s
        if may_start and len(self._active) < MAX_ACTIVE_CUES:
            sustained = [
                key
                for key, since in self._major_since.items()
                if key not in self._active and now_s - since >= self.sustain_s
            ]
            if sustained:
                # Errors arrive most severe first, so the first sustained one matters most.
                order = list(majors)
                chosen = min(sustained, key=order.index)
                self._active[chosen] = majors[chosen]
                self._last_cue_at = now_s
        return list(self._active.values())
