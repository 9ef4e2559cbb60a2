"""The reference library: accept uploads, preprocess them in the background, serve their poses.

A reference is "processing" until its pose sequence is extracted (progress 0..1 stored as it
goes), then "ready", or "failed" with a reason. References left "processing" by a stopped
server are picked up again at startup; extraction is cached by content, so work already done
is not repeated.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from dancecoach.config import Settings
from dancecoach.errors import ConflictError, DancecoachError, InvalidVideoError, NotFoundError
from dancecoach.orchestration.native_memory import release_freed_memory
from dancecoach.orchestration.playable import ensure_playable, playback_path
from dancecoach.pipeline.sequence import PoseSequence
from dancecoach.storage.files import (
    DataLayout,
    clean_display_text,
    is_valid_id,
    new_id,
    safe_filename,
    video_suffix,
)
from dancecoach.storage.models import ReferenceSection, ReferenceVideo
from dancecoach.storage.reference_store import ReferenceStore
from dancecoach.storage.session_store import SessionStore

log = logging.getLogger(__name__)

_PROGRESS_MIN_STEP = 0.02
_PROGRESS_MIN_INTERVAL_S = 0.5
_THUMBNAIL_WIDTH = 320
_POSE_CACHE_SIZE = 8
# Section bounds may overshoot the video by this much (rounding in clients).
_SECTION_SLACK_S = 0.5


class InvalidSectionError(DancecoachError):
    """A section's times do not fit the reference video."""


@dataclass(frozen=True)
class VideoFacts:
    fps: float
    frame_count: int
    duration_s: float
    width: int
    height: int


def clean_display_name(name: str, fallback: str) -> str:
    return clean_display_text(name) or fallback


def probe(path: Path) -> VideoFacts:
    """A real decode check; raises InvalidVideoError for anything that is not a video."""
    from dancecoach.pipeline.video import probe_video

    info = probe_video(path)
    return VideoFacts(
        fps=float(info.fps),
        frame_count=int(info.frame_count),
        duration_s=float(info.duration_s),
        width=int(info.width),
        height=int(info.height),
    )


class ReferenceService:
    """Library operations; preprocessing runs on the given executor."""

    def __init__(
        self,
        settings: Settings,
        store: ReferenceStore,
        sessions: SessionStore,
        layout: DataLayout,
        preprocess_executor: Executor,
    ) -> None:
        self._settings = settings
        self._store = store
        self._sessions = sessions
        self._layout = layout
        self._executor = preprocess_executor
        self._poses: OrderedDict[str, PoseSequence] = OrderedDict()
        self._poses_lock = threading.Lock()

    # Queries ---------------------------------------------------------------------------

    def get(self, reference_id: str) -> ReferenceVideo:
        reference = self._store.get(reference_id) if is_valid_id(reference_id) else None
        if reference is None:
            raise NotFoundError(f"No reference video with id {reference_id!r}.")
        return reference

    def list_all(self) -> list[ReferenceVideo]:
        return self._store.list_all()

    def video_path(self, reference_id: str) -> Path:
        return self._layout.absolute(self.get(reference_id).video_file)

    def playback_video_path(self, reference_id: str) -> Path:
        """The file browsers get: a playable copy when the original codec is not (HEVC)."""
        return playback_path(self.video_path(reference_id))

    def thumbnail_path(self, reference_id: str) -> Path:
        reference = self.get(reference_id)
        if reference.thumbnail_file is None:
            raise NotFoundError("This reference has no thumbnail yet.")
        return self._layout.absolute(reference.thumbnail_file)

    def sections(self, reference_id: str) -> list[ReferenceSection]:
        self.get(reference_id)
        return self._store.sections(reference_id)

    def section(self, reference_id: str, section_id: str) -> ReferenceSection:
        section = self._store.get_section(section_id) if is_valid_id(section_id) else None
        if section is None or section.reference_id != reference_id:
            raise NotFoundError(f"No section {section_id!r} in this reference.")
        return section

    def poses(self, reference_id: str) -> PoseSequence:
        """The ready reference's pose sequence (kept in memory for the busiest references)."""
        with self._poses_lock:
            if reference_id in self._poses:
                self._poses.move_to_end(reference_id)
                return self._poses[reference_id]
        reference = self.get(reference_id)
        if reference.status != "ready" or reference.poses_file is None:
            raise ConflictError(
                f"Reference {reference.name!r} is {reference.status}, not ready for practice."
            )
        sequence = PoseSequence.load(self._layout.absolute(reference.poses_file))
        with self._poses_lock:
            self._poses[reference_id] = sequence
            while len(self._poses) > _POSE_CACHE_SIZE:
                self._poses.popitem(last=False)
        return sequence

    # Changes ---------------------------------------------------------------------------

    def accept_upload(
        self,
        staged: Path,
        original_filename: str,
        name: str | None,
        dancer_x: float | None = None,
    ) -> ReferenceVideo:
        """Check that the staged upload is a video, keep it and start preprocessing.

        dancer_x: in a group video, the normalized x (0..1) of the dancer to learn from.
        The staged file is moved into the library or deleted; never left behind.
        """
        filename = safe_filename(original_filename)
        try:
            facts = probe(staged)
        except Exception as error:
            staged.unlink(missing_ok=True)
            raise InvalidVideoError(
                f"{filename!r} is not a video that can be decoded; upload an MP4, WebM or MOV file."
            ) from error
        reference_id = new_id()
        folder = self._layout.reference_dir(reference_id)
        folder.mkdir(parents=True, exist_ok=True)
        destination = folder / f"video{video_suffix(filename)}"
        shutil.move(str(staged), destination)
        reference = ReferenceVideo(
            id=reference_id,
            name=clean_display_name(name or "", Path(filename).stem or "Reference"),
            original_filename=filename,
            video_file=self._layout.relative(destination),
            status="processing",
            progress=0.0,
            fps=facts.fps,
            frame_count=facts.frame_count,
            duration_s=facts.duration_s,
            width=facts.width,
            height=facts.height,
            dancer_x=dancer_x,
        )
        self._store.add(reference)
        self._executor.submit(self._preprocess, reference_id)
        return reference

    def rename(self, reference_id: str, name: str) -> ReferenceVideo:
        reference = self.get(reference_id)
        updated = self._store.update(reference_id, name=clean_display_name(name, reference.name))
        if updated is None:
            raise NotFoundError(f"No reference video with id {reference_id!r}.")
        return updated

    def delete(self, reference_id: str) -> list[str]:
        """Remove the reference, its files and its sessions; returns the deleted session ids."""
        self.get(reference_id)
        session_ids = [s.id for s in self._sessions.for_reference(reference_id)]
        self._store.delete(reference_id)
        with self._poses_lock:
            self._poses.pop(reference_id, None)
        self._layout.remove_tree(self._layout.reference_dir(reference_id))
        for session_id in session_ids:
            self._layout.remove_tree(self._layout.session_dir(session_id))
        return session_ids

    def add_section(
        self, reference_id: str, title: str, start_s: float, end_s: float
    ) -> ReferenceSection:
        reference = self.get(reference_id)
        limit = (reference.duration_s or float("inf")) + _SECTION_SLACK_S
        if not (0.0 <= start_s < end_s <= limit):
            raise InvalidSectionError(
                f"A section must satisfy 0 <= start < end <= {limit - _SECTION_SLACK_S:.2f} s "
                f"(the video's length), got {start_s:g}-{end_s:g} s."
            )
        section = ReferenceSection(
            id=new_id(),
            reference_id=reference_id,
            title=clean_display_name(title, f"Section at {start_s:.0f} s"),
            start_s=float(start_s),
            end_s=float(end_s),
        )
        return self._store.add_section(section)

    def delete_section(self, reference_id: str, section_id: str) -> None:
        self.get(reference_id)
        if not is_valid_id(section_id) or not self._store.delete_section(reference_id, section_id):
            raise NotFoundError(f"No section {section_id!r} in this reference.")

    # Background work -------------------------------------------------------------------

    def resume_interrupted(self) -> int:
        """Restart preprocessing of references a stopped server left in "processing"."""
        pending = self._store.with_status("processing")
        for reference in pending:
            self._executor.submit(self._preprocess, reference.id)
        return len(pending)

    def register_ready(
        self,
        video: Path,
        poses: PoseSequence,
        *,
        name: str,
        is_demo: bool = False,
    ) -> ReferenceVideo:
        """Add a reference whose poses are already known (the built-in demo)."""
        reference_id = new_id()
        folder = self._layout.reference_dir(reference_id)
        folder.mkdir(parents=True, exist_ok=True)
        destination = folder / f"video{video_suffix(video.name)}"
        if video.resolve() != destination.resolve():
            shutil.copyfile(video, destination)
        facts = probe(destination)
        poses_path = folder / "poses.npz"
        _save_poses(poses, poses_path)
        thumbnail = self._make_thumbnail(destination, poses, folder)
        reference = ReferenceVideo(
            id=reference_id,
            name=clean_display_name(name, "Demo routine"),
            original_filename=safe_filename(video.name),
            video_file=self._layout.relative(destination),
            poses_file=self._layout.relative(poses_path),
            thumbnail_file=None if thumbnail is None else self._layout.relative(thumbnail),
            status="ready",
            progress=1.0,
            fps=facts.fps,
            frame_count=facts.frame_count,
            duration_s=facts.duration_s,
            width=facts.width,
            height=facts.height,
            is_demo=is_demo,
        )
        return self._store.add(reference)

    def ensure_demo(self) -> ReferenceVideo:
        """Register the built-in demo routine with its sections, once per data folder.

        A demo of an older version (another file name) is replaced by the current one.
        """
        from dancecoach.orchestration.demo import (
            DEMO_NAME,
            build_demo_reference,
            demo_paths,
            demo_sections,
        )

        current_name = demo_paths(Path())[0].name
        existing = self._store.find_demo()
        if existing is not None and existing.original_filename == current_name:
            return existing
        with tempfile.TemporaryDirectory(dir=self._layout.uploads_dir) as scratch:
            video, poses = build_demo_reference(Path(scratch))
            reference = self.register_ready(video, poses, name=DEMO_NAME, is_demo=True)
        for section in demo_sections():
            self.add_section(reference.id, section.title, section.start_s, section.end_s)
        if existing is not None:
            self.delete(existing.id)
        return reference

    def _preprocess(self, reference_id: str) -> None:
        from dancecoach.orchestration.pose_cache import load_or_extract

        reference = self._store.get(reference_id)
        if reference is None:
            return
        video = self._layout.absolute(reference.video_file)
        last = {"value": -1.0, "at": 0.0}

        def progress(fraction: float) -> None:
            now = time.monotonic()
            step = fraction - last["value"]
            if step >= _PROGRESS_MIN_STEP or now - last["at"] >= _PROGRESS_MIN_INTERVAL_S:
                last.update(value=fraction, at=now)
                self._store.update(reference_id, progress=round(min(max(fraction, 0.0), 0.99), 3))

        try:
            poses = load_or_extract(video, self._settings, progress, follow_x=reference.dancer_x)
            self._make_playable(video)
            folder = self._layout.reference_dir(reference_id)
            poses_path = folder / "poses.npz"
            _save_poses(poses, poses_path)
            thumbnail = self._make_thumbnail(video, poses, folder)
        except DancecoachError as error:
            self._store.update(reference_id, status="failed", failure_reason=str(error))
            return
        except Exception:
            log.exception("preprocessing of reference %s failed", reference_id)
            self._store.update(
                reference_id,
                status="failed",
                failure_reason="Preprocessing failed unexpectedly; try uploading it again.",
            )
            return
        finally:
            # Extraction's detectors leave ~30-70 MB freed but kept by malloc per video.
            release_freed_memory()
        self._store.update(
            reference_id,
            status="ready",
            progress=1.0,
            failure_reason=None,
            poses_file=self._layout.relative(poses_path),
            thumbnail_file=None if thumbnail is None else self._layout.relative(thumbnail),
        )

    def _make_playable(self, video: Path) -> None:
        # A reference that plays without picture is still scoreable: never fail it for this.
        try:
            ensure_playable(video)
        except Exception:
            log.exception("could not make a browser-playable copy of %s", video)

    def _make_thumbnail(self, video: Path, poses: PoseSequence, folder: Path) -> Path | None:
        """A JPEG of a frame with the dancer in it, a third of the way in."""
        try:
            from dancecoach.pipeline.video import read_frame_at

            present = np.flatnonzero(poses.present)
            index = present[len(present) // 3] if len(present) else 0
            time_s = float(poses.timestamps_s[index]) if len(poses) else 0.0
            image: Any = read_frame_at(video, time_s)
            height, width = image.shape[:2]
            scale = _THUMBNAIL_WIDTH / max(width, 1)
            if scale < 1.0:
                size = (_THUMBNAIL_WIDTH, max(1, round(height * scale)))
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
            if not ok:
                return None
            path = folder / "thumbnail.jpg"
            path.write_bytes(encoded.tobytes())
            return path
        except Exception:
            log.warning("no thumbnail for %s", video.name, exc_info=True)
            return None


def _save_poses(poses: PoseSequence, destination: Path) -> None:
    temporary = destination.with_name(destination.stem + ".partial.npz")
    poses.save(temporary)
    temporary.replace(destination)
