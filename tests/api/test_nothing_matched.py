"""A section in which the camera never saw the learner is scored (as nothing matched), not a
server error: the review then explains why."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.fakes import BLACK
from tests.api.test_sessions import _dance, _plan


def test_a_section_nobody_danced_in_reads_as_nothing_compared(
    client: TestClient, session_id: str
) -> None:
    _dance(client, session_id, _plan(0.5, 3.0, lambda t: BLACK))  # nobody in any frame
    response = client.post(
        f"/api/sessions/{session_id}/complete-section", json={"start_s": 0.5, "end_s": 3.0}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["overall_accuracy"] is None
    analytics = report["analytics"]
    assert analytics["frames_compared"] == 0
    assert analytics["frames_without_person"] == 25
    assert analytics["moves"] == [] and analytics["grade"] == "Miss"
    assert report["problem_segments"] == []
