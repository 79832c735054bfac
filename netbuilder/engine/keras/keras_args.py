"""Turn a node's JSON params into Keras constructor arguments (imports Keras)."""

from __future__ import annotations

from typing import Any

from netbuilder.engine.model.catalog import Catalog, get_catalog
from netbuilder.engine.model.custom_code import code_of, is_custom
from netbuilder.engine.model.file_params import FileParamError, is_file_param


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value


def _object(kind: str, value: Any, catalog: Catalog | None = None) -> Any:
    """Nested Keras objects: Keras accepts both shortcut strings and
    {"class_name", "config"} dicts, but we build real instances so that a
    bad config fails here, at the node, not later inside Keras."""
    code = code_of(catalog) if catalog is not None else None
    name = value.get("class_name") if isinstance(value, dict) else value
    if code is not None and isinstance(name, str) and name in code.entries:
        from netbuilder.engine.keras.custom_classes import resolve

        obj = resolve(catalog, name)  # the user's class (trusted)
        return obj(**value.get("config", {})) if isinstance(value, dict) else obj
    if not isinstance(value, dict):
        return value
    import keras

    module = {"initializer": keras.initializers, "regularizer": keras.regularizers,
              "constraint": keras.constraints}[kind]
    cls = getattr(module, value["class_name"])
    return cls(**value.get("config", {}))


def layer_kwargs(type_name: str, params: dict[str, Any],
                 catalog: Catalog | None = None) -> dict[str, Any]:
    catalog = catalog or get_catalog()
    spec = catalog.get(type_name)
    kwargs: dict[str, Any] = {}
    for key, value in params.items():
        if is_file_param(type_name, key, value):
            # Keras would open the path itself (a FIFO hangs, /dev/zero fills
            # memory): callers pass the contents read by file_params instead.
            raise FileParamError(f"{key} {value[:80]!r}: file names are read by "
                                 "NetBuilder, not handed to Keras", key)
        pspec = spec.param(key) if spec else None
        kind = pspec.kind if pspec else "other"
        if kind in ("int_tuple", "shape"):
            kwargs[key] = _tupled(value)
        elif kind in ("initializer", "regularizer", "constraint"):
            kwargs[key] = _object(kind, value, catalog)
        elif kind == "activation":
            kwargs[key] = _object(kind, value, catalog)
        elif kind == "layer" and isinstance(value, dict):
            kwargs[key] = make_layer(value["type"], value.get("params", {}), None,
                                     catalog)
        else:
            kwargs[key] = value
    return kwargs


def layer_class(type_name: str, catalog: Catalog | None = None) -> type:
    """The Keras class of a catalog layer type: ``keras.layers.<type>``, or a
    layer Keras ships in another of its own modules (``keras.applications``)."""
    import importlib

    import keras

    if is_custom(type_name):
        from netbuilder.engine.keras.custom_classes import custom_layer_class

        return custom_layer_class(type_name, catalog or get_catalog())
    spec = (catalog or get_catalog()).get(type_name)
    if spec is not None and not spec.keras_layer and \
            spec.module.startswith("keras.src."):
        return getattr(importlib.import_module(spec.module), spec.type)
    return getattr(keras.layers, type_name)


def make_layer(type_name: str, params: dict[str, Any], name: str | None,
               catalog: Catalog | None = None):
    """Instantiate ``keras.layers.<type_name>`` with the node's params."""
    cls = layer_class(type_name, catalog)
    kwargs = layer_kwargs(type_name, params, catalog)
    if name is not None:
        kwargs["name"] = name
    return cls(**kwargs)
