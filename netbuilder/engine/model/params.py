"""Validate and normalise parameter values against their :class:`ParamSpec`.

Values are JSON values (tuples as lists). :func:`validate_value` returns the
normalised value or raises :class:`ParamError` with a plain-words message.
Nested Keras objects (initializers, regularizers, constraints) are either a
string shortcut known to Keras or ``{"class_name": ..., "config": {...}}``
with a class Keras has; a wrapped layer is ``{"type": ..., "params": {...}}``.
"""

from __future__ import annotations

import re
from typing import Any

from netbuilder.engine.model.catalog import Catalog, ParamSpec, get_catalog
from netbuilder.engine.model.errors import ParamError
from netbuilder.engine.model.numeric import MAX_INT, is_bounded_int, is_finite_number

IDENTIFIER_TEXT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Sizes and counts that Keras refuses unless they are at least 1.
POSITIVE_INTS = {
    "units", "filters", "num_heads", "key_dim", "value_dim", "output_dim",
    "input_dim", "n", "num_tokens", "max_tokens", "groups", "depth_multiplier",
    "height", "width", "num_bins", "num_key_value_heads", "head_dim",
    "num_query_heads", "batch_size",
}
# Probabilities: dropout rates.
FRACTIONS = {"rate", "dropout", "recurrent_dropout"}


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return is_finite_number(v)


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(spec: ParamSpec, expected: str, value: Any) -> ParamError:
    return ParamError(f"{spec.name} must be {expected}, got {describe(value)}",
                      spec.name)


def _json_only(value: Any, depth: int = 0) -> bool:
    """True when value is made only of JSON scalars, lists and str-keyed dicts."""
    if depth > 20:
        return False
    if value is None or isinstance(value, (bool, str)):
        return True
    if _is_int(value) or isinstance(value, float):
        return is_finite_number(value)
    if isinstance(value, list):
        return all(_json_only(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_only(v, depth + 1)
                   for k, v in value.items())
    return False


def validate_value(spec: ParamSpec, value: Any,
                   catalog: Catalog | None = None) -> Any:
    """Return ``value`` normalised for ``spec`` or raise :class:`ParamError`."""
    catalog = catalog or get_catalog()
    if isinstance(value, tuple):
        value = list(value)
    if value is None:
        if spec.nullable or spec.default is None and not spec.required:
            return None
        raise ParamError(f"{spec.name} needs a value", spec.name)
    kind = spec.kind
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not _is_int(value):
            raise _fail(spec, "an integer", value)
        if not is_bounded_int(value):
            raise _fail(spec, f"an integer of at most {MAX_INT}", value)
        if spec.name in POSITIVE_INTS and value < 1:
            raise _fail(spec, "a positive integer", value)
        return value
    if kind == "float":
        if spec.pair and isinstance(value, list):
            if len(value) != 2 or not all(_is_number(v) for v in value):
                raise _fail(spec, "a number or a pair of numbers [low, high]", value)
            return value
        if not _is_number(value):
            raise _fail(spec, "a number", value)
        if spec.name in FRACTIONS and not 0 <= value < 1:
            raise _fail(spec, "a fraction from 0 up to (not including) 1", value)
        return float(value) if isinstance(value, float) else value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _fail(spec, "true or false", value)
        return value
    if kind == "choice":
        if spec.choices and value not in spec.choices:
            options = ", ".join(repr(c) for c in spec.choices)
            raise _fail(spec, f"one of {options}", value)
        return value
    if kind == "dtype":
        if not isinstance(value, str) or (spec.choices and value not in spec.choices):
            raise _fail(spec, "a dtype name such as 'float32'", value)
        return value
    if kind == "int_tuple":
        return _validate_int_tuple(spec, value)
    if kind == "shape":
        if _is_int(value):
            value = [value]
        if not isinstance(value, list) or not all(
                v is None or (is_bounded_int(v) and (v > 0 or v == -1))
                for v in value):
            raise _fail(spec, "a list of positive integers (null for a free axis)",
                        value)
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise _fail(spec, "text", value)
        return value
    if kind in ("activation", "initializer", "regularizer", "constraint"):
        return validate_object(spec, value, catalog)
    if kind == "layer":
        return validate_layer_value(spec, value, catalog)
    if not _json_only(value):
        raise _fail(spec, "a JSON value (number, text, list or object)", value)
    return value


def _validate_int_tuple(spec: ParamSpec, value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if is_bounded_int(value):
        return value
    if isinstance(value, list) and value:
        flat = all(is_bounded_int(v) for v in value)
        nested = all(isinstance(v, list) and v
                     and all(is_bounded_int(x) for x in v) for v in value)
        if (flat or nested) and (spec.length is None or len(value) == spec.length):
            return [list(v) if isinstance(v, list) else v for v in value]
    n = f"{spec.length} " if spec.length else ""
    raise _fail(spec, f"an integer or a list of {n}integers", value)


def validate_object(spec: ParamSpec, value: Any, catalog: Catalog) -> Any:
    """A Keras object given by name, or as {"class_name", "config"}."""
    objects = catalog.objects.get(spec.kind, {})
    names = objects.get("names", [])
    classes = objects.get("classes", {})
    if isinstance(value, str):
        known = set(names) | set(classes)
        if known and value not in known:
            examples = sorted(n for n in known if n.islower())[:4]
            raise ParamError(
                f"{spec.name}: {describe(value)} is not a known Keras {spec.kind}"
                + (f" (for example {', '.join(repr(n) for n in examples)})"
                   if examples else ""), spec.name)
        return value
    if isinstance(value, dict) and spec.kind != "activation":
        class_name = value.get("class_name")
        config = value.get("config", {})
        if not isinstance(class_name, str) or class_name not in classes:
            raise ParamError(
                f"{spec.name}: class_name must be one of "
                f"{', '.join(sorted(classes)) or 'the Keras classes'}, "
                f"got {describe(class_name)}", spec.name)
        if not isinstance(config, dict):
            raise _fail(spec, "an object whose config is a mapping", config)
        allowed = classes[class_name]
        for key, item in config.items():
            if key not in allowed:
                raise ParamError(
                    f"{spec.name}: {class_name} has no argument {describe(key)}",
                    spec.name)
            if not _json_only(item):
                raise ParamError(f"{spec.name}: {class_name}.{key} must be a plain "
                                 f"value, got {describe(item)}", spec.name)
            expected = _config_type_problem(key, item, allowed)
            if expected:
                raise ParamError(f"{spec.name}: {class_name}.{key} must be "
                                 f"{expected}, got {describe(item)}", spec.name)
        extra = set(value) - {"class_name", "config", "module", "registered_name"}
        if extra:
            raise ParamError(f"{spec.name}: unexpected keys {sorted(extra)}",
                             spec.name)
        return {"class_name": class_name, "config": dict(config)}
    what = "the name of an activation" if spec.kind == "activation" else (
        f"the name of a {spec.kind} or {{\"class_name\": ..., \"config\": {{...}}}}")
    raise _fail(spec, what, value)


def _numbers(value: Any) -> bool:
    """A number or a (nested) list of numbers."""
    if isinstance(value, list):
        return all(_numbers(v) for v in value)
    return _is_number(value)


def _config_type_problem(key: str, item: Any, allowed: Any) -> str:
    """What an argument of a Keras object must be, judged by its default
    (Keras accepts ``RandomNormal(stddev="wide")`` and fails only when the
    weights are made, i.e. in training or export, never in ``check``)."""
    default = allowed.get(key) if isinstance(allowed, dict) else None
    if key == "seed":
        return "" if item is None or is_bounded_int(item) else "an integer or null"
    if isinstance(default, bool):
        return "" if isinstance(item, bool) else "true or false"
    if _is_int(default) or isinstance(default, float):
        return "" if _numbers(item) else "a number"
    if isinstance(default, str):
        return "" if isinstance(item, str) else "text"
    return ""


def validate_layer_value(spec: ParamSpec, value: Any, catalog: Catalog) -> Any:
    """A wrapped layer: {"type": "LSTM", "params": {...}}."""
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise _fail(spec, 'a layer such as {"type": "LSTM", "params": {"units": 32}}',
                    value)
    inner = catalog.get(value["type"])
    allowed_types = spec.choices
    if allowed_types and value["type"] in allowed_types:
        # RNN cells are not palette layers; their params are checked by Keras.
        params = value.get("params", {})
        if not isinstance(params, dict) or not _json_only(params):
            raise _fail(spec, "a layer whose params are plain values", params)
        return {"type": value["type"], "params": dict(params)}
    if inner is None or inner.category in ("io", "group"):
        raise ParamError(f"{spec.name}: unknown layer type {describe(value['type'])}",
                         spec.name)
    params = value.get("params", {})
    if not isinstance(params, dict):
        raise _fail(spec, "a layer whose params are a mapping", params)
    return {"type": inner.type, "params": validate_params(inner.type, params, catalog)}


def validate_params(type_name: str, params: dict[str, Any],
                    catalog: Catalog | None = None) -> dict[str, Any]:
    """Validate a whole params mapping; drop values equal to the default."""
    catalog = catalog or get_catalog()
    spec = catalog.get(type_name)
    if spec is None:
        raise ParamError(f"unknown layer type {describe(type_name)}")
    out: dict[str, Any] = {}
    for key, value in params.items():
        pspec = spec.param(key)
        if pspec is None:
            raise ParamError(f"{spec.type} has no parameter {describe(key)}", key)
        normalised = validate_value(pspec, value, catalog)
        if not pspec.required and normalised == pspec.default:
            continue
        out[key] = normalised
    return out


def missing_required(type_name: str, params: dict[str, Any],
                     catalog: Catalog | None = None) -> list[str]:
    catalog = catalog or get_catalog()
    spec = catalog.get(type_name)
    if spec is None:
        return []
    return [p.name for p in spec.params if p.required and params.get(p.name) is None]


def default_params(type_name: str, catalog: Catalog | None = None) -> dict[str, Any]:
    """Sensible starting values for required params of a new node."""
    catalog = catalog or get_catalog()
    spec = catalog.get(type_name)
    if spec is None:
        return {}
    starters = {
        "units": 64, "filters": 32, "kernel_size": 3, "rate": 0.5, "num_heads": 2,
        "key_dim": 16, "input_dim": 1000, "output_dim": 64, "n": 2,
        "target_shape": [-1], "dims": [2, 1], "height": 32, "width": 32,
        "shape": [32], "stddev": 0.1, "num_tokens": 10, "groups": 1,
        "output_size": 1, "equation": "ab,bc->ac", "output_shape": [64],
        "num_query_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
        "layer": {"type": "LSTM", "params": {"units": 32}},
        "cell": {"type": "LSTMCell", "params": {"units": 32}},
        "factor": 0.1, "height_factor": 0.1, "width_factor": 0.1,
        "pool_size": 2, "scale": 1.0 / 255, "max_number": 1,
        "axes": -1, "max_tokens": 1000, "activation": "relu", "num_bins": 4,
    }
    # Layers that need an argument Keras marks optional, or a different start.
    per_type = {
        "CategoryEncoding": {"num_tokens": 10},
        "Discretization": {"num_bins": 4},
        "RandomPosterization": {"factor": 4},
        "SpectralNormalization": {"layer": {"type": "Dense", "params": {"units": 8}}},
        # ConvNeXt's defaults; projection_dim must be the input's channels.
        "LayerScale": {"init_values": 1e-6, "projection_dim": 32},
        "StochasticDepth": {"drop_path_rate": 0.1},
        "CustomScaleLayer": {"scale": 0.17},
    }
    out = {}
    for p in spec.params:
        if p.required and p.name in starters:
            out[p.name] = starters[p.name]
    out.update(per_type.get(type_name, {}))
    return out
