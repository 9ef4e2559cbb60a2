"""The frame_result message of a scored frame, serialised where the frame was scored.

A browser-pose frame's reply is built in the analysis process that scored it (live/workers/
pose_scoring.py), so the event loop only adds the stream's dropped-frame count and sends it:
building the 66 landmark objects and serialising them was a tenth of a frame's cost on the
loop. The message's fields are those of api.schemas.FrameResult; api/routes/live.py sends it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from dancecoach.live.analysis import FrameAnalysis

_COORDINATE_DECIMALS = 4


class _Rounded:
    """A batch's (33, 4) poses rounded and checked together: numpy's per-call cost, paid once a
    pose, was most of building a reply. Each pose's list is built as its message is written, so
    that a batch never holds thousands of little dicts at once (the collector's work)."""

    def __init__(self, poses: Sequence[NDArray[np.float32] | None]) -> None:
        present = [points for points in poses if points is not None]
        # Where each pose is among the present ones (None: no pose).
        counter = itertools.count()
        self._index = [None if points is None else next(counter) for points in poses]
        if present:
            rounded = np.round(np.stack(present).astype(np.float64), _COORDINATE_DECIMALS)
            self._lost = np.isnan(rounded[..., :2]).any(axis=-1)
            self._rows = np.where(np.isnan(rounded), 0.0, rounded)

    def points(self, pose: int, *, nullable: bool) -> list[Any] | None:
        """[{x, y, z, visibility}] of the batch's pose-th pose (None for None); a point without
        x or y is null (or zeros if not allowed), an unknown z or visibility 0."""
        index = self._index[pose]
        if index is None:
            return None
        return [
            (None if nullable else {"x": 0.0, "y": 0.0, "z": 0.0, "visibility": 0.0})
            if lost
            else {"x": x, "y": y, "z": z, "visibility": visibility}
            for (x, y, z, visibility), lost in zip(
                self._rows[index].tolist(), self._lost[index].tolist(), strict=True
            )
        ]


def frame_messages(analyses: Sequence[FrameAnalysis]) -> list[bytes]:
    """The frame_result messages as JSON, all but their dropped_frames (see with_dropped)."""
    landmarks = _Rounded([analysis.landmarks for analysis in analyses])
    ghosts = _Rounded([analysis.ghost for analysis in analyses])
    return [
        orjson.dumps(
            {
                "type": "frame_result",
                "pose_landmarks": landmarks.points(index, nullable=False),
                "immediate_errors": [
                    {"body_part": e.body_part, "message": e.message, "severity": e.severity}
                    for e in analysis.cues
                ],
                "accuracy": None if analysis.accuracy is None else round(analysis.accuracy, 4),
                "timestamp": analysis.timestamp_s,
                "reference_landmarks": ghosts.points(index, nullable=True),
                "part_scores": {
                    part: round(score, 4) for part, score in analysis.part_scores.items()
                },
                "warning": analysis.warning,
                "processing_ms": round(analysis.processing_ms, 2),
            }
        )
        for index, analysis in enumerate(analyses)
    ]


def frame_message(analysis: FrameAnalysis) -> bytes:
    """One frame's frame_message (see frame_messages)."""
    return frame_messages([analysis])[0]


def with_dropped(message: bytes, dropped_frames: int) -> str:
    """A frame_message completed with the stream's dropped-frame count (known on the loop)."""
    return f'{message[:-1].decode()},"dropped_frames":{int(dropped_frames)}}}'
