"""Issue 15: models whose inputs or outputs are dicts (the functional-API
guide's multi-input/multi-output model, a wide-and-deep model with named
string inputs) keep their structure through import, code and export."""

import numpy as np
import pytest
from fidelity_helpers import full_roundtrip

from netbuilder.engine.codegen.module import CodegenError, generate_code
from netbuilder.engine.importing.importer import import_keras_model
from netbuilder.engine.keras.runtime import load_keras


def _keras():
    keras = load_keras()
    keras.backend.clear_session()
    return keras


def _ticket_model(keras):
    """The guide's ticket classifier: dict in, dict out."""
    title = keras.Input((6,), name="title", dtype="int32")
    body = keras.Input((10,), name="body", dtype="int32")
    tags = keras.Input((4,), name="tags")
    t = keras.layers.LSTM(8)(keras.layers.Embedding(50, 4)(title))
    b = keras.layers.LSTM(4)(keras.layers.Embedding(50, 4)(body))
    x = keras.layers.concatenate([t, b, tags])
    return keras.Model(
        inputs={"title": title, "body": body, "tags": tags},
        outputs={"priority": keras.layers.Dense(1, name="priority")(x),
                 "department": keras.layers.Dense(3, name="department")(x)})


def test_dict_inputs_and_outputs_roundtrip(tmp_path):
    keras = _keras()
    model = _ticket_model(keras)
    rng = np.random.default_rng(0)
    data = {"title": rng.integers(0, 50, (3, 6)).astype("int32"),
            "body": rng.integers(0, 50, (3, 10)).astype("int32"),
            "tags": rng.normal(size=(3, 4)).astype("float32")}
    xs = [data[t.name] for t in model.inputs]  # Keras orders a dict's inputs
    graph, again = full_roundtrip(model, tmp_path, xs)
    assert graph.extra["structure"] == {"inputs": ["title", "body", "tags"],
                                        "outputs": ["priority", "department"]}
    code = generate_code(graph)
    assert 'inputs={"title": title, "body": body, "tags": tags},' in code
    assert 'outputs={"priority": priority, "department": department},' in code
    # the exported model takes and returns dicts with the same keys
    out = again(data)
    assert sorted(out) == ["department", "priority"]
    want = model(data)
    for key in out:
        assert float(np.max(np.abs(np.asarray(out[key]) - np.asarray(want[key])))) \
            <= 1e-5


def test_wide_and_deep_with_named_string_inputs(tmp_path):
    keras = _keras()
    city = keras.Input((1,), name="city", dtype="string")
    age = keras.Input((1,), name="age")
    lookup = keras.layers.StringLookup(vocabulary=["paris", "oslo", "lima"],
                                       output_mode="one_hot")
    wide = lookup(city)
    deep = keras.layers.Dense(4, activation="relu")(age)
    both = keras.layers.concatenate([wide, deep])
    model = keras.Model({"city": city, "age": age},
                        keras.layers.Dense(1, name="score")(both))
    data = {"city": np.array([["oslo"], ["rome"], ["lima"]], dtype=object),
            "age": np.array([[31.0], [5.0], [70.0]], dtype="float32")}
    xs = [data[t.name] for t in model.inputs]
    graph, _ = full_roundtrip(model, tmp_path, xs)
    assert graph.extra["structure"] == {"inputs": ["city", "age"]}


def test_keys_that_no_longer_fit_are_a_codegen_problem():
    keras = _keras()
    graph = import_keras_model(_ticket_model(keras), with_weights=False).graph
    out = graph.output_nodes()[0]
    graph.remove_node(out.id)
    with pytest.raises(CodegenError, match="outputs are a dict with keys"):
        generate_code(graph)
