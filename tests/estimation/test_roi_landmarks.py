"""The landmark model on a ROI: MediaPipe's own graph's answers, and the maths with known ones."""

from __future__ import annotations

import math
from dataclasses import astuple

import cv2
import numpy as np
import pytest
from mediapipe.framework.formats import rect_pb2
from mediapipe.python import packet_creator, packet_getter
from mediapipe.python._framework_bindings import image_frame
from numpy.typing import NDArray

from dancecoach.estimation.detector import downscale, prepare_rgb
from dancecoach.estimation.live_tracking import SyncGraph, thread_models
from dancecoach.estimation.models.files import landmark_model
from dancecoach.estimation.roi_landmarks import (
    MODEL_SIDE,
    Roi,
    RoiLandmarkModel,
    model_input,
    next_roi,
    refine_from_heatmap,
)
from dancecoach.estimation.video import iter_frames
from tests.footage import footage

# MediaPipe's PoseLandmarkByRoiCpu and the next ROI as its PoseLandmarker computes it.
_MEDIAPIPE_BY_ROI_GRAPH = """
input_stream: "IMAGE:image"
input_stream: "ROI:roi"
output_stream: "LANDMARKS:landmarks"
output_stream: "NEXT_ROI:next_roi"
node {
  calculator: "ConstantSidePacketCalculator"
  output_side_packet: "PACKET:model_complexity"
  options: { [mediapipe.ConstantSidePacketCalculatorOptions.ext]: {
    packet { int_value: 1 }
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


def mediapipe_by_roi(
    graph: SyncGraph, image_bgr: NDArray[np.uint8], roi: Roi
) -> tuple[NDArray[np.float32], Roi] | None:
    rgb = prepare_rgb(image_bgr)
    image = packet_creator.create_image_frame(image_format=image_frame.ImageFormat.SRGB, data=rgb)
    rect = rect_pb2.NormalizedRect(
        x_center=roi.x_center,
        y_center=roi.y_center,
        width=roi.width,
        height=roi.height,
        rotation=roi.rotation,
    )
    outputs = graph.run({"image": image, "roi": packet_creator.create_proto(rect)})
    if "landmarks" not in outputs:
        return None
    points = packet_getter.get_proto(outputs["landmarks"]).landmark
    pose = np.array([(p.x, p.y, p.z, p.visibility) for p in points], dtype=np.float32)
    following = packet_getter.get_proto(outputs["next_roi"])
    return pose, Roi(
        following.x_center,
        following.y_center,
        following.width,
        following.height,
        following.rotation,
    )


@pytest.mark.footage
def test_same_landmarks_and_next_roi_as_mediapipes_graph_on_real_footage() -> None:
    graph = SyncGraph(_MEDIAPIPE_BY_ROI_GRAPH, ["landmarks", "next_roi"])
    ours = RoiLandmarkModel(landmark_model("float"))
    detection = thread_models("float")
    try:
        gaps, roi_gaps, compared = [], [], 0
        # A full body turning and kneeling; feet and hands leave the frame in the second.
        for video in ("single/shuffle.mp4", "pairs/maybenot_student.mp4"):
            roi: Roi | None = None
            for _, full_size in iter_frames(footage(video), 5, 0.0, 12.0):
                frame = downscale(full_size)  # as live tracking and PoseLandmarker do
                if roi is None:
                    roi = detection.find(prepare_rgb(frame))
                    if roi is None:
                        continue
                theirs, mine = mediapipe_by_roi(graph, frame, roi), ours.landmarks(frame, roi)
                assert (theirs is None) == (mine is None)
                if theirs is None or mine is None:
                    roi = None
                    continue
                width = frame.shape[1]
                gaps.append(float(np.abs(theirs[0][:, :3] - mine[0][:, :3]).max()) * width)
                assert np.abs(theirs[0][:, 3] - mine[0][:, 3]).max() < 1e-3  # visibility
                roi_gaps.append(np.abs(np.subtract(astuple(theirs[1]), astuple(mine[1]))).max())
                roi, compared = theirs[1], compared + 1
    finally:
        graph.close()
    assert compared > 80
    # MediaPipe's own OpenCV build may round a crop pixel differently from ours: a fraction of
    # a pixel at most (0.0 on the very same crop).
    assert np.median(gaps) < 0.01, f"median gap {np.median(gaps):.4f} px"
    assert max(gaps) < 1.0, f"largest gap {max(gaps):.3f} px"
    assert max(roi_gaps) < 1e-3


def heatmap_with_peak(row: int, col: int, point: int) -> NDArray[np.float32]:
    heatmap = np.full((64, 64, 39), -10.0, dtype=np.float32)  # confidence ~0
    heatmap[row, col, point] = 10.0  # confidence ~1
    return heatmap


def test_a_point_moves_to_the_heatmap_peak_in_its_window() -> None:
    x, y = np.full(39, 0.5), np.full(39, 0.5)  # cell (32, 32)
    refined_x, refined_y = refine_from_heatmap(x, y, heatmap_with_peak(30, 34, point=5))
    assert refined_x[5] == pytest.approx(34 / 64, abs=1e-4)
    assert refined_y[5] == pytest.approx(30 / 64, abs=1e-4)
    # Every other point's window is all low confidence: they stay.
    assert np.array_equal(np.delete(refined_x, 5), np.delete(x, 5))


def test_a_peak_outside_the_window_or_a_point_off_the_heatmap_changes_nothing() -> None:
    x, y = np.full(39, 0.5), np.full(39, 0.5)
    far = heatmap_with_peak(32, 40, point=0)  # 8 cells right of (32, 32): outside 7x7
    assert np.array_equal(refine_from_heatmap(x, y, far)[0], x)
    off = x.copy()
    off[0] = 1.2  # right of the crop
    assert refine_from_heatmap(off, y, heatmap_with_peak(32, 63, point=0))[0][0] == 1.2


def test_next_roi_is_centred_on_the_hips_upright_square_and_widened() -> None:
    # A 640x360 image; the scale point 90 px straight above the centre point.
    roi = next_roi((0.5, 0.5), (0.5, 0.25), 640, 360)
    assert (roi.x_center, roi.y_center) == (0.5, 0.5)
    assert roi.rotation == pytest.approx(0.0)
    assert roi.width * 640 == pytest.approx(2 * 90 * 1.25)
    assert roi.height * 360 == pytest.approx(2 * 90 * 1.25)
    # Leaning 90 degrees to the right: the scale point is right of the centre.
    tilted = next_roi((0.5, 0.5), (0.6, 0.5), 640, 360)
    assert tilted.rotation == pytest.approx(math.pi / 2)


def test_the_crop_puts_the_roi_centre_in_the_middle_and_turns_the_body_upright() -> None:
    image = np.zeros((360, 640, 3), dtype=np.uint8)
    cv2.circle(image, (320, 180), 3, (255, 255, 255), -1)  # the ROI centre
    cv2.circle(image, (320, 120), 3, (0, 0, 255), -1)  # 60 px above it, red (BGR)
    cv2.circle(image, (380, 180), 3, (255, 0, 0), -1)  # 60 px right of it, blue
    middle, sixty_px = MODEL_SIDE // 2, 60 * MODEL_SIDE / 240

    def centre_of(crop: NDArray[np.uint8], channel: int) -> NDArray[np.float64]:
        others = [c for c in range(3) if c != channel]
        mask = (crop[:, :, channel] > 128) & (crop[:, :, others].max(axis=2) < 25)
        found: NDArray[np.float64] = np.argwhere(mask).mean(axis=0)
        return found  # (row, col)

    upright = model_input(image, Roi(0.5, 0.5, 240 / 640, 240 / 360, 0.0), bgr=True)
    assert upright.dtype == np.uint8
    assert upright[middle, middle].min() > 128  # white
    np.testing.assert_allclose(centre_of(upright, 0), (middle - sixty_px, middle), atol=1.5)
    # A dancer leaning right (next_roi gives a quarter turn): what is right of the centre in
    # the image is above it in the crop, as the model expects a body upright.
    leaning = next_roi((0.5, 0.5), (380 / 640, 0.5), 640, 360)
    turned = model_input(image, Roi(0.5, 0.5, 240 / 640, 240 / 360, leaning.rotation), bgr=True)
    np.testing.assert_allclose(centre_of(turned, 2), (middle - sixty_px, middle), atol=1.5)
