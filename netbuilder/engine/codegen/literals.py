"""Render validated parameter values as Python literals and constructor calls.

Which arguments a layer gets is decided in
:mod:`netbuilder.engine.model.arguments` (shape inference builds its Keras
layers from the same description); this module writes it as text.

Nothing from a project file reaches generated code except through these
functions: numbers, booleans and ``None`` are written with ``repr`` after a
type check, text is written as an escaped string literal, and nested Keras
objects become ``keras.<module>.<Class>(...)`` calls whose class and argument
names have been checked against the catalog and are Python identifiers.
"""

from __future__ import annotations

import math
from typing import Any

from netbuilder.engine.codegen.layout import Atom, Group, Item, Node
from netbuilder.engine.model.arguments import (
    CELL,
    CUSTOM,
    LAYER,
    OBJECT_MODULES,
    Arg,
    Call,
    Ref,
    argument_value,
    is_identifier,
    layer_arguments,
)
from netbuilder.engine.model.catalog import Catalog, LayerSpec, ParamSpec
from netbuilder.engine.model.errors import ParamError


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
    if spec.category == CUSTOM:
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
            spec.category != CUSTOM else None
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


def custom_constructor(spec: LayerSpec) -> str:
    """A custom layer is written as its class (imported from the user's
    module); a Lambda as ``keras.layers.Lambda`` (its function comes first
    in its arguments, see :func:`layer_arguments`)."""
    if spec.signature:
        return "keras.layers.Lambda"
    name = spec.type.removeprefix("custom.")
    if not is_identifier(name):
        raise ParamError(f"unknown layer type {spec.type!r}")
    return name


def code_value(value: Any) -> Node:
    """An argument value of the description as code: tuples as tuple
    literals, nested objects as constructor calls."""
    if isinstance(value, Call):
        return Group(call_constructor(value), "(", code_args(value.args), ")")
    if isinstance(value, Ref):
        if not is_identifier(value.text):
            raise ParamError(f"{value.text!r} is not a Python name")
        return Atom(value.text)  # a function or class of the user's module
    if isinstance(value, tuple):
        return literal(value, tuples=True)
    return literal(value)


def code_args(args: tuple[Arg, ...] | list[Arg]) -> list[Item]:
    return [Item(code_value(arg.value), "" if arg.positional or arg.name is None
                 else arg.name + "=")
            for arg in args]


def call_constructor(call: Call) -> str:
    """``keras.layers.Dense``, ``keras.layers.LSTMCell``,
    ``keras.regularizers.L2``: how code names a nested object's class."""
    if call.kind == LAYER:
        return constructor(call.spec)
    if not is_identifier(call.class_name):
        raise ParamError(f"{call.class_name!r} is not a Keras class")
    if call.kind == CELL:
        return f"keras.layers.{call.class_name}"
    if call.kind == CUSTOM:
        return call.class_name
    return f"keras.{OBJECT_MODULES[call.kind]}.{call.class_name}"


def param_node(spec: ParamSpec, value: Any, catalog: Catalog) -> Node:
    """One validated parameter value as code."""
    return code_value(argument_value(spec, value, catalog))


def layer_args(spec: LayerSpec, params: dict[str, Any], catalog: Catalog) -> list[Item]:
    """Constructor arguments as code (the rules: :func:`layer_arguments`)."""
    return code_args(layer_arguments(spec, params, catalog))
