"""The int8 landmark model for live tracking: ~1.45x faster, close to the float one.

The BlazePose landmark model ships float16 weights that XNNPACK runs in float32: ~9 of the ~12
ms a live frame costs. With int8 weights and activations XNNPACK runs it ~1.6x faster, but not
every layer keeps its precision at 8 bits. A sweep over the model's stages, against the float
model on 1,770 crops of real dancers, kept these in float:

- the first convolution and depthwise convolution (operators 0-2, at 128x128), whose int8
  activations alone doubled the landmark error;
- the 32x32 stage (operators 15-26);
- the regression heads after the shared trunk (landmarks, world landmarks, presence): small
  8x8-and-below layers whose output is the landmark coordinates themselves, where one int8 step
  of the output range is ~1.5 % of a torso.

The rest is int8 with per-channel weights and per-tensor activation ranges measured on real
dance footage (`landmark_int8_ranges.json`, written by scripts/calibrate_landmark_model.py).
Measured on seven test videos not used for the ranges, tracking included: landmarks differ
from the float model's by a median 1.6 % of the torso length (p95 8 %); re-encoding the frames
as JPEG (quality 80) moves the float model's own landmarks by 0.9 % (p95 5.7 %). Live accuracy
over whole routines moved by at most 0.5 points of 100, as much as JPEG quality 70 instead of
80 moves it. Live tracking: 12.2 -> 8.3 ms a frame.

Re-checked on 2026-11-30 with the heads' costs measured (they keep ~0.7 ms of a ~6 ms run in
float, mostly reading float weights), on the seven test videos against the float model: the
heads in int8 but for their output layers moved landmarks by a median 2.15 % of the torso
(p95 16 %; 1.58 % and 8.7 % as built), their convolutions with int8 weights and dynamically
quantized activations by 1.67 % (p95 9.8 %) to save ~0.4 ms, and percentile activation ranges
cannot help: nearly every activation is a ReLU6 output already spanning exactly 0..6. So the
heads stay float.

The model reads the crop's RGB bytes (with_image_input): the first layer is float anyway, and
that saves live tracking scaling each crop to floats and copying 4x the bytes into the model.

ai-edge-quantizer (Google's quantizer for TFLite models) does the quantization. It brings its
own TFLite runtime, so the model is built in a separate process (`python -m
dancecoach.estimation.models.quantization OUT`) and cached by the caller.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
from mediapipe.tasks.metadata import schema_py_generated as tflite  # the TFLite schema

from dancecoach.estimation.models.tflite_graph import (
    add_tensor,
    builtin_code,
    drop_unused_tensors,
    load_model,
    operator_code,
    operators_feeding,
    save_model,
)

RANGES_FILE = Path(__file__).with_name("landmark_int8_ranges.json")
SIGNATURE = "serving_default"
# Operators kept in float, by index in the pruned landmark model (see the module docstring).
_FLOAT_OPERATORS = (range(0, 3), range(15, 27))
_EXPECTED_OPERATORS = 121  # the pruned pose_landmark_full of MediaPipe 0.10.21


def operator_tensor_name(index: int) -> str:
    return f"op{index:03d}"


def float32_model(model_bytes: bytes) -> bytes:
    """The model with float32 weights and tensors named by operator, ready to quantize.

    The wheel's model stores weights as float16, expanded by DEQUANTIZE operators when it runs;
    a quantizer needs them as plain float32 constants. Every operator's output tensor is then
    named after the operator (`op012`; the model's outputs keep their names), which is how the
    ranges file and the float-operator choice refer to them. Adds the signature the quantizer
    needs. Values computed are the same as the original model's.
    """
    model = load_model(model_bytes)
    subgraph = model.subgraphs[0]
    kept = []
    for op in subgraph.operators:
        source = subgraph.tensors[op.inputs[0]]
        weights = model.buffers[source.buffer].data
        if (
            builtin_code(model, op) == tflite.BuiltinOperator.DEQUANTIZE
            and source.type == tflite.TensorType.FLOAT16
            and weights is not None
        ):
            values = np.frombuffer(bytes(weights), dtype=np.float16).astype(np.float32)
            output = subgraph.tensors[op.outputs[0]]
            output.buffer = _add_buffer(model, values.tobytes())
            continue
        kept.append(op)
    subgraph.operators = kept
    drop_unused_tensors(subgraph)
    _drop_unused_buffers(model)
    outputs = set(subgraph.outputs)
    for index, op in enumerate(subgraph.operators):
        for tensor in op.outputs:
            if tensor not in outputs:
                subgraph.tensors[tensor].name = operator_tensor_name(index).encode()
    model.signatureDefs = [_signature(subgraph)]
    model.metadata = None
    return save_model(model)


def _add_buffer(model: tflite.ModelT, data: bytes) -> int:
    buffer = tflite.BufferT()
    buffer.data = np.frombuffer(data, dtype=np.uint8)
    model.buffers.append(buffer)
    return len(model.buffers) - 1


def _drop_unused_buffers(model: tflite.ModelT) -> None:
    """Empty the buffers no tensor refers to any more (the float16 weights)."""
    used = {tensor.buffer for subgraph in model.subgraphs for tensor in subgraph.tensors}
    for index, buffer in enumerate(model.buffers):
        if index not in used:
            buffer.data = None


def _signature(subgraph: tflite.SubGraphT) -> tflite.SignatureDefT:
    def tensor_map(index: int) -> tflite.TensorMapT:
        entry = tflite.TensorMapT()
        entry.name = subgraph.tensors[index].name
        entry.tensorIndex = index
        return entry

    signature = tflite.SignatureDefT()
    signature.signatureKey = SIGNATURE
    signature.subgraphIndex = 0
    signature.inputs = [tensor_map(index) for index in subgraph.inputs]
    signature.outputs = [tensor_map(index) for index in subgraph.outputs]
    return signature


def with_float_interface(model_bytes: bytes) -> bytes:
    """The model taking and returning float32 tensors, converting at its edges.

    The quantizer leaves int8 inputs and outputs; MediaPipe's graphs feed and read float32.
    """
    model = load_model(model_bytes)
    subgraph = model.subgraphs[0]
    before: list[tflite.OperatorT] = []
    after: list[tflite.OperatorT] = []

    def float_edge(index: int, *, is_input: bool) -> int:
        """The float32 tensor the model exposes in place of tensor `index`."""
        tensor = subgraph.tensors[index]
        if tensor.type != tflite.TensorType.INT8:  # float already, or the uint8 image input
            return index
        name = bytes(tensor.name)
        tensor.name = name + b"_int8"
        shape = [int(size) for size in tensor.shape]
        twin = add_tensor(model, subgraph, name, shape, tflite.TensorType.FLOAT32)
        op = tflite.OperatorT()
        if is_input:
            op.opcodeIndex = operator_code(model, tflite.BuiltinOperator.QUANTIZE, 1)
            op.inputs, op.outputs = [twin], [index]
            before.append(op)
        else:
            op.opcodeIndex = operator_code(model, tflite.BuiltinOperator.DEQUANTIZE, 2)
            op.inputs, op.outputs = [index], [twin]
            after.append(op)
        return twin

    subgraph.inputs = [float_edge(index, is_input=True) for index in subgraph.inputs]
    subgraph.outputs = [float_edge(index, is_input=False) for index in subgraph.outputs]
    subgraph.operators = [*before, *subgraph.operators, *after]
    model.signatureDefs = [_signature(subgraph)]
    return save_model(model)


def float_operators(model: tflite.ModelT) -> list[int]:
    """The operators kept in float (see the module docstring)."""
    stages = {index for block in _FLOAT_OPERATORS for index in block}
    return sorted(stages | set(_regression_head_operators(model)))


def _regression_head_operators(model: tflite.ModelT) -> list[int]:
    """Operators after the trunk that only feed the landmark, presence and world outputs."""
    subgraph = model.subgraphs[0]
    by_name = {subgraph.tensors[index].name.decode(): index for index in subgraph.outputs}
    heatmap = operators_feeding(subgraph, [by_name["Identity_3"]])
    mask = operators_feeding(subgraph, [by_name["Identity_2"]])
    return sorted(set(range(len(subgraph.operators))) - heatmap - mask)


def read_ranges(path: Path = RANGES_FILE) -> dict[str, tuple[float, float]]:
    ranges: dict[str, list[float]] = json.loads(path.read_text())
    return {name: (low, high) for name, (low, high) in ranges.items()}


def quantize(
    float_model: bytes, ranges: dict[str, tuple[float, float]], *, image_input: bool = True
) -> bytes:
    """The float32_model() int8-quantized with the given activation ranges, float outputs; the
    input is the crop's uint8 RGB (with_image_input), or 0..1 floats when image_input is off."""
    from ai_edge_quantizer import algorithm_manager, qtyping, quantizer

    model = load_model(float_model)
    if len(model.subgraphs[0].operators) != _EXPECTED_OPERATORS:
        raise ValueError("not the pruned landmark model of MediaPipe 0.10.21")
    # The quantizer matches an operator's "scope": its output tensors' names, each followed by
    # ";". Tensors are named by the operator writing them; the model's outputs stay float too.
    float_names = [operator_tensor_name(index) for index in float_operators(model)]
    every_operator = qtyping.TFLOperationName.ALL_SUPPORTED
    engine = quantizer.Quantizer(float_model)
    engine.add_static_config(".*", every_operator, activation_num_bits=8, weight_num_bits=8)
    engine.update_quantization_recipe(
        regex="^(" + "|".join([*float_names, r"Identity(_\d+)?"]) + ");",
        operation_name=every_operator,
        algorithm_key=algorithm_manager.AlgorithmName.NO_QUANTIZE,
    )
    calibration: dict[str, Any] = {
        name: {
            "min": np.full((1, 1, 1, 1), low, np.float32),
            "max": np.full((1, 1, 1, 1), high, np.float32),
        }
        for name, (low, high) in ranges.items()
    }
    quantized = engine.quantize(calibration).quantized_model
    if quantized is None:
        raise RuntimeError("ai-edge-quantizer returned no model")
    model_bytes = bytes(quantized)
    return with_float_interface(with_image_input(model_bytes) if image_input else model_bytes)


def with_image_input(model_bytes: bytes) -> bytes:
    """The quantized model reading the crop's 0-255 RGB bytes (uint8) instead of 0..1 floats.

    The quantizer stores the 0..1 input as int8 (zero point -128, scale ~1/255) converted to
    float by the first operator; the same bytes read as uint8 with zero point 0 are the image
    itself. Live tracking then skips scaling the crop to float and copies a quarter of the
    bytes into the model, and the model converts its input once instead of twice. Outputs
    are bit-identical to feeding the float interface the image scaled by 1/255.
    """
    model = load_model(model_bytes)
    subgraph = model.subgraphs[0]
    (index,) = subgraph.inputs
    tensor = subgraph.tensors[index]
    readers = [op for op in subgraph.operators if index in op.inputs]
    if tensor.type != tflite.TensorType.INT8 or not all(
        builtin_code(model, op) == tflite.BuiltinOperator.DEQUANTIZE for op in readers
    ):
        raise ValueError("expected an int8 input read only by DEQUANTIZE (a float first layer)")
    quantization = tensor.quantization
    quantization.zeroPoint = [int(point) + 128 for point in quantization.zeroPoint]
    tensor.type = tflite.TensorType.UINT8
    return save_model(model)


def main() -> None:
    """Write the live int8 landmark model to the path given (atomically); `--float-input`
    keeps the 0..1 float input instead of the image bytes."""
    from dancecoach.estimation.models.bundle import pruned_landmark_model

    target = Path(sys.argv[1])
    image_input = "--float-input" not in sys.argv[2:]
    model = quantize(float32_model(pruned_landmark_model()), read_ranges(), image_input=image_input)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    partial.write_bytes(model)
    partial.replace(target)


if __name__ == "__main__":
    main()
