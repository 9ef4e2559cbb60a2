"""Break-It-Down's mastery on the wire: the best grade per speed of each eight, and how much of
each routine a learner has mastered (eights at Good at 1x), per learner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.library.music import BEATS_VERSION
from dancecoach.runtime import Runtime
from dancecoach.storage.beat_store import BeatStore
from tests.api.fakes import FakeTracker, reference_sequence, write_video


def _give_beats(runtime: Runtime, reference_id: str, eights: int) -> None:
    """A steady 120 BPM grid of `eights` eight-counts from 0 s, as the analysis would store."""
    BeatStore(runtime.db).put(
        reference_id,
        version=BEATS_VERSION,
        tempo_bpm=120.0,
        beat_times_s=[0.5 * i for i in range(8 * eights)],
        downbeat=0,
    )


def test_each_eight_keeps_its_best_score_and_grade_at_every_speed(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    _give_beats(runtime, reference_id, eights=4)
    base = f"/api/me/references/{reference_id}/eights"
    # Eight 2: a Miss then an OK at 0.5x, Good at 0.5x (stage 1 passed), then Great at 0.75x.
    for stage, score, rate in [(0, 20.0, 0.5), (0, 45.0, 0.5), (1, 61.0, 0.5), (2, 80.0, 0.75)]:
        response = client.put(f"{base}/2", json={"stage": stage, "score": score, "rate": rate})
        assert response.status_code == 200, response.text
    # A later, weaker pass at 0.5x leaves that speed's best alone.
    last = client.put(f"{base}/2", json={"stage": 1, "score": 30.0, "rate": 0.5}).json()
    assert last["best_by_rate"] == [
        {"rate": 0.5, "best_score": 61.0, "grade": "Good"},
        {"rate": 0.75, "best_score": 80.0, "grade": "Great"},
    ]
    assert last["stage"] == 2 and last["best_score"] == 80.0
    assert last["mastered"] is False  # never danced at 1x
    # Good at 1x masters it; an attempt without a rate (an older page) keeps only the overall.
    client.put(f"{base}/3", json={"stage": 3, "score": 64.0, "rate": 1.0})
    client.put(f"{base}/4", json={"stage": 0, "score": 90.0})
    rows = {row["eight"]: row for row in client.get(base).json()}
    assert rows[3]["mastered"] is True
    assert rows[3]["best_by_rate"] == [{"rate": 1.0, "best_score": 64.0, "grade": "Good"}]
    assert rows[4]["best_by_rate"] == [] and rows[4]["best_score"] == 90.0
    assert rows[4]["mastered"] is False
    assert client.put(f"{base}/2", json={"stage": 1, "score": 50, "rate": 3}).status_code == 422


def test_the_library_share_counts_eights_at_good_at_full_speed(
    client: TestClient, runtime: Runtime, reference_id: str
) -> None:
    _give_beats(runtime, reference_id, eights=5)
    base = f"/api/me/references/{reference_id}/eights"
    assert client.get("/api/me/mastery").json() == [
        {"reference_video_id": reference_id, "eights": 5, "mastered": 0}
    ]
    client.put(f"{base}/1", json={"stage": 3, "score": 70.0, "rate": 1.0})  # Good at 1x
    client.put(f"{base}/2", json={"stage": 4, "score": 75.0, "rate": 1.0})  # chained too
    client.put(f"{base}/3", json={"stage": 0, "score": 59.0, "rate": 1.0})  # just under Good
    client.put(f"{base}/4", json={"stage": 2, "score": 95.0, "rate": 0.75})  # fast, not 1x
    assert client.get("/api/me/mastery").json() == [
        {"reference_video_id": reference_id, "eights": 5, "mastered": 2}
    ]
    # Deleting your data forgets it.
    assert client.delete("/api/me/data").status_code == 200
    assert client.get("/api/me/mastery").json()[0]["mastered"] == 0


def test_a_reference_without_beats_has_no_eights_to_master(
    client: TestClient, reference_id: str
) -> None:
    assert client.get("/api/me/mastery").json() == [
        {"reference_video_id": reference_id, "eights": 0, "mastered": 0}
    ]


def test_mastery_is_each_learners_own(settings: Settings, tmp_path: Path) -> None:
    settings.auth = "required"
    app = create_app(
        settings, tracker_factory=lambda: FakeTracker(reference_sequence()), demo_reference=False
    )
    with TestClient(app) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        video = write_video(tmp_path / "routine.avi")
        reference_id = runtime.references.register_ready(video, reference_sequence(), name="R").id
        _give_beats(runtime, reference_id, eights=3)
        alice, bob = (
            {"Authorization": f"Bearer {runtime.accounts.create_api_token(user, 'test')}"}
            for user in (
                runtime.accounts.add_user(name, "correct horse battery", "learner")
                for name in ("alice", "bob")
            )
        )
        base = f"/api/me/references/{reference_id}/eights"
        put = client.put(f"{base}/1", json={"stage": 3, "score": 70, "rate": 1}, headers=alice)
        assert put.status_code == 200, put.text

        def share(headers: dict[str, str]) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = client.get("/api/me/mastery", headers=headers).json()
            return [row for row in rows if row["reference_video_id"] == reference_id]

        assert share(alice) == [{"reference_video_id": reference_id, "eights": 3, "mastered": 1}]
        assert share(bob) == [{"reference_video_id": reference_id, "eights": 3, "mastered": 0}]
        assert client.get(base, headers=bob).json() == []
        assert client.get("/api/me/mastery").status_code == 401
