"""Shared layers and groups as graph operations, in code, shapes and files."""

import pytest
from engine_helpers import chain

from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.execute import build_model
from netbuilder.engine.codegen.module import generate
from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.groups import flatten_group, group_nodes, inner_graph
from netbuilder.engine.model.project import dumps, loads


def siamese() -> Graph:
    g = Graph("siamese")
    a = g.add_node("Input", name="a", params={"shape": [8]})
    b = g.add_node("Input", name="b", params={"shape": [8]})
    d1 = g.add_node("Dense", name="enc", params={"units": 4})
    d2 = g.add_node("Dense", name="enc_b", params={"units": 4})
    g.set_shares(d2.id, d1.id)
    add = g.add_node("Add", name="sum")
    out = g.add_node("Output", name="out")
    g.connect(a.id, 0, d1.id, 0)
    g.connect(b.id, 0, d2.id, 0)
    g.connect(d1.id, 0, add.id, 0)
    g.connect(d2.id, 0, add.id, 1)
    g.connect(add.id, 0, out.id, 0)
    return g


def test_shared_layer_is_one_object_in_code_and_counts_once():
    g = siamese()
    text = generate(g).text
    assert text.count("keras.layers.Dense(") == 1
    assert "enc_layer(a)" in text and "enc_layer(b)" in text
    report = analyze(g)
    assert not report.has_errors
    assert report.totals()[0] == 8 * 4 + 4
    model = build_model(g)
    assert model.count_params() == 36
    assert sum(1 for layer in model.layers if type(layer).__name__ == "Dense") == 1


def test_editing_a_shared_layer_changes_every_call_site_and_survives_saving():
    g = siamese()
    enc, enc_b = g.node_by_name("enc"), g.node_by_name("enc_b")
    g.set_param(enc_b.id, "units", 6)
    assert enc.params["units"] == 6 and enc_b.params["units"] == 6
    again = loads(dumps(g)).graph
    assert again.node_by_name("enc_b").shares == enc.id
    assert build_model(again).count_params() == 8 * 6 + 6


def test_bad_sharing_is_refused_in_plain_words():
    g = siamese()
    flat = g.add_node("Flatten")
    with pytest.raises(GraphError, match="only layers of one type share"):
        g.set_shares(flat.id, g.node_by_name("enc").id)
    text = dumps(g).replace('"shares": "n3"', '"shares": "nope"')
    result = loads(text)
    assert any("does not exist" in p.message and p.path.endswith(".shares")
               for p in result.problems)


def test_removing_the_owner_passes_the_layer_on():
    g = siamese()
    g.remove_node(g.node_by_name("enc").id)
    assert g.node_by_name("enc_b").shares is None


def mlp() -> Graph:
    g = Graph("mlp")
    chain(g, [("Input", {"shape": [16]}), ("Dense", {"units": 32}),
              ("Dropout", {"rate": 0.1}), ("Dense", {"units": 8}),
              ("Dense", {"units": 3}), ("Output", {})])
    return g


def test_group_a_selection_then_flatten_it_back():
    g = mlp()
    before = build_model(g).count_params()
    shapes = {nid: info.output_shapes for nid, info in analyze(g).info.items()}
    block = [n.id for n in g.nodes.values() if n.name in ("dense", "dropout",
                                                          "dense_1")]
    group = group_nodes(g, block, name="body", shapes=shapes)
    assert group.type == "Group" and len(g.nodes) == 4
    inner = inner_graph(group)
    assert [n.params for n in inner.input_nodes()] == [{"shape": [16]}]
    report = analyze(g)
    assert not report.has_errors
    assert report.info[group.id].output_shapes == [(None, 8)]
    text = generate(g).text
    assert "def build_body() -> keras.Model:" in text
    assert "body = build_body()(" in text
    assert build_model(g).count_params() == before
    assert loads(dumps(g)).graph.nodes[group.id].params == group.params
    new_ids = flatten_group(g, group.id)
    assert len(new_ids) == 3 and "Group" not in {n.type for n in g.nodes.values()}
    assert build_model(g).count_params() == before


def test_errors_inside_a_group_are_reported_on_the_group():
    g = mlp()
    shapes = {nid: info.output_shapes for nid, info in analyze(g).info.items()}
    dense = g.node_by_name("dense")
    group = group_nodes(g, [dense.id], name="blk", shapes=shapes)
    doc = group.params["graph"]
    inner_dense = next(n for n in doc["nodes"] if n["type"] == "Dense")
    inner_dense["params"]["units"] = -3
    diags = [d for d in analyze(g).diagnostics if d.node == group.id]
    assert diags and "group 'blk'" in diags[0].message and "units" in diags[0].message


def test_grouping_refuses_inputs_and_open_selections():
    g = mlp()
    inp = g.input_nodes()[0]
    with pytest.raises(GraphError, match="Input"):
        group_nodes(g, [inp.id], shapes={})
    ids = [g.node_by_name("dense").id, g.node_by_name("dense_1").id]
    shapes = {nid: info.output_shapes for nid, info in analyze(g).info.items()}
    with pytest.raises(GraphError, match="closed block"):
        group_nodes(g, ids, shapes=shapes)


def test_removing_the_owner_hands_its_weights_to_the_heir_in_the_totals():
    from netbuilder.engine.analysis.shapes import ShapeInference
    from netbuilder.engine.model import events as ev

    g = siamese()
    inference = ShapeInference(g)
    heir = g.node_by_name("enc_b").id
    assert inference.run().info[heir].params == 0  # a call site, no own weights
    seen = []
    g.events.subscribe(seen.append, ev.SharesChanged)
    g.remove_node(g.node_by_name("enc").id)
    assert [(e.node_id, e.new) for e in seen] == [(heir, None)]
    assert inference.run().info[heir].params == 8 * 4 + 4


def test_flattening_a_group_with_a_shared_layer_announces_the_link():
    from netbuilder.engine.model import events as ev

    g = siamese()
    shapes = {nid: info.output_shapes for nid, info in analyze(g).info.items()}
    pair = [g.node_by_name(n).id for n in ("enc", "enc_b", "sum")]
    group = group_nodes(g, pair, name="twin", shapes=shapes)
    seen = []
    g.events.subscribe(seen.append, ev.SharesChanged)
    flatten_group(g, group.id)
    enc, enc_b = g.node_by_name("enc"), g.node_by_name("enc_b")
    assert enc_b.shares == enc.id
    assert [(e.node_id, e.new) for e in seen] == [(enc_b.id, enc.id)]
    assert analyze(g).totals()[0] == 8 * 4 + 4


def test_one_sharing_rule_in_the_graph_the_loader_and_the_code_generator():
    from netbuilder.engine.codegen.module import check_graph

    g = siamese()
    conv = g.add_node("Conv1D", name="conv", params={"filters": 2, "kernel_size": 1})
    rule = ("'enc_b' (Dense) cannot share the layer of 'conv' (Conv1D): only "
            "layers of one type share")
    with pytest.raises(GraphError) as refused:
        g.set_shares(g.node_by_name("enc_b").id, conv.id)
    assert str(refused.value) == rule
    text = dumps(g).replace('"shares": "n3"', f'"shares": "{conv.id}"')
    assert [p.message for p in loads(text).problems
            if p.path.endswith(".shares")] == [rule + "; not shared"]
    g.node_by_name("enc_b").shares = conv.id  # a damaged graph, as loaded leniently
    assert rule in [p.message for p in check_graph(g)]


def test_ids_freed_by_grouping_a_loaded_project_are_not_reused():
    # A group made right after loading must not take the id of a layer it
    # replaced: undo tells nodes apart by id.
    from netbuilder.engine.model.graph import Graph
    from netbuilder.engine.model.groups import group_nodes
    from netbuilder.engine.model.project import dumps, loads

    g = Graph("ids")
    a = g.add_node("Input", "a", {"shape": [4]}).id
    b = g.add_node("Dense", "b", {"units": 4}).id
    c = g.add_node("Dense", "c", {"units": 4}).id
    g.connect(a, 0, b, 0)
    g.connect(b, 0, c, 0)
    loaded = loads(dumps(g)).graph
    group = group_nodes(loaded, [b], shapes={a: [(None, 4)]})
    assert group.id not in (a, b, c)
    assert loaded.new_id() == "n5"
