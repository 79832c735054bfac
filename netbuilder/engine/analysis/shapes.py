"""Exact shape inference by Keras itself, incremental after each edit.

:class:`ShapeInference` follows a graph's events: an edit marks the changed
node dirty, and :meth:`ShapeInference.run` re-infers only the downstream cone
of the dirty nodes, and within the cone only nodes whose own params or input
shapes actually changed. Each layer is instantiated and called on symbolic
``keras.KerasTensor`` inputs inside a ``StatelessScope`` (variables are not
allocated), which gives output shapes, parameter counts and the layer's own
error messages. Keras is imported on the first :meth:`run`.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from netbuilder.engine.analysis.diagnostics import (
    ERROR,
    LAYOUTS,
    Diagnostic,
    fmt_shape,
    rank_hint,
    structural_diagnostics,
)
from netbuilder.engine.analysis.flops import activation_bytes, estimate_flops
from netbuilder.engine.analysis.op_shapes import operation_outputs
from netbuilder.engine.keras.messages import clean_keras_message
from netbuilder.engine.model import events as ev
from netbuilder.engine.model.custom_code import code_of, is_custom, is_trusted
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.ops import is_op
from netbuilder.engine.model.ports import call_flags, split_call

ELEMENTWISE_MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}


@dataclass
class NodeInfo:
    output_shapes: list[tuple | None]
    dtypes: list[str]
    params: int = 0
    flops: int = 0
    memory: int | None = None  # bytes of the outputs for one sample
    # The shapes of the layer's weights (a shared layer's call sites must agree)
    weight_shapes: tuple = ()

    def to_json(self) -> dict[str, Any]:
        shapes = [list(s) if s is not None else None for s in self.output_shapes]
        return {
            "output_shape": shapes[0] if len(shapes) == 1 else shapes,
            "params": self.params,
            "flops": self.flops,
            "memory": self.memory,
        }


@dataclass
class _Entry:
    key: Any
    info: NodeInfo | None
    problem: Diagnostic | None


@dataclass
class ShapeReport:
    info: dict[str, NodeInfo] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    recomputed: set[str] = field(default_factory=set)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.diagnostics)

    def problems_for(self, node_id: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.node == node_id]

    def totals(self) -> tuple[int, int]:
        return (sum(i.params for i in self.info.values()),
                sum(i.flops for i in self.info.values()))


class ShapeInference:
    """Incremental shape inference over one graph (see module docstring).

    Thread use: edits happen on the owner's thread; :meth:`run` may run on a
    worker with ``snapshot=graph.copy()`` taken on the owner's thread.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._lock = threading.Lock()
        self._cache: dict[str, _Entry] = {}
        self._dirty: set[str] = set(graph.nodes)
        self.layers_built = 0  # Keras layers instantiated, for tests/benches
        self._unsubscribe = graph.events.subscribe(
            self._on_event, ev.NodeAdded, ev.NodeRemoved, ev.ParamChanged,
            ev.SharesChanged, ev.EdgeAdded, ev.EdgeRemoved)

    def close(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: ev.GraphEvent) -> None:
        with self._lock:
            if isinstance(event, ev.NodeRemoved):
                self._cache.pop(event.node_id, None)
                self._dirty.discard(event.node_id)
            elif isinstance(event, (ev.NodeAdded, ev.ParamChanged, ev.SharesChanged)):
                # A node that takes over a shared layer now counts its weights.
                self._dirty.add(event.node_id)
            elif isinstance(event, (ev.EdgeAdded, ev.EdgeRemoved)):
                self._dirty.add(event.edge.dst)

    def invalidate_all(self) -> None:
        with self._lock:
            self._cache.clear()
            self._dirty = set(self.graph.nodes)

    def run(self, snapshot: Graph | None = None) -> ShapeReport:
        graph = snapshot or self.graph
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            cache = dict(self._cache)
        affected = graph.downstream(dirty | {n for n in graph.nodes if n not in cache})
        report = ShapeReport()
        order = graph.topological_order()
        # Nodes with the same type, params and input shapes have the same
        # result: a 50,000-layer file of a few kinds builds a few layers.
        same: dict[Any, NodeInfo] = {}
        for node_id in order:
            if node_id in affected:
                entry = self._infer(graph, node_id, cache, same)
                if entry is not cache.get(node_id):
                    cache[node_id] = entry
                    report.recomputed.add(node_id)
            entry = cache.get(node_id)
            if entry is not None and entry.info is not None:
                report.info[node_id] = entry.info
        with self._lock:
            for node_id in report.recomputed:
                if node_id in self.graph.nodes or snapshot is not None:
                    self._cache[node_id] = cache[node_id]
        report.diagnostics = structural_diagnostics(graph) + [
            cache[n].problem for n in order
            if n in cache and cache[n].problem is not None
        ] + _shared_weight_problems(graph, report.info)
        return report

    # ------------------------------------------------------------ one node
    def _infer(self, graph: Graph, node_id: str, cache: dict[str, _Entry],
               same: dict[Any, NodeInfo]) -> _Entry:
        node = graph.nodes[node_id]
        inputs: list[tuple[int, tuple | None, str | None, str]] = []
        for e in graph.incoming(node_id):
            src = cache.get(e.src)
            info = src.info if src is not None else None
            if info is None or e.src_port >= len(info.output_shapes):
                shape, dtype = None, None
            else:
                shape, dtype = info.output_shapes[e.src_port], info.dtypes[e.src_port]
            inputs.append((e.dst_port, shape, dtype, graph.nodes[e.src].name))
        key = (node.type, node.shares,
               json.dumps(node.params, sort_keys=True, default=str),
               tuple((p, s, d) for p, s, d, _ in inputs))
        old = cache.get(node_id)
        if old is not None and old.key == key:
            return old
        if key in same:
            return _Entry(key, same[key], None)
        try:
            info, problem = self._compute(graph, node, inputs)
        except Exception as exc:  # Keras raises many kinds; never crash here
            info, problem = None, Diagnostic(
                ERROR, node_id, None, f"'{node.name}': "
                f"{clean_keras_message(exc, 'Keras could not build this layer.')}",
                _hint_for(str(exc)))
        if info is not None and problem is None:
            same[key] = info  # problems name their node: never shared
        return _Entry(key, info, problem)

    def _compute(self, graph: Graph, node, inputs) -> tuple[NodeInfo | None,
                                                             Diagnostic | None]:
        spec = graph.catalog.get(node.type)
        if spec is None or any(s is None for _, s, _, _ in inputs):
            return None, None  # reported structurally or upstream
        if _has_structural_errors(graph, node, spec, inputs):
            return None, None
        from netbuilder.engine.keras.runtime import load_keras

        keras = load_keras()

        if node.type == "Input":
            shape = tuple(node.params.get("shape") or ())
            batch = node.params.get("batch_size")
            dtype = node.params.get("dtype", "float32")
            full = (batch, *shape)
            memory = activation_bytes([full], [dtype])
            return NodeInfo([full], [dtype], memory=memory), None
        if node.type == "Output":
            _, shape, dtype, _ = inputs[0]
            return NodeInfo([shape], [dtype]), None

        if node.type == "Group":
            return _group_info(graph, node, inputs)
        if is_op(node.type):
            with _weightless_scope():
                shapes, dtypes, problem = operation_outputs(keras, node, spec, inputs)
            if problem is not None:
                return None, problem
            return NodeInfo(shapes, dtypes, 0, 0,
                            activation_bytes(shapes, dtypes)), None
        if is_custom(node.type):
            untrusted = untrusted_info(graph, node)
            if untrusted is not None:
                return untrusted
        problem = _merge_problem(node, spec, inputs)
        if problem is not None:
            return None, problem
        from netbuilder.engine.keras.keras_args import make_layer
        from netbuilder.engine.model.file_params import inline_file_params

        params = inline_file_params(node.type, node.params, graph)
        tensors = {port: keras.KerasTensor(shape, dtype=dtype)
                   for port, shape, dtype, _ in inputs}
        with _weightless_scope():
            layer = make_layer(node.type, params, node.name, graph.catalog)
            self.layers_built += 1
            problem = _rank_problem(node, layer, spec, inputs)
            if problem is not None:
                return None, problem
            result = _call(layer, spec, tensors, node.params)
        outputs = list(result) if isinstance(result, (list, tuple)) else [result]
        shapes = [tuple(t.shape) for t in outputs]
        dtypes = [str(t.dtype) for t in outputs]
        # A shared layer's weights belong to its first call site only.
        weights = 0 if node.shares else sum(_count(w.shape) for w in layer.weights)
        in_shapes = [s for _, s, _, _ in sorted(inputs)]
        flops = estimate_flops(node.type, node.params, in_shapes, shapes, weights)
        return NodeInfo(shapes, dtypes, weights, flops,
                        activation_bytes(shapes, dtypes),
                        tuple(tuple(w.shape) for w in layer.weights)), None


def _shared_weight_problems(graph: Graph, info: dict[str, NodeInfo]
                            ) -> list[Diagnostic]:
    """A shared layer has one set of weights, made for its owner's inputs: a
    call site whose inputs would need weights of other shapes cannot call
    it (Keras refuses when the model is built)."""
    out = []
    for node in graph.nodes.values():
        mine, theirs = info.get(node.id), info.get(node.shares or "")
        if mine is None or theirs is None or node.type == "Group" \
                or mine.weight_shapes == theirs.weight_shapes:
            continue
        owner = graph.nodes[node.shares].name
        have, need = (" and ".join(fmt_shape(w) for w in i.weight_shapes) or "none"
                      for i in (theirs, mine))
        out.append(Diagnostic(
            ERROR, node.id, None,
            f"'{node.name}' calls the layer of '{owner}', whose weights are "
            f"{have}, made for the inputs of '{owner}'; the inputs of "
            f"'{node.name}' would need {need}.",
            f"Wire into '{node.name}' tensors shaped like those into '{owner}', "
            "or give it a layer of its own."))
    return out


def untrusted_info(graph: Graph, node) -> tuple[NodeInfo | None,
                                                Diagnostic] | None:
    """For a custom node whose module is not trusted: the output shapes seen
    at import (none run now) and an error saying what to do; None when the
    module is trusted."""
    code = code_of(graph.catalog)
    entry = code.entries.get(node.type.removeprefix("custom.")) if code else None
    if entry is None or is_trusted(code.module_file(entry["module"])):
        return None
    from netbuilder.engine.model.custom_code import untrusted_message

    what = (f"'{node.name}' (a Lambda calling {entry.get('function')}())"
            if entry["kind"] == "lambda" else
            f"'{node.name}' (custom layer {node.type.removeprefix('custom.')})")
    problem = Diagnostic(ERROR, node.id, None,
                         untrusted_message(code, entry["module"], what),
                         "Trust the module if you know what it does.")
    seen = code.shapes.get(node.id) or code.shapes.get(graph.layer_owner(node.id))
    if not isinstance(seen, list) or not seen:
        return None, problem
    shapes = [tuple(s) if isinstance(s, list) else None for s in seen]
    return NodeInfo(shapes, ["float32"] * len(shapes)), problem


def _group_info(graph: Graph, node, inputs) -> tuple[NodeInfo | None,
                                                     Diagnostic | None]:
    """A group: infer its own graph, then check the wires into it."""
    from netbuilder.engine.model.groups import GroupError, inner_graph

    try:
        inner = inner_graph(node, graph.catalog)
    except GroupError as exc:
        return None, Diagnostic(ERROR, node.id, None, str(exc),
                                "Flatten the group or fix its graph.")
    report = analyze(inner)
    errors = [d for d in report.diagnostics if d.severity == ERROR]
    if errors:
        where = inner.nodes[errors[0].node].name if errors[0].node in inner.nodes \
            else ""
        return None, Diagnostic(
            ERROR, node.id, None, f"inside group '{node.name}'"
            f"{' at ' + repr(where) if where else ''}: {errors[0].message}",
            errors[0].hint or "Expand the group to fix it.")
    ins = inner.input_nodes()
    if len(ins) != len(inputs):
        return None, Diagnostic(ERROR, node.id, None,
                                f"group '{node.name}' takes {len(ins)} inputs, "
                                f"{len(inputs)} are connected.",
                                "Wire one tensor into each of its inputs.")
    for (port, shape, _, src), inp in zip(sorted(inputs), ins, strict=True):
        want = report.info[inp.id].output_shapes[0]
        if len(want) != len(shape) or any(
                a is not None and b is not None and a != b
                for a, b in zip(want[1:], shape[1:], strict=True)):
            return None, Diagnostic(
                ERROR, node.id, port,
                f"group '{node.name}' expects {fmt_shape(want)} on input "
                f"'{inp.name}', but '{src}' gives {fmt_shape(shape)}.",
                "Reshape the tensor or change the group's Input shape.")
    batch = sorted(inputs)[0][1][0] if inputs else None
    shapes, dtypes = [], []
    for out in inner.output_nodes():
        info = report.info[out.id]
        shapes.append((batch, *info.output_shapes[0][1:]))
        dtypes.append(info.dtypes[0])
    params, flops = report.totals()
    if node.shares:  # a shared sub-model's weights belong to its owner
        params = 0
    return NodeInfo(shapes, dtypes, params, flops,
                    activation_bytes(shapes, dtypes)), None


@contextlib.contextmanager
def _weightless_scope():
    """Build layers without allocating or initialising their variables.

    Inside a Keras ``StatelessScope`` variable creation is deferred; we leave
    it without initialising them and drop them from Keras's (thread-local)
    list of pending variables, since these layers are thrown away."""
    from keras.src.backend import StatelessScope
    from keras.src.backend.common import global_state

    pending = global_state.get_global_attribute("uninitialized_variables") or []
    keep = len(pending)
    try:
        with StatelessScope(initialize_variables=False):
            yield
    finally:
        pending = global_state.get_global_attribute("uninitialized_variables")
        if pending:
            global_state.set_global_attribute("uninitialized_variables",
                                              pending[:keep])


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _call(layer, spec, tensors: dict[int, Any], params: dict[str, Any]):
    ordered, keywords = split_call(spec, tensors)
    keywords.update(call_flags(spec, params))
    if spec.call_style == "list":
        return layer(ordered, **keywords)
    if spec.call_style == "kwargs":
        named = {spec.inputs[p]: tensors[p] for p in sorted(tensors)
                 if spec.keyword_from is None or p < spec.keyword_from}
        return layer(**named, **keywords)
    return layer(ordered[0], **keywords)


def _has_structural_errors(graph: Graph, node, spec, inputs) -> bool:
    """Missing inputs or invalid params: reported by structural_diagnostics."""
    from netbuilder.engine.analysis.diagnostics import _node_diagnostics

    return any(d.severity == ERROR for d in _node_diagnostics(graph, node))


def _merge_problem(node, spec, inputs) -> Diagnostic | None:
    shapes = [(p, s, name) for p, s, _, name in sorted(inputs)]
    if node.type in ELEMENTWISE_MERGE and len(shapes) >= 2:
        p0, s0, n0 = shapes[0]
        for p1, s1, n1 in shapes[1:]:
            bad = _first_mismatch(s0, s1)
            if bad is not None:
                axis, a, b = bad
                return Diagnostic(
                    ERROR, node.id, p1,
                    f"{node.type} '{node.name}' needs inputs of the same shape, but "
                    f"input {p0} ('{n0}') is {fmt_shape(s0)} and input {p1} "
                    f"('{n1}') is {fmt_shape(s1)}: axis {axis} differs ({a} vs {b}).",
                    _match_hint(s0, s1, n1))
    if node.type == "Concatenate" and len(shapes) >= 2:
        axis = node.params.get("axis", -1)
        p0, s0, n0 = shapes[0]
        for p1, s1, n1 in shapes[1:]:
            if len(s0) != len(s1):
                return Diagnostic(
                    ERROR, node.id, p1,
                    f"Concatenate '{node.name}' needs inputs of the same rank, but "
                    f"'{n0}' is {fmt_shape(s0)} and '{n1}' is {fmt_shape(s1)}.",
                    "Reshape or Flatten one input so both have the same number of "
                    "axes.")
            rank = len(s0)
            ax = axis % rank if -rank <= axis < rank else None
            if ax is None:
                return Diagnostic(ERROR, node.id, None,
                                  f"Concatenate '{node.name}': axis {axis} does not "
                                  f"exist for {rank}-D inputs.",
                                  "Use axis=-1 to join along the last axis.")
            for i in range(1, rank):
                if i != ax and s0[i] is not None and s1[i] is not None \
                        and s0[i] != s1[i]:
                    return Diagnostic(
                        ERROR, node.id, p1,
                        f"Concatenate '{node.name}' joins along axis {axis}, so all "
                        f"other axes must match, but '{n0}' is {fmt_shape(s0)} and "
                        f"'{n1}' is {fmt_shape(s1)} (axis {i}: {s0[i]} vs {s1[i]}).",
                        "Resize one branch (pooling, Reshape or a Dense layer) so "
                        "the other axes agree, or change the axis.")
    return None


def _first_mismatch(a: tuple, b: tuple):
    if len(a) != len(b):
        return (f"count ({len(a)} vs {len(b)} axes)", len(a), len(b))
    for i in range(1, len(a)):
        x, y = a[i], b[i]
        if x is not None and y is not None and x != y and x != 1 and y != 1:
            return (i, x, y)
    return None


def _match_hint(s0: tuple, s1: tuple, other: str) -> str:
    if len(s0) == len(s1) == 4 and s0[1:3] == s1[1:3] and s0[3] != s1[3]:
        return (f"Put a 1×1 Conv2D with {s0[3]} filters on the '{other}' branch so "
                "the channel counts match.")
    if len(s0) == len(s1) == 2:
        return f"Put a Dense({s0[1]}) on the '{other}' branch so the sizes match."
    return "Make both branches produce the same shape (pooling, Reshape, Dense)."


def _rank_problem(node, layer, spec, inputs) -> Diagnostic | None:
    if spec.call_style != "single" or not inputs:
        return None
    input_spec = getattr(layer, "input_spec", None)
    if input_spec is None or isinstance(input_spec, (list, tuple)):
        return None
    first = [i for i in inputs if i[0] == 0]
    if not first:
        return None
    _, shape, _, src_name = first[0]
    got = len(shape)
    ndim = getattr(input_spec, "ndim", None)
    min_ndim = getattr(input_spec, "min_ndim", None)
    max_ndim = getattr(input_spec, "max_ndim", None)
    need = None
    if ndim is not None and got != ndim:
        need, words = ndim, f"a {ndim}-D input"
    elif min_ndim is not None and got < min_ndim:
        need = min_ndim
        words = (f"a {min_ndim}-D input" if min_ndim > 2
                 else f"an input of at least {min_ndim} dimensions")
    elif max_ndim is not None and got > max_ndim:
        need, words = max_ndim, f"an input of at most {max_ndim} dimensions"
    if need is None:
        return None
    layout = LAYOUTS.get(need, "")
    return Diagnostic(
        ERROR, node.id, 0,
        f"{node.type} '{node.name}' needs {words}{' ' + layout if layout else ''}, "
        f"but '{src_name}' gives a {got}-D tensor {fmt_shape(shape)}.",
        rank_hint(node.name, need, shape))


def _hint_for(message: str) -> str:
    text = message.lower()
    if ("negative dimension" in text or "zero or negative" in text
            or "must be > 0" in text or "too small" in text):
        return ("The input is too small for this kernel or pool: use "
                "padding='same', a smaller size, or fewer downsampling layers "
                "before it.")
    if "incompatible" in text or "shape" in text:
        return "Check the shapes on the wires into this node."
    return ""


def analyze(graph: Graph) -> ShapeReport:
    """One-shot inference and diagnostics for a graph."""
    inference = ShapeInference(graph)
    try:
        return inference.run()
    finally:
        inference.close()
