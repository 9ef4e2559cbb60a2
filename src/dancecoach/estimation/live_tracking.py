"""Live pose tracking: one set of pose models per thread, shared by every stream it serves.

MediaPipe's `PoseLandmarker` keeps its tracking state (where the person was) inside its graph,
so each stream needed a landmarker of its own: its own model weights (~100 MB native memory)
and, with seven streams taking turns on one core, caches that never held the weights of the
stream whose turn it was (10.2 ms of CPU a frame instead of 8.7). Here the state that makes
tracking work, the region of interest (ROI) for the next frame, lives in each stream's
`LiveTracker`, and the models are stateless, so one set per thread serves every stream:

- the landmark model runs on a ROI and gives the 33 landmarks and the ROI for the next frame
  (roi_landmarks.py: MediaPipe's steps, with the model run through LiteRT);
- MediaPipe's detection graph, run only when a stream has no ROI (its first frame, or the
  person was lost), finds the most confident person and their ROI.

That is what `PoseLandmarker` does for one person in video mode, with the same thresholds and
jitter filter (pose/smoothing.py), and the same models: the detector and the pruned
landmark model (models/bundle.py), by default quantized to int8 (models/quantization.py;
`precision="float"` runs the float one). The models load from files (models/files.py).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import cv2
import numpy as np
from google.protobuf import text_format
from mediapipe.framework import calculator_pb2
from mediapipe.python import packet_creator, packet_getter
from mediapipe.python._framework_bindings import calculator_graph, image_frame, resource_util
from numpy.typing import NDArray

from dancecoach.estimation.detector import downscale
from dancecoach.estimation.models.files import (
    LandmarkPrecision,
    landmark_model,
    model_resource_folder,
)
from dancecoach.estimation.roi_landmarks import Roi, RoiLandmarkModel
from dancecoach.estimation.tracking import LiveFollower
from dancecoach.pose.smoothing import LandmarkSmoother

_DETECTION_GRAPH = """
input_stream: "IMAGE:image"
output_stream: "ROI:roi"
node {
  calculator: "ImagePropertiesCalculator" input_stream: "IMAGE_CPU:image" output_stream: "SIZE:size"
}
node {
  calculator: "PoseDetectionCpu" input_stream: "IMAGE:image" output_stream: "DETECTIONS:detections"
}
node {
  calculator: "SplitDetectionVectorCalculator"
  input_stream: "detections"
  output_stream: "most_confident"
  options: { [mediapipe.SplitVectorCalculatorOptions.ext] {
    ranges: { begin: 0 end: 1 } element_only: true
  } }
}
node {
  calculator: "PoseDetectionToRoi"
  input_stream: "DETECTION:most_confident"
  input_stream: "IMAGE_SIZE:size"
  output_stream: "ROI:roi"
}
"""


_graph_start_lock = threading.Lock()


class SyncGraph:
    """A running MediaPipe graph called synchronously: packets in, the outputs of that step."""

    def __init__(self, config_text: str, outputs: list[str]) -> None:
        models = model_resource_folder()
        config = text_format.Parse(config_text, calculator_pb2.CalculatorGraphConfig())
        self._graph = calculator_graph.CalculatorGraph(graph_config=config)
        self._outputs: dict[str, Any] = {}
        for name in outputs:
            self._graph.observe_output_stream(name, self._collect)
        # The resource folder is process-wide: hold it until the graph has loaded its models.
        with _graph_start_lock:
            resource_util.set_resource_dir(str(models))
            self._graph.start_run()
            self._graph.wait_until_idle()
        self._timestamp = 0

    def _collect(self, stream: str, packet: Any) -> None:
        self._outputs[stream] = packet

    def run(self, inputs: dict[str, Any]) -> dict[str, Any]:
        self._outputs = {}
        self._timestamp += 1
        for stream, packet in inputs.items():
            self._graph.add_packet_to_input_stream(stream, packet.at(self._timestamp))
        self._graph.wait_until_idle()  # releases the GIL while the graph runs
        return self._outputs

    def close(self) -> None:
        self._graph.close()


class PoseModels:
    """The pose models of one thread (never used by two threads at once)."""

    def __init__(self, precision: LandmarkPrecision) -> None:
        self._detection = SyncGraph(_DETECTION_GRAPH, ["roi"])
        self._landmarks = RoiLandmarkModel(landmark_model(precision))

    def find(self, image_rgb: NDArray[np.uint8]) -> Roi | None:
        """The ROI of the most confident person in the image, or None."""
        image = packet_creator.create_image_frame(
            image_format=image_frame.ImageFormat.SRGB, data=image_rgb
        )
        found = self._detection.run({"image": image}).get("roi")
        if found is None:
            return None
        rect = packet_getter.get_proto(found)
        return Roi(rect.x_center, rect.y_center, rect.width, rect.height, rect.rotation)

    def landmarks(
        self, image_bgr: NDArray[np.uint8], roi: Roi
    ) -> tuple[NDArray[np.float32], Roi] | None:
        """The pose in the ROI (33, 4) and the ROI for the next frame; None if nobody is there."""
        return self._landmarks.landmarks(image_bgr, roi, bgr=True)

    def close(self) -> None:
        self._detection.close()


_thread_models = threading.local()


def _models_by_precision() -> dict[LandmarkPrecision, PoseModels]:
    models: dict[LandmarkPrecision, PoseModels] | None = getattr(_thread_models, "models", None)
    if models is None:
        models = {}
        _thread_models.models = models
    return models


def thread_models(precision: LandmarkPrecision = "int8") -> PoseModels:
    """This thread's pose models, created on first use (about 0.3 s)."""
    by_precision = _models_by_precision()
    models = by_precision.get(precision)
    if models is None:
        models = by_precision[precision] = PoseModels(precision)
    return models


def _discard_thread_models(precision: LandmarkPrecision) -> None:
    """Drop this thread's models: a MediaPipe graph that failed keeps failing."""
    models = _models_by_precision().pop(precision, None)
    if models is not None:
        with contextlib.suppress(Exception):
            models.close()


class LiveTracker:
    """Pose tracking for one live stream; call process() from one thread at a time.

    Holds only the stream's ROI, jitter filter and follower; the models belong to the calling
    thread.
    """

    def __init__(self, precision: LandmarkPrecision = "int8") -> None:
        self._precision: LandmarkPrecision = precision
        self._roi: Roi | None = None
        self._smoother = LandmarkSmoother()
        self._follower = LiveFollower()
        self._last_ms = -1

    def process(
        self, image_bgr: NDArray[np.uint8], timestamp_s: float
    ) -> NDArray[np.float32] | None:
        """The followed person's pose in this frame, or None when they are not found."""
        # The filter needs increasing times; clients may repeat a timestamp or jump back.
        timestamp_ms = max(round(timestamp_s * 1000), self._last_ms + 1)
        self._last_ms = timestamp_ms
        image_bgr = downscale(image_bgr)
        models = thread_models(self._precision)
        try:
            if self._roi is None:
                self._roi = models.find(np.asarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)))
                if self._roi is None:
                    return None
            tracked = models.landmarks(image_bgr, self._roi)
        except Exception:
            _discard_thread_models(self._precision)  # every stream of this thread gets fresh models
            self._roi = None
            self._smoother.reset()
            raise
        if tracked is None:
            self._roi = None  # lost: look for the person afresh on the next frame
            self._smoother.reset()
            return None
        raw_pose, self._roi = tracked
        height, width = image_bgr.shape[:2]
        pose = self._smoother.smooth(
            raw_pose, timestamp_ms, (width, height), (self._roi.width, self._roi.height)
        )
        return self._follower.choose([pose], timestamp_ms / 1000.0, width / height)

    @property
    def region_of_interest(self) -> Roi | None:
        """Where the landmark model will look on the next frame (None: person detection)."""
        return self._roi

    def close(self) -> None:
        self._roi = None
