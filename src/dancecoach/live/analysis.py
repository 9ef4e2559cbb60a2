"""The work done on one live frame, in an inference worker thread or, for the poses learners'
browsers found, for many streams' frames at once (analyze_poses, on the event loop).

Decode the JPEG and find the learner's pose with the stream's tracker (or take the pose the
learner's browser found, see browser_pose.py), then, the same for both: read the reference pose
at the frame's dance time, compare, project the reference onto the learner (the ghost) and
decide which cues to show. One analyzer per stream; calls are sequential, never concurrent.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from dancecoach.config import Settings
from dancecoach.live.browser_pose import (
    IMAGE_FRAMES_REFUSED,
    BrowserPose,
    ImageFramesRefusedError,
)
from dancecoach.live.cues import CueDebouncer
from dancecoach.pose.landmarks import (
    VISIBILITY,
    Landmark,
    PackedPose,
    mirror_landmarks,
    pack_pose,
    unpack_pose,
)
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.alignment import reference_pose_at
from dancecoach.scoring.live_judgement import (
    LiveFrame,
    LiveJudge,
    LiveVerdict,
    LiveWindow,
    judge_frames,
)
from dancecoach.scoring.normalization import to_body_frame
from dancecoach.scoring.results import JointError

if TYPE_CHECKING:  # the pose models load MediaPipe: only where analysis runs
    from dancecoach.estimation.models.files import LandmarkPrecision

Warning = Literal["no_person", "low_confidence", "no_reference_pose"]
# What the learner reads for each warning (the page gets them from GET /api/protocol).
WARNING_TEXTS: dict[Warning, str] = {
    "no_person": "No one in the picture: step into the frame so your whole body shows.",
    "low_confidence": "Hard to see you: add light or step back from the camera.",
    "no_reference_pose": "The dancer is not visible in the video here: just keep dancing.",
}

# The body points whose visibility says whether the learner is clearly seen.
_BODY_POINTS = [
    int(point)
    for point in (
        Landmark.LEFT_SHOULDER,
        Landmark.RIGHT_SHOULDER,
        Landmark.LEFT_ELBOW,
        Landmark.RIGHT_ELBOW,
        Landmark.LEFT_WRIST,
        Landmark.RIGHT_WRIST,
        Landmark.LEFT_HIP,
        Landmark.RIGHT_HIP,
        Landmark.LEFT_KNEE,
        Landmark.RIGHT_KNEE,
    )
]
_LOW_CONFIDENCE_VISIBILITY = 0.5


class PoseTracker(Protocol):
    """A live pose tracker: one per stream, frames in time order."""

    def process(
        self, image_bgr: NDArray[np.uint8], timestamp_s: float
    ) -> NDArray[np.float32] | None: ...

    def close(self) -> None: ...


ImageDecoder = Callable[[bytes], NDArray[np.uint8]]
TrackerFactory = Callable[[], PoseTracker]
# What a client sends of one webcam frame: the JPEG, or the pose its browser found in it.
FrameInput = bytes | BrowserPose


@dataclass(frozen=True)
class FrameAnalysis:
    """What the learner gets back for one frame, and what is stored of it."""

    timestamp_s: float  # dance time (reference seconds)
    width: int
    height: int
    landmarks: NDArray[np.float32] | None  # (33, 4) learner pose, normalized image coords
    ghost: NDArray[np.float32] | None  # (33, 4) reference pose drawn on the learner's body
    accuracy: float | None  # 0..1, None when nothing could be compared
    part_scores: dict[str, float]  # 0..1 per body-part group
    errors: tuple[JointError, ...]  # every error of this frame, most severe first
    cues: tuple[JointError, ...]  # the debounced immediate errors to show
    warning: Warning | None
    processing_ms: float
    # How the frame agreed at its best lag (scoring.live_judgement.LiveVerdict), for what is
    # judged over many frames on the event loop: a move's grade pools above / room over its
    # frames, the camera's delay is read from steady_lag_s. None when nothing was compared.
    agreement: FrameAgreement | None = None
    # The frame_result message (live/messages.py) without its dropped-frame count, when it was
    # built where the frame was scored (an analysis process); else the event loop builds it.
    message: bytes | None = None

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Its fields, the poses as raw bytes (pack_pose): an analysis crosses a pipe for every
        # live frame scored in another process, and numpy's own pickling of its poses cost more
        # than the rest of it. Every field is listed (a test pickles one with all of them set).
        return _unpacked_analysis, (
            self.timestamp_s,
            self.width,
            self.height,
            pack_pose(self.landmarks),
            pack_pose(self.ghost),
            self.accuracy,
            self.part_scores,
            self.errors,
            self.cues,
            self.warning,
            self.processing_ms,
            self.agreement,
            self.message,
        )


def _unpacked_analysis(
    timestamp_s: float,
    width: int,
    height: int,
    landmarks: PackedPose | None,
    ghost: PackedPose | None,
    *rest: Any,
) -> FrameAnalysis:
    return FrameAnalysis(
        timestamp_s, width, height, unpack_pose(landmarks), unpack_pose(ghost), *rest
    )


@dataclass(frozen=True)
class FrameAgreement:
    lag_s: float  # negative: the learner is late
    steady_lag_s: float
    above: float
    room: float

    def __reduce__(self) -> tuple[type[FrameAgreement], tuple[float, float, float, float]]:
        # As its fields, like the analysis that carries it (the default form builds a dict).
        return FrameAgreement, (self.lag_s, self.steady_lag_s, self.above, self.room)


@dataclass(frozen=True)
class FrameLimits:
    """What a live frame may be (bytes, pixels, longest side); sent to analysis processes."""

    max_bytes: int
    max_pixels: int
    max_side: int

    @classmethod
    def from_settings(cls, settings: Settings) -> FrameLimits:
        return cls(settings.max_frame_bytes, settings.max_frame_pixels, settings.max_frame_side)

    def decoder(self) -> ImageDecoder:
        def decode(data: bytes) -> NDArray[np.uint8]:
            from dancecoach.estimation.video import decode_image

            return decode_image(
                data, max_bytes=self.max_bytes, max_pixels=self.max_pixels, max_side=self.max_side
            )

        return decode


def default_decoder(settings: Settings) -> ImageDecoder:
    return FrameLimits.from_settings(settings).decoder()


def pose_only_analyzers(reference: PoseSequence, mirror: bool) -> FrameAnalyzer:
    """An AnalyzerFactory for browser-pose streams: scoring only, no pose model (in a scoring
    process, live/workers/pose_scoring.py, or on the event loop, live/batching.py)."""
    return FrameAnalyzer(reference, mirror=mirror, decode=None, tracker_factory=None)


def live_tracker_factory(precision: LandmarkPrecision) -> TrackerFactory:
    """Trackers running the landmark model of this precision."""

    def tracker() -> PoseTracker:
        from dancecoach.estimation.live_tracking import LiveTracker

        return LiveTracker(precision)

    return tracker


class Analyzer(Protocol):
    """One stream's frame analysis, here (FrameAnalyzer) or in an analysis process."""

    def warm_up(self) -> None: ...

    def request_cue_reset(self) -> None: ...

    def analyze(
        self, frame: FrameInput, timestamp_s: float, received_s: float
    ) -> FrameAnalysis: ...

    def close(self) -> None: ...


AnalyzerFactory = Callable[[PoseSequence, bool], Analyzer]  # (reference, mirror)


@dataclass
class LiveState:
    """A stream's state between frames: where the dancer is (tracking, smoothing), cues and
    the last seconds' comparisons (what the live score pools)."""

    tracker: PoseTracker | None
    cues: CueDebouncer
    window: LiveWindow


class FrameAnalyzer:
    """Scores one stream's frames against a reference. Not thread-safe: one call at a time."""

    def __init__(
        self,
        reference: PoseSequence,
        *,
        mirror: bool,
        decode: ImageDecoder | None,
        tracker_factory: TrackerFactory | None,
    ) -> None:
        """decode, tracker_factory: None for a stream whose poses the learner's browser finds
        (it scores landmarks only, and never loads a pose model)."""
        if mirror:
            # Mirrored once here rather than twice a frame (comparison and ghost): the same
            # poses as compare_poses(mirror=True) would compare.
            reference = dataclasses.replace(
                reference, landmarks=mirror_landmarks(reference.landmarks)
            )
        self._reference = reference
        self._judge = LiveJudge(reference)
        self._decode = decode
        self._tracker_factory = tracker_factory
        self._tracker: PoseTracker | None = None
        self._cues = CueDebouncer()
        self._window = LiveWindow()
        self._cue_reset_requested = False

    def warm_up(self) -> None:
        """Load the pose model now rather than on the first frame."""
        if self._tracker is None and self._tracker_factory is not None:
            self._tracker = self._tracker_factory()

    def request_cue_reset(self) -> None:
        """Forget cue timers before the next frame (pause, resume, seek); safe from any thread."""
        self._cue_reset_requested = True

    def live_state(self) -> LiveState:
        """What the next frame's analysis depends on (picklable; a few kB)."""
        return LiveState(self._tracker, self._cues, self._window)

    def restore(self, state: LiveState) -> None:
        """Continue from a state another analyzer of the same stream left."""
        self._tracker, self._cues, self._window = state.tracker, state.cues, state.window

    def close(self) -> None:
        if self._tracker is not None:
            self._tracker.close()
            self._tracker = None

    def analyze(self, frame: FrameInput, timestamp_s: float, received_s: float) -> FrameAnalysis:
        """Raises InvalidImageError / LimitExceededError for bytes that are not a usable image.

        frame: the JPEG, or the pose the browser found in it (checked by browser_pose()).
        received_s: monotonic wall-clock time the frame arrived (drives cue timing).
        """
        started = time.perf_counter()
        pose: NDArray[np.float32] | None
        if isinstance(frame, BrowserPose):
            pose, width, height = frame.landmarks, frame.width, frame.height
        else:
            if self._decode is None:
                raise ImageFramesRefusedError(IMAGE_FRAMES_REFUSED)
            image = self._decode(frame)
            height, width = int(image.shape[0]), int(image.shape[1])
            self.warm_up()
            assert self._tracker is not None
            pose = self._tracker.process(image, timestamp_s)
        # From here on a browser's pose and a tracked one take the same path.
        posed = PosedFrame(self, BrowserPose(pose, width, height), timestamp_s, received_s)
        return analyze_poses([posed], started)[0]

    def _finish(
        self,
        frame: PosedFrame,
        verdict: LiveVerdict | None,
        placed: _Placed | None,
        started: float,
    ) -> FrameAnalysis:
        """The frame's analysis from its verdict and its ghost (None: nothing was judged)."""
        pose, width, height = frame.pose.landmarks, frame.pose.width, frame.pose.height
        accuracy: float | None = None
        part_scores: dict[str, float] = {}
        errors: tuple[JointError, ...] = ()
        ghost: NDArray[np.float32] | None = None
        warning: Warning | None = None
        agreement: FrameAgreement | None = None
        if pose is None:
            warning = "no_person"
        elif verdict is None or placed is None:
            warning = "no_reference_pose"
        else:
            comparison = verdict.comparison
            if not math.isnan(comparison.accuracy):
                accuracy = float(comparison.accuracy)
                agreement = FrameAgreement(
                    verdict.lag_s, verdict.steady_lag_s, verdict.above, verdict.room
                )
            part_scores = dict(comparison.part_scores)
            errors = comparison.errors
            ghost = placed.ghost
            if placed.hard_to_see:
                warning = "low_confidence"
        if self._cue_reset_requested:
            self._cue_reset_requested = False
            self._cues.reset()
        cues = tuple(self._cues.update(frame.received_s, errors))
        return FrameAnalysis(
            timestamp_s=frame.timestamp_s,
            width=width,
            height=height,
            landmarks=pose,
            ghost=ghost,
            accuracy=accuracy,
            part_scores=part_scores,
            errors=errors,
            cues=cues,
            warning=warning,
            processing_ms=(time.perf_counter() - started) * 1000.0,
            agreement=agreement,
        )


@dataclass(frozen=True)
class PosedFrame:
    """A frame whose pose is known (found by the browser or tracked), for its analyzer."""

    analyzer: FrameAnalyzer
    pose: BrowserPose
    timestamp_s: float
    received_s: float


def analyze_poses(
    frames: Sequence[PosedFrame], started: float | None = None
) -> list[FrameAnalysis]:
    """FrameAnalyzer.analyze for many streams' posed frames at once (one frame a stream).

    The comparisons of every frame are made together (scoring.live_judgement.judge_frames),
    and so are the ghosts (_placed): numpy's per-call cost, not the arithmetic, was most of a
    frame's scoring. processing_ms is the batch's time.
    """
    started = time.perf_counter() if started is None else started
    judged: list[tuple[int, NDArray[np.float32], NDArray[np.float32]]] = []  # frame, pose, ref
    for index, frame in enumerate(frames):
        pose = frame.pose.landmarks
        reference_pose = reference_pose_at(frame.analyzer._reference, frame.timestamp_s)
        if pose is not None and reference_pose is not None:
            judged.append((index, pose, reference_pose))
    verdicts = judge_frames(
        [
            LiveFrame(
                frames[index].analyzer._judge,
                pose,
                frames[index].pose.width / frames[index].pose.height,
                frames[index].timestamp_s,
                frames[index].analyzer._window,
            )
            for index, pose, _ in judged
        ]
    )
    found: dict[int, tuple[LiveVerdict, _Placed]] = {
        index: (verdict, placed)
        for (index, _, _), verdict, placed in zip(
            judged, verdicts, _placed(frames, judged), strict=True
        )
    }
    results: list[FrameAnalysis] = []
    for index, frame in enumerate(frames):
        verdict, placed = found.get(index, (None, None))
        results.append(frame.analyzer._finish(frame, verdict, placed, started))
    return results


@dataclass(frozen=True)
class _Placed:
    """A judged frame's ghost (None when none of it could be placed), and whether the learner
    is hard to see."""

    ghost: NDArray[np.float32] | None
    hard_to_see: bool


def _placed(
    frames: Sequence[PosedFrame],
    judged: Sequence[tuple[int, NDArray[np.float32], NDArray[np.float32]]],
) -> list[_Placed]:
    """The ghosts of the judged frames (frame index, pose, reference pose), and whether each
    learner is hard to see, for all of them in one pass."""
    from dancecoach.scoring.ghost import place_on_users

    if not judged:
        return []
    poses = np.stack([pose for _, pose, _ in judged])
    references = np.stack([reference for _, _, reference in judged])
    bodies = to_body_frame(
        references,
        np.array([frames[index].analyzer._reference.aspect_ratio for index, _, _ in judged]),
    )
    aspects = np.array(
        [frames[index].pose.width / frames[index].pose.height for index, _, _ in judged]
    )
    ghosts = place_on_users(bodies, references, poses, aspects)
    lost = np.isnan(ghosts[:, :, :2]).all(axis=(1, 2)).tolist()
    hard_to_see = (_mean_visibility(poses) < _LOW_CONFIDENCE_VISIBILITY).tolist()
    return [
        _Placed(None if gone else ghost, dim)
        for ghost, gone, dim in zip(ghosts, lost, hard_to_see, strict=True)
    ]


def _mean_visibility(poses: NDArray[np.float32]) -> NDArray[np.float64]:
    """Each pose's body points' mean visibility `(poses,)`, ignoring NaN (NaN if none is
    known, which is not low)."""
    visibility = poses[:, _BODY_POINTS, VISIBILITY].astype(np.float64)
    known = ~np.isnan(visibility)
    count = known.sum(axis=1)
    total = np.where(known, visibility, 0.0).sum(axis=1)
    mean: NDArray[np.float64] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean
