"""Render validated parameter values as Python literals and constructor calls.

Nothing from a project file reaches generated code except through these
functions: numbers, booleans and ``None`` are written with ``repr`` after a
type check, text is written as an escaped string literal, and nested Keras
objects become ``keras.<module>.<Class>(...)`` calls whose class and argument
names have been checked against the catalog and are Python identifiers.
"""

from __future__ import annotations

import keyword
import math
from typing import Any

from netbuilder.engine.codegen.layout import Atom, Group, Item, Node
from netbuilder.engine.model.catalog import (
    CELL_LAYERS,
    LAYER_ONLY_ARGS,
    Catalog,
    LayerSpec,
    ParamSpec,
)
from netbuilder.engine.model.errors import ParamError
from netbuilder.engine.model.params import validate_value

# Required leading arguments Keras code conventionally passes by position.
POSITIONAL_NAMES = {
    "units", "filters", "kernel_size", "rate", "activation", "target_shape",
    "dims", "layer", "cell", "input_dim", "output_dim", "n", "pool_size",
    "stddev", "factor", "height_factor", "width_factor", "height", "width",
    "output_size",
}
OBJECT_MODULES = {
    "initializer": "initializers",
    "regularizer": "regularizers",
    "constraint": "constraints",
}
MAX_NESTING = 4


def string_literal(text: str) -> str:
    """``text`` as a Python string literal, escaped like ``repr`` does, with
    the quote ``ruff format`` prefers (double unless that needs more escapes)."""
    if not isinstance(text, str):
        raise TypeError("string_literal needs text")
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    return quote + "".join(out) + quote


def is_identifier(text: Any) -> bool:
    return isinstance(text, str) and text.isidentifier() and not keyword.iskeyword(text)


def literal(value: Any, tuples: bool = False, depth: int = 0) -> Node:
    """A JSON value as a Python literal (lists as tuples with ``tuples``)."""
    if depth > 20:
        raise ParamError("value is nested too deeply")
    if value is None or isinstance(value, bool):
        return Atom(repr(value))
    if isinstance(value, int):
        return Atom(repr(int(value)))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParamError(f"{value!r} is not a finite number")
        return Atom(repr(float(value)))
    if isinstance(value, str):
        return Atom(string_literal(value))
    if isinstance(value, (list, tuple)):
        items = [Item(literal(v, tuples, depth + 1)) for v in value]
        if tuples:
            return Group("", "(", items, ")", tuple_one=True)
        return Group("", "[", items, "]")
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise ParamError(f"mapping key {key!r} is not text")
            items.append(Item(literal(item, tuples, depth + 1),
                              string_literal(key) + ": "))
        return Group("", "{", items, "}")
    raise ParamError(f"{type(value).__name__} values cannot be written as code")


def constructor(spec: LayerSpec) -> str:
    """How code names a layer class: ``keras.layers.Dense``, or the bare class
    of a layer Keras ships elsewhere (imported by :func:`layer_import`)."""
    if spec.category == "custom":
        return custom_constructor(spec)
    if not is_identifier(spec.type):
        raise ParamError(f"unknown layer type {spec.type!r}")
    return f"keras.layers.{spec.type}" if spec.keras_layer else spec.type


def layer_imports(graph) -> list[str]:
    """Imports of the layers Keras ships outside ``keras.layers`` that the
    graph (or a group in it) uses, sorted."""
    from netbuilder.engine.model.groups import GROUP, inner_graph

    found: set[str] = set()
    for node in graph.nodes.values():
        if node.type == GROUP:
            found.update(layer_imports(inner_graph(node, graph.catalog)))
            continue
        spec = graph.catalog.get(node.type)
        line = layer_import(spec) if spec is not None and \
            spec.category != "custom" else None
        if line:
            found.add(line)
    return sorted(found)


def layer_import(spec: LayerSpec) -> str | None:
    """``from keras.src.applications.convnext import LayerScale`` for a layer
    Keras ships outside ``keras.layers``; None for ``keras.layers`` ones."""
    if spec.keras_layer:
        return None
    parts = spec.module.split(".")
    if parts[0] != "keras" or not all(is_identifier(p) for p in parts):
        raise ParamError(f"{spec.type}: {spec.module!r} is not a Keras module")
    return f"from {spec.module} import {constructor(spec)}"


def object_call(kind: str, value: dict[str, Any], catalog: Catalog) -> Node:
    """``{"class_name": "L2", "config": {"l2": 0.01}}`` ->
    ``keras.regularizers.L2(l2=0.01)`` (arguments at their default left out)."""
    class_name = value["class_name"]
    classes = catalog.objects.get(kind, {}).get("classes", {})
    if is_custom_object(catalog, class_name):
        return Group(class_name, "(", [Item(literal(v), k + "=") for k, v in
                                       value.get("config", {}).items()
                                       if is_identifier(k)], ")")
    if class_name not in classes or not is_identifier(class_name):
        raise ParamError(f"{class_name!r} is not a Keras {kind} class")
    defaults = classes[class_name]
    items = []
    for key, item in value.get("config", {}).items():
        if key not in defaults or not is_identifier(key):
            raise ParamError(f"{class_name} has no argument {key!r}")
        if item == defaults[key]:
            continue
        items.append(Item(literal(item), key + "="))
    return Group(f"keras.{OBJECT_MODULES[kind]}.{class_name}", "(", items, ")")


def param_node(spec: ParamSpec, value: Any, catalog: Catalog, depth: int = 0) -> Node:
    """One validated parameter value as code."""
    value = validate_value(spec, value, catalog)
    kind = spec.kind
    if value is None:
        return Atom("None")
    if kind in ("int_tuple", "shape") or (kind == "float" and isinstance(value, list)):
        return literal(value, tuples=True)
    if kind in OBJECT_MODULES and isinstance(value, dict):
        return object_call(kind, value, catalog)
    if kind in (*OBJECT_MODULES, "activation") and is_custom_object(catalog, value):
        return Atom(value)  # a function or class of the user's module
    if kind == "layer":
        return wrapped_layer(value, catalog, depth + 1)
    return literal(value)


def wrapped_layer(value: dict[str, Any], catalog: Catalog, depth: int) -> Node:
    """A layer held by a parameter (Bidirectional's ``layer``, RNN's ``cell``)
    as a nested constructor call without a name."""
    if depth > MAX_NESTING:
        raise ParamError("layers are wrapped too deeply")
    type_name = value["type"]
    if type_name in CELL_LAYERS:
        return Group(f"keras.layers.{type_name}", "(",
                     cell_args(type_name, value.get("params", {}), catalog, depth), ")")
    spec = catalog.get(type_name)
    if spec is None or spec.category in ("io", "group") or not is_identifier(spec.type):
        raise ParamError(f"unknown layer type {type_name!r}")
    items = layer_args(spec, value.get("params", {}), catalog, depth)
    return Group(constructor(spec), "(", items, ")")


def custom_constructor(spec: LayerSpec) -> str:
    """A custom layer is written as its class (imported from the user's
    module); a Lambda as ``keras.layers.Lambda`` (its function comes first
    in :func:`layer_args`)."""
    if spec.signature:
        return "keras.layers.Lambda"
    name = spec.type.removeprefix("custom.")
    if not is_identifier(name):
        raise ParamError(f"unknown layer type {spec.type!r}")
    return name


def is_custom_object(catalog: Catalog, name: Any) -> bool:
    code = getattr(catalog, "custom", None)
    return code is not None and isinstance(name, str) and name in code.entries


def cell_args(cell_type: str, params: dict[str, Any], catalog: Catalog,
              depth: int) -> list[Item]:
    layer = catalog.get(CELL_LAYERS[cell_type])
    if layer is None:
        raise ParamError(f"unknown cell type {cell_type!r}")
    cell = LayerSpec(type=cell_type, category=layer.category,
                     params=[p for p in layer.params if p.name not in LAYER_ONLY_ARGS])
    return layer_args(cell, params, catalog, depth)


def layer_args(spec: LayerSpec, params: dict[str, Any], catalog: Catalog,
               depth: int = 0) -> list[Item]:
    """Constructor arguments: conventional leading required ones by position,
    every other non-default one by keyword, in the signature's order."""
    for key in params:
        if spec.param(key) is None:
            raise ParamError(f"{spec.type} has no parameter {key!r}", key)
        if not is_identifier(key):
            raise ParamError(f"{key!r} is not an argument name", key)
    items: list[Item] = []
    if spec.category == "custom" and spec.signature:
        if not is_identifier(spec.signature[0]):
            raise ParamError(f"{spec.type}: bad function name")
        items.append(Item(Atom(spec.signature[0])))  # a Lambda's function
    positional = True
    for pspec in spec.params:
        if pspec.name not in params:
            if pspec.required:
                raise ParamError(f"{spec.type} needs {pspec.name}", pspec.name)
            positional = False
            continue
        value = validate_value(pspec, params[pspec.name], catalog)
        if not pspec.required and value == pspec.default:
            positional = False
            continue
        node = param_node(pspec, value, catalog, depth)
        positional = positional and pspec.required and pspec.name in POSITIONAL_NAMES
        items.append(Item(node, "" if positional else pspec.name + "="))
    return items
