"""The OpenAPI document: complete for client generation, and the API honours it (schemathesis)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.pose.body_parts import BODY_PART_GROUPS
from dancecoach.scoring.comparison import ANGLE_TOLERANCE_DEG, ANGLE_ZERO_CREDIT_DEG
from dancecoach.scoring.timing import ON_TIME_MS
from tests.api.fakes import FakeTracker, reference_sequence, write_video


def test_schema_describes_rest_and_websocket_messages(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    for name in ("FrameResult", "ErrorMessage", "StateMessage", "ClientMessage", "ServerMessage"):
        assert name in components, name
    frame_result = components["FrameResult"]["properties"]
    for field in ("pose_landmarks", "immediate_errors", "accuracy", "timestamp"):
        assert field in frame_result
    report = components["SessionReport"]["properties"]
    for field in ("session_id", "overall_accuracy", "problem_segments", "analytics"):
        assert field in report
    segment = components["ProblemSegmentPublic"]["properties"]
    for field in ("start_time", "end_time", "title", "feedback", "video_clip"):
        assert field in segment
    analytics = components["AnalyticsPublic"]["properties"]
    for field in ("total_frames", "average_accuracy", "best_move", "hardest_move"):
        assert field in analytics
    assert "/api/sessions/create" in schema["paths"]
    assert "multipart/form-data" in str(schema["paths"]["/api/references"]["post"])
    protocol = client.get("/api/protocol").json()
    assert {c["code"] for c in protocol["close_codes"]} >= {4404, 4409}
    # The facts the page shows come from the server, not retyped in the page.
    assert protocol["on_time_ms"] == ON_TIME_MS
    assert protocol["severities"] == ["minor", "medium", "major"]
    assert protocol["credit_curve"] == {
        "full_credit_within_deg": ANGLE_TOLERANCE_DEG,
        "no_credit_beyond_deg": ANGLE_ZERO_CREDIT_DEG,
    }
    names = protocol["body_part_names"]
    assert names["left_shin"] == "left lower leg" and names["torso"] == "upper body"
    assert set(BODY_PART_GROUPS) | {"left_elbow", "hands", "whole_body"} <= set(names)
    # Every warning a frame result can carry has words for the learner.
    warning_codes = components["FrameResult"]["properties"]["warning"]["anyOf"][0]["enum"]
    assert set(protocol["warnings"]) == set(warning_codes)
    assert all(text.endswith(".") for text in protocol["warnings"].values())
    final = {c["code"]: c["final"] for c in protocol["close_codes"]}
    assert final[4404] and final[4409] and final[4401]
    assert not final[4408] and not final[1011], "a dropped reader or a server error may reconnect"
    rates = protocol["playback_rates"]
    assert rates == sorted(rates) and rates[-1] == 1.0 and rates[0] < 1.0


def test_openapi_dump_prints_the_schema(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dancecoach.api.openapi_dump"],
        capture_output=True,
        check=True,
        cwd=tmp_path,
        env={"DANCECOACH_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    schema = orjson.loads(result.stdout)
    assert schema["info"]["title"] == "dancecoach"
    assert "FrameResult" in schema["components"]["schemas"]
    assert not (tmp_path / "data").exists(), "dumping the schema must not touch the data folder"


def test_unknown_paths_get_the_web_app_or_json_404(client: TestClient) -> None:
    page = client.get("/practice/123")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    missing = client.get("/api/does-not-exist")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


@pytest.mark.parametrize("auth", ["off", "required"])
def test_api_honours_its_schema(settings: Settings, tmp_path: Path, auth: str) -> None:
    """Schemathesis generates requests for every operation: no 5xx, documented responses only.

    With accounts on, every request is a teacher's (who may call every operation) with a fresh
    API token, since a generated sign-out ends the token it is sent with.
    """
    settings.auth = "required" if auth == "required" else "off"
    reference = reference_sequence()
    app = create_app(settings, tracker_factory=lambda: FakeTracker(reference), demo_reference=False)
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    try:
        runtime = app.state.runtime
        # A ready reference, so that generated ids sometimes reach real objects.
        video = write_video(tmp_path / "routine.avi")
        runtime.references.register_ready(video, reference, name="Routine")
        teacher = runtime.accounts.add_user("teacher", "a long password", "teacher")

        def headers() -> dict[str, str]:
            if auth == "off":
                return {}
            return {"Authorization": f"Bearer {runtime.accounts.create_api_token(teacher, None)}"}

        checked = 0
        for result in loaded.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]

            @given(case=operation.as_strategy())
            @hypothesis_settings(
                max_examples=12, deadline=None, suppress_health_check=list(HealthCheck)
            )
            def check(case: schemathesis.Case[Any]) -> None:
                # Schema-valid data may still be refused by rules a JSON schema cannot say
                # (a section must end after it starts; an upload must decode as a video).
                case.call_and_validate(
                    headers=headers(), excluded_checks=[positive_data_acceptance]
                )

            check()
            checked += 1
        assert checked >= 15
    finally:
        asgi.shutdown_lifespans()
