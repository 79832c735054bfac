"""Issue 15 breadth: small models in the style of the keras.io examples and
the Keras guides, one per pattern, each through the full round trip (import
-> check clean -> code -> export with carried weights, every layer's weights
and features equal). Operations returning several tensors (split, top_k,
unstack, moments, svd) are nodes with one output port per result."""

from __future__ import annotations

import breadth_models as bm
import numpy as np
import pytest
from fidelity_helpers import full_roundtrip

from netbuilder.engine.codegen.module import generate_code
from netbuilder.engine.keras.runtime import load_keras


def _keras():
    keras = load_keras()
    keras.backend.clear_session()
    return keras


def _xs(model, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for t in model.inputs:
        shape = tuple(3 if d is None else d for d in t.shape)
        if str(t.dtype) == "string":  # known and unknown words
            out.append(np.array([["male"], ["female"], ["the dog ran"]]))
        elif str(t.dtype) == "bool":
            out.append(rng.integers(0, 2, shape).astype(bool))
        elif "int" in str(t.dtype):
            out.append(rng.integers(0, 5, shape).astype(str(t.dtype)))
        else:
            out.append(rng.normal(size=shape).astype("float32"))
    return out


# ---------------------------------------------------------------- models
def glu_split(keras):
    """A gated linear unit: both halves of ``split`` used."""
    x = keras.Input((6,))
    h = keras.layers.Dense(8)(x)
    a, b = keras.ops.split(h, 2, axis=-1)
    y = a * keras.ops.sigmoid(b)
    return keras.Model(x, keras.layers.Dense(3)(y))


def split_three_sections(keras):
    x = keras.Input((4, 6))
    a, b, c = keras.ops.split(x, [1, 3], axis=1)
    y = keras.ops.concatenate([c, a, b], axis=1)
    return keras.Model(x, keras.layers.Dense(2)(y))


def top_k_values_and_indices(keras):
    x = keras.Input((10,))
    h = keras.layers.Dense(10)(x)
    values, indices = keras.ops.top_k(h, k=3)
    idx = keras.ops.cast(indices, "float32")
    return keras.Model(x, keras.layers.Dense(2)(keras.ops.concatenate(
        [values, idx], axis=-1)))


def unstack_time(keras):
    x = keras.Input((3, 4))
    first, second, third = keras.ops.unstack(x, axis=1)
    y = keras.layers.Add()([first, second * 2.0, third])
    return keras.Model(x, keras.layers.Dense(2)(y))


def moments_norm(keras):
    x = keras.Input((5,))
    mean, var = keras.ops.moments(x, axes=[-1], keepdims=True)
    y = (x - mean) / keras.ops.sqrt(var + 1e-3)
    return keras.Model(x, keras.layers.Dense(2)(y))


MULTI = [glu_split, split_three_sections, top_k_values_and_indices, unstack_time,
         moments_norm]


@pytest.mark.parametrize("make", MULTI, ids=lambda f: f.__name__)
def test_operations_with_several_results_roundtrip(make, tmp_path):
    keras = _keras()
    model = make(keras)
    graph, _ = full_roundtrip(model, tmp_path, _xs(model))
    several = [n for n in graph.nodes.values() if n.type.startswith("ops.")
               and graph.catalog.get(n.type).results > 1]
    assert several
    for node in several:
        wired = {e.src_port for e in graph.outgoing(node.id)}
        assert graph.output_count(node.id) >= 2
        assert wired == set(range(graph.output_count(node.id)))
    code = generate_code(graph)
    name = several[0].name
    assert f"{name}, {name}_1" in code


def test_split_in_sections_has_a_port_per_part_with_its_shape():
    from netbuilder.engine.analysis.shapes import analyze
    from netbuilder.engine.importing.importer import import_keras_model

    keras = _keras()
    graph = import_keras_model(split_three_sections(keras)).graph
    node = next(n for n in graph.nodes.values() if n.type == "ops.split")
    assert graph.output_count(node.id) == 3
    info = analyze(graph).info[node.id]
    assert [s[1] for s in info.output_shapes] == [1, 2, 1]


# ------------------------------------------- keras.io / guide style breadth
BREADTH = (bm.OPERATIONS + bm.KEYWORDS + bm.FORMS + bm.ARCHITECTURES
           + bm.DICT_STATE + bm.MORE)


@pytest.mark.parametrize("make", BREADTH, ids=lambda f: f.__name__)
def test_guide_style_models_roundtrip(make, tmp_path):
    keras = _keras()
    model = make(keras)
    graph, again = full_roundtrip(model, tmp_path, _xs(model))
    # the same layers and operations (as many of each) in the export
    assert sorted(type(op).__name__ for op in again.operations) == \
        sorted(type(op).__name__ for op in model.operations)
    layers = [n.type for n in graph.nodes.values() if not n.type.startswith("ops.")]
    assert sorted(set(layers) - {"Input", "Output"}) == sorted(
        {type(layer).__name__ for layer in model.layers} - {"InputLayer"})


def test_bidirectional_state_outputs_follow_the_wrapped_layer():
    """return_state is the wrapped LSTM's: the wrapper has 1 + 2x2 outputs
    (before: 1, and the import failed 'uses result 2 ... which has 1')."""
    from netbuilder.engine.importing.importer import import_keras_model

    keras = _keras()
    graph = import_keras_model(bm.bidirectional_lstm_states(keras)).graph
    node = next(n for n in graph.nodes.values() if n.type == "Bidirectional")
    assert graph.output_count(node.id) == 5
    lstm = next(n for n in graph.nodes.values() if n.type == "LSTM")
    assert sorted(e.dst_port for e in graph.incoming(lstm.id)) == [0, 1, 2]


def test_causal_mask_is_a_call_flag_in_params_and_code():
    from netbuilder.engine.importing.importer import import_keras_model

    keras = _keras()
    graph = import_keras_model(bm.mha_causal(keras)).graph
    node = next(n for n in graph.nodes.values() if n.type == "MultiHeadAttention")
    assert node.params["use_causal_mask"] is True
    code = generate_code(graph)
    assert "use_causal_mask=True)" in code
    assert "MultiHeadAttention(\n" in code or "MultiHeadAttention(num_heads" in code
    ctor = code[code.index("MultiHeadAttention("):code.index("use_causal_mask")]
    assert ctor.count("use_causal_mask") == 0


def test_image_operations_are_nodes_called_through_their_submodule():
    """keras.ops.image functions (the ViT example's extract_patches) are
    operations like keras.ops ones (before: 'ExtractPatches ... is not one
    NetBuilder knows')."""
    from netbuilder.engine.importing.importer import import_keras_model

    keras = _keras()
    graph = import_keras_model(bm.vit_patches_position(keras)).graph
    assert graph.catalog.get("ops.image.resize").category == "operations"
    node = next(n for n in graph.nodes.values()
                if n.type == "ops.image.extract_patches")
    assert node.params["size"] == [4, 4]  # Keras records the pair
    assert "keras.ops.image.extract_patches(" in generate_code(graph)


def test_initial_state_ports_follow_the_layers_real_state_count():
    """A Bidirectional(GRU) takes 2 states (not the 4 ports a Bidirectional
    shows for the largest wrapped layer), an LSTM both h and c: a wire past
    the count, or only part of the states, is named before Keras runs."""
    from netbuilder.engine.analysis.shapes import analyze
    from netbuilder.engine.model import ports
    from netbuilder.engine.model.catalog import get_catalog
    from netbuilder.engine.model.graph import Graph

    catalog = get_catalog()
    gru = {"layer": {"type": "GRU", "params": {"units": 4}}}
    assert ports.state_count(catalog.get("Bidirectional"), gru, catalog) == 2
    assert ports.state_count(catalog.get("LSTM"), {}, catalog) == 2
    assert ports.state_count(catalog.get("ConvLSTM2D"), {}, catalog) == 2
    assert ports.state_count(catalog.get("SimpleRNN"), {}, catalog) == 1
    assert ports.state_count(catalog.get("RNN"), {"cell": {
        "type": "GRUCell", "params": {}}}, catalog) == 1
    assert ports.state_count(catalog.get("Dense"), {}, catalog) == 0

    graph = Graph(catalog)
    seq = graph.add_node("Input", params={"shape": [3, 5]})
    state = graph.add_node("Input", params={"shape": [4]})
    bi = graph.add_node("Bidirectional", params=gru)
    graph.connect(seq.id, 0, bi.id, 0)
    for port in (1, 2, 3):
        graph.connect(state.id, 0, bi.id, port)
    found = [d for d in analyze(graph).diagnostics if d.node == bi.id]
    assert [d.message for d in found] == [
        f"'{bi.name}' keeps 2 state tensors, so 'initial_state[2]' is not used "
        "by it."]
    lstm = graph.add_node("LSTM", params={"units": 4})
    graph.connect(seq.id, 0, lstm.id, 0)
    graph.connect(state.id, 0, lstm.id, 1)
    found = [d for d in analyze(graph).diagnostics if d.node == lstm.id]
    assert found and found[0].message == (
        f"'{lstm.name}' takes its 2 state tensors together: wire initial_state[0] "
        "to initial_state[1], or none of them.")


def test_attention_layer_masks_are_list_keyword_ports():
    """Attention([q, v], mask=[q_mask, v_mask]): the masks are ports
    mask[0], mask[1] (before: refused 'is called with mask=[...]')."""
    from netbuilder.engine.importing.importer import import_keras_model

    keras = _keras()
    graph = import_keras_model(bm.attention_layer_masks(keras)).graph
    node = next(n for n in graph.nodes.values() if n.type == "Attention")
    spec = graph.catalog.get(node.type)
    wired = sorted(spec.inputs[e.dst_port] for e in graph.incoming(node.id))
    assert wired == ["mask[0]", "mask[1]", "query", "value"]
    code = generate_code(graph)
    call = next(line for line in code.splitlines() if "Attention(" in line
                or "mask=[" in line and "attention" in line)
    assert "mask=[" in code, call


# ------------------------------------------------------------ .py sources
PY_SOURCE = '''import keras


{function}

def build_model():
    model = {name}(keras)
    model.load_weights({weights!r})
    return model
'''


@pytest.mark.parametrize("make", [glu_split, bm.gru_seq2seq, bm.mha_causal],
                         ids=lambda f: f.__name__)
def test_guide_style_python_sources_roundtrip(make, tmp_path):
    """The same models written as a .py file the user imports."""
    import inspect

    keras = _keras()
    model = make(keras)
    weights = tmp_path / "model.weights.h5"
    model.save_weights(weights)
    source = tmp_path / f"{make.__name__}.py"
    source.write_text(PY_SOURCE.format(function=inspect.getsource(make),
                                       name=make.__name__, weights=str(weights)),
                      encoding="utf-8")
    full_roundtrip(model, tmp_path, _xs(model), source=source)
