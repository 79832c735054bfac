"""Turn a node's JSON params into live Keras constructor arguments (imports
Keras). Which arguments are passed, and how, is decided once in
:mod:`netbuilder.engine.model.arguments`; this module only makes the objects
that description names (code generation writes the same description as
text)."""

from __future__ import annotations

from typing import Any

from netbuilder.engine.model.arguments import (
    CELL,
    CUSTOM,
    LAYER,
    OBJECT_MODULES,
    Arg,
    Call,
    Ref,
    describe_layer,
)
from netbuilder.engine.model.catalog import Catalog, LayerSpec, get_catalog
from netbuilder.engine.model.custom_code import entry_name, is_custom


def live_value(value: Any, catalog: Catalog) -> Any:
    """An argument value of the description as the Python object Keras gets.
    Nested objects are built here, so a bad config fails at the node, not
    later inside Keras."""
    if isinstance(value, Call):
        return live_call(value, catalog)
    if isinstance(value, Ref):
        from netbuilder.engine.keras.custom_classes import resolve

        return resolve(catalog, value.entry)  # the user's class (trusted)
    return value


def live_args(args: tuple[Arg, ...] | list[Arg], catalog: Catalog
              ) -> tuple[list[Any], dict[str, Any]]:
    """(positional-only values, keyword arguments)."""
    positional = [live_value(a.value, catalog) for a in args if a.name is None]
    return positional, {a.name: live_value(a.value, catalog) for a in args
                        if a.name is not None}


def live_call(call: Call, catalog: Catalog) -> Any:
    import keras

    if call.kind == LAYER:
        cls = spec_class(call.spec, catalog)
    elif call.kind == CELL:
        cls = getattr(keras.layers, call.class_name)
    elif call.kind == CUSTOM:
        from netbuilder.engine.keras.custom_classes import resolve

        cls = resolve(catalog, call.class_name)
    else:
        cls = getattr(getattr(keras, OBJECT_MODULES[call.kind]), call.class_name)
    positional, kwargs = live_args(call.args, catalog)
    return cls(*positional, **kwargs)


def layer_kwargs(type_name: str, params: dict[str, Any],
                 catalog: Catalog | None = None) -> dict[str, Any]:
    """The keyword arguments ``keras.layers.<type_name>`` is built with."""
    catalog = catalog or get_catalog()
    return live_args(describe_layer(type_name, params, catalog).args, catalog)[1]


def spec_class(spec: LayerSpec, catalog: Catalog) -> Any:
    """The class of a catalog layer: ``keras.layers.<type>``, a layer Keras
    ships in another of its own modules (``keras.applications``), a class of
    the project's custom code, or ``keras.layers.Lambda`` for a custom
    function (which comes first in the arguments)."""
    import importlib

    import keras

    if spec.category == CUSTOM:
        if spec.signature:
            return keras.layers.Lambda
        from netbuilder.engine.keras.custom_classes import resolve

        return resolve(catalog, entry_name(spec.type))
    if not spec.keras_layer and spec.module.startswith("keras.src."):
        return getattr(importlib.import_module(spec.module), spec.type)
    return getattr(keras.layers, spec.type)


def layer_class(type_name: str, catalog: Catalog | None = None) -> Any:
    """The class of a catalog layer type (see :func:`spec_class`); for a
    custom Lambda, ``keras.layers.Lambda`` with its function bound."""
    import keras

    catalog = catalog or get_catalog()
    if is_custom(type_name):
        from netbuilder.engine.keras.custom_classes import custom_layer_class

        return custom_layer_class(type_name, catalog)
    spec = catalog.get(type_name)
    if spec is None:
        return getattr(keras.layers, type_name)
    return spec_class(spec, catalog)


def make_layer(type_name: str, params: dict[str, Any], name: str | None,
               catalog: Catalog | None = None):
    """Instantiate the layer of a node with the node's params."""
    catalog = catalog or get_catalog()
    call = describe_layer(type_name, params, catalog)
    positional, kwargs = live_args(call.args, catalog)
    if name is not None:
        kwargs["name"] = name
    return spec_class(call.spec, catalog)(*positional, **kwargs)
