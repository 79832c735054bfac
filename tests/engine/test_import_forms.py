"""Issue 15: parameter forms Keras accepts (ranges as pairs, arrays in
initializers, inline vocabularies) and state learned with ``adapt()``
(Normalization statistics, lookup vocabularies) survive import, code,
the in-memory model and exports."""

import numpy as np
import pytest
from fidelity_helpers import full_roundtrip

from netbuilder.engine.codegen.execute import build
from netbuilder.engine.codegen.module import generate_code
from netbuilder.engine.importing.importer import import_keras_model
from netbuilder.engine.importing.weights import apply_weights
from netbuilder.engine.keras.export import export_verified
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model.errors import ParamError
from netbuilder.engine.model.params import validate_value


def _keras():
    keras = load_keras()
    keras.backend.clear_session()
    return keras


def test_random_rotation_factor_pair_roundtrips(tmp_path):
    keras = _keras()
    inp = keras.Input((8, 8, 3))
    x = keras.layers.RandomRotation(0.1)(inp)
    x = keras.layers.Conv2D(4, 3)(x)
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(x)))
    xs = [np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32")]
    graph, _ = full_roundtrip(model, tmp_path, xs)
    rot = next(n for n in graph.nodes.values() if n.type == "RandomRotation")
    assert rot.params["factor"] == [-0.1, 0.1]
    assert "keras.layers.RandomRotation(\n        (-0.1, 0.1)," in generate_code(graph)


def test_float_pair_is_checked():
    from netbuilder.engine.model.catalog import get_catalog

    spec = get_catalog().get("RandomRotation").param("factor")
    assert validate_value(spec, [-0.2, 0.3]) == [-0.2, 0.3]
    assert validate_value(spec, 0.2) == 0.2
    for bad in ([0.1], [0.1, 0.2, 0.3], ["a", 0.1]):
        with pytest.raises(ParamError, match="a number or a pair of numbers"):
            validate_value(spec, bad)


def test_constant_initializer_holding_an_array_builds_and_exports(tmp_path):
    keras = _keras()
    init = keras.initializers.Constant(np.arange(12.0).reshape(4, 3) / 10)
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(3, kernel_initializer=init)(inp))
    xs = [np.random.default_rng(1).normal(size=(3, 4)).astype("float32")]
    graph, _ = full_roundtrip(model, tmp_path, xs)
    dense = next(n for n in graph.nodes.values() if n.type == "Dense")
    value = dense.params["kernel_initializer"]["config"]["value"]
    assert value[3] == [0.9, 1.0, 1.1]
    # A fresh build (no carried weights) starts from the array too.
    fresh = build(import_keras_model(model, with_weights=False).graph).model
    np.testing.assert_allclose(fresh.layers[-1].get_weights()[0],
                               np.arange(12.0).reshape(4, 3) / 10, atol=1e-7)


def _adapted_normalization_model(keras):
    norm = keras.layers.Normalization()
    norm.adapt(np.random.default_rng(2).normal(5.0, 3.0, (200, 4)).astype("float32"))
    inp = keras.Input((4,))
    x = keras.layers.Dense(8, activation="relu")(norm(inp))
    return keras.Model(inp, keras.layers.Dense(3, activation="softmax")(x))


def test_adapted_normalization_statistics_reach_the_in_memory_model(tmp_path):
    keras = _keras()
    model = _adapted_normalization_model(keras)
    result = import_keras_model(model)
    built = build(result.graph)
    report = apply_weights(built.model, result.graph, result.weights)
    assert len(report.loaded) == 3
    xs = np.random.default_rng(3).normal(5.0, 3.0, (4, 4)).astype("float32")
    norm = built.model.get_layer("normalization")
    np.testing.assert_allclose(np.asarray(norm(xs)),
                               np.asarray(model.get_layer("normalization")(xs)),
                               atol=1e-6)
    assert float(np.max(np.abs(np.asarray(built.model(xs)) -
                               np.asarray(model(xs))))) <= 1e-6
    # the export is checked against the model with the statistics
    exported = export_verified(built.model, "keras", str(tmp_path / "n.keras"),
                               inputs=[xs])
    assert exported.max_abs_diff <= 1e-6


def test_adapted_normalization_file_roundtrip(tmp_path):
    keras = _keras()
    model = _adapted_normalization_model(keras)
    xs = [np.random.default_rng(4).normal(5.0, 3.0, (4, 4)).astype("float32")]
    full_roundtrip(model, tmp_path, xs)


def test_adapted_string_lookup_vocabulary_is_inline(tmp_path):
    keras = _keras()
    lookup = keras.layers.StringLookup(output_mode="one_hot")
    lookup.adapt(np.array(["cat", "dog", "dog", "fish", "dog", "cat"]))
    inp = keras.Input((1,), dtype="string")
    model = keras.Model(inp, keras.layers.Dense(2)(lookup(inp)))
    xs = [np.array([["dog"], ["cat"], ["bird"]], dtype=object)]
    graph, again = full_roundtrip(model, tmp_path, xs)
    node = next(n for n in graph.nodes.values() if n.type == "StringLookup")
    assert node.params["vocabulary"] == ["dog", "cat", "fish"]
    assert again.get_layer(node.name).get_vocabulary() == \
        ["[UNK]", "dog", "cat", "fish"]


def test_adapted_integer_lookup_and_text_vectorization(tmp_path):
    keras = _keras()
    ints = keras.layers.IntegerLookup()
    ints.adapt(np.array([3, 5, 5, 7, 7, 7]))
    text = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    text.adapt(np.array(["the cat sat", "the dog sat down", "a cat"]))
    a = keras.Input((1,), dtype="int64")
    b = keras.Input((1,), dtype="string")
    emb = keras.layers.Embedding(20, 3)(text(b))
    model = keras.Model([a, b], [keras.layers.CategoryEncoding(
        5, output_mode="one_hot")(ints(a)), emb])
    xs = [np.array([[5], [7], [9]]), np.array([["the cat"], ["a dog sat"], ["zzz"]],
                                                 dtype=object)]
    graph, again = full_roundtrip(model, tmp_path, xs)
    node = next(n for n in graph.nodes.values() if n.type == "TextVectorization")
    assert node.params["vocabulary"][:3] == ["the", "sat", "cat"]
    assert again.get_layer(node.name).get_vocabulary()[:4] == \
        ["", "[UNK]", "the", "sat"]
