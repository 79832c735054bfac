"""Node params -> the arguments of a Keras constructor call: the one rule.

Shape inference (:mod:`netbuilder.engine.keras.keras_args`, which makes live
Keras objects) and code generation (:mod:`netbuilder.engine.codegen.literals`,
which writes source text) both read the same description made here, so the
layer a user sees checked is the layer the generated code builds.

The description is neutral (no Keras is imported): a list of :class:`Arg`,
each a name, whether code passes it by position, and a value that is

- a plain JSON value (number, text, bool, None, list, str-keyed dict),
- a Python ``tuple`` where Keras takes a tuple (kernel sizes, shapes, value
  ranges), nested lists in it as tuples too, or
- a :class:`Call`: a nested object built by its class with its own
  arguments (an initializer, regularizer or constraint given as
  ``{"class_name", "config"}``, a wrapped layer such as Bidirectional's
  ``layer``, an RNN's ``cell``, a class of the project's custom code), or
- a :class:`Ref`: a class or function of the project's custom code used by
  name (a custom activation, a Lambda's function).

The rules: every value is validated against its spec; arguments at their
default are left out (layers and nested objects alike); required ones must be
there; an RNN cell takes its layer's arguments without the layer-only ones;
a file name (a vocabulary path) never reaches Keras, its contents do.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any

from netbuilder.engine.model.catalog import (
    CELL_LAYERS,
    HIDDEN,
    LAYER_ONLY_ARGS,
    Catalog,
    LayerSpec,
    ParamSpec,
)
from netbuilder.engine.model.custom_code import entry_name
from netbuilder.engine.model.errors import ParamError
from netbuilder.engine.model.file_params import FileParamError, is_file_param
from netbuilder.engine.model.params import validate_value

# Required leading arguments Keras code conventionally passes by position.
POSITIONAL_NAMES = {
    "units", "filters", "kernel_size", "rate", "activation", "target_shape",
    "dims", "layer", "cell", "input_dim", "output_dim", "n", "pool_size",
    "stddev", "factor", "height_factor", "width_factor", "height", "width",
    "output_size",
}
# Kinds of nested Keras objects and the keras module holding their classes.
OBJECT_MODULES = {
    "initializer": "initializers",
    "regularizer": "regularizers",
    "constraint": "constraints",
}
MAX_NESTING = 4
LAYER, CELL = "layer", "cell"
CUSTOM = "custom"  # a Call of a class of the project's custom code


@dataclass(frozen=True)
class Arg:
    """One constructor argument."""

    name: str | None  # None: by position only (a Lambda's function)
    value: Any  # a plain JSON value, a tuple, a Call or a Ref
    positional: bool = False


@dataclass(frozen=True)
class Call:
    """A nested object: ``kind`` is ``"layer"`` (``spec`` says where Keras
    keeps the class), ``"cell"`` (``keras.layers.<class_name>``) or one of
    :data:`OBJECT_MODULES` (``keras.<module>.<class_name>``)."""

    kind: str
    class_name: str
    args: tuple[Arg, ...]
    spec: LayerSpec | None = None


@dataclass(frozen=True)
class Ref:
    """A class or function of the project's custom code: ``entry`` names its
    custom-code entry, ``text`` is how code names it."""

    entry: str
    text: str


def is_identifier(text: Any) -> bool:
    return isinstance(text, str) and text.isidentifier() and not keyword.iskeyword(text)


def as_tuple(value: Any) -> Any:
    """A list (nested lists too) as a tuple; other values unchanged."""
    if isinstance(value, (list, tuple)):
        return tuple(as_tuple(v) for v in value)
    return value


def is_custom_object(catalog: Catalog, name: Any) -> bool:
    """Whether ``name`` is a class or function of the project's custom code."""
    code = getattr(catalog, "custom", None)
    return code is not None and isinstance(name, str) and name in code.entries


def layer_arguments(spec: LayerSpec, params: dict[str, Any], catalog: Catalog,
                    depth: int = 0) -> list[Arg]:
    """The constructor arguments of a ``spec`` layer with ``params``:
    conventional leading required ones by position, every other non-default
    one by keyword, in the signature's order."""
    for key, value in params.items():
        if is_file_param(spec.type, key, value):
            # Keras would open the path itself (a FIFO hangs, /dev/zero fills
            # memory): callers pass the contents read by file_params instead.
            raise FileParamError(f"{key} {value[:80]!r}: file names are read by "
                                 "NetBuilder, not handed to Keras", key)
        if spec.param(key) is None:
            raise ParamError(f"{spec.type} has no parameter {key!r}", key)
        if not is_identifier(key):
            raise ParamError(f"{key!r} is not an argument name", key)
    args: list[Arg] = []
    if spec.category == CUSTOM and spec.signature:
        if not is_identifier(spec.signature[0]):
            raise ParamError(f"{spec.type}: bad function name")
        args.append(Arg(None, Ref(entry_name(spec.type), spec.signature[0]), True))
    positional = True
    for pspec in spec.params:
        if pspec.call:
            continue  # given to the layer's call (ports.call_flags)
        if pspec.name not in params:
            if pspec.required:
                raise ParamError(f"{spec.type} needs {pspec.name}", pspec.name)
            positional = False
            continue
        value = validate_value(pspec, params[pspec.name], catalog)
        if not pspec.required and value == pspec.default:
            positional = False
            continue
        positional = positional and pspec.required and pspec.name in POSITIONAL_NAMES
        args.append(Arg(pspec.name, argument_value(pspec, value, catalog, depth),
                        positional))
    return args


def argument_value(spec: ParamSpec, value: Any, catalog: Catalog,
                   depth: int = 0) -> Any:
    """One parameter value as an argument value (validated)."""
    value = validate_value(spec, value, catalog)
    kind = spec.kind
    if value is None:
        return None
    if kind in ("int_tuple", "shape") or (kind == "float" and isinstance(value, list)):
        return as_tuple(value)
    if kind in OBJECT_MODULES and isinstance(value, dict):
        return object_call(kind, value, catalog)
    if kind in (*OBJECT_MODULES, "activation") and is_custom_object(catalog, value):
        return Ref(value, value)  # a function or class of the user's module
    if kind == LAYER:
        return wrapped_layer(value, catalog, depth + 1)
    return value


def object_call(kind: str, value: dict[str, Any], catalog: Catalog) -> Call:
    """``{"class_name": "L2", "config": {"l2": 0.01}}`` -> a call of
    ``keras.regularizers.L2`` with ``l2=0.01`` (arguments at their default
    left out; arrays, e.g. a Constant's value, stay lists)."""
    class_name = value["class_name"]
    if is_custom_object(catalog, class_name):
        return Call(CUSTOM, class_name, tuple(
            Arg(k, v) for k, v in value.get("config", {}).items() if is_identifier(k)))
    classes = catalog.objects.get(kind, {}).get("classes", {})
    if class_name not in classes or not is_identifier(class_name):
        raise ParamError(f"{class_name!r} is not a Keras {kind} class")
    defaults = classes[class_name]
    args = []
    for key, item in value.get("config", {}).items():
        if key not in defaults or not is_identifier(key):
            raise ParamError(f"{class_name} has no argument {key!r}")
        if item != defaults[key]:
            args.append(Arg(key, item))
    return Call(kind, class_name, tuple(args))


def wrapped_layer(value: dict[str, Any], catalog: Catalog, depth: int) -> Call:
    """A layer held by a parameter (Bidirectional's ``layer``, RNN's
    ``cell``), without a name."""
    if depth > MAX_NESTING:
        raise ParamError("layers are wrapped too deeply")
    type_name = value["type"]
    params = value.get("params", {})
    if type_name in CELL_LAYERS:
        return Call(CELL, type_name, tuple(cell_arguments(type_name, params,
                                                          catalog, depth)))
    spec = catalog.get(type_name)
    if spec is None or spec.category in HIDDEN or not is_identifier(spec.type):
        raise ParamError(f"unknown layer type {type_name!r}")
    return Call(LAYER, spec.type, tuple(layer_arguments(spec, params, catalog, depth)),
                spec)


def cell_arguments(cell_type: str, params: dict[str, Any], catalog: Catalog,
                   depth: int) -> list[Arg]:
    """An RNN cell takes its layer's arguments but the layer-only ones."""
    layer = catalog.get(CELL_LAYERS[cell_type])
    if layer is None:
        raise ParamError(f"unknown cell type {cell_type!r}")
    cell = LayerSpec(type=cell_type, category=layer.category,
                     params=[p for p in layer.params if p.name not in LAYER_ONLY_ARGS])
    return layer_arguments(cell, params, catalog, depth)


def describe_layer(type_name: str, params: dict[str, Any],
                   catalog: Catalog) -> Call:
    """The whole constructor call of a node's layer (its name not included)."""
    spec = catalog.get(type_name)
    if spec is None:
        raise ParamError(f"unknown layer type {type_name!r}")
    return Call(LAYER, spec.type, tuple(layer_arguments(spec, params, catalog)), spec)
