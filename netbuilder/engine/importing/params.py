"""Reduce a Keras layer's ``get_config()`` to NetBuilder node params.

The result holds only constructor arguments that differ from the catalog's
defaults, as JSON values: nested initializers, regularizers and constraints
become a shortcut name (``"glorot_uniform"``) when their config is the
default, else ``{"class_name", "config"}`` with the non-default arguments;
wrapped layers become ``{"type", "params"}``. :func:`check_rebuilds` then
proves the reduction lossless by building the layer from the params and
comparing its config with the original's.
"""

from __future__ import annotations

import json
from typing import Any

from netbuilder.engine.model.catalog import (
    CELL_LAYERS,
    LAYER_ONLY_ARGS,
    Catalog,
    LayerSpec,
)
from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.graph import snake_case
from netbuilder.engine.model.params import validate_params

# Config keys that are not constructor arguments NetBuilder keeps.
IGNORED_KEYS = {"name", "build_config", "compile_config", "registered_name", "module"}
OBJECT_KINDS = ("initializer", "regularizer", "constraint")


# One sentence for a model whose layers are wired by Python code in call().
SUBCLASSED = ("the model is a subclassed keras.Model ({name}): its call() is "
              "Python code, not a graph of layers, so there is nothing NetBuilder "
              "can edit; build it with the Functional API (keras.Input and layer "
              "calls, then keras.Model(inputs, outputs)) or as a keras.Sequential")


class ImportFailure(GraphError):
    """A model cannot be imported; the message says what and where."""


def jsonable(value: Any) -> Any:
    """Tuples as lists, recursively (configs mix both); an array Keras wrote
    as ``{"class_name": "__numpy__", ...}`` (a ``Constant`` initializer's
    value, say) as its nested list of numbers, which Keras accepts too."""
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        if value.get("class_name") == "__numpy__" and \
                isinstance(value.get("config"), dict):
            return jsonable(value["config"].get("value"))
        return {k: jsonable(v) for k, v in value.items()}
    return value


def learned_config(layer: Any) -> dict[str, Any]:
    """``layer.get_config()`` with state learned by ``adapt()`` that the config
    leaves out: a lookup layer's vocabulary (StringLookup, IntegerLookup,
    TextVectorization) written inline, as the constructor accepts it.
    Normalization statistics are weights and travel with the weights file."""
    config = dict(layer.get_config())
    vocabulary = getattr(layer, "get_vocabulary", None)
    if callable(vocabulary) and config.get("vocabulary") is None and \
            config.get("vocabulary_size"):
        try:
            words = vocabulary(include_special_tokens=False)
        except TypeError:  # TextVectorization's takes the flag too; others not
            words = vocabulary()
        config["vocabulary"] = [w.item() if hasattr(w, "item") else w
                                for w in words]
    return config


def dtype_name(value: Any) -> Any:
    """A dtype policy dict (``{"class_name": "DTypePolicy", ...}``) -> its name."""
    if isinstance(value, dict):
        config = value.get("config", {})
        return config.get("name") if isinstance(config, dict) else None
    return value


def reduce_object(kind: str, value: Any, catalog: Catalog, where: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, dict) or "class_name" not in value:
        raise ImportFailure(f"{where}: {kind} {str(value)[:80]} is not a Keras "
                            f"{kind} NetBuilder knows")
    class_name = value["class_name"]
    classes = catalog.objects.get(kind, {}).get("classes", {})
    if class_name not in classes:
        raise ImportFailure(f"{where}: the {kind} {class_name!r} is not a built-in "
                            f"Keras {kind} (custom objects cannot be imported)")
    defaults = classes[class_name]
    config = {k: jsonable(v) for k, v in (value.get("config") or {}).items()
              if k in defaults and jsonable(v) != defaults[k]}
    unknown = [k for k in (value.get("config") or {}) if k not in defaults]
    if unknown:
        raise ImportFailure(f"{where}: {class_name} has arguments NetBuilder does "
                            f"not know: {', '.join(unknown)}")
    short = snake_case(class_name)
    known = short in classes or short in catalog.objects.get(kind, {}).get("names", [])
    if not config and known and _shortcut_works(kind, short):
        return short
    return {"class_name": class_name, "config": config}


_SHORTCUTS: dict[tuple[str, str], bool] = {}


def _shortcut_works(kind: str, short: str) -> bool:
    """Whether Keras resolves the shortcut name (``"constant"`` it does not)."""
    key = (kind, short)
    if key not in _SHORTCUTS:
        from netbuilder.engine.keras.runtime import load_keras

        keras = load_keras()
        module = {"initializer": keras.initializers,
                  "regularizer": keras.regularizers,
                  "constraint": keras.constraints}[kind]
        try:
            module.get(short)
            _SHORTCUTS[key] = True
        except Exception:  # Keras raises KeyError/ValueError for these
            _SHORTCUTS[key] = False
    return _SHORTCUTS[key]


def reduce_layer(value: Any, catalog: Catalog, where: str,
                 choices: list | None) -> dict[str, Any]:
    """A wrapped layer config (Bidirectional's layer, RNN's cell)."""
    if not isinstance(value, dict) or "class_name" not in value:
        raise ImportFailure(f"{where}: wrapped layer {str(value)[:80]} is not a "
                            "layer config")
    type_name = value["class_name"]
    config = value.get("config") or {}
    if type_name in CELL_LAYERS and choices and type_name in choices:
        layer = catalog.get(CELL_LAYERS[type_name])
        spec = LayerSpec(type=type_name, category=layer.category,
                         params=[p for p in layer.params
                                 if p.name not in LAYER_ONLY_ARGS])
        params = reduce_config(spec, config, catalog, f"{where} ({type_name})",
                               validate=False)
        return {"type": type_name, "params": params}
    spec = catalog.get(type_name)
    if spec is None or spec.category in ("io", "group"):
        raise ImportFailure(f"{where}: wraps a {type_name}, which is not a Keras "
                            "layer NetBuilder knows")
    return {"type": spec.type,
            "params": reduce_config(spec, config, catalog, f"{where} ({type_name})")}


def reduce_value(pspec, value: Any, catalog: Catalog, where: str) -> Any:
    kind = pspec.kind
    if kind in OBJECT_KINDS:
        return reduce_object(kind, value, catalog, f"{where}.{pspec.name}")
    if kind == "activation":
        if isinstance(value, dict):
            raise ImportFailure(f"{where}: activation {value.get('class_name')!r} "
                                "is a custom object and cannot be imported")
        if value == "linear" and pspec.default is None and not pspec.required:
            return None
        return value
    if kind == "layer":
        if value is None:
            return None
        return reduce_layer(value, catalog, f"{where}.{pspec.name}", pspec.choices)
    if kind == "dtype":
        return dtype_name(value)
    if kind == "int" and isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]  # Keras stores some axes as one-element tuples
    return jsonable(value)


def _same_backward(config: dict[str, Any]) -> bool:
    """Whether a Bidirectional's backward layer is the one Keras makes itself
    (the forward layer with go_backwards flipped)."""
    fwd, bwd = config.get("layer"), config.get("backward_layer")
    if not isinstance(fwd, dict) or not isinstance(bwd, dict):
        return bwd is None
    a = {k: v for k, v in (fwd.get("config") or {}).items()
         if k not in ("name", "go_backwards")}
    b = {k: v for k, v in (bwd.get("config") or {}).items()
         if k not in ("name", "go_backwards")}
    return fwd.get("class_name") == bwd.get("class_name") and a == b and \
        bool((fwd.get("config") or {}).get("go_backwards")) != \
        bool((bwd.get("config") or {}).get("go_backwards"))


def reduce_config(spec: LayerSpec, config: dict[str, Any], catalog: Catalog,
                  where: str, validate: bool = True) -> dict[str, Any]:
    """``get_config()`` of a layer -> node params (non-default values only)."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key in IGNORED_KEYS:
            continue
        if key == "dtype":
            value = dtype_name(value)
            if value in (None, "float32"):
                continue
        if key == "trainable" and value is True:
            continue
        if key == "backward_layer" and spec.type == "Bidirectional" \
                and _same_backward(config):
            continue
        pspec = spec.param(key)
        if pspec is None:
            # Not a constructor argument of the catalog (e.g. a value Keras
            # derives itself): dropped here; check_rebuilds proves the layer
            # rebuilt without it has the same config.
            continue
        value = reduce_value(pspec, value, catalog, where)
        if not pspec.required and _equal_default(value, pspec.default):
            continue
        out[key] = value
    if not validate:
        return out
    try:
        return validate_params(spec.type, out, catalog)
    except GraphError as exc:
        raise ImportFailure(f"{where}: {exc}") from None


def _equal_default(value: Any, default: Any) -> bool:
    if value == default:
        return True
    # A one-int tuple argument written as a full tuple of that int.
    if isinstance(default, list) and isinstance(value, list) and value and \
            all(v == default[0] for v in value) and len(set(default)) == 1 \
            and len(value) == len(default):
        return True
    return False


def _without_names(value: Any) -> Any:
    """Layer configs (dicts with ``trainable``) without name and build config,
    at every depth (wrapped layers get fresh names when rebuilt)."""
    if isinstance(value, dict):
        if value.get("class_name") == "__numpy__":
            return jsonable(value)
        layer = "trainable" in value
        return {k: _axis(k, _without_names(v)) for k, v in value.items()
                if k != "build_config" and not (layer and k == "name")}
    if isinstance(value, (list, tuple)):
        return [_without_names(v) for v in value]
    if hasattr(value, "item") and hasattr(value, "dtype"):
        return value.item()  # a numpy scalar (a vocabulary word)
    return value


def _axis(key: str, value: Any) -> Any:
    """Built normalization layers store ``axis=-1`` as ``[-1]``: the same."""
    if key == "axis" and isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def comparable_config(config: dict[str, Any]) -> str:
    """A layer config without layer names, as canonical JSON."""
    return json.dumps(_without_names(config), sort_keys=True, default=str)


def check_rebuilds(layer: Any, type_name: str, params: dict[str, Any],
                   catalog: Catalog, where: str,
                   config: dict[str, Any] | None = None) -> None:
    """Build the layer from ``params`` and compare configs (``config``: the
    original's, with learned state, see :func:`learned_config`): the import
    must not lose or change any argument."""
    from netbuilder.engine.keras.keras_args import make_layer

    try:
        rebuilt = make_layer(type_name, params, layer.name, catalog)
    except Exception as exc:  # Keras raises many kinds for bad arguments
        raise ImportFailure(f"{where}: Keras refuses the imported arguments: "
                            f"{str(exc).splitlines()[0][:200]}") from None
    original = json.loads(comparable_config(config if config is not None
                                            else layer.get_config()))
    again = json.loads(comparable_config(rebuilt.get_config()))
    if original != again:
        keys = sorted(k for k in set(original) | set(again)
                      if original.get(k) != again.get(k))
        raise ImportFailure(f"{where}: NetBuilder cannot reproduce the "
                            f"{type_name} arguments {', '.join(keys[:5])} exactly")
