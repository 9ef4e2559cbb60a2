"""Group videos over REST, on real footage: the dancers found on a still, and choosing one
re-extracts the poses (with progress) so that the chosen dancer is the one followed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from dancecoach.api.app import create_app
from dancecoach.config import Settings
from dancecoach.runtime import Runtime
from tests.footage import footage, manifest


def group_clips() -> list[str]:
    """Clips the manifest says show two or more people dancing one choreography."""
    clips: dict[str, dict[str, Any]] = manifest()["clips"]
    return sorted(
        name
        for name, clip in clips.items()
        if isinstance(clip.get("people"), int) and clip["people"] >= 2 and clip.get("choreography")
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # 5 samples a second: the dancers and who is followed are the same, extraction 3x quicker.
    quick = settings.model_copy(update={"sample_fps": 5.0})
    with TestClient(create_app(quick, demo_reference=False)) as test_client:
        yield test_client


def _upload(client: TestClient, clip: str) -> str:
    with footage(clip).open("rb") as stream:
        response = client.post("/api/references", files={"file": (clip.split("/")[-1], stream)})
    assert response.status_code == 202, response.text
    reference_id: str = response.json()["reference_video_id"]
    return reference_id


def _follow(client: TestClient, reference_id: str, timeout_s: float = 300) -> list[float]:
    """Poll until the reference is no longer processing; the progress values seen."""
    seen: list[float] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = client.get(f"/api/references/{reference_id}").json()
        if body["status"] != "processing":
            assert body["status"] == "ready", body
            return seen
        seen.append(body["progress"])
        time.sleep(0.25)
    raise AssertionError("processing did not finish")


def test_the_manifest_has_group_clips() -> None:
    assert len(group_clips()) >= 2


@pytest.mark.parametrize("clip", group_clips())
def test_a_group_video_shows_its_dancers_and_choosing_one_follows_them(
    client: TestClient, clip: str
) -> None:
    reference_id = _upload(client, clip)
    _follow(client, reference_id)
    reference = client.get(f"/api/references/{reference_id}").json()
    found = client.get(f"/api/references/{reference_id}/dancers").json()
    dancers = found["dancers"]
    print(f"{clip}: {len(dancers)} dancers found, {found}")
    assert reference["dancer_count"] == len(dancers) >= 2
    assert [d["number"] for d in dancers] == list(range(1, len(dancers) + 1))
    centres = [(d["box"]["left"] + d["box"]["right"]) / 2 for d in dancers]
    assert centres == sorted(centres), "numbered left to right"
    for dancer in dancers:
        box = dancer["box"]
        assert 0 <= box["left"] < box["right"] <= 1 and 0 <= box["top"] < box["bottom"] <= 1
    assert found["chosen"] is None  # automatic until someone chooses

    still = client.get(found["still_url"])
    assert still.headers["content-type"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(still.content, np.uint8), cv2.IMREAD_COLOR)
    assert (image.shape[1], image.shape[0]) == (found["width"], found["height"])

    # Choose the last dancer: processing again, with progress, then ready.
    chosen = dancers[-1]
    response = client.put(
        f"/api/references/{reference_id}/dancer", json={"dancer_x": chosen["dancer_x"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "processing"
    # A second choice while it is processing is refused, not queued.
    again = client.put(f"/api/references/{reference_id}/dancer", json={"dancer_x": 0.5})
    assert again.status_code == 409
    progress = _follow(client, reference_id)
    assert progress == sorted(progress) and len(set(progress)) >= 2, progress
    after = client.get(f"/api/references/{reference_id}").json()
    assert after["dancer_x"] == chosen["dancer_x"]
    now = client.get(f"/api/references/{reference_id}/dancers").json()
    assert now["chosen"] == chosen["number"]

    # The poses now follow the chosen dancer: at the still, the body is inside their box.
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    poses = runtime.references.poses(reference_id)
    near_still = np.flatnonzero(
        poses.present & (np.abs(poses.timestamps_s - found["time_s"]) <= 0.5)
    )
    assert len(near_still) > 0
    hips_x = np.nanmean(poses.landmarks[near_still][:, [23, 24], 0])
    assert chosen["box"]["left"] <= hips_x <= chosen["box"]["right"]


def test_choosing_a_dancer_of_an_unknown_reference_is_404(client: TestClient) -> None:
    response = client.put("/api/references/nope/dancer", json={"dancer_x": 0.5})
    assert response.status_code == 404
    bad = client.put("/api/references/nope/dancer", json={"dancer_x": 1.5})
    assert bad.status_code == 422
