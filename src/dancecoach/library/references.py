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
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from dancecoach.config import Settings
from dancecoach.errors import ConflictError, DancecoachError, InvalidVideoError, NotFoundError
from dancecoach.library.dancers import (
    FACTS_NAME,
    STILL_NAME,
    Dancers,
    find_and_store,
    stored,
)
from dancecoach.library.playable import (
    PLAYABLE_NAME,
    SILENT_PLAYABLE_NAME,
    ensure_playable,
)
from dancecoach.memory.native import release_freed_memory
from dancecoach.pose.sequence import PoseSequence
from dancecoach.storage.files import (
    DataLayout,
    clean_display_text,
    is_valid_id,
    new_id,
    safe_filename,
    video_suffix,
)
from dancecoach.storage.models import ReferenceSection, ReferenceVideo
from dancecoach.storage.objects import ObjectStore
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
    from dancecoach.estimation.video import probe_video

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
        objects: ObjectStore,
        preprocess_executor: Executor,
    ) -> None:
        self._settings = settings
        self._store = store
        self._sessions = sessions
        self._objects = objects
        self._layout: DataLayout = objects.layout
        self._executor = preprocess_executor
        self._poses: OrderedDict[str, PoseSequence] = OrderedDict()
        self._poses_lock = threading.Lock()
        # Where preprocessing runs: the executor (the embedded default) unless a job queue
        # takes it (jobs/queue.py: any worker of the deployment picks it up).
        self.queue_preprocessing: Callable[[str], None] | None = None
        # One detection of a video's dancers at a time (each takes a few seconds of CPU).
        self._dancers_lock = threading.Lock()
        # Run after a reference's poses are extracted, before it is marked ready (the music
        # analysis): (reference id, video, poses). A failing hook never fails the reference.
        self.preprocess_hooks: list[Callable[[str, Path, PoseSequence], object]] = []

    # Queries ---------------------------------------------------------------------------

    def get(self, reference_id: str) -> ReferenceVideo:
        reference = self._store.get(reference_id) if is_valid_id(reference_id) else None
        if reference is None:
            raise NotFoundError(f"No reference video with id {reference_id!r}.")
        return reference

    def list_all(self) -> list[ReferenceVideo]:
        return self._store.list_all()

    @property
    def objects(self) -> ObjectStore:
        return self._objects

    def video_path(self, reference_id: str) -> Path:
        """A local file of the uploaded video (downloaded from the store once if need be)."""
        key = self.get(reference_id).video_file
        try:
            return self._objects.fetch(key)
        except FileNotFoundError as error:
            raise NotFoundError("The video file of this reference is missing.") from error

    def playback_key(self, reference_id: str) -> str:
        """The stored video browsers get: a playable copy when the original codec is not (HEVC)."""
        reference = self.get(reference_id)
        for name in (PLAYABLE_NAME, SILENT_PLAYABLE_NAME):
            if self._objects.exists(key := _copy_key(reference, name)):
                return key
        return reference.video_file

    def thumbnail_key(self, reference_id: str) -> str:
        reference = self.get(reference_id)
        if reference.thumbnail_file is None:
            raise NotFoundError("This reference has no thumbnail yet.")
        return reference.thumbnail_file

    def dancers(self, reference_id: str) -> Dancers:
        """The dancers at the start of the video (found on first use, then kept): for choosing
        whom to learn from in a group video. Takes a few seconds the first time."""
        reference = self.get(reference_id)
        folder = self._layout.reference_dir(reference_id)
        with self._dancers_lock:
            found = self._stored_dancers(reference_id)
            if found is None:
                found = find_and_store(self._objects.fetch(reference.video_file), folder)
                for name in (STILL_NAME, FACTS_NAME):
                    self._objects.publish(self._objects.key(folder / name))
        return found

    def dancer_count(self, reference_id: str) -> int | None:
        """How many dancers were found, None if not looked for yet (cheap: no detection)."""
        found = self._stored_dancers(reference_id)
        return None if found is None else len(found.dancers)

    def _stored_dancers(self, reference_id: str) -> Dancers | None:
        """The dancers found earlier, by this machine or (with a shared store) another."""
        folder = self._layout.reference_dir(reference_id)
        found = stored(folder)
        if found is None and self._objects.is_remote:
            try:
                for name in (STILL_NAME, FACTS_NAME):
                    self._objects.fetch(self._objects.key(folder / name))
            except FileNotFoundError:
                return None
            found = stored(folder)
        return found

    def dancers_still_path(self, reference_id: str) -> Path:
        self.dancers(reference_id)
        return self._layout.reference_dir(reference_id) / STILL_NAME

    def choose_dancer(self, reference_id: str, dancer_x: float | None) -> ReferenceVideo:
        """Learn from another dancer of a group video (dancer_x: normalized x where they start,
        None: the most central one): the poses are extracted again, with progress."""
        reference = self.get(reference_id)
        if reference.status == "processing":
            raise ConflictError(
                f"Reference {reference.name!r} is still being processed; choose a dancer when "
                "it is ready."
            )
        if reference.is_demo:
            raise ConflictError("The demo routine has one dancer.")
        updated = self._store.update(
            reference_id, dancer_x=dancer_x, status="processing", progress=0.0, failure_reason=None
        )
        if updated is None:
            raise NotFoundError(f"No reference video with id {reference_id!r}.")
        with self._poses_lock:
            self._poses.pop(reference_id, None)
        self._schedule(reference_id)
        return updated

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
        sequence = PoseSequence.load(self._objects.fetch(reference.poses_file))
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
        try:
            self._objects.publish(self._objects.key(destination))
        except OSError:
            self._layout.remove_tree(folder)
            raise
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
        self._schedule(reference_id)
        return reference

    def rename(self, reference_id: str, name: str) -> ReferenceVideo:
        reference = self.get(reference_id)
        updated = self._store.update(reference_id, name=clean_display_name(name, reference.name))
        if updated is None:
            raise NotFoundError(f"No reference video with id {reference_id!r}.")
        return updated

    def session_ids(self, reference_id: str) -> list[str]:
        """Every practice session against this reference (whoever danced it)."""
        self.get(reference_id)
        return [s.id for s in self._sessions.for_reference(reference_id)]

    def delete(self, reference_id: str) -> list[str]:
        """Remove the reference and everything derived from it: its folder (video, poses,
        thumbnail, playable copy), its cached poses, its sessions with their learner frames and
        clips. Returns the deleted session ids."""
        reference = self.get(reference_id)
        session_ids = [s.id for s in self._sessions.for_reference(reference_id)]
        digest = self._content_hash_of(reference)
        self._store.delete(reference_id)
        with self._poses_lock:
            self._poses.pop(reference_id, None)
        self._objects.delete_prefix(f"references/{reference_id}/")
        for session_id in session_ids:
            self._objects.delete_prefix(f"sessions/{session_id}/")
        if digest is not None:
            from dancecoach.library.pose_cache import forget_video

            forget_video(self._settings, digest)
        return session_ids

    def _content_hash_of(self, reference: ReferenceVideo) -> str | None:
        """The pose cache's key of the video (read from the file: a few seconds at most)."""
        from dancecoach.library.pose_cache import content_hash

        try:
            return content_hash(self._objects.fetch(reference.video_file))
        except (InvalidVideoError, OSError):
            return None  # the file is gone already: nothing of it to find in the cache

    def add_section(
        self,
        reference_id: str,
        title: str,
        start_s: float,
        end_s: float,
        *,
        suggested: bool = False,
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
            suggested=suggested,
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
            self._schedule(reference.id)
        return len(pending)

    def _schedule(self, reference_id: str) -> None:
        if self.queue_preprocessing is not None:
            self.queue_preprocessing(reference_id)
        else:
            self._executor.submit(self.preprocess, reference_id)

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
        for path in (destination, poses_path, thumbnail):
            if path is not None:
                self._objects.publish(self._objects.key(path))
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
        from dancecoach.library.demo import (
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

    def preprocess(self, reference_id: str) -> None:
        """Extract the poses, make the playable copy, thumbnail, beats and sections; mark the
        reference ready (or failed). Idempotent: a ready or deleted reference is left alone,
        and a repeat after an interruption reuses the poses cached by the video's content."""
        from dancecoach.library.pose_cache import load_or_extract

        reference = self._store.get(reference_id)
        if reference is None or reference.status != "processing":
            return
        try:
            video = self._objects.fetch(reference.video_file)
        except OSError as error:
            log.warning("reference %s: cannot read its video (%s)", reference_id, error)
            self._store.update(
                reference_id,
                status="failed",
                failure_reason="The uploaded video is missing from storage; upload it again.",
            )
            return
        last = {"value": -1.0, "at": 0.0}

        def progress(fraction: float) -> None:
            now = time.monotonic()
            step = fraction - last["value"]
            if step >= _PROGRESS_MIN_STEP or now - last["at"] >= _PROGRESS_MIN_INTERVAL_S:
                last.update(value=fraction, at=now)
                self._store.update(reference_id, progress=round(min(max(fraction, 0.0), 0.99), 3))

        self._find_dancers(reference_id)
        try:
            poses = load_or_extract(video, self._settings, progress, follow_x=reference.dancer_x)
            self._make_playable(video)
            folder = self._layout.reference_dir(reference_id)
            poses_path = folder / "poses.npz"
            _save_poses(poses, poses_path)
            self._objects.publish(self._objects.key(poses_path))
            thumbnail = self._make_thumbnail(video, poses, folder)
            if thumbnail is not None:
                self._objects.publish(self._objects.key(thumbnail))
            self._run_hooks(reference_id, video, poses)
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

    def references_with_silent_copies(self) -> list[str]:
        """The ready references whose playable copy has no sound (made by earlier versions)."""
        return [
            reference.id
            for reference in self._store.with_status("ready")
            if self._objects.exists(_copy_key(reference, SILENT_PLAYABLE_NAME))
        ]

    def replace_silent_copy(self, reference_id: str) -> bool:
        """Give one reference a playable copy with sound in place of its silent one; returns
        whether the silent copy is gone. Idempotent: a reference without a silent copy (or not
        ready, or deleted) is left alone."""
        reference = self._store.get(reference_id)
        if reference is None or reference.status != "ready":
            return False
        silent = _copy_key(reference, SILENT_PLAYABLE_NAME)
        if not self._objects.exists(silent):
            return False
        self._make_playable(self._objects.fetch(reference.video_file))
        if self._objects.is_remote and self._objects.exists(_copy_key(reference, PLAYABLE_NAME)):
            # ensure_playable removed only the local silent copy; without this the shared
            # store's would be found, and the copy made again, at every start.
            self._objects.delete_prefix(silent)
        return not self._objects.exists(silent)

    def replace_silent_copies(self) -> int:
        """replace_silent_copy for every reference that has one, in this process (the server
        without a job queue, at start-up); returns how many were replaced."""
        return sum(
            self.replace_silent_copy(reference_id)
            for reference_id in self.references_with_silent_copies()
        )

    def _find_dancers(self, reference_id: str) -> None:
        """Look for the dancers before extraction, so a group video's picker is ready when the
        reference is; a failure here never fails the reference (the picker looks again)."""
        try:
            self.dancers(reference_id)
        except Exception:
            log.warning("could not look for the dancers of %s", reference_id, exc_info=True)

    def _run_hooks(self, reference_id: str, video: Path, poses: PoseSequence) -> None:
        for hook in self.preprocess_hooks:
            try:
                hook(reference_id, video, poses)
            except Exception:
                log.exception("preprocessing step %r failed for %s", hook, reference_id)

    def _make_playable(self, video: Path) -> None:
        # A reference that plays without picture is still scoreable: never fail it for this.
        try:
            copy = ensure_playable(video)
            if copy is not None:
                self._objects.publish(self._objects.key(copy))
        except Exception:
            log.exception("could not make a browser-playable copy of %s", video)

    def _make_thumbnail(self, video: Path, poses: PoseSequence, folder: Path) -> Path | None:
        """A JPEG of a frame with the dancer in it, a third of the way in."""
        try:
            from dancecoach.estimation.video import read_frame_at

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


def _copy_key(reference: ReferenceVideo, name: str) -> str:
    """The key of a file beside the reference's video (its playable copies)."""
    return reference.video_file.rsplit("/", 1)[0] + "/" + name


def _save_poses(poses: PoseSequence, destination: Path) -> None:
    temporary = destination.with_name(destination.stem + ".partial.npz")
    poses.save(temporary)
    temporary.replace(destination)
