"""Diagnostics: what is wrong with a graph, where, and how to fix it.

:func:`structural_diagnostics` needs no Keras and is instant: missing inputs
and outputs, unconnected ports, unknown types, bad params, unreachable nodes.
Shape errors found by Keras are produced by :mod:`shapes` with the helpers
here (:func:`rank_hint`) and the cleaner in :mod:`netbuilder.engine.keras.messages`.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass

from netbuilder.engine.keras.messages import clean_keras_message  # noqa: F401
from netbuilder.engine.model import ports
from netbuilder.engine.model.checks import (
    BAD_FILE,
    MISSING_VALUE,
    UNKNOWN_PARAM,
    UNKNOWN_TYPE,
    NodeProblem,
    check_node,
    unwired_inputs,
)
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.ops import is_op

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    node: str | None
    port: int | None
    message: str
    hint: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def structural_diagnostics(graph: Graph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not graph.input_nodes():
        out.append(Diagnostic(ERROR, None, None, "The graph has no Input node.",
                              "Add an Input (palette: Inputs & outputs) and set "
                              "the shape of one sample."))
    if not graph.output_nodes():
        out.append(Diagnostic(ERROR, None, None, "The graph has no Output node.",
                              "Add an Output (palette: Inputs & outputs) and wire "
                              "the model's result into it."))
    for node in graph.nodes.values():
        out.extend(_node_diagnostics(graph, node))
    out.extend(_reachability(graph))
    return out


def _node_diagnostics(graph: Graph, node) -> list[Diagnostic]:
    spec = graph.catalog.get(node.type)
    out = [_param_diagnostic(graph, node, spec, problem)
           for problem in check_node(graph, node)]
    if spec is None:
        return out
    connected = sorted(e.dst_port for e in graph.incoming(node.id))
    out += _state_diagnostics(graph, node, spec, connected)
    missing = unwired_inputs(graph, node, set(connected))
    if not missing and spec.variadic and node.type != "Group" \
            and ports.gaps(connected):
        empty = min(set(range(len(connected))) - set(connected))
        return out + [Diagnostic(ERROR, node.id, empty,
                                 f"{spec.type} '{node.name}' has its inputs "
                                 f"numbered with a gap: input_{empty} is empty.",
                                 "Move a wire onto the empty input so the inputs "
                                 "are input_0, input_1, ... without gaps.")]
    if not missing:
        return out
    if node.type == "Output":
        return out + [Diagnostic(ERROR, node.id, 0,
                                 f"Output '{node.name}' has nothing wired into it.",
                                 "Drag a wire from the last layer's output port "
                                 "to this Output.")]
    if is_op(node.type):
        return out + [Diagnostic(ERROR, node.id, port,
                                 f"Input '{ports.input_name(spec, port)}' of "
                                 f"'{node.name}' has neither a wire nor a constant.",
                                 "Wire a tensor into it, or give it a constant "
                                 "value in the inspector.") for port in missing]
    if spec.variadic:
        return out + [Diagnostic(ERROR, node.id, len(connected),
                                 f"{spec.type} '{node.name}' needs at least "
                                 f"{spec.min_inputs} inputs, it has "
                                 f"{len(connected)}.",
                                 "Wire the tensors to merge into its input ports.")]
    return out + [Diagnostic(ERROR, node.id, port,
                             f"Input '{ports.input_name(spec, port)}' of "
                             f"'{node.name}' is not connected.",
                             "Drag a wire from another layer's output port "
                             "to this port.") for port in missing]


def _state_diagnostics(graph: Graph, node, spec, connected: list[int]
                       ) -> list[Diagnostic]:
    """``initial_state`` wired beyond the layer's real state count, or only
    partly (an LSTM takes h and c together)."""
    count = ports.state_count(spec, node.params, graph.catalog)
    states = [p for p in connected if (ports.keyword_port(spec, p) or ("",))[0]
              == "initial_state"]
    if not states:
        return []
    indices = sorted(ports.keyword_port(spec, p)[1] for p in states)
    words = f"{count} state tensor{'s' if count != 1 else ''}"
    extra = [p for p in states if ports.keyword_port(spec, p)[1] >= count]
    if extra:
        return [Diagnostic(ERROR, node.id, p,
                           f"'{node.name}' keeps {words}, so "
                           f"'{ports.input_name(spec, p)}' is not used by it.",
                           "Remove this wire, or wire initial_state[0] to "
                           f"initial_state[{count - 1}] only." if count else
                           "Remove this wire.") for p in extra]
    if indices != list(range(count)):
        return [Diagnostic(ERROR, node.id, None,
                           f"'{node.name}' takes its {words} together: wire "
                           f"initial_state[0] to initial_state[{count - 1}], "
                           "or none of them.",
                           "Wire every state port, or remove the state wires.")]
    return []


def _param_diagnostic(graph: Graph, node, spec, problem: NodeProblem) -> Diagnostic:
    """One finding of :func:`check_node` in the Problems panel's words."""
    if problem.kind == UNKNOWN_TYPE:
        close = difflib.get_close_matches(node.type, graph.catalog.types(), n=1)
        hint = (f"Did you mean {close[0]}? " if close else "") + \
            "Replace the node with a layer from the palette."
        return Diagnostic(ERROR, node.id, None, f"'{node.name}' has an unknown "
                          f"layer type {node.type[:80]!r}.", hint)
    if problem.kind == UNKNOWN_PARAM:
        return Diagnostic(ERROR, node.id, None, f"'{node.name}': {problem.message}.",
                          "Remove it in the inspector.")
    if problem.kind == BAD_FILE:
        return Diagnostic(ERROR, node.id, None, f"'{node.name}': {problem.message}.",
                          "Put the vocabulary file next to the project file "
                          "and give its name, or list the tokens.")
    doc = spec.param(problem.key).doc
    if problem.kind == MISSING_VALUE:
        return Diagnostic(ERROR, node.id, None, f"'{node.name}' needs a value for "
                          f"{problem.key}.", doc)
    return Diagnostic(ERROR, node.id, None, f"'{node.name}': {problem.message}.", doc)


def _reachability(graph: Graph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    inputs = [n.id for n in graph.input_nodes()]
    outputs = [n.id for n in graph.output_nodes()]
    from_inputs = graph.downstream(inputs)
    to_outputs = graph.upstream(outputs)
    for node in graph.nodes.values():
        if node.type != "Input" and inputs and node.id not in from_inputs:
            out.append(Diagnostic(WARNING, node.id, None,
                                  f"'{node.name}' is not reachable from any Input.",
                                  "Connect it to the rest of the graph or delete it."))
        elif node.type != "Output" and outputs and node.id not in to_outputs:
            out.append(Diagnostic(WARNING, node.id, None,
                                  f"'{node.name}' does not lead to any Output, so it "
                                  "is not part of the model.",
                                  "Wire it towards an Output or delete it."))
    return out


LAYOUTS = {
    2: "(batch, features)",
    3: "(batch, steps, features)",
    4: "(batch, height, width, channels)",
    5: "(batch, depth, height, width, channels)",
}


def fmt_shape(shape) -> str:
    if shape is None:
        return "?"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def rank_hint(layer_name: str, need: int, got_shape: tuple) -> str:
    """Plain-words fix for a tensor of the wrong rank."""
    got = len(got_shape)
    if got < need:
        per_sample = got_shape[1:]
        example = ""
        if got == 2 and got_shape[-1]:
            n = got_shape[-1]
            if need == 3:
                example = f" such as ({n}, 1)"
            elif need == 4:
                side = int(round(n ** 0.5))
                example = (f" such as ({side}, {side}, 1)" if side * side == n
                           else f" such as ({n}, 1, 1)")
            elif need == 5:
                example = f" such as ({n}, 1, 1, 1)"
        return (f"Insert a Reshape before '{layer_name}' that turns each sample "
                f"{fmt_shape(per_sample)} into {need - 1} axes{example}.")
    pool = {3: "GlobalAveragePooling1D", 4: "GlobalAveragePooling2D",
            5: "GlobalAveragePooling3D"}.get(got)
    extra = f" or {pool}" if pool else ""
    return f"Insert a Flatten{extra} before '{layer_name}' to drop the extra axes."
