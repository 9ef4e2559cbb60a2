"""The MediaPipe pose-landmarker bundle, built in memory from the model files in the wheel.

MediaPipe 0.10.21 ships `pose_detection.tflite` and `pose_landmark_full.tflite` but no `.task`
bundle, and nothing may be downloaded at run time. The Tasks API (several people per frame)
needs the bundle, so we add the input-normalization metadata with MediaPipe's own metadata
writer and zip the two models the way the Tasks API expects. The landmark model's
segmentation head, which dancecoach never reads, is blanked first (see pruning.py):
tracking one person then costs ~9 ms a frame instead of ~17, with identical landmarks.
"""

from __future__ import annotations

import gc
import io
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import (
    metadata_writer,
    model_asset_bundle_utils,
    writer_utils,
)

from dancecoach.estimation.models.pruning import blank_output

_MODULES = Path(mediapipe.__file__).parent / "modules"
DETECTOR_MODEL = _MODULES / "pose_detection" / "pose_detection.tflite"
LANDMARK_MODEL = _MODULES / "pose_landmark" / "pose_landmark_full.tflite"
# The landmark model's outputs: landmarks, pose presence, segmentation mask, heatmap, world
# landmarks. The heatmap refines the landmarks; the mask is only for output_segmentation_masks.
SEGMENTATION_OUTPUT = "Identity_2"


def _with_image_metadata(name: str, model: bytes, mean: float, std: float) -> bytes:
    """The model with image-input normalization metadata ((pixel - mean) / std)."""
    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose model from the MediaPipe wheel")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for index in range(len(writer_utils.get_output_tensor_types(writer._model_buffer))):
        writer.add_feature_output(name=f"output_{index}")
    model_with_metadata, _ = writer.populate()
    writer._temp_folder.cleanup()
    return bytes(model_with_metadata)


# Chunk threads start together: build once, and keep the warning filters below (which are
# process-wide) from being changed by two threads at the same time.
_build_lock = threading.Lock()


def pose_landmarker_bundle(*, with_segmentation: bool = False) -> bytes:
    """The `.task` bundle bytes for `PoseLandmarker` (built once per process, ~9 MB, ~1.4 s).

    with_segmentation keeps the landmark model's mask head (tests compare against it).
    """
    with _build_lock:
        return _build_bundle(with_segmentation)


def wheel_model(path: Path) -> bytes:
    """One of the two model files shipped in the MediaPipe wheel."""
    if not path.is_file():
        raise RuntimeError(f"MediaPipe model file missing: {path} (mediapipe must be 0.10.21)")
    return path.read_bytes()


@lru_cache(maxsize=1)
def pruned_landmark_model() -> bytes:
    """The landmark model without its segmentation head (see pruning.py)."""
    return blank_output(wheel_model(LANDMARK_MODEL), SEGMENTATION_OUTPUT)


@lru_cache(maxsize=2)
def _build_bundle(with_segmentation: bool) -> bytes:
    # MediaPipe's metadata writer leaves temporary files for the garbage collector; collect
    # them here so their ResourceWarnings do not surface later somewhere unrelated.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        landmark_model = (
            wheel_model(LANDMARK_MODEL) if with_segmentation else pruned_landmark_model()
        )
        models = {
            "pose_detector.tflite": _with_image_metadata(
                DETECTOR_MODEL.stem, wheel_model(DETECTOR_MODEL), 127.5, 127.5
            ),
            "pose_landmarks_detector.tflite": _with_image_metadata(
                LANDMARK_MODEL.stem, landmark_model, 0.0, 255.0
            ),
        }
        gc.collect()
    buffer = io.BytesIO()
    model_asset_bundle_utils.create_model_asset_bundle(models, buffer)
    return buffer.getvalue()
