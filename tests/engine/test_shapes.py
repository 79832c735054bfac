"""Shape inference by Keras: exact numbers, incremental re-inference,
diagnostics with plain-words hints."""

import pytest
from engine_helpers import EXAMPLES, chain

from netbuilder.engine.analysis.shapes import ShapeInference, analyze
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import load_project


def names_to_info(graph, report):
    return {graph.nodes[nid].name: info for nid, info in report.info.items()}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_checks_clean(path):
    graph = load_project(path).graph
    report = analyze(graph)
    assert report.diagnostics == []
    assert set(report.info) == set(graph.nodes)


def test_small_cnn_numbers_match_keras_by_hand():
    graph = load_project(next(p for p in EXAMPLES if p.stem == "small_cnn")).graph
    info = names_to_info(graph, analyze(graph))
    assert info["conv1"].output_shapes == [(None, 30, 30, 32)]
    assert info["conv1"].params == 3 * 3 * 3 * 32 + 32
    assert info["conv1"].flops == 30 * 30 * 3 * 3 * 3 * 32
    assert info["pool1"].output_shapes == [(None, 15, 15, 32)]
    assert info["flatten"].output_shapes == [(None, 7200)]
    assert info["hidden"].params == 7200 * 100 + 100
    assert info["probabilities"].params == 1010
    assert info["conv1"].memory == 30 * 30 * 32 * 4
    assert info["label"].output_shapes == [(None, 10)]


def test_params_equal_a_real_keras_model():
    """The per-node counts add up to what Keras reports for the built model."""
    import keras

    graph = load_project(next(p for p in EXAMPLES
                              if p.stem == "two_inputs_two_outputs")).graph
    report = analyze(graph)
    image = keras.Input((28, 28, 1))
    meta = keras.Input((8,))
    a = keras.layers.Conv2D(16, 3, activation="relu")(keras.layers.Rescaling(
        1 / 255)(image))
    a = keras.layers.Conv2D(16, 3, activation="relu")(
        keras.layers.MaxPooling2D()(a))
    a = keras.layers.GlobalMaxPooling2D()(a)
    b = keras.layers.Dense(16, activation="relu")(meta)
    h = keras.layers.Dense(32, activation="relu")(keras.layers.Concatenate()([a, b]))
    model = keras.Model([image, meta], [keras.layers.Dense(5)(h),
                                        keras.layers.Dense(1)(h)])
    assert report.totals()[0] == model.count_params()


def test_multi_output_and_named_attention_ports():
    g = Graph()
    seq = g.add_node("Input", params={"shape": [10, 8]})
    lstm = g.add_node("LSTM", params={"units": 6, "return_state": True,
                                      "return_sequences": True})
    g.connect(seq.id, 0, lstm.id, 0)
    mha = g.add_node("MultiHeadAttention", params={"num_heads": 2, "key_dim": 4})
    g.connect(lstm.id, 0, mha.id, 0)   # query
    g.connect(seq.id, 0, mha.id, 1)    # value
    outs = [g.add_node("Output") for _ in range(3)]
    g.connect(mha.id, 0, outs[0].id, 0)
    g.connect(lstm.id, 1, outs[1].id, 0)
    g.connect(lstm.id, 2, outs[2].id, 0)
    report = analyze(g)
    assert report.diagnostics == []
    assert report.info[lstm.id].output_shapes == [(None, 10, 6), (None, 6), (None, 6)]
    assert report.info[mha.id].output_shapes == [(None, 10, 6)]
    assert report.info[outs[2].id].output_shapes == [(None, 6)]
    assert report.info[mha.id].flops > 0


def test_wrapped_layers_and_nested_objects():
    g = Graph()
    i, bi, td, o = chain(g, [
        ("Input", {"shape": [5, 3]}),
        ("Bidirectional", {"layer": {
            "type": "GRU", "params": {"units": 4, "return_sequences": True}}}),
        ("TimeDistributed", {"layer": {"type": "Dense", "params": {
            "units": 2, "kernel_regularizer": {"class_name": "L2",
                                               "config": {"l2": 0.01}},
            "kernel_initializer": {"class_name": "HeNormal", "config": {"seed": 1}}}}}),
        ("Output", {})])
    report = analyze(g)
    assert report.diagnostics == []
    assert report.info[bi.id].output_shapes == [(None, 5, 8)]
    assert report.info[td.id].output_shapes == [(None, 5, 2)]
    assert report.info[td.id].params == 8 * 2 + 2


def test_wrong_rank_is_pinned_to_node_and_port_with_a_hint():
    g = Graph()
    _, dense, conv, _ = chain(g, [("Input", {"shape": [100]}),
                                  ("Dense", {"units": 64}),
                                  ("Conv2D", {"filters": 8, "kernel_size": 3}),
                                  ("Output", {})])
    report = analyze(g)
    [d] = [d for d in report.diagnostics if d.severity == "error"]
    assert d.node == conv.id and d.port == 0
    assert "needs" in d.message and "4-D" in d.message
    assert "(None, 64)" in d.message and "'dense'" in d.message
    assert "Reshape" in d.hint and "(8, 8, 1)" in d.hint
    # nodes after the error are not reported again
    assert len([x for x in report.diagnostics if x.severity == "error"]) == 1


def test_too_many_axes_suggests_flatten_or_global_pooling():
    g = Graph()
    _, lstm, _ = chain(g, [("Input", {"shape": [8, 8, 3]}), ("LSTM", {"units": 4}),
                           ("Output", {})])
    [d] = analyze(g).diagnostics
    assert d.node == lstm.id and "Flatten" in d.hint
    assert "GlobalAveragePooling2D" in d.hint


def test_merge_mismatch_names_both_shapes_and_the_axis():
    g = Graph()
    a = g.add_node("Input", name="a", params={"shape": [8, 8, 16]})
    b = g.add_node("Input", name="b", params={"shape": [8, 8, 3]})
    add = g.add_node("Add")
    g.connect(a.id, 0, add.id, 0)
    g.connect(b.id, 0, add.id, 1)
    out = g.add_node("Output")
    g.connect(add.id, 0, out.id, 0)
    [d] = analyze(g).diagnostics
    assert d.node == add.id and d.port == 1
    assert "(None, 8, 8, 16)" in d.message and "(None, 8, 8, 3)" in d.message
    assert "axis 3" in d.message
    assert "1×1 Conv2D with 16 filters" in d.hint

    cat = g.add_node("Concatenate", params={"axis": 1})
    g.connect(a.id, 0, cat.id, 0)
    g.connect(b.id, 0, cat.id, 1)
    g.connect(cat.id, 0, g.add_node("Output").id, 0)
    d = [x for x in analyze(g).diagnostics if x.node == cat.id][0]
    assert "axis 1" in d.message and "axis 3: 16 vs 3" in d.message


def test_keras_errors_are_cleaned_up():
    g = Graph()
    _, conv, _ = chain(g, [("Input", {"shape": [2, 2, 1]}),
                           ("Conv2D", {"filters": 1, "kernel_size": 5}),
                           ("Output", {})])
    [d] = analyze(g).diagnostics
    assert d.node == conv.id
    assert "Traceback" not in d.message and "Arguments received" not in d.message
    assert "\x1b" not in d.message
    assert "padding='same'" in d.hint


def test_structural_problems():
    g = Graph()
    report = analyze(g)
    messages = [d.message for d in report.diagnostics]
    assert "The graph has no Input node." in messages
    assert "The graph has no Output node." in messages
    i = g.add_node("Input", params={"shape": [4]})
    d = g.add_node("Dense", params={"units": 2})
    stray = g.add_node("Dense", params={"units": 2})
    o = g.add_node("Output")
    add = g.add_node("Add")
    g.connect(i.id, 0, add.id, 0)
    report = analyze(g)
    by_node = {}
    for diag in report.diagnostics:
        by_node.setdefault(diag.node, []).append(diag)
    assert any("Input 'input' of 'dense' is not connected" in x.message
               for x in by_node[d.id])
    assert any(x.severity == "warning" and "not reachable" in x.message
               for x in by_node[stray.id])
    assert any("nothing wired" in x.message for x in by_node[o.id])
    assert any("needs at least 2 inputs" in x.message for x in by_node[add.id])
    assert all(x.hint for x in report.diagnostics if x.severity == "error")


def test_unknown_type_and_bad_params_from_a_damaged_file():
    g = Graph()
    i = g.add_node("Input", params={"shape": [4]})
    bad = g.add_node("Dense", params={"units": "ten"}, validate=False)
    weird = g.add_node("Denze", params={}, validate=False)
    g.connect(i.id, 0, bad.id, 0)
    g.connect(bad.id, 0, weird.id, 0)
    report = analyze(g)
    msgs = {d.node: d for d in report.diagnostics if d.severity == "error"}
    assert "units must be an integer" in msgs[bad.id].message
    assert "unknown layer type" in msgs[weird.id].message
    assert "Did you mean Dense" in msgs[weird.id].hint


def long_chain(n):
    g = Graph()
    nodes = chain(g, [("Input", {"shape": [16]})]
                  + [("Dense", {"units": 16}) for _ in range(n)] + [("Output", {})])
    return g, nodes


def test_incremental_reinfers_only_the_downstream_cone():
    g, nodes = long_chain(30)
    inference = ShapeInference(g)
    first = inference.run()
    assert first.recomputed == set(g.nodes)
    built = inference.layers_built
    # Edit near the end: only that node and what follows are re-inferred.
    target = nodes[-5]
    g.set_param(target.id, "units", 8)
    second = inference.run()
    cone = g.downstream([target.id])
    assert second.recomputed <= cone and target.id in second.recomputed
    # the next Dense sees a new input shape; its own output is unchanged, so
    # the rest of the cone keeps its cached results
    assert second.recomputed == {target.id, nodes[-4].id}
    assert inference.layers_built - built == 2  # the edited Dense and the next one
    assert second.info[nodes[-4].id].params == 8 * 16 + 16
    # A change that does not alter the output shape stops propagating.
    built = inference.layers_built
    g.set_param(nodes[3].id, "activation", "relu")
    third = inference.run()
    assert third.recomputed == {nodes[3].id}
    assert inference.layers_built - built == 1
    # Nothing changed: nothing recomputed.
    assert inference.run().recomputed == set()
    # Moves and renames do not re-infer.
    g.move(nodes[5].id, (1, 1))
    g.rename(nodes[5].id, "renamed")
    assert inference.run().recomputed == set()


def test_incremental_follows_structure_edits():
    g, nodes = long_chain(4)
    inference = ShapeInference(g)
    inference.run()
    edge = g.incoming(nodes[3].id)[0]
    g.disconnect(edge)
    report = inference.run()
    assert nodes[3].id not in report.info
    assert any(d.node == nodes[3].id for d in report.diagnostics)
    g.connect(edge.src, edge.src_port, edge.dst, edge.dst_port)
    report = inference.run()
    assert nodes[-1].id in report.info and report.diagnostics == []
    g.remove_node(nodes[2].id)
    report = inference.run()
    assert nodes[2].id not in report.info


def test_run_on_a_snapshot_matches_run_on_the_graph():
    g, nodes = long_chain(5)
    inference = ShapeInference(g)
    snap_report = inference.run(g.copy())
    assert snap_report.info.keys() == set(g.nodes)
    g.set_param(nodes[2].id, "units", 3)
    report = inference.run(g.copy())
    assert report.info[nodes[2].id].output_shapes == [(None, 3)]
