"""Suggestions that lead somewhere: before suggesting a change to an Input,
try it on a copy of the graph and check the whole chain (the layers that
depend on the Input, every Output against its labels and loss).

Candidates, in order: set the Input's shape to the data's; set it and insert
a Flatten after the Input (Dense layers that expect flat vectors). When
neither makes the model fit, the suggestion says so and names what does: the
bundled data sets whose samples fit the model as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from netbuilder.engine.analysis.diagnostics import fmt_shape
from netbuilder.engine.model.graph import Graph

# fix kinds (DataProblem.fix[0]) that apply_fix knows
SET_SHAPE = "input_shape"
SET_SHAPE_AND_FLATTEN = "input_shape_flatten"


def apply_fix(graph: Graph, fix: tuple) -> None:
    """Apply a data-check fix ``(kind, input name, shape)`` to ``graph``
    through its editing API."""
    kind, name, shape = fix
    node = graph.node_by_name(name)
    if node is None:
        raise ValueError(f"the model has no Input {name!r}")
    graph.set_param(node.id, "shape", list(shape))
    if kind == SET_SHAPE_AND_FLATTEN:
        x, y = node.position
        flatten = graph.add_node("Flatten", position=(x + 110, y + 90))
        for edge in list(graph.outgoing(node.id)):
            graph.disconnect(edge)
            graph.connect(flatten.id, 0, edge.dst, edge.dst_port)
        graph.connect(node.id, 0, flatten.id, 0)
    elif kind != SET_SHAPE:
        raise ValueError(f"unknown fix {kind!r}")


def chain_problem(graph: Graph, check_labels: Callable, labels: dict[str, np.ndarray],
                  losses: dict[str, str]) -> str | None:
    """Why ``graph`` would still not train on these labels (None: it would)."""
    from netbuilder.engine.analysis.shapes import analyze

    report = analyze(graph)
    errors = [d for d in report.diagnostics if d.severity == "error"]
    if errors:
        node = graph.nodes.get(errors[0].node) if errors[0].node else None
        where = f"at '{node.name}'" if node is not None else "in the graph"
        return f"{where}: {errors[0].message}"
    for out in graph.output_nodes():
        info = report.info.get(out.id)
        if info is None or out.name not in labels:
            continue
        found = check_labels(out.name, info.output_shapes[0], labels[out.name],
                             losses.get(out.name, ""))
        if found:
            return found[0].message
    return None


def input_suggestion(graph: Graph, node, data_shape: tuple, check_labels: Callable,
                     labels: dict[str, np.ndarray],
                     losses: dict[str, str]) -> tuple[str, tuple | None]:
    """(suggestion, fix) for an Input whose shape does not fit the data."""
    shape = list(data_shape)
    candidates = [((SET_SHAPE, node.name, shape),
                   f"Set the Input '{node.name}' shape to {shape}.")]
    if len(shape) > 1:
        candidates.append(((SET_SHAPE_AND_FLATTEN, node.name, shape),
                           f"Set the Input '{node.name}' shape to {shape} and "
                           "insert a Flatten after it (the layers after it expect "
                           "flat vectors)."))
    first_reason = None
    for fix, text in candidates:
        trial = graph.copy()
        apply_fix(trial, fix)
        reason = chain_problem(trial, check_labels, labels, losses)
        if reason is None:
            return text, fix
        first_reason = first_reason or reason
    want = tuple(node.params.get("shape") or ())
    fitting = fitting_builtins(want) if len(graph.input_nodes()) == 1 else []
    other = (f"choose data whose samples have shape {fmt_shape(want)}"
             + (f" (the bundled {', '.join('builtin:' + n for n in fitting)} "
                "fits)" if fitting else ""))
    return (f"No single change to the Input fixes this: with shape {shape} the "
            f"model would still not train ({first_reason}). Either {other}, or "
            "change the layers after the Input to suit the data.", None)


def fitting_builtins(sample_shape: tuple) -> list[str]:
    """Bundled single-input data sets whose samples have ``sample_shape``."""
    from netbuilder.engine.model.data_spec import BUILTINS, RESOURCES

    found = []
    for name in BUILTINS:
        try:
            with np.load(RESOURCES / f"{name}.npz", allow_pickle=False) as f:
                if "x" in f.files and tuple(f["x"].shape[1:]) == tuple(sample_shape):
                    found.append(name)
        except (OSError, ValueError):
            continue
    return found
