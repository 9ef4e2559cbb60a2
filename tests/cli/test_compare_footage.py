"""`dancecoach compare` on real dance footage: known relations between real clips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from dancecoach.config import Settings
from dancecoach.orchestration.compare_command import run_compare
from tests.footage import footage, manifest

pytestmark = [pytest.mark.footage, pytest.mark.slow]


@pytest.fixture(scope="module")
def shared_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One data folder for the module, so each video's poses are extracted once."""
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"), openai_api_key=None, openai_base_url=None
    )


def compare(
    settings: Settings, reference: Path, attempt: Path, mirror: str = "auto"
) -> dict[str, Any]:
    return run_compare(reference, attempt, settings, mirror=mirror)


def transformed_copy(source: Path, destination: Path, transform: str, max_seconds: float) -> Path:
    """Write a copy of a clip, flipped or shrunk off-centre, with OpenCV (test-time only)."""
    capture = cv2.VideoCapture(str(source))
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    writer = cv2.VideoWriter(
        str(destination), cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height)
    )
    for _ in range(round(max_seconds * fps)):
        ok, frame = capture.read()
        if not ok:
            break
        if transform == "flip":
            frame = cv2.flip(frame, 1)
        else:
            small = cv2.resize(
                frame, (round(width * 0.6), round(height * 0.6)), interpolation=cv2.INTER_AREA
            )
            canvas = np.full_like(frame, 40)
            x0, y0 = width - small.shape[1] - width // 40, height - small.shape[0] - height // 20
            canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
            frame = canvas
        writer.write(frame)
    writer.release()
    capture.release()
    return destination


def test_same_performance_reencoded_scores_at_least_90(shared_settings: Settings) -> None:
    result = compare(
        shared_settings, footage("pairs/renegade_a.mp4"), footage("pairs/renegade_a_reencoded.mp4")
    )
    assert result["overall_score"] >= 90, result["overall_score"]
    assert abs(result["offset_s"]) <= 0.3
    assert result["mirrored"] is False


def test_teacher_and_student_offset_is_found(shared_settings: Settings) -> None:
    result = compare(
        shared_settings,
        footage("pairs/maybenot_teacher.mp4"),
        footage("pairs/maybenot_student.mp4"),
    )
    assert abs(result["offset_s"] - 0.9) <= 0.3, result["offset_s"]
    assert result["mirrored"] is False
    for segment in result["problem_segments"]:
        assert 0.0 <= segment["start_time"] < segment["end_time"] <= 21.7


def test_every_same_choreography_pair_beats_every_unrelated_pair_by_20(
    shared_settings: Settings,
) -> None:
    data = manifest()
    related = [
        (p["reference"], p["attempt"])
        for p in data["pairs"]
        if p["relation"] in ("same_choreography", "same_performance")
    ]
    unrelated = [tuple(pair) for pair in data["unrelated_examples"]]
    scores: dict[tuple[str, str], float] = {}
    for reference, attempt in [*related, *unrelated]:
        scores[(reference, attempt)] = compare(
            shared_settings, footage(reference), footage(attempt)
        )["overall_score"]
    weakest_related = min(scores[p] for p in related)
    strongest_unrelated = max(scores[p] for p in unrelated)
    assert weakest_related >= strongest_unrelated + 20, scores


def test_a_flipped_copy_is_detected_as_mirrored(shared_settings: Settings, tmp_path: Path) -> None:
    original = footage("pairs/blackpink_a.mp4")
    flipped = transformed_copy(original, tmp_path / "flipped.mp4", "flip", max_seconds=12.0)
    auto = compare(shared_settings, original, flipped, mirror="auto")
    assert auto["mirrored"] is True
    assert auto["overall_score"] >= 90, auto["overall_score"]
    off = compare(shared_settings, original, flipped, mirror="off")
    assert off["overall_score"] <= auto["overall_score"] - 10, (
        off["overall_score"],
        auto["overall_score"],
    )


def test_a_smaller_off_centre_recording_scores_the_same(
    shared_settings: Settings, tmp_path: Path
) -> None:
    reference = footage("pairs/maybenot_teacher.mp4")
    attempt = footage("pairs/maybenot_student.mp4")
    shrunk = transformed_copy(attempt, tmp_path / "shrunk.mp4", "shrink", max_seconds=60.0)
    original = compare(shared_settings, reference, attempt)["overall_score"]
    moved = compare(shared_settings, reference, shrunk)["overall_score"]
    assert abs(original - moved) <= 3.0, (original, moved)


def test_html_report_with_stills_and_coaching(shared_settings: Settings, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = run_compare(
        footage("pairs/crunches_reference.mp4"),
        footage("pairs/crunches_attempt_neck_error.mp4"),
        shared_settings,
        mirror="auto",
        html_report=report,
    )
    html = report.read_text()
    assert f"{result['overall_score']:.0f}" in html
    assert "<svg" in html
    if result["problem_segments"]:
        assert html.count("data:image/jpeg;base64,") >= 2 * len(result["problem_segments"])
    assert "http://" not in html and "https://" not in html
    for item in result["feedback"]:
        assert item["title"] in html or item["title"].replace("'", "&#x27;") in html


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DANCECOACH_DATA_DIR": str(data_dir), "OPENAI_API_KEY": ""}
    return subprocess.run(
        [sys.executable, "-m", "dancecoach.cli", *args],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def test_cli_json_is_one_clean_object_on_stdout(tmp_path: Path) -> None:
    reference = footage("motion/jumping_jacks_1s.mp4")
    result = run_cli(tmp_path / "data", "compare", str(reference), str(reference), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = {"overall_score", "offset_s", "mirrored", "lag_ms", "per_body_part"}
    expected |= {"problem_segments", "frames_compared", "frames_without_person"}
    assert expected <= set(data)
    assert 0 <= data["overall_score"] <= 100
    assert data["overall_score"] >= 95  # a clip against itself
    assert 3 <= len(data["feedback"]) <= 5
    assert all(item["source"] == "template" for item in data["feedback"])  # no key here


@pytest.mark.parametrize("kind", ["missing", "not_a_video", "no_person"])
def test_cli_bad_input_fails_with_one_clear_line(tmp_path: Path, kind: str) -> None:
    good = footage("motion/jumping_jacks_1s.mp4")
    if kind == "missing":
        bad = tmp_path / "nope.mp4"
    elif kind == "not_a_video":
        bad = tmp_path / "notes.mp4"
        bad.write_text("this is not a video\n" * 100)
    else:
        bad = tmp_path / "empty_room.avi"
        writer = cv2.VideoWriter(str(bad), cv2.VideoWriter.fourcc(*"MJPG"), 15, (320, 240))
        for i in range(30):
            writer.write(np.full((240, 320, 3), 90 + i, np.uint8))
        writer.release()
    result = run_cli(tmp_path / "data", "compare", str(good), str(bad), "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip() and "%" not in line]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert bad.name in lines[0]
