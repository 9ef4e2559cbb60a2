"""Pose estimation: videos and images in, landmarks out (MediaPipe detection, tracking of the
followed dancer, live tracking on a region of interest). The model files are in models/.
Reading media lives here too: video frames, and soundtracks decoded to samples for scoring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.estimation.detector import PoseDetector
    from dancecoach.estimation.extraction import extract_image, extract_video
    from dancecoach.estimation.live_tracking import LiveTracker
    from dancecoach.estimation.soundtrack import read_soundtrack
    from dancecoach.estimation.video import decode_image, probe_video, read_frame_at

__all__ = [
    "LiveTracker",
    "PoseDetector",
    "decode_image",
    "extract_image",
    "extract_video",
    "probe_video",
    "read_frame_at",
    "read_soundtrack",
]

_MODULES = {
    "decode_image": "video",
    "probe_video": "video",
    "read_frame_at": "video",
    "read_soundtrack": "soundtrack",
    "extract_image": "extraction",
    "extract_video": "extraction",
    "PoseDetector": "detector",
    "LiveTracker": "live_tracking",
}


__getattr__ = lazy_exports(__name__, _MODULES)
