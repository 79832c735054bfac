"""Shapes of operation (``ops.*``) nodes, inferred by calling the keras.ops
function on symbolic tensors: Keras's own ``compute_output_spec`` runs, so
broadcasting, axes and dtypes are exactly what the model will do."""

from __future__ import annotations

from typing import Any

from netbuilder.engine.analysis.diagnostics import ERROR, Diagnostic
from netbuilder.engine.model import ops


def call_operation(keras: Any, spec, params: dict[str, Any],
                   tensors: dict[int, Any]) -> Any:
    """Call ``keras.ops.<name>`` with the wired ``tensors`` (port -> tensor)
    and the node's constants and params."""
    positional, keyword = ops.bind(spec, params, list(tensors))

    def value(arg: ops.Arg) -> Any:
        if arg.port is not None:
            return tensors[arg.port]
        if arg.ports is not None:
            return [tensors[p] for p in arg.ports]
        return ops.decode_constant(arg.value)

    args: list[Any] = []
    for arg in positional:
        if arg.splat:
            args.extend(value(arg))
        else:
            args.append(value(arg))
    kwargs = {arg.name: value(arg) for arg in keyword}
    function = keras.ops
    for part in ops.function_name(spec).split("."):  # image.extract_patches
        function = getattr(function, part)
    return function(*args, **kwargs)


def operation_outputs(keras: Any, node, spec, inputs
                      ) -> tuple[list[tuple], list[str], Diagnostic | None]:
    """(shapes, dtypes, problem) of an operation node; ``inputs`` as in
    :mod:`shapes` (port, shape, dtype, source name)."""
    tensors = {port: keras.KerasTensor(shape, dtype=dtype)
               for port, shape, dtype, _ in inputs}
    result = call_operation(keras, spec, node.params, tensors)
    results = list(result) if isinstance(result, (list, tuple)) else [result]
    expected = ops.result_count(spec, node.params, len(inputs))
    if len(results) != expected:
        return [], [], Diagnostic(
            ERROR, node.id, None,
            f"'{node.name}': {spec.type} returns {len(results)} tensors here but "
            f"the node has {expected} output port(s).",
            _count_hint(spec))
    if not all(isinstance(t, keras.KerasTensor) for t in results):
        return [], [], Diagnostic(
            ERROR, node.id, None,
            f"'{node.name}': {spec.type} gives a constant, not a tensor of the "
            "model.", "Wire a tensor into one of its ports.")
    return [tuple(t.shape) for t in results], [str(t.dtype) for t in results], None


def _count_hint(spec) -> str:
    if spec.param("num") is not None:
        return "Set 'num' to the size of the axis it splits along."
    if spec.param("indices_or_sections") is not None:
        return "Set 'indices_or_sections' to the number of equal parts or the " \
               "list of split points."
    return "Check the operation's parameters."
