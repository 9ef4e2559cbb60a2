"""The model runtime: the MediaPipe bundle, the model files live tracking loads, pruning and
int8 quantization of TFLite graphs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.estimation.models.browser import BrowserModelBundle
    from dancecoach.estimation.models.bundle import pose_landmarker_bundle
    from dancecoach.estimation.models.files import LandmarkPrecision, landmark_model

__all__ = ["BrowserModelBundle", "LandmarkPrecision", "landmark_model", "pose_landmarker_bundle"]

_MODULES = {
    "BrowserModelBundle": "browser",
    "pose_landmarker_bundle": "bundle",
    "LandmarkPrecision": "files",
    "landmark_model": "files",
}


__getattr__ = lazy_exports(__name__, _MODULES)
