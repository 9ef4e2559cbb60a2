"""The frame_result message of a scored frame, serialised where the frame was scored.

A browser-pose frame's reply is built in the analysis process that scored it (live/workers/
pose_scoring.py), so the event loop only adds the stream's dropped-frame count and sends it:
building the 66 landmark objects and serialising them was a tenth of a frame's cost on the
loop. The message's fields are those of api.schemas.FrameResult; api/routes/live.py sends it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from dancecoach.live.analysis import FrameAnalysis

_COORDINATE_DECIMALS = 4


def landmark_list(points: NDArray[np.float32] | None, *, nullable: bool) -> list[Any] | None:
    """(33, 4) -> [{x, y, z, visibility}] rounded; a NaN point is null (or zeros if not allowed)."""
    if points is None:
        return None
    rounded = np.round(points.astype(np.float64), _COORDINATE_DECIMALS)
    result: list[Any] = []
    for x, y, z, visibility in rounded.tolist():
        if math.isnan(x) or math.isnan(y):
            result.append(None if nullable else {"x": 0.0, "y": 0.0, "z": 0.0, "visibility": 0.0})
        else:
            result.append(
                {
                    "x": x,
                    "y": y,
                    "z": 0.0 if math.isnan(z) else z,
                    "visibility": 0.0 if math.isnan(visibility) else visibility,
                }
            )
    return result


def frame_message(analysis: FrameAnalysis) -> bytes:
    """The frame_result message as JSON, all but its dropped_frames (see with_dropped)."""
    return orjson.dumps(
        {
            "type": "frame_result",
            "pose_landmarks": landmark_list(analysis.landmarks, nullable=False),
            "immediate_errors": [
                {"body_part": e.body_part, "message": e.message, "severity": e.severity}
                for e in analysis.cues
            ],
            "accuracy": None if analysis.accuracy is None else round(analysis.accuracy, 4),
            "timestamp": analysis.timestamp_s,
            "reference_landmarks": landmark_list(analysis.ghost, nullable=True),
            "part_scores": {part: round(score, 4) for part, score in analysis.part_scores.items()},
            "warning": analysis.warning,
            "processing_ms": round(analysis.processing_ms, 2),
        }
    )


def with_dropped(message: bytes, dropped_frames: int) -> str:
    """A frame_message completed with the stream's dropped-frame count (known on the loop)."""
    return f'{message[:-1].decode()},"dropped_frames":{int(dropped_frames)}}}'
