"""The landmark model on a region of interest, as MediaPipe's `PoseLandmarkByRoiCpu` runs it.

Live tracking runs the landmark model itself, through LiteRT, rather than in a MediaPipe graph:
the graph's packets and hand-offs between its calculators cost ~0.5 ms of a ~9 ms frame. Every
step is MediaPipe's, and the tests check that on the same crop the landmarks are bit-identical
to its graph's:

- crop: the ROI (a rotated rectangle in normalized image coordinates) is widened to the
  model's square input, mapped onto 256x256 pixels with OpenCV's perspective warp (bilinear,
  edge pixels repeated), as RGB values in 0..1 (the int8 model reads the bytes and scales
  them itself);
- decode: 39 points (the 33 of the pose and the 2 alignment points among them) in model
  pixels, visibility through a sigmoid; no pose when the presence flag is at most 0.5;
- refine: each point moves to the centre of mass of the sigmoid heatmap in its 7x7 cell
  window, when the window's highest confidence is at least 0.5;
- project back onto the image (letterbox removed, rotated, scaled by the ROI);
- the next frame's ROI: centred on the first alignment point, twice its distance to the
  second wide, turned so that the two line up vertically, widened 1.25 and made square in
  pixels (MediaPipe's AlignmentPointsRects and RectTransformation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from ai_edge_litert.interpreter import Interpreter
from numpy.typing import NDArray

MODEL_SIDE = 256  # pixels of the model's square input
_POINTS = 39  # 33 pose points, 2 alignment points, 4 more the pose does not use
_POSE_POINTS = 33
_ALIGNMENT_CENTRE, _ALIGNMENT_SCALE = 33, 34
_VALUES_PER_POINT = 5  # x, y, z, visibility, presence
_PRESENCE_THRESHOLD = 0.5
_HEATMAP_KERNEL = 7
_MIN_CONFIDENCE_TO_REFINE = 0.5
_ROI_SCALE = 1.25
# Where the rotated ROI's corners (cv2.boxPoints order) land in the model input.
_MODEL_CORNERS = np.array(
    [[0, MODEL_SIDE], [0, 0], [MODEL_SIDE, 0], [MODEL_SIDE, MODEL_SIDE]], dtype=np.float32
)
_WINDOW = np.arange(_HEATMAP_KERNEL) - (_HEATMAP_KERNEL - 1) // 2


@dataclass(frozen=True)
class Roi:
    """A rotated rectangle: centre, width and height normalized to the image, rotation in
    radians (clockwise in image coordinates)."""

    x_center: float
    y_center: float
    width: float
    height: float
    rotation: float


def model_input(image: NDArray[np.uint8], roi: Roi, *, bgr: bool) -> NDArray[np.uint8]:
    """The model's input for this ROI: the 256x256 crop, RGB bytes (HWC)."""
    height, width = image.shape[:2]
    crop_width, crop_height = roi.width * width, roi.height * height
    # The model's input is square: the ROI grows on its shorter side (letterboxing).
    side = max(crop_width, crop_height)
    corners = cv2.boxPoints(
        ((roi.x_center * width, roi.y_center * height), (side, side), math.degrees(roi.rotation))
    )
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), _MODEL_CORNERS)
    crop = cv2.warpPerspective(
        image,
        matrix,
        (MODEL_SIDE, MODEL_SIDE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    if bgr:
        crop = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)  # 10x faster than a reversed view here
    return np.asarray(crop, dtype=np.uint8)


def scaled_to_unit(crop: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The crop as the float model reads it: RGB in 0..1."""
    return np.multiply(crop, np.float32(1.0 / 255.0), dtype=np.float32)


def _letterbox(roi: Roi, width: int, height: int) -> tuple[float, float]:
    """The share of the model input's width and height that is padding, on each side."""
    crop_width, crop_height = roi.width * width, roi.height * height
    if crop_width >= crop_height:
        return 0.0, (1.0 - crop_height / crop_width) / 2.0
    return (1.0 - crop_width / crop_height) / 2.0, 0.0


def _sigmoid(values: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-values)), dtype=np.float64)


def refine_from_heatmap(
    x: NDArray[np.float64], y: NDArray[np.float64], heatmap: NDArray[np.float32]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Points (normalized to the model input) moved to their heatmap's local centre of mass.

    heatmap: (rows, cols, points) raw scores. As MediaPipe's RefineLandmarksFromHeatmap: the
    window is cut at the heatmap's edges, and a point whose cell column is outside the heatmap
    or whose row is above it stays where it is.
    """
    rows_count, cols_count = heatmap.shape[:2]
    col = np.trunc(x * cols_count).astype(np.int64)  # C++ float-to-int: towards zero
    row = np.trunc(y * rows_count).astype(np.int64)
    rows, cols = row[:, None] + _WINDOW, col[:, None] + _WINDOW
    inside = ((rows >= 0) & (rows < rows_count))[:, :, None] & ((cols >= 0) & (cols < cols_count))[
        :, None, :
    ]
    window = heatmap[
        np.clip(rows, 0, rows_count - 1)[:, :, None],
        np.clip(cols, 0, cols_count - 1)[:, None, :],
        np.arange(len(x))[:, None, None],
    ]
    confidence = _sigmoid(window.astype(np.float64)) * inside
    total = confidence.sum(axis=(1, 2))
    refine = (
        (col >= 0)
        & (col < cols_count)
        & (row >= 0)
        & (confidence.max(axis=(1, 2)) >= _MIN_CONFIDENCE_TO_REFINE)
        & (total > 0)
    )
    total = np.where(total > 0, total, 1.0)
    refined_x = (confidence * cols[:, None, :]).sum(axis=(1, 2)) / cols_count / total
    refined_y = (confidence * rows[:, :, None]).sum(axis=(1, 2)) / rows_count / total
    return np.where(refine, refined_x, x), np.where(refine, refined_y, y)


def next_roi(
    centre: tuple[float, float], scale_point: tuple[float, float], width: int, height: int
) -> Roi:
    """The ROI for the next frame from the two alignment points (normalized image coords)."""
    centre_x, centre_y = centre[0] * width, centre[1] * height
    scale_x, scale_y = scale_point[0] * width, scale_point[1] * height
    side = 2.0 * math.hypot(scale_x - centre_x, scale_y - centre_y) * _ROI_SCALE
    rotation = math.pi / 2.0 - math.atan2(-(scale_y - centre_y), scale_x - centre_x)
    rotation -= 2.0 * math.pi * math.floor((rotation + math.pi) / (2.0 * math.pi))
    return Roi(centre_x / width, centre_y / height, side / width, side / height, rotation)


class RoiLandmarkModel:
    """One LiteRT interpreter of the landmark model; not thread-safe (one per thread)."""

    def __init__(self, model: bytes) -> None:
        self._interpreter = Interpreter(model_content=model, num_threads=1)
        self._interpreter.allocate_tensors()
        model_input_details = self._interpreter.get_input_details()[0]
        self._input = model_input_details["index"]
        # The int8 model reads the crop's bytes (model_quantization.with_image_input).
        self._reads_bytes = model_input_details["dtype"] == np.uint8
        outputs = {
            tuple(int(d) for d in detail["shape"]): detail["index"]
            for detail in self._interpreter.get_output_details()
        }
        self._points = outputs[(1, _POINTS * _VALUES_PER_POINT)]
        self._presence = outputs[(1, 1)]
        heatmap_shapes = [shape for shape in outputs if len(shape) == 4 and shape[3] == _POINTS]
        if len(heatmap_shapes) != 1:
            raise ValueError(f"not the BlazePose landmark model: outputs {sorted(outputs)}")
        self._heatmap = outputs[heatmap_shapes[0]]

    def landmarks(
        self, image: NDArray[np.uint8], roi: Roi, *, bgr: bool = True
    ) -> tuple[NDArray[np.float32], Roi] | None:
        """The pose in the ROI, (33, 4) x, y normalized to the image, z, visibility; and the
        ROI for the next frame. None when the model sees nobody there."""
        height, width = image.shape[:2]
        crop = model_input(image, roi, bgr=bgr)
        self._interpreter.set_tensor(
            self._input, (crop if self._reads_bytes else scaled_to_unit(crop))[None]
        )
        self._interpreter.invoke()
        if not float(self._interpreter.get_tensor(self._presence)[0, 0]) > _PRESENCE_THRESHOLD:
            return None
        raw = self._interpreter.get_tensor(self._points).reshape(_POINTS, _VALUES_PER_POINT)
        raw = raw.astype(np.float64)
        x, y = refine_from_heatmap(
            raw[:, 0] / MODEL_SIDE,
            raw[:, 1] / MODEL_SIDE,
            self._interpreter.tensor(self._heatmap)()[0],  # a view: no 640 kB copy a frame
        )
        pad_x, pad_y = _letterbox(roi, width, height)
        x, y = (x - pad_x) / (1.0 - 2.0 * pad_x), (y - pad_y) / (1.0 - 2.0 * pad_y)
        z = raw[:, 2] / MODEL_SIDE / (1.0 - 2.0 * pad_x)
        cos, sin = math.cos(roi.rotation), math.sin(roi.rotation)
        image_x = (cos * (x - 0.5) - sin * (y - 0.5)) * roi.width + roi.x_center
        image_y = (sin * (x - 0.5) + cos * (y - 0.5)) * roi.height + roi.y_center
        pose = np.stack([image_x, image_y, z * roi.width, _sigmoid(raw[:, 3])], axis=1)
        following = next_roi(  # plain floats: the ROI travels between processes every frame
            (float(image_x[_ALIGNMENT_CENTRE]), float(image_y[_ALIGNMENT_CENTRE])),
            (float(image_x[_ALIGNMENT_SCALE]), float(image_y[_ALIGNMENT_SCALE])),
            width,
            height,
        )
        return pose[:_POSE_POINTS].astype(np.float32), following
