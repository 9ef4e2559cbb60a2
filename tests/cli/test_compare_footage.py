"""`dancecoach compare` on real dance footage: known relations between real clips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from markupsafe import escape

from dancecoach.config import Settings
from dancecoach.library.pose_cache import load_or_extract
from dancecoach.offline.command import compare_and_coach, run_compare
from dancecoach.offline.compare import match_songs
from dancecoach.scoring.matching import MIN_SEARCH_S
from dancecoach.scoring.performance import score_performance
from tests import shared_poses
from tests.footage import (
    SAME_CHOREOGRAPHY,
    SAME_EXERCISE_WITH_ERROR,
    SAME_PERFORMANCE,
    clip_where,
    clips,
    labelled_pair,
    labelled_pairs,
    shortest_clip,
    unrelated_pairs,
)
from tests.perturbations import holding_one_pose

pytestmark = [pytest.mark.footage, pytest.mark.slow]


@pytest.fixture(scope="module")
def shared_settings() -> Settings:
    """The run's shared data folder, so each video's poses are extracted once (shared_poses)."""
    return shared_poses.settings()


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


def test_every_copy_of_one_performance_scores_at_least_95(shared_settings: Settings) -> None:
    # The same take re-encoded, re-cropped or re-edited is the same dance: near perfect.
    copies = labelled_pairs(SAME_PERFORMANCE)
    assert copies, "the manifest has a same-performance pair"
    for pair in copies:
        result = compare(shared_settings, pair.reference.path, pair.attempt.path)
        assert result["overall_score"] >= 95, (pair.label, result["overall_score"])
        if pair.offset_s is not None:
            assert abs(result["offset_s"] - pair.offset_s) <= 0.3, (pair.label, result)
        assert result["mirrored"] is pair.mirrored, pair.label


def test_the_offset_between_two_dancers_is_found(shared_settings: Settings) -> None:
    for pair in labelled_pairs(SAME_CHOREOGRAPHY, known_offset=True):
        assert pair.offset_s is not None
        result = compare(shared_settings, pair.reference.path, pair.attempt.path)
        assert abs(result["offset_s"] - pair.offset_s) <= 0.3, (pair.label, result["offset_s"])
        assert result["mirrored"] is pair.mirrored, pair.label
        for segment in result["problem_segments"]:
            # In reference time, inside the reference video.
            assert 0.0 <= segment["start_time"] < segment["end_time"], pair.label
            assert segment["end_time"] <= pair.reference.duration_s + 0.05, pair.label


def test_every_same_choreography_pair_beats_every_unrelated_pair_by_20(
    shared_settings: Settings,
) -> None:
    related = [(p.reference.name, p.attempt.name) for p in labelled_pairs()]
    unrelated = [(first.name, second.name) for first, second in unrelated_pairs()]
    known = clips()
    scores: dict[tuple[str, str], float] = {}
    for reference, attempt in [*related, *unrelated]:
        result = compare(shared_settings, known[reference].path, known[attempt].path)
        scores[(reference, attempt)] = result["overall_score"]
    weakest_related = min(scores[p] for p in related)
    strongest_unrelated = max(scores[p] for p in unrelated)
    assert weakest_related >= strongest_unrelated + 20, scores


def test_a_flipped_copy_is_detected_as_mirrored(shared_settings: Settings, tmp_path: Path) -> None:
    dancer = clip_where(people=1, full_body=True, rotated=False, dance=True, min_duration_s=12.0)
    original = dancer.path
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
    pair = labelled_pair(SAME_CHOREOGRAPHY)
    reference, attempt = pair.reference.path, pair.attempt.path
    shrunk = transformed_copy(
        attempt, tmp_path / "shrunk.mp4", "shrink", max_seconds=pair.attempt.duration_s
    )
    original = compare(shared_settings, reference, attempt)["overall_score"]
    moved = compare(shared_settings, reference, shrunk)["overall_score"]
    assert abs(original - moved) <= 3.0, (original, moved)


def test_html_report_with_stills_and_coaching(shared_settings: Settings, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    pair = labelled_pair(SAME_EXERCISE_WITH_ERROR)
    result = compare_and_coach(
        pair.reference.path,
        pair.attempt.path,
        shared_settings,
        mirror="auto",
        html_report=report,
    )
    html = report.read_text()
    assert f"{result.overall_score:.0f}" in html
    assert "<svg" in html
    # The attempt has a form error: its moments are shown with a still of each dancer.
    assert result.problem_segments
    assert html.count("data:image/jpeg;base64,") >= 2 * len(result.problem_segments)
    assert "http://" not in html and "https://" not in html
    for item in result.feedback:
        assert str(escape(item.title)) in html


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DANCECOACH_DATA_DIR": str(data_dir), "OPENAI_API_KEY": ""}
    return subprocess.run(
        [sys.executable, "-m", "dancecoach.cli", *args],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def test_cli_json_is_one_clean_object_on_stdout(tmp_path: Path) -> None:
    reference = shortest_clip().path
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
    good = shortest_clip().path
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


def test_compare_is_the_same_whichever_video_is_the_reference(shared_settings: Settings) -> None:
    for pair in labelled_pairs():
        forward = compare(shared_settings, pair.reference.path, pair.attempt.path)
        backward = compare(shared_settings, pair.attempt.path, pair.reference.path)
        assert forward["mirrored"] == backward["mirrored"], pair.label
        # reference = rate * attempt + offset, so the swapped offset is -offset / rate.
        rate = forward["alignment"]["tempo_ratio"]
        assert backward["offset_s"] == pytest.approx(-forward["offset_s"] / rate, abs=0.1), (
            pair.label
        )
        assert abs(forward["overall_score"] - backward["overall_score"]) <= 5, pair.label


def test_pairs_sharing_a_song_are_aligned_by_it_and_say_so(shared_settings: Settings) -> None:
    sharing = labelled_pairs(audio=True, known_offset=True)
    assert sharing, "the manifest has a pair with a soundtrack and a known offset"
    for pair in sharing:
        assert pair.offset_s is not None
        result = compare(shared_settings, pair.reference.path, pair.attempt.path)
        assert result["alignment"]["source"] == "audio", pair.label
        assert result["alignment"]["same_song"] is True, pair.label
        assert 0.0 < result["alignment"]["confidence"] <= 1.0
        assert abs(result["offset_s"] - pair.offset_s) <= 0.3, (pair.label, result["offset_s"])
        assert result["mirrored"] is pair.mirrored, pair.label


def test_a_pair_without_sound_is_aligned_by_pose_and_says_so(shared_settings: Settings) -> None:
    silent = labelled_pairs(SAME_CHOREOGRAPHY, audio=False, known_offset=True)
    assert silent, "the manifest has a same-choreography pair without audio"
    for pair in silent:
        assert pair.offset_s is not None
        result = compare(shared_settings, pair.reference.path, pair.attempt.path)
        assert result["alignment"]["source"] == "pose", pair.label
        assert result["alignment"]["same_song"] is False, pair.label
        assert abs(result["offset_s"] - pair.offset_s) <= 0.3, (pair.label, result["offset_s"])
        assert result["mirrored"] is pair.mirrored, pair.label


def test_unrelated_songs_are_reported_and_aligned_by_pose(shared_settings: Settings) -> None:
    with_sound = unrelated_pairs(audio=True)
    assert with_sound, "the manifest has an unrelated pair where both clips have sound"
    for first, second in with_sound:
        result = compare(shared_settings, first.path, second.path)
        assert result["alignment"]["same_song"] is False
        assert result["alignment"]["source"] == "pose"
        # Searched within the bound on either video's clock (they differ by the tempo ratio).
        stretch = max(result["alignment"]["tempo_ratio"], 1 / result["alignment"]["tempo_ratio"])
        assert abs(result["offset_s"]) <= (shared_settings.max_pose_offset_s + 0.1) * stretch


def test_a_mirrored_recording_is_detected_against_another_dancer_both_ways(
    shared_settings: Settings, tmp_path: Path
) -> None:
    pair = labelled_pair(SAME_CHOREOGRAPHY, mirrored=False)
    reference = pair.reference.path
    flipped = transformed_copy(
        pair.attempt.path, tmp_path / "flipped.mp4", "flip", max_seconds=pair.attempt.duration_s
    )
    forward = compare(shared_settings, reference, flipped)
    backward = compare(shared_settings, flipped, reference)
    assert forward["mirrored"] is True and backward["mirrored"] is True
    direct = compare(shared_settings, reference, pair.attempt.path)
    assert abs(forward["overall_score"] - direct["overall_score"]) <= 10, (forward, direct)


def test_standing_still_while_the_song_plays_is_a_miss(shared_settings: Settings) -> None:
    pair = labelled_pair(SAME_CHOREOGRAPHY, audio=True)
    reference = load_or_extract(pair.reference.path, shared_settings)
    attempt = load_or_extract(pair.attempt.path, shared_settings)
    song = match_songs(pair.reference.path, pair.attempt.path, progress=None)
    assert song is not None and song.same_song
    still = score_performance(
        reference, holding_one_pose(attempt), mirror=None, alignment="search", song=song
    )
    assert still.alignment.same_song is True  # the song is reported ...
    assert still.grade == "Miss", still.overall_score  # ... and never scored
    danced = score_performance(reference, attempt, mirror=None, alignment="search", song=song)
    assert danced.overall_score >= still.overall_score + 40


def _with_silent_soundtrack(source: Path, destination: Path, seconds: float) -> Path:
    """The first seconds of a clip's picture with a silent AAC track (PyAV)."""
    with av.open(str(source)) as reader, av.open(str(destination), "w") as writer:
        video_in = reader.streams.video[0]
        rate = round(float(video_in.average_rate or 30))
        video = writer.add_stream("mpeg4", rate=rate)
        video.width, video.height = video_in.codec_context.width, video_in.codec_context.height
        video.pix_fmt = "yuv420p"
        sound = writer.add_stream("aac", rate=22050)
        sound.layout = "mono"
        for index, frame in enumerate(reader.decode(video_in)):
            if index >= seconds * rate:
                break
            picture = av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")
            picture.pts = index
            writer.mux(video.encode(picture))
        writer.mux(video.encode(None))
        silence = np.zeros((1, 1024), np.float32)
        for block in range(round(seconds * 22050 / 1024)):
            samples = av.AudioFrame.from_ndarray(silence, format="flt", layout="mono")
            samples.sample_rate = 22050
            samples.pts = block * 1024
            writer.mux(sound.encode(samples))
        writer.mux(sound.encode(None))
    return destination


def test_a_silent_soundtrack_never_fails_a_compare(
    shared_settings: Settings, tmp_path: Path
) -> None:
    pair = labelled_pair(SAME_CHOREOGRAPHY, audio=True)
    attempt = _with_silent_soundtrack(pair.attempt.path, tmp_path / "silent.mp4", seconds=8.0)
    result = compare(shared_settings, pair.reference.path, attempt)
    assert result["alignment"]["source"] == "pose"
    assert result["alignment"]["same_song"] is False
    assert result["frames_compared"] > 0


def test_a_clip_too_short_to_search_is_a_miss_against_other_dances(
    shared_settings: Settings,
) -> None:
    short = [c for c in clips().values() if c.choreography and c.duration_s < MIN_SEARCH_S]
    assert short, "the manifest has a clip shorter than a search needs"
    others = {p.reference.name: p.reference for p in labelled_pairs()}
    for clip in short:
        attempt = load_or_extract(clip.path, shared_settings)
        for _, other in sorted(others.items()):
            if other.choreography == clip.choreography:
                continue
            reference = load_or_extract(other.path, shared_settings)
            # Both ways: the short clip as the attempt and as the reference.
            for first, second in ((reference, attempt), (attempt, reference)):
                report = score_performance(first, second, mirror=None, alignment="search")
                assert report.grade == "Miss", (clip.name, other.name, report.overall_score)
        itself = score_performance(attempt, attempt, mirror=None, alignment="search")
        assert itself.overall_score >= 95, (clip.name, itself.overall_score)
