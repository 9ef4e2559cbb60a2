"""Drop an unused output head from a TFLite model, keeping the model's interface.

The BlazePose landmark model computes a 256x256 person-segmentation mask on every frame:
about 40% of its run time (5.6 of 13.5 ms measured here), and dancecoach never uses it. A
TFLite interpreter runs every operator in the graph, whichever outputs are read, so the
operators that only feed the mask are removed. MediaPipe's graph still expects five outputs,
so the mask output is then filled by one cheap TILE of a constant zero. Every other output is
computed by the same operators on the same weights, so its values are bit-identical.
"""

from __future__ import annotations

import numpy as np
from mediapipe.tasks.metadata import schema_py_generated as tflite  # the TFLite schema

from dancecoach.estimation.models.tflite_graph import (
    add_tensor,
    load_model,
    operator_code,
    operators_feeding,
    save_model,
)


def blank_output(model_bytes: bytes, output_name: str) -> bytes:
    """The model with `output_name` computed as zeros and the operators only it used removed.

    Raises ValueError when the model has no such output.
    """
    model = load_model(model_bytes)
    subgraph = model.subgraphs[0]
    by_name = {subgraph.tensors[index].name.decode(): index for index in subgraph.outputs}
    if output_name not in by_name:
        raise ValueError(f"the model has no output {output_name!r} (outputs: {sorted(by_name)})")
    blanked = by_name[output_name]
    kept = operators_feeding(subgraph, [t for t in subgraph.outputs if t != blanked])
    subgraph.operators = [op for index, op in enumerate(subgraph.operators) if index in kept]

    shape = np.array([int(size) for size in subgraph.tensors[blanked].shape], dtype=np.int32)
    zeros = np.zeros([1] * len(shape), dtype=np.float32)
    zero = add_tensor(
        model, subgraph, f"{output_name}_zero", [1] * len(shape), tflite.TensorType.FLOAT32, zeros
    )
    tiles = add_tensor(
        model, subgraph, f"{output_name}_tiles", [len(shape)], tflite.TensorType.INT32, shape
    )
    tile = tflite.OperatorT()
    tile.opcodeIndex = operator_code(model, tflite.BuiltinOperator.TILE, 1)
    tile.inputs = [zero, tiles]
    tile.outputs = [blanked]
    tile.builtinOptionsType = tflite.BuiltinOptions.TileOptions
    tile.builtinOptions = tflite.TileOptionsT()
    subgraph.operators.append(tile)

    # Signatures and metadata name the old graph; MediaPipe's writer adds fresh metadata.
    model.signatureDefs = None
    model.metadata = None
    return save_model(model)
