"""Hand-written models: merges, attention, shared layers, nested models,
multi-input/multi-output, masking, bidirectional RNNs, return_state."""

import pytest
from test_import_fidelity import roundtrip_file, roundtrip_memory

from netbuilder.engine.codegen.module import generate
from netbuilder.engine.importing.importer import ImportFailure, import_keras_model
from netbuilder.engine.keras.runtime import load_keras


@pytest.fixture(scope="module")
def keras():
    return load_keras()


def mixed_model(keras):
    layers = keras.layers
    a = keras.Input((8,), name="a")
    b = keras.Input((8,), name="b")
    seq = keras.Input((5, 6), name="seq")
    shared = layers.Dense(4, activation="relu", kernel_regularizer="l2",
                          name="shared_dense")
    merged = layers.Concatenate(name="concat")([shared(a), shared(b)])
    added = layers.Add(name="add_ab")([layers.Dense(8, name="da")(a), b])
    attention = layers.MultiHeadAttention(2, 3, name="mha")(seq, seq)
    norm = layers.LayerNormalization(name="ln")(layers.Add()([seq, attention]))
    masked = layers.Masking(mask_value=0.0, name="mask")(norm)
    bi = layers.Bidirectional(layers.LSTM(4, return_sequences=True), name="bi")(
        masked)
    out_seq, state_h, state_c = layers.LSTM(3, return_state=True, name="lstm")(bi)
    inner = keras.Sequential([keras.Input((8,)), layers.Dense(6, activation="tanh"),
                              layers.Dropout(0.1), layers.Dense(2)], name="head")
    head = inner(added)
    return keras.Model([a, b, seq], [merged, head, out_seq, state_h, state_c],
                       name="mixed")


def test_mixed_model_file_roundtrip(tmp_path, keras):
    graph, built = roundtrip_file(mixed_model(keras), tmp_path)
    shared = [n for n in graph.nodes.values() if n.type == "Dense"
              and (n.shares or n.name == "shared_dense")]
    assert len(shared) == 2 and shared[1].shares == shared[0].id
    assert [n.type for n in graph.nodes.values()].count("Group") == 1
    text = built.code.text
    assert text.count("keras.layers.Dense(\n") + text.count(
        "keras.layers.Dense(4") >= 1
    assert "shared_dense_layer(a)" in text and "shared_dense_layer(b)" in text
    assert "def build_head() -> keras.Model:" in text
    assert [n.type for n in graph.output_nodes()] == ["Output"] * 5


def test_sequential_becomes_a_chain_with_an_input(keras):
    layers = keras.layers
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3),
                              layers.MaxPooling2D(), layers.Flatten(),
                              layers.Dense(10, activation="softmax")], name="cnn")
    graph, _ = roundtrip_memory(model)
    types = [graph.nodes[n].type for n in graph.topological_order()]
    assert types == ["Input", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Output"]
    assert graph.input_nodes()[0].params == {"shape": [28, 28, 1]}


def test_functional_nested_in_functional_and_gru(keras):
    layers = keras.layers
    x = keras.Input((10,), name="x")
    y = keras.Input((10,), name="y")
    block = keras.Model([x, y], [layers.Subtract()([x, y]), layers.Multiply()([x, y])],
                        name="block")
    i = keras.Input((10,), name="i")
    j = keras.Input((10,), name="j")
    s, p = block([i, j])
    t = layers.Reshape((5, 2))(layers.Average()([s, p]))
    g = layers.GRU(3, name="gru")(t)
    model = keras.Model([i, j], g, name="outer")
    graph, built = roundtrip_memory(model)
    group = next(n for n in graph.nodes.values() if n.type == "Group")
    assert graph.output_count(group.id) == 2
    assert "block, block_1 = build_block()([i, j])" in built.code.text


def test_integer_inputs_embedding_and_mask_zero(keras):
    layers = keras.layers
    tokens = keras.Input((12,), dtype="int32", name="tokens")
    e = layers.Embedding(50, 8, mask_zero=True)(tokens)
    h = layers.Bidirectional(layers.GRU(4), merge_mode="sum")(e)
    model = keras.Model(tokens, layers.Dense(2)(h))
    graph, _ = roundtrip_memory(model)
    assert graph.input_nodes()[0].params["dtype"] == "int32"


def test_custom_layer_is_named(keras):
    class Scale(keras.layers.Layer):
        def call(self, x):
            return x * 2

    a = keras.Input((3,))
    with pytest.raises(ImportFailure, match="Scale"):
        import_keras_model(keras.Model(a, Scale(name="my_scale")(a)))


def test_generated_code_for_import_is_deterministic(keras):
    model = mixed_model(keras)
    first = generate(import_keras_model(model).graph).text
    assert first == generate(import_keras_model(model).graph).text
