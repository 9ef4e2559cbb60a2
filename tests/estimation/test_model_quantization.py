"""The int8 landmark model: image input, float outputs, planned int8 layers, built once, safe
fallback."""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter
from mediapipe.tasks.metadata import schema_py_generated as tflite
from numpy.typing import NDArray

from dancecoach.estimation.models import files as model_files
from dancecoach.estimation.models.bundle import pruned_landmark_model
from dancecoach.estimation.models.quantization import (
    RANGES_FILE,
    float32_model,
    float_operators,
    read_ranges,
    with_image_input,
)
from dancecoach.estimation.models.tflite_graph import load_model


def _outputs(
    model: bytes, image: NDArray[np.float32] | NDArray[np.uint8]
) -> list[tuple[str, NDArray[np.float32]]]:
    interpreter = Interpreter(model_content=model, num_threads=1)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image[None])
    interpreter.invoke()
    details = interpreter.get_output_details()
    return [(d["name"], interpreter.get_tensor(d["index"]).copy()) for d in details]


def _person_like_image() -> NDArray[np.float32]:
    """A bright upright figure on a dark background (the model's input range, 0..1)."""
    image = np.full((256, 256, 3), 0.15, np.float32)
    image[40:70, 113:143] = 0.8  # head
    image[70:160, 100:156] = 0.7  # body
    image[160:240, 105:125] = 0.6  # legs
    image[160:240, 131:151] = 0.6
    image[75:150, 70:100] = 0.65  # arms
    image[75:150, 156:186] = 0.65
    return image


@pytest.fixture(scope="module")
def int8_model() -> bytes:
    return model_files.int8_landmark_model()


def test_float32_weights_compute_what_the_shipped_model_computes() -> None:
    image = _person_like_image()
    shipped = _outputs(pruned_landmark_model(), image)
    converted = _outputs(float32_model(pruned_landmark_model()), image)
    assert [v.shape for _, v in converted] == [v.shape for _, v in shipped]
    for (_, ours), (_, theirs) in zip(converted, shipped, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-3)


def test_the_ranges_file_covers_every_activation_of_the_model() -> None:
    float_model = load_model(float32_model(pruned_landmark_model()))
    graph = float_model.subgraphs[0]
    activations = {
        graph.tensors[index].name.decode() for op in graph.operators for index in op.outputs
    } | {graph.tensors[index].name.decode() for index in graph.inputs}
    ranges = read_ranges(RANGES_FILE)
    assert set(ranges) == activations
    assert all(low <= high for low, high in ranges.values())


def test_the_int8_model_reads_image_bytes_and_keeps_the_planned_float_layers(
    int8_model: bytes,
) -> None:
    image = _person_like_image()
    float_outputs = _outputs(pruned_landmark_model(), image)
    int8_outputs = _outputs(int8_model, np.round(image * 255).astype(np.uint8))
    assert [v.shape for _, v in int8_outputs] == [v.shape for _, v in float_outputs]
    assert all(v.dtype == np.float32 for _, v in int8_outputs)

    model = load_model(int8_model)
    graph = model.subgraphs[0]
    types = {
        graph.tensors[op.outputs[0]].name.decode(): graph.tensors[op.outputs[0]].type
        for op in graph.operators
    }
    float32_graph = load_model(float32_model(pruned_landmark_model()))
    kept_float = {f"op{index:03d}" for index in float_operators(float32_graph)}
    assert {"op000", "op002", "op015", "op026", "op080", "op119"} <= kept_float
    int8 = {name for name, kind in types.items() if kind == tflite.TensorType.INT8}
    assert not int8 & kept_float
    # Most of the trunk (the costly 64x64 and 16x16 stages among it) runs in int8.
    assert {"op004", "op008", "op012", "op039"} <= int8
    assert len(int8) > 60


def test_reading_image_bytes_computes_what_the_float_input_would(
    tmp_path: Path, int8_model: bytes
) -> None:
    # Built as the server builds its model: in a process of its own (see the module).
    reads_floats_path = tmp_path / "float-input.tflite"
    command = [sys.executable, "-m", "dancecoach.estimation.models.quantization"]
    subprocess.run([*command, str(reads_floats_path), "--float-input"], check=True, timeout=300)
    reads_bytes, reads_floats = int8_model, reads_floats_path.read_bytes()
    image = np.random.default_rng(3).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    as_floats = np.multiply(image, np.float32(1.0 / 255.0), dtype=np.float32)  # as live did
    for (name, mine), (_, theirs) in zip(
        _outputs(reads_bytes, image), _outputs(reads_floats, as_floats), strict=True
    ):
        np.testing.assert_array_equal(mine, theirs, err_msg=name)


def test_the_image_input_needs_a_float_first_layer() -> None:
    with pytest.raises(ValueError, match="float first layer"):
        with_image_input(float32_model(pruned_landmark_model()))


def test_the_int8_model_is_built_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, int8_model: bytes
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    builds: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(command: list[str], **kwargs: Any) -> Any:
        builds.append(command)
        return real_run(command, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    first = model_files.int8_landmark_model()
    second = model_files.int8_landmark_model()
    assert first == second == int8_model
    assert len(builds) == 1
    assert not list(tmp_path.rglob("*.partial"))


def test_when_the_int8_model_cannot_be_built_live_tracking_uses_the_float_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def failing_run(command: list[str], **kwargs: Any) -> Any:
        raise subprocess.CalledProcessError(1, command, b"", b"ModuleNotFoundError: ai_edge")

    monkeypatch.setattr(subprocess, "run", failing_run)
    with caplog.at_level(logging.ERROR):
        model = model_files.landmark_model("int8")
    assert model == pruned_landmark_model()
    assert "falls back to the float landmark model" in caplog.text
    assert "ModuleNotFoundError: ai_edge" in caplog.text
