"""Operations (``ops.*`` nodes): how a node's wires and params become the
arguments of its ``keras.ops`` function call. Pure Python, no Keras.

A call argument of an operation is a port: a wired tensor, or (when the port
is free) a constant kept in the node's params under the argument's name
(``x * 0.5`` is ``ops.multiply`` with ``x`` wired into ``x1`` and
``{"x2": 0.5}``). Non-tensor arguments (axes, shapes, dtypes) are params.
Keras records slices in a saved config as ``{"class_name": "__slice__",
"config": {"start", "stop", "step"}}``, ``...`` as ``__ellipsis__`` and
constant arrays as ``__numpy__``/``__tensor__`` with their value and dtype;
those JSON forms are what the params hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netbuilder.engine.model.catalog import OPS_PREFIX, LayerSpec

SLICE = "__slice__"
ELLIPSIS = "__ellipsis__"
# Arrays and concrete tensors (``x + np.ones(...)``, ``x / ops.sqrt(8.0)``),
# as Keras records them: {"class_name": ..., "config": {"value", "dtype"}}.
ARRAYS = ("__numpy__", "__tensor__")
# Results of one operation node (split into N): more are refused, so a file
# cannot make the app draw millions of ports.
MAX_RESULTS = 1024


def is_op(type_name: Any) -> bool:
    return isinstance(type_name, str) and type_name.startswith(OPS_PREFIX)


def function_name(spec: LayerSpec) -> str:
    """``ops.add`` -> ``add`` (the keras.ops function)."""
    return spec.type[len(OPS_PREFIX):]


def result_count(spec: LayerSpec, params: dict[str, Any], wired: int = 0) -> int:
    """Tensors an operation node returns with these params: the catalog's
    count at the defaults, changed by the arguments that set it (split's
    ``indices_or_sections``, unstack's ``num``, svd's ``compute_uv``) or, for
    an operation on any number of tensors (meshgrid), one per wired input."""
    if spec.results <= 1:
        return 1
    if spec.param("indices_or_sections") is not None:
        sections = params.get("indices_or_sections")
        if isinstance(sections, list):
            return len(sections) + 1
        if isinstance(sections, int) and not isinstance(sections, bool) \
                and 0 < sections <= MAX_RESULTS:
            return sections
        return 1
    if spec.param("num") is not None:
        num = params.get("num")
        ok = isinstance(num, int) and not isinstance(num, bool)
        return num if ok and 0 < num <= MAX_RESULTS else 1
    if spec.param("compute_uv") is not None and params.get("compute_uv") is False:
        return 1
    if spec.variadic:
        return max(1, min(wired, MAX_RESULTS))
    return spec.results


def returns_sequence(spec: LayerSpec, params: dict[str, Any]) -> bool:
    """Whether the call returns a tuple/list even of one tensor (split into
    one part does; svd without ``compute_uv`` returns a single tensor)."""
    return spec.results > 1 and not (spec.param("compute_uv") is not None
                                     and params.get("compute_uv") is False)


@dataclass(frozen=True)
class Arg:
    """One argument of the call: ``port`` (a wired port number), or a list of
    ports (a list of tensors / ``*operands``), or a constant ``value``."""

    name: str
    port: int | None = None
    ports: tuple[int, ...] | None = None
    value: Any = None
    splat: bool = False  # *operands

    @property
    def is_value(self) -> bool:
        return self.port is None and self.ports is None


def bind(spec: LayerSpec, params: dict[str, Any], wired: list[int]
         ) -> tuple[list[Arg], list[Arg]]:
    """(positional, keyword) arguments of the operation's call, in the
    function's parameter order: positional while nothing is skipped and
    until the first optional non-tensor argument, then by keyword. ``wired``
    are the node's connected input ports."""
    positional: list[Arg] = []
    keyword: list[Arg] = []
    by_keyword = False
    for entry in spec.signature:
        name = entry.strip("[]*=")
        if entry.startswith("*"):
            positional.append(Arg(name, ports=tuple(sorted(wired)), splat=True))
            by_keyword = True
            continue
        if entry.startswith("["):
            arg = Arg(name, ports=tuple(sorted(wired)))
        elif name in spec.inputs and spec.inputs.index(name) in wired:
            arg = Arg(name, port=spec.inputs.index(name))
        elif name in params:
            arg = Arg(name, value=params[name])
            pspec = spec.param(name)
            if pspec is not None and not pspec.tensor and not pspec.required:
                by_keyword = True  # options read best by name: axis=-1
        else:
            by_keyword = True
            continue
        if by_keyword or entry.endswith("="):
            by_keyword = True
            keyword.append(arg)
        else:
            positional.append(arg)
    return positional, keyword


def missing_inputs(spec: LayerSpec, params: dict[str, Any], wired: set[int]
                   ) -> list[int]:
    """Required ports of an operation with neither a wire nor a constant."""
    if spec.variadic:
        return [] if wired else [0]
    return [port for port in range(spec.min_inputs)
            if port not in wired and spec.inputs[port] not in params]


def decode_constant(value: Any) -> Any:
    """A constant's JSON form -> the Python value Keras was called with
    (lists as tuples, slice and ellipsis markers as slices and ``...``)."""
    if isinstance(value, dict):
        kind = value.get("class_name")
        config = value.get("config") or {}
        if kind == SLICE:
            return slice(config.get("start"), config.get("stop"), config.get("step"))
        if kind == ELLIPSIS:
            return Ellipsis
        if kind in ARRAYS:
            import numpy as np

            return np.asarray(config.get("value"), dtype=config.get("dtype"))
        return {k: decode_constant(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(decode_constant(v) for v in value)
    return value


def index_text(key: Any) -> str | None:
    """A ``get_item`` key as the text between the brackets (``:, 0``), or
    None when it is not made of ints, None, slices and ``...``."""
    items = key if isinstance(key, list) else [key]
    parts = []
    for item in items:
        if item is None:
            parts.append("None")
        elif isinstance(item, bool):
            return None
        elif isinstance(item, int):
            parts.append(repr(item))
        elif isinstance(item, dict) and item.get("class_name") == ELLIPSIS:
            parts.append("...")
        elif isinstance(item, dict) and item.get("class_name") == SLICE:
            cfg = item.get("config") or {}
            bounds = [cfg.get("start"), cfg.get("stop"), cfg.get("step")]
            if any(b is not None and (isinstance(b, bool) or not isinstance(b, int))
                   for b in bounds):
                return None
            text = ":".join("" if b is None else repr(b) for b in bounds[:2])
            if bounds[2] is not None:
                text += f":{bounds[2]}"
            parts.append(text)
        else:
            return None
    if isinstance(key, list) and len(parts) == 1:
        return parts[0] + ","
    return ", ".join(parts)

