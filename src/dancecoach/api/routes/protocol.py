"""The WebSocket protocol for clients (message schemas: the OpenAPI file), the scoring facts
the web page shows rather than retypes (grade bands, on time, credit curve, body-part words),
and the pose model the page runs in browser pose mode."""

from __future__ import annotations

import typing

from fastapi import APIRouter
from fastapi.responses import FileResponse

from dancecoach.api.deps import RuntimeDep
from dancecoach.api.errors import CLOSE_CODES, FINAL_CLOSE_CODES, error_responses
from dancecoach.api.landmarks_wire import BINARY_LANDMARKS_LAYOUT, BINARY_LANDMARKS_MAGIC
from dancecoach.api.routes.live import CLIENT_MESSAGE_TYPES
from dancecoach.api.schemas import (
    PRACTICE_RATES,
    BrowserPosePublic,
    CloseCode,
    CreditCurvePublic,
    ErrorMessage,
    GradeBandPublic,
    ProtocolPublic,
)
from dancecoach.errors import NotFoundError
from dancecoach.live.analysis import WARNING_TEXTS
from dancecoach.live.camera_delay import MAX_CAMERA_DELAY_S
from dancecoach.pose.body_parts import BODY_PART_GROUPS, WHOLE_BODY, part_words
from dancecoach.pose.landmarks import NUM_LANDMARKS
from dancecoach.scoring.comparison import ANGLE_TOLERANCE_DEG, ANGLE_ZERO_CREDIT_DEG
from dancecoach.scoring.features import FEATURES
from dancecoach.scoring.judgement import GRADE_BANDS
from dancecoach.scoring.results import SEVERITIES
from dancecoach.scoring.timing import ON_TIME_MS

router = APIRouter(prefix="/api", tags=["live"])

# Auto picks the browser when the page's probe of the model reaches this rate (the rate the
# page sends at: a slower model would thin out the frames the score is pooled over).
MIN_BROWSER_POSE_FPS = 10.0
# The first start builds the model bundle (~1.5 s, more on a busy machine); the protocol waits
# for it rather than have the page poll.
_MODEL_BUILD_WAIT_S = 30.0
_IMMUTABLE = "public, max-age=31536000, immutable"


def _browser_pose(runtime: RuntimeDep) -> BrowserPosePublic:
    mode = runtime.settings.live_pose
    model_url = None
    if mode != "server" and runtime.browser_model.wait(_MODEL_BUILD_WAIT_S):
        digest = runtime.browser_model.digest
        if digest is not None:
            model_url = f"/api/models/pose-landmarker/{digest}.task"
    return BrowserPosePublic(
        mode=mode,
        min_probe_fps=MIN_BROWSER_POSE_FPS,
        model_url=model_url,
        landmark_count=NUM_LANDMARKS,
        binary_landmarks_magic=BINARY_LANDMARKS_MAGIC.decode(),
        binary_landmarks_layout=BINARY_LANDMARKS_LAYOUT,
    )


# Every key a report, an error or a feedback item can name.
_BODY_PARTS = (*BODY_PART_GROUPS, *dict.fromkeys(spec.body_part for spec in FEATURES), WHOLE_BODY)


@router.get("/protocol", response_model=ProtocolPublic)
def protocol(runtime: RuntimeDep) -> ProtocolPublic:
    """How to talk to /ws/{session_id}, and the scoring facts the page shows."""
    return ProtocolPublic(
        binary_frame_layout="8 bytes little-endian float64 dance time (s), then JPEG bytes",
        browser_pose=_browser_pose(runtime),
        client_message_types=list(CLIENT_MESSAGE_TYPES),
        server_message_types=["frame_result", "error", "state", "pong", "move", "camera_delay"],
        error_codes=list(typing.get_args(ErrorMessage.model_fields["code"].annotation)),
        close_codes=[
            CloseCode(code=code, meaning=text, final=code in FINAL_CLOSE_CODES)
            for code, text in CLOSE_CODES.items()
        ],
        max_frame_bytes=runtime.settings.max_frame_bytes,
        grade_bands=[
            *(GradeBandPublic(grade=grade, min_score=lowest) for grade, lowest in GRADE_BANDS),
            GradeBandPublic(grade="Miss", min_score=0.0),
        ],
        on_time_ms=ON_TIME_MS,
        credit_curve=CreditCurvePublic(
            full_credit_within_deg=ANGLE_TOLERANCE_DEG,
            no_credit_beyond_deg=ANGLE_ZERO_CREDIT_DEG,
        ),
        severities=list(SEVERITIES),
        body_part_names={key: part_words(key) for key in _BODY_PARTS},
        max_camera_delay_s=MAX_CAMERA_DELAY_S,
        warnings=dict(WARNING_TEXTS),
        playback_rates=list(PRACTICE_RATES),
    )


@router.get(
    "/models/pose-landmarker/{digest}.task",
    response_class=FileResponse,
    responses=error_responses(404),
)
def pose_model(digest: str, runtime: RuntimeDep) -> FileResponse:
    """The pose model bundle for the browser; its URL names its content, so it never changes."""
    model = runtime.browser_model
    if runtime.settings.live_pose == "server" or not model.wait(_MODEL_BUILD_WAIT_S):
        raise NotFoundError("The browser pose model is not available on this server.")
    if model.path is None or digest != model.digest:
        raise NotFoundError("No pose model with this digest (the server has a newer one).")
    return FileResponse(
        model.path,
        media_type="application/octet-stream",
        headers={"Cache-Control": _IMMUTABLE},
    )
