"""The music API: beats and counts of a reference, count 1 shifts, videos without sound."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from dancecoach.api.schemas import AnalyticsPublic
from dancecoach.config import Settings
from dancecoach.practice.report_types import AccentReport
from dancecoach.runtime import Runtime
from tests.api.fakes import reference_sequence, write_video
from tests.footage import footage


def _beats(client: TestClient, reference_id: str) -> dict[str, Any]:
    response = client.get(f"/api/references/{reference_id}/beats")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.footage
def test_a_reference_with_music_has_tempo_beats_and_eights_and_count_one_can_be_moved(
    client: TestClient, runtime: Runtime
) -> None:
    video = footage("pairs/feelsreal_a.mp4")
    reference = runtime.references.register_ready(video, reference_sequence(), name="Song")
    runtime.music.analyse(reference.id, runtime.references.video_path(reference.id), None)
    body = _beats(client, reference.id)
    assert body["tempo_bpm"] is not None and 60 <= body["tempo_bpm"] <= 200
    beats = body["beats"]
    assert len(beats) >= 16
    times = np.array([b["time_s"] for b in beats])
    assert np.all(np.diff(times) > 0)
    # The tempo is the beats' own spacing.
    assert abs(60.0 / np.median(np.diff(times)) - body["tempo_bpm"]) <= 0.05 * body["tempo_bpm"]
    # Counts run 1..8 in order, and each count 1 opens the next eight.
    counts = [b["count"] for b in beats]
    assert all(b % 8 + 1 == a for a, b in zip(counts[1:], counts[:-1], strict=True))
    ones = [b for b in beats if b["count"] == 1]
    assert [b["eight"] for b in ones] == list(range(1, len(ones) + 1))

    shifted = client.patch(f"/api/references/{reference.id}/beats", json={"downbeat_shift": 1})
    assert shifted.status_code == 200, shifted.text
    moved = [b for b in shifted.json()["beats"] if b["count"] == 1]
    first_before = next(i for i, b in enumerate(beats) if b["count"] == 1)
    first_after = next(i for i, b in enumerate(shifted.json()["beats"]) if b["count"] == 1)
    assert (first_after - first_before) % 8 == 1
    assert moved[0]["time_s"] != ones[0]["time_s"]
    # The shift is kept across a new analysis, and 0 restores what the analysis heard.
    runtime.music.analyse(reference.id, runtime.references.video_path(reference.id), None)
    assert _beats(client, reference.id)["downbeat_shift"] == 1
    restored = client.patch(f"/api/references/{reference.id}/beats", json={"downbeat_shift": 0})
    assert restored.json()["beats"] == beats
    assert (
        client.patch(
            f"/api/references/{reference.id}/beats", json={"downbeat_shift": 9}
        ).status_code
        == 422
    )


def test_a_video_without_sound_has_no_beats_and_cannot_be_shifted(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    runtime.music.analyse(reference_id, runtime.references.video_path(reference_id), None)
    assert _beats(client, reference_id) == {"tempo_bpm": None, "downbeat_shift": 0, "beats": []}
    response = client.patch(f"/api/references/{reference_id}/beats", json={"downbeat_shift": 1})
    assert response.status_code == 409
    assert client.get("/api/references/" + "0" * 32 + "/beats").status_code == 404


@pytest.mark.footage
def test_references_analysed_before_this_feature_get_their_beats_at_start(
    settings: Settings, tmp_path: Path
) -> None:
    from dancecoach.api.app import create_app

    with TestClient(create_app(settings, demo_reference=False)) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        video = footage("pairs/cannibal_duet_left.mp4")
        song = runtime.references.register_ready(video, reference_sequence(), name="Song")
        silent = runtime.references.register_ready(
            write_video(tmp_path / "silent.avi"), reference_sequence(), name="Silent"
        )
        assert _beats(client, song.id)["beats"] == []
    with TestClient(create_app(settings, demo_reference=False)) as client:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
            client.get(f"/api/references/{song.id}/sections").json()
        ):
            time.sleep(0.2)
        assert _beats(client, song.id)["tempo_bpm"] is not None
        assert _beats(client, silent.id)["beats"] == []
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        assert runtime.music.is_current(silent.id), "a silent video is analysed once, not again"
        # Cut into phrases of two eights (suggested sections); the silent one is left alone.
        sections = client.get(f"/api/references/{song.id}/sections").json()
        assert sections and all(s["suggested"] for s in sections)
        assert client.get(f"/api/references/{silent.id}/sections").json() == []
        for section in sections:
            client.delete(f"/api/references/{song.id}/sections/{section['id']}")
    # Suggestions the teacher removed stay removed at the next start.
    with TestClient(create_app(settings, demo_reference=False)) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        # The start-up work runs on the one preprocessing thread: this waits for all of it.
        runtime.preprocess_pool.submit(lambda: None).result(timeout=120)
        assert client.get(f"/api/references/{song.id}/sections").json() == []


@pytest.mark.footage
def test_problem_moments_of_a_section_are_told_in_the_counts_of_their_times(
    client: TestClient, runtime: Runtime
) -> None:
    from tests.api.fakes import GREY, WHITE
    from tests.api.test_sessions import _dance, _plan

    video = footage("pairs/feelsreal_a.mp4")
    reference = runtime.references.register_ready(video, reference_sequence(), name="Song")
    runtime.music.analyse(reference.id, runtime.references.video_path(reference.id), None)
    beats = _beats(client, reference.id)["beats"]
    session = client.post("/api/sessions/create", json={"reference_video_id": reference.id})
    session_id = session.json()["session_id"]
    _dance(client, session_id, _plan(0.5, 5.0, lambda t: WHITE if 2.0 <= t < 3.5 else GREY))
    report = client.post(f"/api/sessions/{session_id}/complete-section", json={}).json()
    segments = report["problem_segments"]
    assert segments
    times = np.array([b["time_s"] for b in beats])
    for segment in segments:
        first = beats[int(np.searchsorted(times, segment["start_time"] + 1e-6)) - 1]
        last = beats[int(np.searchsorted(times, segment["end_time"] - 0.05 + 1e-6)) - 1]
        assert segment["eight"] == first["eight"]
        assert segment["counts"] == [first["count"], last["count"]]
        assert "eight" in segment["title"]
    worst = min(segments, key=lambda s: s["score"])
    assert "count" in worst["feedback"] and "0:0" in worst["feedback"], worst["feedback"]


def test_without_sound_problem_moments_stay_in_seconds(
    client: TestClient, runtime: Runtime, reference_id: str, session_id: str
) -> None:
    from tests.api.fakes import GREY, WHITE
    from tests.api.test_sessions import _dance, _plan

    runtime.music.analyse(reference_id, runtime.references.video_path(reference_id), None)
    _dance(client, session_id, _plan(0.5, 5.0, lambda t: WHITE if 2.0 <= t < 3.5 else GREY))
    report = client.post(f"/api/sessions/{session_id}/complete-section", json={}).json()
    assert report["problem_segments"]
    for segment in report["problem_segments"]:
        assert segment["eight"] is None and segment["counts"] is None
        # As a word: "third eight, counts 5-6" (not the "eight" in "chest height").
        assert not re.search(r"\beights?\b", segment["title"] + " " + segment["feedback"])


@pytest.mark.footage
def test_suggested_sections_are_whole_eights_follow_count_one_and_yield_to_the_teacher(
    client: TestClient, runtime: Runtime
) -> None:
    from dancecoach.library.music import suggest_sections

    video = footage("pairs/feelsreal_a.mp4")
    reference = runtime.references.register_ready(video, reference_sequence(), name="Song")
    runtime.music.analyse(reference.id, runtime.references.video_path(reference.id), None)
    assert suggest_sections(runtime.references, runtime.music, reference.id, 2) > 0
    sections = client.get(f"/api/references/{reference.id}/sections").json()
    ones = [b["time_s"] for b in _beats(client, reference.id)["beats"] if b["count"] == 1]
    assert all(s["suggested"] for s in sections)
    assert sections[0]["start_s"] == 0.0
    assert [s["start_s"] for s in sections[1:]] == pytest.approx(ones[2::2][: len(sections) - 1])
    assert sections[-1]["end_s"] == pytest.approx(reference.duration_s, abs=0.01)
    # Moving count 1 a beat later moves the suggested sections with it.
    client.patch(f"/api/references/{reference.id}/beats", json={"downbeat_shift": 1})
    moved = client.get(f"/api/references/{reference.id}/sections").json()
    assert moved[1]["start_s"] > sections[1]["start_s"]
    # Once the teacher names a section, suggestions are no longer redone.
    client.post(
        f"/api/references/{reference.id}/sections",
        json={"title": "Chorus", "start_s": 1.0, "end_s": 3.0},
    )
    client.patch(f"/api/references/{reference.id}/beats", json={"downbeat_shift": 0})
    kept = client.get(f"/api/references/{reference.id}/sections").json()
    assert {s["id"] for s in moved} < {s["id"] for s in kept}


@pytest.mark.footage
def test_break_it_down_keeps_the_furthest_stage_and_best_score_per_eight(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    video = footage("pairs/cannibal_duet_left.mp4")
    reference = runtime.references.register_ready(video, reference_sequence(), name="Song")
    runtime.music.analyse(reference.id, runtime.references.video_path(reference.id), None)
    base = f"/api/me/references/{reference.id}/eights"
    assert client.get(base).json() == []
    for stage, score in [(0, 41.0), (1, 63.0), (0, 55.0)]:
        response = client.put(f"{base}/2", json={"stage": stage, "score": score})
        assert response.status_code == 200, response.text
    assert client.get(base).json() == [
        {"eight": 2, "stage": 1, "best_score": 63.0, "best_by_rate": [], "mastered": False}
    ]
    assert client.put(f"{base}/99", json={"stage": 1, "score": 50}).status_code == 409
    assert client.put(f"{base}/2", json={"stage": 5, "score": 50}).status_code == 422
    # A video without beats has no eights to break down.
    runtime.music.analyse(reference_id, runtime.references.video_path(reference_id), None)
    silent = f"/api/me/references/{reference_id}/eights/1"
    assert client.put(silent, json={"stage": 1, "score": 70}).status_code == 409


def test_a_section_reports_timing_on_the_hits_on_the_wire() -> None:
    """The typed report's accents reach the wire (a live section on real footage once failed
    with a 500 here: the wire model could not read the typed value)."""
    accent = AccentReport(time_s=10.0, eight=3, count=5, lag_ms=120.0, timing="late")
    wire = AnalyticsPublic.model_fields["accents"].annotation
    assert wire is not None
    assert TypeAdapter(wire).validate_python([accent])[0].model_dump() == {
        "time_s": 10.0,
        "eight": 3,
        "count": 5,
        "lag_ms": 120.0,
        "timing": "late",
    }
