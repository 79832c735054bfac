"""Node params become Keras arguments in one place (engine/model/arguments.py):
the layer shape inference builds and the layer the generated code builds have
the same ``get_config()``, for every catalog layer with its starting params
and with each optional argument varied in turn."""

from __future__ import annotations

import json

import pytest

from netbuilder.engine.codegen.layout import Atom, Group, Item, render
from netbuilder.engine.codegen.literals import (
    constructor,
    layer_args,
    layer_import,
    string_literal,
)
from netbuilder.engine.keras.keras_args import make_layer
from netbuilder.engine.model.catalog import HIDDEN, get_catalog
from netbuilder.engine.model.params import default_params, validate_value

# A non-default value per argument kind (None: not varied by kind).
INITIALIZERS = ["ones", {"class_name": "HeNormal", "config": {"seed": 3}},
                {"class_name": "Constant", "config": {"value": [0.5, -1.5]}},
                {"class_name": "RandomNormal", "config": {"mean": 0.0,
                                                          "stddev": 0.2}}]
REGULARIZERS = ["l2", {"class_name": "L1L2", "config": {"l1": 0.01, "l2": 0.0}}]
CONSTRAINTS = ["non_neg", {"class_name": "MaxNorm", "config": {"max_value": 3.0,
                                                               "axis": 1}}]
BY_NAME = {
    "vocabulary": [["a", "b", "c"]],
    "layer": [{"type": "GRU", "params": {"units": 3, "dropout": 0.25}},
              {"type": "Dense", "params": {"units": 4, "use_bias": False,
                                           "kernel_regularizer": "l1"}}],
    "cell": [{"type": "GRUCell", "params": {"units": 5, "reset_after": False,
                                            "kernel_initializer": "zeros"}}],
    "dtype": ["float64", "mixed_float16"],
}
# Layers that take most of a second to build: their starting params only.
SLOW_TO_BUILD = {"STFTSpectrogram", "AugMix", "RandAugment"}


def _variants(pspec) -> list:
    if pspec.name in BY_NAME:
        return BY_NAME[pspec.name]
    kind, default = pspec.kind, pspec.default
    if kind == "bool":
        return [not default]
    if kind == "int":
        return [2 if default in (None, 1) else default + 1]
    if kind == "float":
        values = [0.25 if default in (None, 0.0) else default / 2]
        return values + ([[0.1, 0.3]] if pspec.pair else [])
    if kind == "choice":
        return [c for c in pspec.choices if c != default][:2]
    if kind == "activation":
        return ["tanh"]
    if kind == "int_tuple":
        return [2, [2] * pspec.length] if pspec.length else [2]
    return {"initializer": INITIALIZERS, "regularizer": REGULARIZERS,
            "constraint": CONSTRAINTS}.get(kind, [])


def _from_code(spec, params, catalog):
    """Build the layer by running the code the code generator writes for it."""
    import keras

    args = layer_args(spec, params, catalog)
    args.append(Item(Atom(string_literal("probe")), "name="))
    lines = render(Group(constructor(spec), "(", args, ")"), 0, "layer = ", "")
    source = "\n".join(filter(None, [layer_import(spec), *lines]))
    namespace = {"keras": keras}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102
    return namespace["layer"], source


def _unnamed(value, top=False):
    """A config with the names of wrapped layers left out: Keras numbers
    them afresh for every instance (``forward_lstm_7``)."""
    if isinstance(value, dict):
        return {k: _unnamed(v) for k, v in value.items()
                if top or not (k == "name" and "trainable" in value)}
    if isinstance(value, (list, tuple)):
        return [_unnamed(v) for v in value]
    return value


def _config(layer) -> str:
    return json.dumps(_unnamed(layer.get_config(), top=True), sort_keys=True,
                      default=str)


def _compare(spec, params, catalog) -> str | None:
    """None when both sides build the same layer (or both refuse the params),
    else what differs. Returns "refused" when both refuse."""
    try:
        live = make_layer(spec.type, params, "probe", catalog)
    except Exception as exc:  # Keras refuses some combinations: so must the code
        try:
            _from_code(spec, params, catalog)
        except Exception:
            return "refused"
        return f"inference refused ({exc}) but the generated code built the layer"
    built, source = _from_code(spec, params, catalog)
    if _config(live) != _config(built):
        return f"configs differ for\n{source}\n{_config(live)}\n{_config(built)}"
    return None


def _cases():
    """Every layer with its starting params, then with one optional argument
    varied at a time. A (name, value) pair already tried on an earlier layer
    is tried again only while the layer has had no varied argument yet (the
    rules depend on an argument's kind and name, not on the layer)."""
    catalog = get_catalog()
    seen: set[str] = set()
    for spec in catalog.specs():
        if spec.category in HIDDEN or spec.type.startswith("ops."):
            continue
        start = default_params(spec.type, catalog)
        if spec.param("seed") is not None:
            start["seed"] = 7  # else Keras draws one per instance
        yield spec, start
        if spec.type in SLOW_TO_BUILD:
            continue
        varied = False
        for pspec in spec.params:
            if pspec.required or pspec.name in ("name", "seed"):
                continue
            for value in _variants(pspec):
                try:
                    value = validate_value(pspec, value, catalog)
                except Exception:
                    continue  # not a value this argument takes
                key = json.dumps([pspec.name, value], sort_keys=True)
                if value == pspec.default or (key in seen and varied):
                    continue
                seen.add(key)
                varied = True
                yield spec, {**start, pspec.name: value}


@pytest.mark.filterwarnings("ignore")
def test_inference_and_generated_code_build_the_same_layer():
    catalog = get_catalog()
    compared, varied_kinds, failures = set(), set(), []
    for spec, params in _cases():
        problem = _compare(spec, params, catalog)
        if problem == "refused":
            continue
        if problem is not None:
            failures.append(f"{spec.type} {params}: {problem}")
            continue
        compared.add(spec.type)
        for key in params:
            varied_kinds.add(spec.param(key).kind)
    assert failures == [], "\n\n".join(failures[:5])
    layers = [s for s in catalog.specs()
              if s.category not in HIDDEN and not s.type.startswith("ops.")]
    # Nearly every layer is built both ways, and every kind of argument
    # (nested objects, wrapped layers, cells, tuples, dtypes) is exercised.
    assert len(compared) >= len(layers) - 5, sorted(
        {s.type for s in layers} - compared)
    assert {"initializer", "regularizer", "constraint", "layer", "int_tuple",
            "dtype", "choice", "bool", "float", "int"} <= varied_kinds
