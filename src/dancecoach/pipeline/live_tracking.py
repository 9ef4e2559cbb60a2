"""Live pose tracking: one MediaPipe graph per thread, shared by every stream it serves.

MediaPipe's `PoseLandmarker` keeps its tracking state (where the person was) inside its graph,
so each stream needed a landmarker of its own: its own model weights (~100 MB native memory)
and, with seven streams taking turns on one core, caches that never held the weights of the
stream whose turn it was (10.2 ms of CPU a frame instead of 8.7). Here the state that makes
tracking work, the region of interest (ROI) for the next frame, lives in each stream's
`LiveTracker`, and the graphs are stateless, so one per thread serves every stream:

- the landmark graph runs the landmark model on a ROI, and returns the 33 landmarks and the ROI
  for the next frame (from the model's two alignment landmarks, as MediaPipe computes it);
- the detection graph, run only when a stream has no ROI (its first frame, or the person was
  lost), finds the most confident person and their ROI.

That is what `PoseLandmarker` does for one person in video mode, with the same calculators,
thresholds and jitter filter (landmark_smoothing.py), and the same models: the detector and the
pruned landmark model (pose_model.py), by default quantized to int8 (model_quantization.py;
`precision="float"` runs the float one). The models load from files (model_files.py).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import numpy as np
from google.protobuf import text_format
from mediapipe.framework import calculator_pb2
from mediapipe.framework.formats import rect_pb2
from mediapipe.python import packet_creator, packet_getter
from mediapipe.python._framework_bindings import calculator_graph, image_frame, resource_util
from numpy.typing import NDArray

from dancecoach.pipeline.detector import prepare_rgb
from dancecoach.pipeline.landmark_smoothing import LandmarkSmoother
from dancecoach.pipeline.model_files import LandmarkPrecision, model_resource_folder
from dancecoach.pipeline.tracking import LiveFollower

_LANDMARK_GRAPH = """
input_stream: "IMAGE:image"
input_stream: "ROI:roi"
output_stream: "LANDMARKS:landmarks"
output_stream: "NEXT_ROI:next_roi"
node {
  calculator: "ConstantSidePacketCalculator"
  output_side_packet: "PACKET:model_complexity"
  options: { [mediapipe.ConstantSidePacketCalculatorOptions.ext]: {
    packet { int_value: 1 }  # 1 = pose_landmark_full
  } }
}
node {
  calculator: "PoseLandmarkByRoiCpu"
  input_side_packet: "MODEL_COMPLEXITY:model_complexity"
  input_stream: "IMAGE:image"
  input_stream: "ROI:roi"
  output_stream: "LANDMARKS:landmarks"
  output_stream: "AUXILIARY_LANDMARKS:alignment_landmarks"
}
# The next frame's ROI, as PoseLandmarker computes it (MediaPipe's legacy PoseLandmarksToRoi
# would widen it by 1.5 rather than 1.25).
node {
  calculator: "ImagePropertiesCalculator" input_stream: "IMAGE_CPU:image" output_stream: "SIZE:size"
}
node {
  calculator: "LandmarksToDetectionCalculator"
  input_stream: "NORM_LANDMARKS:alignment_landmarks"
  output_stream: "DETECTION:alignment_detection"
}
node {
  calculator: "AlignmentPointsRectsCalculator"
  input_stream: "DETECTION:alignment_detection"
  input_stream: "IMAGE_SIZE:size"
  output_stream: "NORM_RECT:tight_roi"
  options: { [mediapipe.DetectionsToRectsCalculatorOptions.ext] {
    rotation_vector_start_keypoint_index: 0
    rotation_vector_end_keypoint_index: 1
    rotation_vector_target_angle_degrees: 90
  } }
}
node {
  calculator: "RectTransformationCalculator"
  input_stream: "NORM_RECT:tight_roi"
  input_stream: "IMAGE_SIZE:size"
  output_stream: "next_roi"
  options: { [mediapipe.RectTransformationCalculatorOptions.ext] {
    scale_x: 1.25 scale_y: 1.25 square_long: true
  } }
}
"""

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


class _Graph:
    """A running MediaPipe graph called synchronously: packets in, the outputs of that step."""

    def __init__(self, config_text: str, outputs: list[str], precision: LandmarkPrecision) -> None:
        models = model_resource_folder(precision)
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


class PoseGraphs:
    """The landmark and detection graphs of one thread (never used by two threads at once)."""

    def __init__(self, precision: LandmarkPrecision) -> None:
        self._landmarks = _Graph(_LANDMARK_GRAPH, ["landmarks", "next_roi"], precision)
        self._detection = _Graph(_DETECTION_GRAPH, ["roi"], precision)

    def find(self, image: Any) -> rect_pb2.NormalizedRect | None:
        """The ROI of the most confident person in the image, or None."""
        found = self._detection.run({"image": image}).get("roi")
        return None if found is None else packet_getter.get_proto(found)

    def landmarks(
        self, image: Any, roi: rect_pb2.NormalizedRect
    ) -> tuple[NDArray[np.float32], rect_pb2.NormalizedRect] | None:
        """The pose in the ROI (33, 4) and the ROI for the next frame; None if nobody is there."""
        outputs = self._landmarks.run({"image": image, "roi": packet_creator.create_proto(roi)})
        if "landmarks" not in outputs or "next_roi" not in outputs:
            return None
        points = packet_getter.get_proto(outputs["landmarks"]).landmark
        pose = np.array([(p.x, p.y, p.z, p.visibility) for p in points], dtype=np.float32)
        return pose, packet_getter.get_proto(outputs["next_roi"])

    def close(self) -> None:
        self._landmarks.close()
        self._detection.close()


_thread_graphs = threading.local()


def _graphs_by_precision() -> dict[LandmarkPrecision, PoseGraphs]:
    graphs: dict[LandmarkPrecision, PoseGraphs] | None = getattr(_thread_graphs, "graphs", None)
    if graphs is None:
        graphs = {}
        _thread_graphs.graphs = graphs
    return graphs


def thread_graphs(precision: LandmarkPrecision = "int8") -> PoseGraphs:
    """This thread's graphs, created on first use (about 0.3 s)."""
    by_precision = _graphs_by_precision()
    graphs = by_precision.get(precision)
    if graphs is None:
        graphs = by_precision[precision] = PoseGraphs(precision)
    return graphs


def _discard_thread_graphs(precision: LandmarkPrecision) -> None:
    """Drop this thread's graphs: a MediaPipe graph that failed keeps failing."""
    graphs = _graphs_by_precision().pop(precision, None)
    if graphs is not None:
        with contextlib.suppress(Exception):
            graphs.close()


class LiveTracker:
    """Pose tracking for one live stream; call process() from one thread at a time.

    Holds only the stream's ROI, jitter filter and follower; the graphs belong to the calling
    thread.
    """

    def __init__(self, precision: LandmarkPrecision = "int8") -> None:
        self._precision: LandmarkPrecision = precision
        self._roi: rect_pb2.NormalizedRect | None = None
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
        rgb = prepare_rgb(image_bgr)
        image = packet_creator.create_image_frame(
            image_format=image_frame.ImageFormat.SRGB, data=rgb
        )
        graphs = thread_graphs(self._precision)
        try:
            if self._roi is None:
                self._roi = graphs.find(image)
                if self._roi is None:
                    return None
            tracked = graphs.landmarks(image, self._roi)
        except Exception:
            _discard_thread_graphs(self._precision)  # every stream of this thread gets fresh graphs
            self._roi = None
            self._smoother.reset()
            raise
        if tracked is None:
            self._roi = None  # lost: look for the person afresh on the next frame
            self._smoother.reset()
            return None
        raw_pose, self._roi = tracked
        height, width = rgb.shape[:2]
        pose = self._smoother.smooth(
            raw_pose, timestamp_ms, (width, height), (self._roi.width, self._roi.height)
        )
        return self._follower.choose([pose], timestamp_ms / 1000.0, width / height)

    @property
    def region_of_interest(self) -> rect_pb2.NormalizedRect | None:
        """Where the landmark model will look on the next frame (None: person detection)."""
        return self._roi

    def close(self) -> None:
        self._roi = None
