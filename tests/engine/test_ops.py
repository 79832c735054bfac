"""keras.ops operations as nodes and call-time tensor keyword ports: the
catalog, shapes, code, and the fidelity of imported models that use them."""

from __future__ import annotations

import pytest
from ops_fidelity import check_roundtrip, signature

from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.execute import build
from netbuilder.engine.codegen.module import generate_code
from netbuilder.engine.importing.importer import import_keras_model
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model import ports
from netbuilder.engine.model.catalog import get_catalog
from netbuilder.engine.model.graph import Graph


@pytest.fixture(scope="module")
def keras():
    return load_keras()


# ------------------------------------------------------------------ catalog
def test_every_keras_ops_function_is_an_operation_or_left_out_with_a_reason():
    from netbuilder.engine.keras.ops_catalog import public_op_functions

    catalog = get_catalog()
    functions = public_op_functions()
    missing = [f for f in functions if catalog.get(f"ops.{f}") is None
               and f"ops.{f}" not in catalog.exclusions]
    assert missing == []
    ops = [t for t in catalog.layer_types() if t.startswith("ops.")]
    assert len(ops) > 250  # element-wise math, reductions, shapes, nn, linalg ...
    for name in ("add", "multiply", "matmul", "einsum", "mean", "reshape",
                 "transpose", "expand_dims", "squeeze", "concatenate", "stack",
                 "get_item", "hard_silu", "greater", "where", "softmax"):
        assert f"ops.{name}" in ops, name
    # aliases fold into their operation, like layer aliases
    assert catalog.get("ops.hard_swish").type == "ops.hard_silu"
    assert catalog.get("ops.abs").type == "ops.absolute"
    # never a layer class name, and every one in the Operations category
    layer_names = {t for t in catalog.layer_types() if "." not in t}
    assert not {t.split(".", 1)[1] for t in ops} & layer_names
    assert {catalog.get(t).category for t in ops} == {"operations"}
    assert "operations" in catalog.by_category()
    for reason in (catalog.exclusions[k] for k in catalog.exclusions
                   if k.startswith("ops.")):
        assert len(reason) > 15


def test_tensor_arguments_are_ports_and_the_rest_params():
    catalog = get_catalog()
    mean = catalog.get("ops.mean")
    assert mean.inputs == ["x"] and mean.min_inputs == 1
    assert [p.name for p in mean.params if not p.tensor] == ["axis", "keepdims"]
    assert mean.param("keepdims").kind == "bool"
    add = catalog.get("ops.add")
    assert add.inputs == ["x1", "x2"] and all(p.tensor for p in add.params)
    concat = catalog.get("ops.concatenate")
    assert concat.variadic and concat.call_style == "list"
    assert concat.param("axis").default == 0
    einsum = catalog.get("ops.einsum")
    assert einsum.variadic and einsum.param("subscripts").required
    assert catalog.get("ops.cast").param("dtype").kind == "dtype"
    assert catalog.get("ops.scan") is None
    assert "Python function" in catalog.exclusions["ops.scan"]


def test_keyword_tensor_ports_of_layers():
    catalog = get_catalog()
    lstm = catalog.get("LSTM")
    assert lstm.inputs == ["input", "initial_state[0]", "initial_state[1]", "mask"]
    assert lstm.min_inputs == 1 and lstm.keyword_from == 1
    assert catalog.get("GRU").inputs == ["input", "initial_state[0]", "mask"]
    assert ports.keyword_port(lstm, 2) == ("initial_state", 1)
    assert ports.keyword_port(lstm, 0) is None
    assert ports.split_call(lstm, {0: "x", 2: "c", 1: "h", 3: "m"}) == \
        (["x"], {"initial_state": ["h", "c"], "mask": "m"})
    assert catalog.get("MultiHeadAttention").inputs[3:] == [
        "query_mask", "value_mask", "key_mask", "attention_mask"]


# ------------------------------------------------------------ graph, code
def residual_graph() -> tuple[Graph, dict]:
    """``y = dense(x) * 0.5 + x`` as nodes."""
    g = Graph("residual")
    x = g.add_node("Input", name="x", params={"shape": [6]})
    d = g.add_node("Dense", name="dense", params={"units": 6})
    m = g.add_node("ops.multiply", params={"x2": 0.5})
    a = g.add_node("ops.add")
    out = g.add_node("Output")
    g.connect(x.id, 0, d.id, 0)
    g.connect(d.id, 0, m.id, 0)
    g.connect(m.id, 0, a.id, 0)
    g.connect(x.id, 0, a.id, 1)
    g.connect(a.id, 0, out.id, 0)
    return g, {"x": x, "dense": d, "multiply": m, "add": a}


def test_operation_shapes_code_and_model():
    import numpy as np

    g, n = residual_graph()
    assert n["multiply"].name == "multiply" and n["add"].name == "add"
    report = analyze(g)
    assert not report.diagnostics
    assert report.info[n["add"].id].output_shapes == [(None, 6)]
    assert report.info[n["multiply"].id].params == 0
    text = generate_code(g)
    assert "multiply = keras.ops.multiply(dense, 0.5)" in text
    assert "add = keras.ops.add(multiply, x)" in text
    model = build(g).model
    assert [type(o).__name__ for o in model.operations] == \
        ["InputLayer", "Dense", "Multiply", "Add"]
    xs = np.arange(12, dtype="float32").reshape(2, 6)
    kernel, bias = model.get_layer("dense").get_weights()
    # float32 terms up to ~16 cancel to ~0.4: allow a rounding step of the
    # terms (1e-6 absolute), not only of the result (the random kernel that
    # other test orders draw gave 4.8e-7 absolute, 1.1e-6 relative)
    np.testing.assert_allclose(np.asarray(model(xs)),
                               (xs @ kernel + bias) * 0.5 + xs, rtol=1e-6,
                               atol=1e-6)


def test_a_free_port_needs_a_wire_or_a_constant():
    g, n = residual_graph()
    g.set_param(n["multiply"].id, "x2", None)
    problems = [d for d in analyze(g).diagnostics if d.severity == "error"]
    assert [(d.node, d.port) for d in problems] == [(n["multiply"].id, 1)]
    assert "'x2'" in problems[0].message and "constant" in problems[0].message


def test_keras_explains_a_bad_broadcast_at_the_operation():
    g, n = residual_graph()
    g.set_param(n["dense"].id, "units", 4)
    problems = [d for d in analyze(g).diagnostics if d.severity == "error"]
    assert [d.node for d in problems] == [n["add"].id]
    assert "4" in problems[0].message and "6" in problems[0].message


def test_index_reduction_and_list_operations_generate_readable_code(keras):
    # operation names come from Keras's process-wide counters: start them
    # afresh so the names below do not depend on the tests that ran before
    keras.backend.clear_session()
    x = keras.Input((4, 6), name="x")
    a = x[:, 1:3, ...]
    b = keras.ops.mean(x, axis=(1, 2), keepdims=True)
    c = keras.ops.concatenate([keras.ops.reshape(a, (-1, 12)),
                               keras.ops.reshape(b, (-1, 1))], axis=-1)
    d = keras.ops.einsum("bi,bj->bij", c, c)
    e = 1.0 - keras.ops.transpose(d, (0, 2, 1))[:, 0]
    model = keras.Model(x, e)
    graph = import_keras_model(model).graph
    text = generate_code(graph)
    assert "get_item = x[:, 1:3, ...]" in text
    assert "keras.ops.mean(x, axis=(1, 2), keepdims=True)" in text
    assert "keras.ops.reshape(get_item, (-1, 12))" in text
    assert "keras.ops.concatenate([reshape, reshape_1], axis=-1)" in text
    assert 'keras.ops.einsum("bi,bj->bij", concatenate, concatenate)' in text
    assert "keras.ops.subtract(1.0, get_item_1)" in text
    rebuilt = build(graph).model
    assert signature(rebuilt) == signature(model)
    assert analyze(graph).info[graph.output_nodes()[0].id].output_shapes == \
        [(None, 13)]


# ------------------------------------------------------------ fidelity
ARITHMETIC_SOURCE = '''
import keras
from keras import layers


def make():
    x = keras.Input((6,), name="x")
    d = layers.Dense(6, name="dense")(x)
    y = d * 0.5 + x
    z = 2.0 - y ** 2 / 3.0
    s = keras.ops.einsum("bi,bj->bij", z, -x)
    f = keras.ops.reshape(keras.ops.transpose(s, (0, 2, 1)), (-1, 36))
    h = layers.Dense(4, name="features")(f)
    first = keras.ops.max(y[:, :3], axis=-1, keepdims=True)
    both = keras.ops.concatenate([h, first], axis=-1)
    out = layers.Softmax(name="probs")(both / 2.0)
    return keras.Model(x, out, name="arithmetic")


def build_model():
    model = make()
    model.load_weights("arithmetic.weights.h5")
    return model
'''


def arithmetic(tmp_path):
    scope: dict = {}
    exec(compile(ARITHMETIC_SOURCE, "arithmetic", "exec"), scope)
    model = scope["make"]()
    model.save_weights(tmp_path / "arithmetic.weights.h5")
    return model


def test_arithmetic_model_keras_file_roundtrip(keras, tmp_path):
    model = arithmetic(tmp_path)
    model.save(tmp_path / "arithmetic.keras")
    graph, diff = check_roundtrip(model, tmp_path / "arithmetic.keras",
                                  features=("features",))
    types = sorted(n.type for n in graph.nodes.values() if n.type.startswith("ops."))
    assert types == sorted([
        "ops.multiply", "ops.add", "ops.power", "ops.true_divide", "ops.subtract",
        "ops.negative", "ops.einsum", "ops.transpose", "ops.reshape", "ops.get_item",
        "ops.max", "ops.concatenate", "ops.true_divide"])


def test_arithmetic_model_python_file_roundtrip(keras, tmp_path):
    model = arithmetic(tmp_path)
    source = tmp_path / "arithmetic.py"
    source.write_text(ARITHMETIC_SOURCE, encoding="utf-8")
    check_roundtrip(model, source, features=("features",), run_python=True)


def transformer_encoder(keras, inputs, head_size, num_heads, ff_dim, mask=None):
    """The encoder block of the keras.io timeseries Transformer example."""
    layers = keras.layers
    x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads,
                                  dropout=0.1)(inputs, inputs, attention_mask=mask)
    x = layers.Dropout(0.1)(x)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    res = x + inputs
    x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
    x = layers.Dropout(0.1)(x)
    x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    return x + res


def test_timeseries_transformer_roundtrip(keras, tmp_path):
    layers = keras.layers
    inputs = keras.Input(shape=(12, 3))
    x = inputs
    for _ in range(2):
        x = transformer_encoder(keras, x, head_size=8, num_heads=2, ff_dim=4)
    x = layers.GlobalAveragePooling1D(data_format="channels_last")(x)
    x = layers.Dense(8, activation="relu", name="mlp")(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.save(tmp_path / "transformer.keras")
    graph, _ = check_roundtrip(model, tmp_path / "transformer.keras",
                               features=("mlp",))
    assert sum(n.type == "ops.add" for n in graph.nodes.values()) == 4


def test_attention_mask_is_a_keyword_port(keras, tmp_path):
    layers = keras.layers
    inputs = keras.Input(shape=(5, 4), name="series")
    mask = keras.Input(shape=(5, 5), dtype="bool", name="allowed")
    x = transformer_encoder(keras, inputs, head_size=4, num_heads=2, ff_dim=4,
                            mask=mask)
    outputs = layers.Dense(2, name="head")(layers.Flatten()(x))
    model = keras.Model([inputs, mask], outputs)
    model.save(tmp_path / "masked.keras")
    graph, _ = check_roundtrip(model, tmp_path / "masked.keras")
    mha = next(n for n in graph.nodes.values() if n.type == "MultiHeadAttention")
    wired = {ports.input_name(get_catalog().get("MultiHeadAttention"), e.dst_port):
             graph.nodes[e.src].name for e in graph.incoming(mha.id)}
    assert wired == {"query": "series", "value": "series", "attention_mask": "allowed"}
    assert "attention_mask=allowed" in generate_code(graph)


def test_lstm_encoder_decoder_with_initial_state_roundtrip(keras, tmp_path):
    layers = keras.layers
    encoder_inputs = keras.Input(shape=(None, 7), name="encoder_inputs")
    _, h, c = layers.LSTM(16, return_state=True, name="encoder")(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, 9), name="decoder_inputs")
    decoder = layers.LSTM(16, return_sequences=True, return_state=True,
                          name="decoder")
    sequence, _, _ = decoder(decoder_inputs, initial_state=[h, c])
    outputs = layers.Dense(9, activation="softmax", name="dense")(sequence)
    model = keras.Model([encoder_inputs, decoder_inputs], outputs)
    model.save(tmp_path / "seq2seq.keras")
    graph, _ = check_roundtrip(model, tmp_path / "seq2seq.keras",
                               features=("decoder",))
    node = next(n for n in graph.nodes.values() if n.name == "decoder")
    spec = get_catalog().get("LSTM")
    wired = {ports.input_name(spec, e.dst_port): (graph.nodes[e.src].name, e.src_port)
             for e in graph.incoming(node.id)}
    assert wired == {"input": ("decoder_inputs", 0),
                     "initial_state[0]": ("encoder", 1),
                     "initial_state[1]": ("encoder", 2)}
    text = generate_code(graph)
    assert "initial_state=[encoder_state_0, encoder_state_1]" in text


def test_gru_state_and_explicit_mask_roundtrip(keras, tmp_path):
    layers = keras.layers
    tokens = keras.Input(shape=(6,), dtype="int32", name="tokens")
    keep = keras.Input(shape=(6,), dtype="bool", name="keep")
    start = keras.Input(shape=(5,), name="start")
    e = layers.Embedding(20, 4, name="embed")(tokens)
    y = layers.GRU(5, name="gru")(e, initial_state=start, mask=keep)
    model = keras.Model([tokens, keep, start], layers.Dense(3, name="out")(y))
    model.save(tmp_path / "gru.keras")
    graph, _ = check_roundtrip(model, tmp_path / "gru.keras", features=("gru",))
    text = generate_code(graph)
    assert "initial_state=[start], mask=keep" in text


def test_an_automatic_mask_stays_automatic(keras, tmp_path):
    layers = keras.layers
    tokens = keras.Input(shape=(6,), dtype="int32", name="tokens")
    e = layers.Embedding(20, 4, mask_zero=True, name="embed")(tokens)
    y = layers.LSTM(5, name="lstm")(e)
    model = keras.Model(tokens, layers.Dense(3, name="out")(y))
    model.save(tmp_path / "masked.keras")
    graph, _ = check_roundtrip(model, tmp_path / "masked.keras", features=("lstm",))
    assert not any(n.type.startswith("ops.") for n in graph.nodes.values())
    lstm = next(n for n in graph.nodes.values() if n.name == "lstm")
    assert [e.dst_port for e in graph.incoming(lstm.id)] == [0]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["MobileNetV3Small", "MobileNetV3Large"])
def test_mobilenetv3_roundtrip(keras, tmp_path, name):
    keras.backend.clear_session()
    model = getattr(keras.applications, name)(weights=None, input_shape=(32, 32, 3),
                                              classes=10)
    model.save(tmp_path / f"{name}.keras")
    graph, _ = check_roundtrip(model, tmp_path / f"{name}.keras",
                               features=("logits",))
    ops = [n.type for n in graph.nodes.values() if n.type.startswith("ops.")]
    blocks = {"MobileNetV3Small": 9, "MobileNetV3Large": 8}[name]  # squeeze-excite
    assert ops.count("ops.add") == ops.count("ops.multiply") == blocks


# Small models in the style of the Keras guides and keras.io examples, each
# using operations a different way.
def _hand_attention(keras):
    ops, layers = keras.ops, keras.layers
    x = keras.Input((5, 8))
    q, k, v = (layers.Dense(8, name=n)(x) for n in ("q", "k", "v"))
    scores = ops.matmul(q, ops.transpose(k, (0, 2, 1))) / ops.sqrt(8.0)
    return keras.Model(x, ops.matmul(ops.softmax(scores, axis=-1), v))


def _array_constant(keras):
    import numpy as np

    x = keras.Input((5, 4))
    position = np.arange(20, dtype="float32").reshape(5, 4) / 20
    return keras.Model(x, keras.layers.Dense(3, name="d")(x + position))


def _shape_operations(keras):
    ops = keras.ops
    x = keras.Input((6,))
    a = ops.expand_dims(x, -1)
    b = ops.stack([a, a * 2], axis=1)
    c = ops.squeeze(ops.mean(b, axis=2, keepdims=True), axis=2)
    d = ops.cast(c > 0, "float32") * c
    return keras.Model(x, keras.layers.Dense(3, name="d")(keras.layers.Flatten()(d)))


def _residual_relu(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(16, 16, 3))
    x = layers.Conv2D(8, 3, padding="same", name="c1")(inputs)
    y = layers.Conv2D(8, 3, padding="same", name="c2")(x)
    x = layers.GlobalAveragePooling2D()(keras.ops.relu(x + y))
    return keras.Model(inputs, layers.Dense(2, name="d")(x))


def _where_and_clip(keras):
    ops = keras.ops
    x = keras.Input((4,))
    y = ops.where(x > 0, x, 0.1 * x)
    return keras.Model(x, ops.clip(ops.abs(y), 0.0, 1.0))


def _token_slices(keras):
    x = keras.Input((7, 4))
    return keras.Model(x, keras.ops.concatenate([x[:, 0, :], x[:, -1]], axis=-1))


def _causal_attention_op(keras):
    x = keras.Input((5, 2, 4))
    return keras.Model(x, keras.ops.dot_product_attention(x, x, x, is_causal=True))


def _activations(keras):
    ops = keras.ops
    x = keras.Input((4,))
    return keras.Model(x, ops.hard_swish(x) + ops.gelu(x) - ops.log_softmax(x))


GUIDE_MODELS = [_hand_attention, _array_constant, _shape_operations, _residual_relu,
                _where_and_clip, _token_slices, _causal_attention_op, _activations]


@pytest.mark.parametrize("make", GUIDE_MODELS, ids=[m.__name__[1:] for m in
                                                     GUIDE_MODELS])
def test_guide_style_operation_models_roundtrip(keras, tmp_path, make):
    model = make(keras)
    model.save(tmp_path / "model.keras")
    graph, _ = check_roundtrip(model, tmp_path / "model.keras")
    assert any(n.type.startswith("ops.") for n in graph.nodes.values())


def test_operation_names_never_clash_with_layer_names(keras):
    """An Add layer named ``add`` and ``add_1`` beside ``ops.add``: Keras names
    the operation itself; the build keeps it clear of the layers' names."""
    import numpy as np

    keras.backend.clear_session()  # Keras's name counters start again
    g, n = residual_graph()
    first = g.add_node("Add", name="add_1")
    g.rename(n["add"].id, "sum")
    g.rename(n["dense"].id, "add")
    out = g.output_nodes()[0]
    g.disconnect(g.incoming(out.id)[0])
    g.connect(n["add"].id, 0, first.id, 0)
    g.connect(n["x"].id, 0, first.id, 1)
    g.connect(first.id, 0, out.id, 0)
    model = build(g).model
    names = [o.name for o in model.operations]
    assert len(set(names)) == len(names)
    assert {"add", "add_1"} <= set(names)
    xs = np.ones((1, 6), dtype="float32")
    kernel, bias = model.get_layer("add").get_weights()
    np.testing.assert_allclose(np.asarray(model(xs)),
                               (xs @ kernel + bias) * 0.5 + 2 * xs, rtol=1e-6)
