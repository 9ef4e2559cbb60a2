"""The model files live tracking loads.

MediaPipe's legacy subgraphs (person detection) load their models from a resource folder at
fixed paths, so the detector and the pruned float landmark model are written to a folder named
by their content, inside a folder only this user can write to. The int8 landmark model, which
live tracking runs through LiteRT itself, is built from the float one (quantization.py)
in a separate process, in a few seconds; it is kept in the same place, so that happens once
per machine.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import subprocess
import sys
import tempfile
import threading
from importlib import metadata
from pathlib import Path
from typing import Literal

from dancecoach.estimation.models.bundle import DETECTOR_MODEL, pruned_landmark_model, wheel_model

log = logging.getLogger(__name__)

LandmarkPrecision = Literal["int8", "float"]

# Where MediaPipe's PoseLandmarkModelLoader and PoseDetectionCpu look, under the resource folder.
_LANDMARK_MODEL_PATH = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
_DETECTOR_MODEL_PATH = "mediapipe/modules/pose_detection/pose_detection.tflite"
_FOLDER_NAME = "dancecoach-pose-models"
_BUILD_TIMEOUT_S = 300.0


def write_once(path: Path, content: bytes) -> None:
    """Write the file unless it holds exactly this content (atomic, safe between processes)."""
    if path.is_file() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    partial.write_bytes(content)
    partial.replace(path)


def private_temp_folder(name: str) -> Path:
    """A folder in the temporary directory that only this user can write to."""
    folder = Path(tempfile.gettempdir()) / f"{name}-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    status = folder.lstat()
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o022:
        return Path(tempfile.mkdtemp(prefix=f"{name}-"))  # someone else's: use a fresh one
    return folder


def int8_landmark_model() -> bytes:
    """The int8 landmark model, built once per machine (raises RuntimeError when it cannot be)."""
    from dancecoach.estimation.models import quantization as model_quantization

    recipe = hashlib.sha256(pruned_landmark_model())
    recipe.update(model_quantization.RANGES_FILE.read_bytes())
    recipe.update(Path(model_quantization.__file__).read_bytes())
    recipe.update(metadata.version("ai-edge-quantizer").encode())
    path = private_temp_folder(_FOLDER_NAME) / f"landmark-int8-{recipe.hexdigest()[:16]}.tflite"
    if not path.is_file():
        command = [sys.executable, "-m", "dancecoach.estimation.models.quantization", str(path)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=_BUILD_TIMEOUT_S)
        except subprocess.CalledProcessError as error:
            reason = error.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(f"building the int8 landmark model failed: {reason}") from error
        except subprocess.TimeoutExpired as error:
            raise RuntimeError("building the int8 landmark model timed out") from error
    return path.read_bytes()


def landmark_model(precision: LandmarkPrecision) -> bytes:
    """The landmark model live tracking runs; float when the int8 one cannot be built."""
    if precision == "int8":
        try:
            return int8_landmark_model()
        except RuntimeError:
            log.exception("live tracking falls back to the float landmark model (slower)")
    return pruned_landmark_model()


_folder_lock = threading.Lock()
_folder: Path | None = None


def model_resource_folder() -> Path:
    """The resource folder holding the detector and the float landmark model."""
    global _folder
    with _folder_lock:
        if _folder is None:
            landmarks = pruned_landmark_model()
            detector = wheel_model(DETECTOR_MODEL)
            digest = hashlib.sha256(landmarks + detector).hexdigest()[:16]
            folder = private_temp_folder(_FOLDER_NAME) / digest
            write_once(folder / _LANDMARK_MODEL_PATH, landmarks)
            write_once(folder / _DETECTOR_MODEL_PATH, detector)
            _folder = folder
        return _folder
