"""Turn a built ``keras.Model`` into an editable :class:`Graph`.

Sequential models become a chain behind an explicit Input. Functional models
are walked through their config's ``inbound_nodes``: every call of a layer is
a node (the first call owns the layer; later calls of a shared layer point at
it with ``shares``), ``keras_history`` entries become edges, and the model's
outputs become Output nodes in order. A Sequential or Functional model used
as a layer becomes a ``Group`` node holding its own graph; a sub-model
called several times is one Group and a sharing Group per further call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netbuilder.engine.importing.op_import import op_node
from netbuilder.engine.importing.params import (
    SUBCLASSED,
    ImportFailure,
    check_rebuilds,
    dtype_name,
    learned_config,
    reduce_config,
)
from netbuilder.engine.keras.keras_args import layer_class
from netbuilder.engine.model import ports
from netbuilder.engine.model.catalog import Catalog, get_catalog
from netbuilder.engine.model.graph import Graph

Progress = Callable[[int, int, str], None]
# Call arguments that do not change what a layer computes at inference time.
HARMLESS_CALL_ARGS = {"training": (None, False), "mask": (None,),
                      "use_causal_mask": (False,),
                      "return_attention_scores": (False,)}
MODEL_CLASSES = ("Functional", "Sequential", "Model")
LAMBDA_REFUSAL = ("is a Lambda layer holding an anonymous Python lambda (or code "
                  "NetBuilder cannot name), which NetBuilder does not import, with "
                  "or without --trust (a project keeps no code). Define the "
                  "function with def in your own module and give that module "
                  "(--custom-module FILE.py --trust), or replace the Lambda with "
                  "built-in layers or keras.ops operations, and import again")


class _Converter:
    def __init__(self, catalog: Catalog, progress: Progress | None,
                 verify: bool, modules: Any = None) -> None:
        self.catalog = catalog
        self.base_catalog = catalog
        # The user's trusted modules (custom_import.Modules), or None.
        self.modules = modules
        if modules is not None:
            from netbuilder.engine.model.custom_code import custom_catalog

            self.catalog = custom_catalog(catalog, modules.code)
        self.progress = progress
        self.verify = verify
        self.done = 0
        self.total = 0
        # node id -> the defaults of its layer's ``call`` keyword arguments
        self.call_defaults: dict[str, dict[str, Any]] = {}

    def step(self, message: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, max(self.total, self.done), message)

    # ------------------------------------------------------------ models
    def convert(self, model: Any, where: str = "") -> Graph:
        keras = _keras()
        if not isinstance(model, keras.Model):
            raise ImportFailure(f"{where or 'the file'} does not hold a Keras model")
        self.total += _count_layers(model)
        graph = Graph(model.name, self.catalog)
        if isinstance(model, keras.Sequential):
            self._sequential(model, graph, where)
        elif type(model).__name__ == "Functional" or _functional_class(model):
            self._functional(model, graph, where)
        else:
            raise ImportFailure(f"{where}{model.name}: " + SUBCLASSED.format(
                name=type(model).__name__))
        return graph

    def _sequential(self, model: Any, graph: Graph, where: str) -> None:
        try:
            inputs = model.inputs
        except (AttributeError, ValueError):
            inputs = None
        if not inputs:
            raise ImportFailure(f"{where}{model.name}: the Sequential model was never "
                                "built, so its input shape is unknown")
        tensor = inputs[0]
        input_layer = next((layer for layer in model._layers
                            if type(layer).__name__ == "InputLayer"), None)
        name = input_layer.name if input_layer is not None else f"{model.name}_input"
        prev = graph.add_node("Input", name=name,
                              params=_input_params(tensor.shape, tensor.dtype,
                                                   getattr(tensor, "sparse", False)))
        for layer in model.layers:
            node = self._layer_node(layer, graph, where)
            graph.connect(prev.id, 0, node.id, 0)
            prev = node
        out = graph.add_node("Output", name=graph.unique_name("output"))
        graph.connect(prev.id, 0, out.id, 0)

    def _functional(self, model: Any, graph: Graph, where: str) -> None:
        config = model.get_config()
        layers = {op.name: op for op in model.operations}
        calls: dict[tuple[str, int], str] = {}
        pending: list[tuple[str, str, list]] = []
        op_wires: list[tuple[str, str, list]] = []
        used = _tensor_sources(config)
        keras = _keras()
        # Owners first (their Keras names), then extra call sites by order.
        for entry in config["layers"]:
            lname = entry["name"]
            layer = layers.get(lname)
            label = f"{where}{lname}"
            if layer is not None and not isinstance(layer, keras.layers.Layer):
                if lname not in used:
                    continue  # computes a mask Keras propagates by itself again
                node, wires = op_node(layer, entry, graph, self.catalog, where,
                                      self.verify)
                calls[(lname, 0)] = node.id
                op_wires.append((node.id, label, wires))
                self.step(lname)
                continue
            if entry["class_name"] == "InputLayer":
                cfg = entry["config"]
                shape = cfg.get("batch_shape") or [None, *(cfg.get("shape") or [])]
                node = graph.add_node("Input", name=lname, params=_input_params(
                    shape, cfg.get("dtype", "float32"), cfg.get("sparse", False)))
                calls[(lname, 0)] = node.id
                self.step(lname)
                continue
            if layer is None:
                raise ImportFailure(f"{label}: not found in the model")
            inbound = entry.get("inbound_nodes") or []
            if not inbound:
                continue  # a layer the model holds but never calls
            owner = self._layer_node(layer, graph, where)
            calls[(lname, 0)] = owner.id
            pending.append((owner.id, label, inbound[0]))
            # A layer or a sub-model (Group) called again: one more node
            # sharing the owner's layer or sub-model (weights made once).
            for k, call in enumerate(inbound[1:], start=1):
                node = graph.add_node(owner.type, name=graph.unique_name(
                    f"{lname}_call{k}"), params=owner.params)
                graph.set_shares(node.id, owner.id)
                calls[(lname, k)] = node.id
                pending.append((node.id, f"{label} (call {k + 1})", call))
        for node_id, label, call in pending:
            self._wire(graph, node_id, label, call, calls, used)
        for node_id, label, wires in op_wires:
            for port, h in wires:
                self._connect(graph, calls, h, node_id, port, label)
        # Keras numbers a nested Functional model's calls from 1 in the
        # config's outputs (its "built-in node"), from 0 everywhere else.
        functional = {name for name, op in layers.items()
                      if isinstance(op, keras.Model) and _functional_class(op)}
        self._model_io(graph, config, calls, functional)

    def _model_io(self, graph: Graph, config: dict,
                  calls: dict[tuple[str, int], str],
                  functional: set[str] = frozenset()) -> None:
        """Output nodes in the model's order, Inputs ordered; a dict of
        inputs or outputs keeps its keys, in the order of the Input/Output
        nodes, in ``graph.extra["structure"]`` so code and exports rebuild
        the dict. ``functional``: the nested Functional models' names."""
        outputs, out_keys = _io_entries(config["output_layers"])
        for lname, k, t in outputs:
            src = calls.get((lname, k - 1 if lname in functional else k))
            if src is None:
                raise ImportFailure(f"model output {lname!r} is not a layer call")
            out = graph.add_node("Output", name=graph.unique_name(
                f"{lname}_output" if len(outputs) > 1 else "output"))
            graph.connect(src, t, out.id, 0)
        inputs, in_keys = _io_entries(config["input_layers"])
        _order_inputs(graph, [calls.get((n, k)) for n, k, _ in inputs])
        structure = {side: keys for side, keys in (("inputs", in_keys),
                                                   ("outputs", out_keys)) if keys}
        if structure:
            graph.extra["structure"] = structure

    # ------------------------------------------------------------ layers
    def _layer_node(self, layer: Any, graph: Graph, where: str):
        keras = _keras()
        label = f"{where}{layer.name}"
        if isinstance(layer, keras.Model):
            inner = self.convert(layer, f"{label}/")
            from netbuilder.engine.model.groups import group_params
            from netbuilder.engine.model.layout import layout_graph

            layout_graph(inner)
            self.step(layer.name)
            return graph.add_node("Group", name=layer.name,
                                  params=group_params(inner))
        if self.modules is not None:
            node = self._custom_node(layer, graph, label)
            if node is not None:
                return node
        type_name = type(layer).__name__
        if type_name == "Lambda":
            raise ImportFailure(f"{label} {LAMBDA_REFUSAL}")
        spec = self.catalog.get(type_name)
        standard = None if spec is None or spec.category in ("io", "group") \
            else layer_class(spec.type, self.catalog)
        if standard is None or type(layer) is not standard:
            raise ImportFailure(f"{label}: {type_name} is not a built-in Keras layer "
                                "NetBuilder knows (custom layers cannot be imported)")
        config = learned_config(layer)
        params = reduce_config(spec, config, self.catalog, label)
        if self.verify:
            check_rebuilds(layer, spec.type, params, self.catalog, label, config)
        self.step(layer.name)
        node = graph.add_node(spec.type, name=layer.name, params=params)
        self.call_defaults[node.id] = _call_defaults(layer)
        return node

    def _custom_node(self, layer: Any, graph: Graph, label: str):
        """A node for a custom layer or Lambda of the user's modules (None
        for other layers)."""
        from netbuilder.engine.importing.custom_import import layer_entry, seen_shapes
        from netbuilder.engine.model.custom_code import custom_catalog

        try:
            found = layer_entry(layer, self.modules)
        except ImportFailure as exc:
            raise ImportFailure(f"{label}: {exc}".replace(f"{label}: {label}: ",
                                                           f"{label}: ")) from None
        if found is None:
            return None
        type_name, params = found
        self.catalog = custom_catalog(self.base_catalog, self.modules.code)
        graph.catalog = self.catalog
        self.step(layer.name)
        node = graph.add_node(type_name, name=layer.name, params=params)
        shapes = seen_shapes(layer)
        if shapes is not None:
            self.modules.code.shapes[node.id] = shapes
        self.call_defaults[node.id] = _call_defaults(layer)
        return node

    def _wire(self, graph: Graph, node_id: str, label: str, call: dict,
              calls: dict[tuple[str, int], str], used: set[str]) -> None:
        node = graph.nodes[node_id]
        spec = self.catalog.get(node.type)
        args, kwargs = call.get("args", []), dict(call.get("kwargs") or {})
        wires: list[tuple[int, Any]] = []
        tensors = [_history(a) for a in args]
        if spec.call_style == "kwargs":
            for i, t in enumerate(tensors):
                if t is None:
                    raise ImportFailure(f"{label}: is called with a non-tensor "
                                        f"argument {i + 1}")
                wires.append((i, t))
            positional = spec.inputs[:spec.keyword_from]
            for name in list(kwargs):
                if name not in positional:
                    continue
                value = kwargs.pop(name)
                if value is None:
                    continue
                t = _history(value)
                if t is None:
                    raise ImportFailure(f"{label}: argument {name} is not a tensor")
                wires.append((spec.inputs.index(name), t))
        else:
            if len(args) != 1:
                raise ImportFailure(f"{label}: is called with {len(args)} "
                                    "positional arguments; NetBuilder supports one")
            first = args[0]
            items = first if isinstance(first, list) else [first]
            for i, item in enumerate(items):
                t = _history(item)
                if t is None:
                    raise ImportFailure(f"{label}: input {i + 1} is not a tensor "
                                        "of the model (constants cannot be imported)")
                wires.append((i, t))
            if spec.call_style == "single" and node.type != "Group" and \
                    len(wires) != 1:
                raise ImportFailure(f"{label}: is called on a list of "
                                    f"{len(wires)} tensors")
        for name, value in kwargs.items():
            if _all_none(value) or value in HARMLESS_CALL_ARGS.get(name, ()):
                continue
            defaults = self.call_defaults.get(graph.layer_owner(node_id), {})
            if name in defaults and value == defaults[name]:
                continue  # the value the layer's call takes anyway
            if name == "mask" and _automatic_mask(value, used, calls):
                continue  # an automatic mask: the rebuilt model propagates it too
            flag = spec.param(name)
            if flag is not None and flag.call and isinstance(value, bool):
                graph.nodes[node_id].params[name] = value
                continue
            keyword = _keyword_wires(spec, name, value)
            if keyword is None:
                raise ImportFailure(f"{label}: is called with {name}="
                                    f"{str(value)[:40]}, which NetBuilder cannot "
                                    "represent")
            wires += keyword
        for port, h in wires:
            self._connect(graph, calls, h, node_id, port, label)

    @staticmethod
    def _connect(graph: Graph, calls: dict[tuple[str, int], str], h: tuple,
                 node_id: str, port: int, label: str) -> None:
        src_layer, k, t = h
        src = calls.get((src_layer, k))
        if src is None:
            raise ImportFailure(f"{label}: its input comes from {src_layer!r} "
                                "which is not a layer of the model")
        if t >= graph.output_count(src):
            raise ImportFailure(f"{label}: uses result {t + 1} of "
                                f"{graph.nodes[src].name!r}, which has "
                                f"{graph.output_count(src)}")
        graph.connect(src, t, node_id, port)


def _keyword_wires(spec, name: str, value: Any) -> list[tuple[int, Any]] | None:
    """Wires for a tensor keyword argument (``mask=m``, ``initial_state=[h, c]``),
    or None when the layer has no port for it."""
    single = ports.port_of_keyword(spec, name, None)
    if single is not None:
        h = _history(value)
        return [(single, h)] if h is not None else None
    values = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(values):
        port = ports.port_of_keyword(spec, name, i)
        h = _history(item)
        if port is None or h is None:
            return None
        out.append((port, h))
    return out or None


def _automatic_mask(value: Any, used: set[str], calls: dict) -> bool:
    """A mask Keras computed itself (from an Embedding's ``mask_zero``, a
    Masking layer): made by operations the model uses for nothing else. The
    rebuilt model computes it again. A mask from an Input or a layer is the
    user's own and becomes a wire."""
    if isinstance(value, list):
        return all(_automatic_mask(v, used, calls) for v in value)
    h = _history(value)
    if h is None:
        return value is None
    return h[0] not in used and (h[0], h[1]) not in calls


def _tensor_sources(config: dict) -> set[str]:
    """Layers the model's outputs depend on through real inputs (not through
    automatic ``mask`` arguments, which the rebuilt model recomputes)."""
    feeds: dict[str, set[str]] = {}

    def walk(value: Any, into: set[str]) -> None:
        h = _history(value)
        if h is not None:
            into.add(h[0])
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, into)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v, into)

    for entry in config["layers"]:
        into = feeds.setdefault(entry["name"], set())
        for call in entry.get("inbound_nodes") or []:
            walk(call.get("args", []), into)
            walk({k: v for k, v in (call.get("kwargs") or {}).items()
                  if k != "mask"}, into)
    outputs, _ = _io_entries(config["output_layers"])
    stack = [o[0] for o in outputs if isinstance(o, list) and o]
    used: set[str] = set()
    while stack:
        name = stack.pop()
        if name not in used:
            used.add(name)
            stack.extend(feeds.get(name, ()))
    return used


def _call_defaults(layer: Any) -> dict[str, Any]:
    """Keyword defaults of ``layer.call`` (a preprocessing layer's
    ``training=True``, recorded with every call)."""
    import inspect

    try:
        parameters = inspect.signature(layer.call).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in parameters
            if p.default is not inspect.Parameter.empty
            and isinstance(p.default, (bool, int, float, str, type(None)))}


def _io_entries(value: Any) -> tuple[list, list[str] | None]:
    """A config's ``input_layers``/``output_layers`` as ``[name, k, t]``
    entries, and the dict keys when it is a dict (None otherwise)."""
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        return [v for v in value.values()], keys
    if value and isinstance(value[0], str):
        return [value], None
    return list(value or []), None


def _functional_class(model: Any) -> bool:
    from keras.src.models.functional import Functional

    return isinstance(model, Functional)


def _all_none(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_all_none(v) for v in value)
    return value is None


def _history(value: Any) -> tuple[str, int, int] | None:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        h = value["config"]["keras_history"]
        return (h[0], int(h[1]), int(h[2]))
    return None


def _input_params(shape, dtype, sparse) -> dict[str, Any]:
    shape = list(shape)
    params: dict[str, Any] = {"shape": [None if d is None else int(d)
                                        for d in shape[1:]]}
    dtype = dtype_name(dtype)
    dtype = getattr(dtype, "name", dtype)
    if dtype not in (None, "float32"):
        params["dtype"] = str(dtype)
    if shape and shape[0] is not None:
        params["batch_size"] = int(shape[0])
    if sparse:
        params["sparse"] = True
    return params


def _order_inputs(graph: Graph, ordered: list[str | None]) -> None:
    """Input nodes in the model's input order (the graph's order is the
    model's order, see the project-file contract)."""
    wanted = [nid for nid in ordered if nid is not None]
    if [n.id for n in graph.input_nodes()] == wanted:
        return
    rest = {nid: n for nid, n in graph.nodes.items() if nid not in wanted}
    graph.nodes = {**{nid: graph.nodes[nid] for nid in wanted}, **rest}


def _count_layers(model: Any) -> int:
    return len(getattr(model, "layers", []))


def _keras():
    from netbuilder.engine.keras.runtime import load_keras

    return load_keras()


def model_to_graph(model: Any, catalog: Catalog | None = None,
                   progress: Progress | None = None, verify: bool = True,
                   modules: Any = None) -> Graph:
    """The editable graph of a built Keras model (raises :class:`ImportFailure`
    naming the layer that cannot be represented). ``modules``: the user's
    trusted modules (see :mod:`custom_import`), whose classes become custom
    nodes recorded in the graph's ``custom_code``."""
    catalog = catalog or get_catalog()
    if modules is not None:
        from netbuilder.engine.importing.custom_import import object_entries, prune
        from netbuilder.engine.model.custom_code import attach

        object_entries(model.get_config(), modules)
    converter = _Converter(catalog, progress, verify, modules)
    graph = converter.convert(model)
    if modules is not None:
        prune(modules.code)
        attach(graph, modules.code)
    return graph
