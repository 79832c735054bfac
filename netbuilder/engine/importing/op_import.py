"""Operations recorded in a Functional model (``keras.ops`` calls, Python
operators on tensors) -> ``ops.*`` nodes.

A saved config records an operation as its class (``keras.src.ops.numpy.Add``)
with its constructor arguments, and its call's arguments in ``inbound_nodes``:
tensors (``__keras_tensor__``) become wires, everything else (``0.5`` in
``x * 0.5``, an index's slices) becomes the port's constant. The rebuilt
operation's config must equal the original's, so nothing is lost.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from netbuilder.engine.importing.params import (
    ImportFailure,
    dtype_name,
    jsonable,
    reduce_config,
)
from netbuilder.engine.model import ops
from netbuilder.engine.model.catalog import Catalog
from netbuilder.engine.model.graph import Graph, Node
from netbuilder.engine.model.params import validate_value

History = tuple[str, int, int]


def _history(value: Any) -> History | None:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        h = value["config"]["keras_history"]
        return (h[0], int(h[1]), int(h[2]))
    return None


def _call_names(op: Any) -> tuple[list[str], str | None]:
    """The call's argument names in order, and its ``*args`` name if any."""
    names, star = [], None
    for p in inspect.signature(type(op).call).parameters.values():
        if p.name == "self" or p.kind == p.VAR_KEYWORD:
            continue
        if p.kind == p.VAR_POSITIONAL:
            star = p.name
        else:
            names.append(p.name)
    return names, star


def _named_args(op: Any, call: dict, label: str
                ) -> list[tuple[str, Any, Any]]:
    """(argument name, config value, live value) of the operation's call.
    Tensors are read from the config (their ``keras_history``), constants
    from the live call (the config flattens arrays to plain lists)."""
    names, star = _call_names(op)
    args = list(call.get("args") or [])
    kwargs = dict(call.get("kwargs") or {})
    live = op._inbound_nodes[0].arguments
    live_args, live_kwargs = list(live.args), dict(live.kwargs)
    if len(live_args) != len(args) or set(live_kwargs) != set(kwargs):
        raise ImportFailure(f"{label}: the saved call does not match the model")
    named: list[tuple[str, Any, Any]] = []
    for i, (value, actual) in enumerate(zip(args, live_args, strict=True)):
        if i < len(names):
            named.append((names[i], value, actual))
        elif star is not None:
            named.append((f"*{star}", value, actual))
        else:
            raise ImportFailure(f"{label}: is called with {len(args)} arguments")
    named += [(k, v, live_kwargs[k]) for k, v in kwargs.items()]
    return named


def op_node(op: Any, entry: dict, graph: Graph, catalog: Catalog, where: str,
            verify: bool) -> tuple[Node, list[tuple[int, History]]]:
    """The node for operation ``op`` (its config ``entry``), and the wires
    (port, source tensor) to connect once every node exists."""
    cls = type(op)
    label = f"{where}{op.name}"
    spec = catalog.op_spec(cls.__module__, cls.__name__)
    if spec is None:
        reason = catalog.exclusions.get(f"ops.{_snake(cls.__name__)}")
        raise ImportFailure(f"{label}: the operation {cls.__name__} "
                            f"({cls.__module__}) is not one NetBuilder knows"
                            + (f": {reason}" if reason else ""))
    inbound = entry.get("inbound_nodes") or []
    if len(inbound) != 1:
        raise ImportFailure(f"{label}: the operation is applied {len(inbound)} "
                            "times; NetBuilder expects one call per operation")
    config = op.get_config()
    params = reduce_config(spec, config, catalog, label, validate=False)
    for pspec in spec.params:  # required ones even at their usual value
        if pspec.required and pspec.name not in params and pspec.name in config:
            params[pspec.name] = jsonable(dtype_name(config[pspec.name]))
    wires: list[tuple[int, History]] = []
    variadic = spec.variadic
    for name, value, actual in _named_args(op, inbound[0], label):
        if variadic:
            items = value if isinstance(value, (list, tuple)) and \
                not name.startswith("*") else [value]
            for item in items:
                h = _history(item)
                if h is None:
                    raise ImportFailure(f"{label}: {spec.type} is given a constant "
                                        "among its tensors, which NetBuilder cannot "
                                        "represent")
                wires.append((len(wires), h))
            continue
        if name not in spec.inputs:
            raise ImportFailure(f"{label}: {spec.type} has no argument {name}")
        h = _history(value)
        if h is not None:
            wires.append((spec.inputs.index(name), h))
        else:
            params[name] = _constant(spec, name, actual, catalog, label)
    if verify:
        _check_rebuilds(op, cls, spec, params, label)
    _result_params(spec, op, params, label)
    node = graph.add_node(spec.type, name=graph.unique_name(op.name), params=params)
    return node, wires


def _constant(spec, name: str, value: Any, catalog: Catalog, label: str) -> Any:
    """A constant argument as JSON: numbers and lists as they are; arrays,
    concrete tensors, slices and ``...`` in Keras's own marked form."""
    from keras.src.saving.serialization_lib import serialize_keras_object

    try:
        value = _lists(serialize_keras_object(value))
    except Exception:  # Keras raises many kinds for objects it cannot save
        raise ImportFailure(f"{label}: constant {name} ({type(value).__name__}) "
                            "cannot be written to a project") from None
    try:
        return validate_value(spec.param(name), value, catalog)
    except Exception as exc:  # a ParamError naming the argument
        raise ImportFailure(f"{label}: constant {name}: {exc}") from None


def _check_rebuilds(op: Any, cls: type, spec, params: dict, label: str) -> None:
    """The operation rebuilt from the node's params has the same config."""
    init = {p.name for p in inspect.signature(cls.__init__).parameters.values()}
    kwargs = {k: _tupled(v) for k, v in params.items()
              if k in init and not spec.param(k).tensor}
    try:
        rebuilt = cls(**kwargs, name=op.name)
    except Exception as exc:  # Keras raises many kinds for bad arguments
        raise ImportFailure(f"{label}: Keras refuses the imported arguments: "
                            f"{str(exc).splitlines()[0][:200]}") from None
    a = json.loads(json.dumps(jsonable(op.get_config()), default=str))
    b = json.loads(json.dumps(jsonable(rebuilt.get_config()), default=str))
    if a != b:
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        raise ImportFailure(f"{label}: NetBuilder cannot reproduce the {spec.type} "
                            f"arguments {', '.join(keys[:5])} exactly")


def _lists(value: Any) -> Any:
    """Tuples as lists, recursively, keeping Keras's marked dicts."""
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value


def _snake(class_name: str) -> str:
    from netbuilder.engine.model.graph import snake_case

    return snake_case(class_name)


def _result_params(spec, op: Any, params: dict[str, Any], label: str) -> None:
    """An operation with several results keeps their number: unstack called
    without ``num`` gets the count Keras found, so the node has that many
    output ports (the same computation: Keras unstacks the whole axis); a
    count NetBuilder cannot reproduce is refused."""
    node = (getattr(op, "_inbound_nodes", None) or [None])[0]
    found = len(getattr(node, "outputs", None) or [0])
    if spec.results <= 1:
        if found > 1:
            raise ImportFailure(f"{label}: {spec.type} returns {found} tensors "
                                "here; NetBuilder knows it as an operation with "
                                "one result")
        return
    if spec.param("num") is not None and params.get("num") is None:
        params["num"] = found
    wired = len(node.arguments.keras_tensors) if spec.variadic and node else 0
    expected = ops.result_count(spec, params, wired)
    if expected != found:
        raise ImportFailure(f"{label}: {spec.type} returns {found} tensors here, "
                            f"but its parameters give {expected}")
