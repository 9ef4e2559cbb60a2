"""Reading, editing and writing TFLite model files (the flatbuffer object API)."""

from __future__ import annotations

import flatbuffers
import numpy as np
from mediapipe.tasks.metadata import schema_py_generated as tflite  # the TFLite schema
from numpy.typing import NDArray

_TFLITE_FILE_ID = b"TFL3"


def load_model(model_bytes: bytes) -> tflite.ModelT:
    """The model as editable objects, with every weight buffer held inline.

    Large models (and ai-edge-quantizer's output) keep buffers after the flatbuffer, located by
    offset and size; those are read in, so the model can be written out again on its own.
    """
    model = tflite.ModelT.InitFromObj(tflite.Model.GetRootAsModel(model_bytes, 0))
    for buffer in model.buffers or []:
        if buffer.offset and buffer.offset > 1:  # 1 marks an empty buffer
            end = buffer.offset + buffer.size
            buffer.data = np.frombuffer(model_bytes[buffer.offset : end], dtype=np.uint8)
            buffer.offset, buffer.size = 0, 0
    return model


def save_model(model: tflite.ModelT) -> bytes:
    builder = flatbuffers.Builder(1 << 20)
    builder.Finish(model.Pack(builder), file_identifier=_TFLITE_FILE_ID)
    return bytes(builder.Output())


def builtin_code(model: tflite.ModelT, operator: tflite.OperatorT) -> int:
    code = model.operatorCodes[operator.opcodeIndex]
    # Codes below 127 may be in either field (older writers fill only the deprecated one).
    return max(int(code.builtinCode), int(code.deprecatedBuiltinCode))


def operator_code(model: tflite.ModelT, builtin: int, version: int) -> int:
    """The index of the (builtin, version) operator code, added when the model lacks it."""
    for index, code in enumerate(model.operatorCodes):
        if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin and code.version == version:
            return index
    code = tflite.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, 127)  # below 127: both fields hold it
    code.version = version
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def operators_feeding(subgraph: tflite.SubGraphT, outputs: list[int]) -> set[int]:
    """Indices of the operators that the given output tensors depend on."""
    producer = {
        tensor: index for index, op in enumerate(subgraph.operators) for tensor in op.outputs
    }
    needed: set[int] = set()
    pending = list(outputs)
    visited: set[int] = set()
    while pending:
        tensor = pending.pop()
        if tensor in visited or tensor not in producer:
            continue  # model inputs and constants have no producer
        visited.add(tensor)
        index = producer[tensor]
        if index not in needed:
            needed.add(index)
            pending.extend(subgraph.operators[index].inputs)
    return needed


def add_tensor(
    model: tflite.ModelT,
    subgraph: tflite.SubGraphT,
    name: str | bytes,
    shape: list[int],
    tensor_type: int,
    values: NDArray[np.generic] | None = None,
) -> int:
    """Append a tensor (a constant when values are given); returns its index."""
    buffer = tflite.BufferT()
    if values is not None:
        buffer.data = np.frombuffer(values.tobytes(), dtype=np.uint8)
    model.buffers.append(buffer)
    tensor = tflite.TensorT()
    tensor.shape = list(shape)
    tensor.type = tensor_type
    tensor.buffer = len(model.buffers) - 1
    tensor.name = name.encode() if isinstance(name, str) else name
    subgraph.tensors.append(tensor)
    return len(subgraph.tensors) - 1


def drop_unused_tensors(subgraph: tflite.SubGraphT) -> None:
    """Remove tensors no operator reads or writes (left behind by removed operators)."""
    used = {index for op in subgraph.operators for index in [*op.inputs, *op.outputs]}
    used |= {*subgraph.inputs, *subgraph.outputs}
    used.discard(-1)  # an omitted optional input
    kept = sorted(used)
    new_index = {old: new for new, old in enumerate(kept)}
    subgraph.tensors = [subgraph.tensors[index] for index in kept]
    for op in subgraph.operators:
        op.inputs = [new_index[index] if index >= 0 else -1 for index in op.inputs]
        op.outputs = [new_index[index] for index in op.outputs]
    subgraph.inputs = [new_index[index] for index in subgraph.inputs]
    subgraph.outputs = [new_index[index] for index in subgraph.outputs]
