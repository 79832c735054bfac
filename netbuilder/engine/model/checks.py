"""Structural checks of one node: the one home of the rules that the
diagnostics (Problems panel, ``netbuilder check``) and the code generator
both apply. Each caller words the findings in its own voice; what counts as
a problem is decided only here."""

from __future__ import annotations

from dataclasses import dataclass

from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.file_params import file_param_problems
from netbuilder.engine.model.graph import Graph, Node
from netbuilder.engine.model.ops import is_op, missing_inputs
from netbuilder.engine.model.params import validate_value

UNKNOWN_TYPE = "unknown type"
UNKNOWN_PARAM = "unknown param"
BAD_VALUE = "bad value"
MISSING_VALUE = "missing value"
BAD_FILE = "bad file"  # a file-valued parameter (a vocabulary) that cannot be read


@dataclass(frozen=True)
class NodeProblem:
    kind: str  # one of the constants above
    message: str  # plain words, without the node's name
    key: str | None = None  # the parameter concerned


def check_node(graph: Graph, node: Node, read_files: bool = False
               ) -> list[NodeProblem]:
    """The node's type and parameters: unknown type, unknown parameters,
    values that do not fit, files they name that cannot be read (opened and
    read only with ``read_files``), required parameters without a value."""
    spec = graph.catalog.get(node.type)
    if spec is None:
        return [NodeProblem(UNKNOWN_TYPE,
                            f"unknown layer type {str(node.type)[:80]!r}")]
    out: list[NodeProblem] = []
    for key, value in node.params.items():
        pspec = spec.param(key)
        if pspec is None:
            out.append(NodeProblem(UNKNOWN_PARAM, f"{spec.type} has no parameter "
                                   f"{str(key)[:60]!r}", key))
            continue
        try:
            validate_value(pspec, value, graph.catalog)
        except GraphError as exc:
            out.append(NodeProblem(BAD_VALUE, str(exc), key))
    out += [NodeProblem(BAD_FILE, message) for message in file_param_problems(
        node.type, node.params, graph, read=read_files)]
    out += [NodeProblem(MISSING_VALUE, f"{p.name} needs a value", p.name)
            for p in spec.params if p.required and node.params.get(p.name) is None]
    return out


def unwired_inputs(graph: Graph, node: Node,
                   wired: set[int] | None = None) -> list[int]:
    """Input ports that must be wired but are not: an Output's one port, the
    required ports of a layer, an operation's ports with neither a wire nor
    a constant. An unknown type has none. ``wired``: the node's connected
    input ports, when the caller has them already."""
    spec = graph.catalog.get(node.type)
    if spec is None or node.type == "Input":
        return []
    if wired is None:
        wired = {e.dst_port for e in graph.incoming(node.id)}
    if node.type == "Output":
        return [] if 0 in wired else [0]
    if is_op(node.type):
        return missing_inputs(spec, node.params, wired)
    if spec.variadic:  # merges count their wires (gaps are a problem of their own)
        return list(range(len(wired), spec.min_inputs))
    return [port for port in range(spec.min_inputs) if port not in wired]
