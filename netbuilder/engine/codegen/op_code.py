"""Code for operation (``ops.*``) nodes: ``y = keras.ops.add(a, b)``, or
``y = x[:, 0]`` for an index. Params are written through the same validated
literals as layer arguments; constants in ports as Python literals (slices as
``slice(...)``, ``...`` as ``Ellipsis``, arrays as
``keras.ops.convert_to_tensor(...)``)."""

from __future__ import annotations

from typing import Any

from netbuilder.engine.codegen.layout import INDENT, Atom, Group, Item, Node, render
from netbuilder.engine.codegen.literals import literal, param_node
from netbuilder.engine.model import ops
from netbuilder.engine.model.errors import ParamError
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.graph import Node as GraphNode
from netbuilder.engine.model.params import validate_value


def constant_node(value: Any, depth: int = 0) -> Node:
    """A port's constant as code: lists as tuples, slice/ellipsis markers."""
    if depth > 20:
        raise ParamError("constant is nested too deeply")
    if isinstance(value, dict) and value.get("class_name") == ops.ELLIPSIS:
        return Atom("Ellipsis")
    if isinstance(value, dict) and value.get("class_name") == ops.SLICE:
        cfg = value.get("config") or {}
        bounds = [cfg.get(k) for k in ("start", "stop", "step")]
        return Group("slice", "(", [Item(literal(b)) for b in bounds], ")")
    if isinstance(value, dict) and value.get("class_name") in ops.ARRAYS:
        cfg = value.get("config") or {}
        return Group("keras.ops.convert_to_tensor", "(", [
            Item(literal(cfg.get("value"))),
            Item(literal(cfg.get("dtype")), "dtype=")], ")")
    if isinstance(value, list):
        return Group("", "(", [Item(constant_node(v, depth + 1)) for v in value],
                     ")", tuple_one=True)
    return literal(value)


def operation_expression(graph: Graph, node: GraphNode,
                         variables: dict[str, list[str]]) -> Node:
    """The right-hand side for an operation node."""
    spec = graph.catalog.get(node.type)
    by_port = {e.dst_port: variables[e.src][e.src_port]
               for e in graph.incoming(node.id)}
    for key in node.params:
        if spec.param(key) is None:
            raise ParamError(f"{spec.type} has no parameter {key!r}", key)
    if spec.type == "ops.get_item" and 0 in by_port and 1 not in by_port:
        text = ops.index_text(node.params.get("key"))
        if text is not None:
            return Atom(f"{by_port[0]}[{text}]")
    positional, keyword = ops.bind(spec, node.params, list(by_port))

    def code(arg: ops.Arg) -> Node:
        if arg.port is not None:
            return Atom(by_port[arg.port])
        if arg.ports is not None:
            return Group("", "[", [Item(Atom(by_port[p])) for p in arg.ports], "]")
        pspec = spec.param(arg.name)
        if pspec.tensor or pspec.kind == "other":  # axes, shapes: as tuples
            return constant_node(validate_value(pspec, arg.value, graph.catalog))
        return param_node(pspec, arg.value, graph.catalog)

    items: list[Item] = []
    for arg in positional:
        if arg.splat:
            items += [Item(Atom(by_port[p])) for p in arg.ports]
        else:
            items.append(Item(code(arg)))
    items += [Item(code(arg), arg.name + "=") for arg in keyword]
    return Group(f"keras.ops.{ops.function_name(spec)}", "(", items, ")")


def operation_lines(graph: Graph, node: GraphNode, names: list[str],
                    variables: dict[str, list[str]]) -> list[str]:
    """``y = keras.ops.f(...)``, or ``a, b = keras.ops.split(...)`` for an
    operation with several results (``names``: one variable per result)."""
    spec = graph.catalog.get(node.type)
    targets = ", ".join(names)
    if len(names) == 1 and ops.returns_sequence(spec, node.params):
        targets = f"({names[0]},)"  # a list of one tensor
    return render(operation_expression(graph, node, variables), len(INDENT),
                  f"{INDENT}{targets} = ", "")
