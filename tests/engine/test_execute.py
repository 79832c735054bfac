"""Building models by executing the generated code; errors mapped to nodes."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import expected_from_inference
from engine_helpers import EXAMPLES, chain

from netbuilder.engine.codegen.execute import BuildError, build, execute
from netbuilder.engine.codegen.module import CodegenError, generate
from netbuilder.engine.keras.messages import clean_keras_message
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import load_project

pytestmark = pytest.mark.slow


def model_facts(model):
    return model.count_params(), [tuple(t.shape) for t in model.outputs]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_build_as_inferred_in_both_flavors(path):
    graph = load_project(path).graph
    expected = expected_from_inference(graph)
    for flavor in ("tf-keras", "keras"):
        built = build(graph, flavor)
        assert model_facts(built.model) == expected, flavor
        assert built.model.name == graph.name
        assert sorted(layer.name for layer in built.model.layers) == sorted(
            n.name for n in graph.nodes.values() if n.type != "Output")


def test_wrappers_attention_and_states_build():
    graph = Graph("mixed")
    inp = graph.add_node("Input", name="seq", params={"shape": [6, 4]})
    lstm = graph.add_node("LSTM", params={"units": 8, "return_sequences": True,
                                          "return_state": True}, position=(1, 0))
    mha = graph.add_node("MultiHeadAttention", params={"num_heads": 2, "key_dim": 4},
                         position=(2, 0))
    bi = graph.add_node("Bidirectional", params={
        "layer": {"type": "GRU", "params": {"units": 3}}}, position=(3, 0))
    rnn = graph.add_node("RNN", params={"cell": {"type": "SimpleRNNCell",
                                                 "params": {"units": 5}}},
                         position=(3, 1))
    cat = graph.add_node("Concatenate", position=(4, 0))
    dense = graph.add_node("Dense", params={
        "units": 2, "kernel_regularizer": {"class_name": "L2",
                                           "config": {"l2": 0.01}},
        "kernel_initializer": {"class_name": "RandomNormal",
                               "config": {"stddev": 0.02, "seed": 1}}},
        position=(5, 0))
    graph.connect(inp.id, 0, lstm.id, 0)
    graph.connect(lstm.id, 0, mha.id, 0)
    graph.connect(inp.id, 0, mha.id, 1)
    graph.connect(mha.id, 0, bi.id, 0)
    graph.connect(mha.id, 0, rnn.id, 0)
    graph.connect(bi.id, 0, cat.id, 0)
    graph.connect(rnn.id, 0, cat.id, 1)
    graph.connect(lstm.id, 2, cat.id, 2)
    graph.connect(cat.id, 0, dense.id, 0)
    out = graph.add_node("Output", position=(6, 0))
    graph.connect(dense.id, 0, out.id, 0)
    expected = expected_from_inference(graph)
    model = build(graph).model
    assert model_facts(model) == expected
    assert len(model.losses) == 1  # the L2 regularizer is a real object
    assert model.predict(np.zeros((2, 6, 4), "float32"), verbose=0).shape == (2, 2)


def test_keras_error_is_mapped_to_its_node_with_a_clean_keras_message():
    graph = load_project(EXAMPLES[0]).graph  # autoencoder
    node = graph.node_by_name("reconstruction")
    graph.set_param(node.id, "target_shape", [27, 28, 1])
    with pytest.raises(BuildError) as info:
        build(graph)
    err = info.value
    assert err.node == node.id and err.node_name == "reconstruction"
    assert err.message.startswith("The total size of the tensor must be unchanged")
    assert "\x1b" not in err.message and "\n" not in err.message
    assert "Arguments received" not in err.message
    assert str(err).startswith("reconstruction: ")


def test_constructor_error_is_mapped_to_its_node():
    graph = Graph("bad_groups")
    _, conv, _ = chain(graph, [("Input", {"shape": [8, 8, 4]}),
                               ("Conv2D", {"filters": 5, "kernel_size": 3}),
                               ("Output", {})])
    graph.set_param(conv.id, "groups", 2)  # 5 filters do not split into 2 groups
    with pytest.raises(BuildError) as info:
        build(graph)
    assert info.value.node == conv.id
    assert "groups" in info.value.message


def test_damaged_graph_is_refused_before_anything_runs():
    graph = load_project(EXAMPLES[0]).graph
    graph.nodes["n3"].params["units"] = "__import__('os')"
    with pytest.raises(CodegenError):
        build(graph)


def test_execute_uses_a_fresh_namespace_each_time():
    graph = load_project(EXAMPLES[0]).graph
    code = generate(graph)
    first, second = execute(code, graph), execute(code, graph)
    assert first is not second
    assert first.layers[1] is not second.layers[1]


def test_clean_message_strips_keras_boilerplate():
    exc = ValueError("Exception encountered when calling Dense.call().\n\n"
                     "\x1b[1mInput 0 is incompatible\x1b[0m\n\n"
                     "Arguments received by Dense.call():\n  • inputs=x")
    assert clean_keras_message(exc) == "Input 0 is incompatible"
    assert clean_keras_message(RuntimeError()) == "RuntimeError"
    # one cleaner for building, shape inference, training and export
    op = ValueError("Incompatible shapes: [2,3] vs. [2,4] {{node add}} [Op:AddV2]")
    assert clean_keras_message(op) == "Incompatible shapes: [2,3] vs. [2,4]"
    assert len(clean_keras_message("x" * 1000)) == 400


def test_deep_models_build_past_the_default_recursion_limit():
    import sys

    graph = Graph("deep")
    chain(graph, [("Input", {"shape": [4]})]
          + [("Activation", {"activation": "relu"})] * 1100 + [("Output", {})])
    limit = sys.getrecursionlimit()
    model = build(graph).model
    assert len(model.layers) == 1101
    assert sys.getrecursionlimit() == limit
