"""The pose model bundle the learner's browser runs (browser pose mode), as a file named by its
content, so the server can serve it at an immutable URL that browsers cache for good.

It is the `.task` bundle the Tasks API reads (bundle.py: the wheel's two models with their
metadata, the landmark model's unused segmentation head blanked), the same models the server
tracks with, built once per machine (about 1.5 s) and kept beside the other model files.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

_FOLDER_NAME = "dancecoach-pose-models"


def _recipe() -> str:
    """What the bundle is built from: the wheel's models and the code that builds it."""
    from dancecoach.estimation.models import bundle, pruning

    recipe = hashlib.sha256(metadata.version("mediapipe").encode())
    for source in (
        bundle.DETECTOR_MODEL,
        bundle.LANDMARK_MODEL,
        Path(bundle.__file__),
        Path(pruning.__file__),
    ):
        recipe.update(source.read_bytes())
    return recipe.hexdigest()[:16]


class BrowserModelBundle:
    """Builds the bundle in the background once; then its file and content digest are known."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._digest: str | None = None
        self._started = False

    def start(self) -> None:
        """Build (or find) the bundle in a background thread."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._build, name="browser-model", daemon=True).start()

    def _build(self) -> None:
        # MediaPipe is imported here, in the background, not when the server starts.
        from dancecoach.estimation.models import bundle
        from dancecoach.estimation.models.files import private_temp_folder, write_once

        try:
            path = private_temp_folder(_FOLDER_NAME) / f"pose-landmarker-{_recipe()}.task"
            if not path.is_file():
                write_once(path, bundle.pose_landmarker_bundle())
            self._digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            self._path = path
        except Exception:
            log.exception("could not build the browser pose model; live pose stays on the server")
        finally:
            self._ready.set()

    def wait(self, timeout_s: float) -> bool:
        """Whether the build finished (or failed) within timeout_s."""
        self.start()
        return self._ready.wait(timeout_s)

    @property
    def digest(self) -> str | None:
        """The first 16 hex digits of the file's SHA-256, once built (None before or if failed)."""
        return self._digest

    @property
    def path(self) -> Path | None:
        return self._path
