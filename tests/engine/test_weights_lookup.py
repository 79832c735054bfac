"""Carrying weights looks every layer up by name: each (sub-)model's layer
list is walked once, not once per layer (Keras's ``get_layer`` walks them
all on each call, which made a 1,000-layer import quadratic)."""

import numpy as np
import pytest

from netbuilder.engine.codegen.execute import build
from netbuilder.engine.importing.importer import import_keras_model
from netbuilder.engine.importing.weights import (
    LayerFinder,
    apply_weights,
    collect_weights,
)
from netbuilder.engine.keras.runtime import load_keras

DEPTH = 30


def _model():
    keras = load_keras()
    keras.backend.clear_session()
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, name="a"),
                              keras.layers.Dense(4, name="b")], name="inner")
    x = keras.Input((4,))
    y = x
    for i in range(DEPTH):
        y = keras.layers.Dense(4, name=f"d{i}")(y)
    return keras.Model(x, inner(y))


def _count_walks(monkeypatch, *models):
    """Count reads of ``.layers`` per model object."""
    walks: dict[int, int] = {}
    for cls in {type(m) for m in models}:
        original = next(k.__dict__["layers"] for k in cls.__mro__
                        if "layers" in k.__dict__)

        def counted(self, _get=original.fget):
            walks[id(self)] = walks.get(id(self), 0) + 1
            return _get(self)

        monkeypatch.setattr(cls, "layers", property(counted))
    return walks


def test_collecting_weights_walks_each_model_once(monkeypatch):
    model = _model()
    inner = model.get_layer("inner")
    result = import_keras_model(model)
    walks = _count_walks(monkeypatch, model, inner)
    weights = collect_weights(model, result.graph)
    assert walks == {id(model): 1, id(inner): 1}
    assert len(weights) == DEPTH + 2
    kernels = sorted(np.asarray(w[0]).sum() for w in weights.values())
    assert kernels == sorted(np.asarray(layer.get_weights()[0]).sum()
                             for layer in [*model.layers[1:-1], *inner.layers])


def test_applying_weights_walks_each_model_once(monkeypatch):
    model = _model()
    result = import_keras_model(model)
    built = build(result.graph).model
    rebuilt_inner = next(layer for layer in built.layers if layer.name == "inner")
    walks = _count_walks(monkeypatch, built, rebuilt_inner)
    report = apply_weights(built, result.graph, result.weights)
    assert walks == {id(built): 1, id(rebuilt_inner): 1}
    assert len(report.loaded) == DEPTH + 2 and not report.problems
    x = np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(np.asarray(built(x)), np.asarray(model(x)),
                               atol=1e-6)


def test_a_missing_layer_is_named_in_plain_words():
    model = _model()
    finder = LayerFinder(model)
    assert finder.find(["inner", "b"]).name == "b"
    assert finder.find(["d7"]) is model.get_layer("d7")
    with pytest.raises(ValueError, match="^the model has no layer named 'nope'$"):
        finder.find(["inner", "nope"])
