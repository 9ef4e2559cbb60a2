"""The blanked segmentation head: same landmarks, same model interface, less work."""

from __future__ import annotations

import numpy as np
import pytest
from mediapipe.tasks.metadata import schema_py_generated as tflite

from dancecoach.estimation.detector import MediaPipePoseDetector
from dancecoach.estimation.models.bundle import (
    LANDMARK_MODEL,
    SEGMENTATION_OUTPUT,
    pose_landmarker_bundle,
)
from dancecoach.estimation.models.pruning import blank_output
from dancecoach.estimation.video import iter_frames
from tests.footage import clip_where


def _graph(model: bytes) -> tflite.SubGraphT:
    return tflite.ModelT.InitFromObj(tflite.Model.GetRootAsModel(model, 0)).subgraphs[0]


def _outputs(graph: tflite.SubGraphT) -> list[tuple[str, list[int]]]:
    return [
        (graph.tensors[i].name.decode(), [int(s) for s in graph.tensors[i].shape])
        for i in graph.outputs
    ]


def test_blanking_keeps_every_output_and_drops_the_mask_operators() -> None:
    original = LANDMARK_MODEL.read_bytes()
    pruned = _graph(blank_output(original, SEGMENTATION_OUTPUT))
    shipped = _graph(original)
    assert _outputs(pruned) == _outputs(shipped)
    # The mask head is a large part of the graph; one TILE replaces it.
    assert len(pruned.operators) < len(shipped.operators) - 30


def test_blanking_an_unknown_output_is_refused() -> None:
    with pytest.raises(ValueError, match="no output 'mask'"):
        blank_output(LANDMARK_MODEL.read_bytes(), "mask")


@pytest.mark.footage
def test_landmarks_are_identical_with_and_without_the_segmentation_head() -> None:
    dancer = clip_where(people=1, full_body=True, rotated=False, dance=True, min_duration_s=6.0)
    frames = [frame for _, frame in iter_frames(dancer.path, 10, 2, 6)]
    poses = {}
    for with_mask in (False, True):
        detector = MediaPipePoseDetector(
            "video", 1, pose_landmarker_bundle(with_segmentation=with_mask)
        )
        try:
            poses[with_mask] = [detector.detect(f, 100 * i) for i, f in enumerate(frames)]
        finally:
            detector.close()
    found = sum(1 for people in poses[False] if people)
    assert found >= len(frames) - 2
    for pruned, full in zip(poses[False], poses[True], strict=True):
        assert len(pruned) == len(full)
        for a, b in zip(pruned, full, strict=True):
            np.testing.assert_allclose(a, b, atol=1e-6)
