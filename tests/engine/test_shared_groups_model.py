"""Issue 15: a group (nested model) shared by several call sites, as a graph
operation: one definition, kept on the owner in the project file; editing,
removing and flattening keep every call site the same model."""

import json

import pytest

from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.execute import build_model
from netbuilder.engine.codegen.module import check_graph, generate
from netbuilder.engine.model import events as ev
from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.groups import flatten_group, group_nodes, group_params
from netbuilder.engine.model.project import dumps, graph_to_dict, loads

TOWER_PARAMS = 8 * 6 + 6 + 6 * 4 + 4  # Dense 8->6, Dense 6->4


def tower(units: int = 4) -> dict:
    inner = Graph("tower")
    x = inner.add_node("Input", name="t_in", params={"shape": [8]})
    h = inner.add_node("Dense", name="hidden", params={"units": 6})
    e = inner.add_node("Dense", name="embed", params={"units": units})
    out = inner.add_node("Output", name="t_out")
    inner.connect(x.id, 0, h.id, 0)
    inner.connect(h.id, 0, e.id, 0)
    inner.connect(e.id, 0, out.id, 0)
    return group_params(inner)


def siamese(calls: int = 2) -> Graph:
    """``calls`` inputs, each through one shared tower, concatenated."""
    g = Graph("siamese")
    ins = [g.add_node("Input", name=f"x{k}", params={"shape": [8]})
           for k in range(calls)]
    owner = g.add_node("Group", name="tower", params=tower())
    sites = [owner]
    for k in range(1, calls):
        site = g.add_node("Group", name=f"tower_call{k}", params=tower())
        g.set_shares(site.id, owner.id)
        sites.append(site)
    join = g.add_node("Concatenate", name="join")
    out = g.add_node("Output", name="out")
    for k, (x, site) in enumerate(zip(ins, sites, strict=True)):
        g.connect(x.id, 0, site.id, 0)
        g.connect(site.id, 0, join.id, k)
    g.connect(join.id, 0, out.id, 0)
    return g


def test_a_group_shares_only_a_group_and_takes_its_definition():
    g = siamese()
    sharer = g.node_by_name("tower_call1")
    assert sharer.shares == g.node_by_name("tower").id
    dense = g.add_node("Dense", name="d", params={"units": 2})
    with pytest.raises(GraphError, match="a group shares only another group"):
        g.set_shares(dense.id, sharer.id)
    with pytest.raises(GraphError, match="cannot share the sub-model of 'd'"):
        g.set_shares(sharer.id, dense.id)
    other = g.add_node("Group", name="other", params=tower(units=3))
    g.set_shares(other.id, sharer.id)  # to the owner, with its definition
    assert other.shares == g.node_by_name("tower").id
    assert other.params == g.node_by_name("tower").params


def test_weights_counted_once_and_code_builds_the_submodel_once():
    g = siamese(calls=3)
    report = analyze(g)
    assert not report.has_errors
    assert [report.info[n.id].params for n in g.nodes.values()
            if n.type == "Group"] == [TOWER_PARAMS, 0, 0]
    assert report.totals()[0] == TOWER_PARAMS
    text = generate(g).text
    assert text.count("def build_tower()") == 1
    assert "tower_model = build_tower()" in text
    assert "tower_call2 = tower_model(x2)" in text
    model = build_model(g)
    assert model.count_params() == TOWER_PARAMS
    assert [layer.name for layer in model.layers
            if type(layer).__name__ == "Functional"] == ["tower"]


def test_the_file_holds_one_definition_and_loads_it_into_every_call_site():
    g = siamese()
    doc = json.loads(dumps(g))
    nodes = {n["name"]: n for n in doc["nodes"]}
    assert "graph" in nodes["tower"]["params"]
    assert nodes["tower_call1"]["params"] == {}
    assert nodes["tower_call1"]["shares"] == nodes["tower"]["id"]
    loaded = loads(dumps(g))
    assert loaded.problems == []
    again = loaded.graph
    assert again.node_by_name("tower_call1").params == g.node_by_name("tower").params
    assert graph_to_dict(again) == graph_to_dict(g)
    assert analyze(again).totals()[0] == TOWER_PARAMS


@pytest.mark.parametrize("change, message", [
    (lambda nodes: nodes["tower_call1"].update(shares="gone"),
     "shares a sub-model of a node that does not exist ('gone'); not shared"),
    (lambda nodes: nodes["tower_call1"].update(shares=nodes["join"]["id"]),
     "'tower_call1' (Group) cannot share the sub-model of 'join' (Concatenate): "
     "only layers of one type share (a group shares only another group's "
     "sub-model); not shared"),
    (lambda nodes: nodes["tower"].update(shares=nodes["tower_call1"]["id"]),
     "'tower_call1' itself shares another sub-model; not shared"),
    (lambda nodes: nodes["tower_call1"].update(shares=nodes["tower_call1"]["id"]),
     "'tower_call1' cannot share its own sub-model; not shared"),
])
def test_broken_sharing_is_reported_in_plain_words(change, message):
    doc = json.loads(dumps(siamese()))
    nodes = {n["name"]: n for n in doc["nodes"]}
    change(nodes)
    result = loads(json.dumps(doc))
    assert message in [p.message for p in result.problems]
    assert result.graph is not None  # loaded as far as it goes
    assert check_graph(result.graph)  # and not turned into code


def test_a_sharer_saved_with_a_different_definition_takes_the_owners():
    doc = json.loads(dumps(siamese()))
    nodes = {n["name"]: n for n in doc["nodes"]}
    nodes["tower_call1"]["params"] = tower(units=9)
    result = loads(json.dumps(doc))
    assert [p.message for p in result.problems] == [
        "differs from the sub-model of 'tower'; its parameters are used"]
    g = result.graph
    assert g.node_by_name("tower_call1").params == g.node_by_name("tower").params


def test_editing_the_definition_changes_every_call_site():
    g = siamese()
    seen = []
    g.events.subscribe(lambda e: seen.append(e.node_id), ev.ParamChanged)
    sharer = g.node_by_name("tower_call1")
    g.set_param(sharer.id, "graph", tower(units=5)["graph"])
    owner = g.node_by_name("tower")
    assert seen == [owner.id, sharer.id]
    assert owner.params == sharer.params == tower(units=5)
    assert build_model(g).output_shape == (None, 10)


def test_removing_the_owner_hands_the_definition_to_a_sharer():
    g = siamese(calls=3)
    owner = g.node_by_name("tower")
    heir, other = g.node_by_name("tower_call1"), g.node_by_name("tower_call2")
    changes = []
    g.events.subscribe(lambda e: changes.append((e.node_id, e.old, e.new)),
                       ev.SharesChanged)
    g.remove_node(owner.id)
    assert changes == [(heir.id, owner.id, None), (other.id, owner.id, heir.id)]
    assert heir.params == tower()  # it holds the definition now
    report = analyze(g)
    assert report.info[heir.id].params == TOWER_PARAMS
    assert report.info[other.id].params == 0
    doc = json.loads(dumps(g))
    nodes = {n["name"]: n for n in doc["nodes"]}
    assert "graph" in nodes["tower_call1"]["params"]
    assert nodes["tower_call2"]["params"] == {}


def test_flattening_a_shared_group_flattens_every_call_site_sharing_layers():
    g = siamese()
    before = build_model(g).count_params()
    new = flatten_group(g, g.node_by_name("tower_call1").id)
    assert not [n for n in g.nodes.values() if n.type == "Group"]
    assert len(new) == 4
    first, second = new[:2], new[2:]
    assert [g.nodes[n].shares for n in first] == [None, None]
    assert [g.nodes[n].shares for n in second] == first
    # still one set of weights, and one edit reaches both call sites
    assert analyze(g).totals()[0] == TOWER_PARAMS == before
    g.set_param(second[1], "units", 7)
    assert g.nodes[first[1]].params["units"] == 7
    assert build_model(g).output_shape == (None, 14)


def test_flattening_keeps_a_shared_layer_inside_shared():
    g = siamese()
    owner = g.node_by_name("tower")
    inner_doc = owner.params["graph"]
    inner = loads(json.dumps(inner_doc)).graph
    hidden = inner.node_by_name("hidden")
    inner.set_param(hidden.id, "units", 8)
    again = inner.add_node("Dense", name="again", params={"units": 8})
    inner.set_shares(again.id, hidden.id)
    embed = inner.node_by_name("embed")
    edge = inner.incoming(embed.id)[0]
    inner.disconnect(edge)
    inner.connect(hidden.id, 0, again.id, 0)
    inner.connect(again.id, 0, embed.id, 0)
    g.set_param(owner.id, "graph", graph_to_dict(inner))
    total = analyze(g).totals()[0]
    assert total == 8 * 8 + 8 + 8 * 4 + 4  # "again" is "hidden" called twice
    new = flatten_group(g, owner.id)
    assert len(new) == 6
    owners = {g.nodes[n].name: n for n in new if g.nodes[n].shares is None}
    assert sorted(owners) == ["embed", "hidden"]
    # both copies of "again" call the first copy's "hidden"
    calls_of_hidden = [g.nodes[n].name for n in new
                       if g.nodes[n].shares == owners["hidden"]]
    assert sorted(calls_of_hidden) == ["again", "again_1", "hidden_1"]
    assert analyze(g).totals()[0] == total
    assert build_model(g).count_params() == total


def test_flattening_refuses_before_changing_anything():
    g = siamese()
    sharer = g.node_by_name("tower_call1")
    g.disconnect(g.incoming(sharer.id)[0])
    text = dumps(g)
    with pytest.raises(GraphError, match="input 0 of group 'tower_call1' is not "
                                         "connected"):
        flatten_group(g, g.node_by_name("tower").id)
    assert dumps(g) == text


def test_grouping_one_call_site_of_a_shared_sub_model_is_refused():
    g = siamese()
    shapes = {n: [(None, 8)] for n in g.nodes}
    with pytest.raises(GraphError, match="'tower_call1' shares its sub-model with "
                                         "a node outside the selection"):
        group_nodes(g, [g.node_by_name("tower_call1").id], shapes=shapes)
    # both call sites together nest the shared sub-model one level deeper
    outer = group_nodes(g, [g.node_by_name("tower").id,
                            g.node_by_name("tower_call1").id], name="pair",
                        shapes=shapes)
    report = analyze(g)
    assert not report.has_errors
    assert report.info[outer.id].params == TOWER_PARAMS
    assert build_model(g).count_params() == TOWER_PARAMS


def test_a_shared_layer_fed_another_shape_is_an_error_before_building():
    """'again' calls hidden's Dense (8 -> 6) on a 6-wide tensor: Keras
    refuses when building; the check says so first (it used to say ok)."""
    g = Graph("m")
    x = g.add_node("Input", name="x", params={"shape": [8]})
    hidden = g.add_node("Dense", name="hidden", params={"units": 6})
    again = g.add_node("Dense", name="again", params={"units": 6})
    g.set_shares(again.id, hidden.id)
    out = g.add_node("Output", name="out")
    g.connect(x.id, 0, hidden.id, 0)
    g.connect(hidden.id, 0, again.id, 0)
    g.connect(again.id, 0, out.id, 0)
    errors = [d for d in analyze(g).diagnostics if d.severity == "error"]
    assert [(d.node, d.message) for d in errors] == [(
        again.id, "'again' calls the layer of 'hidden', whose weights are "
        "(8, 6) and (6,), made for the inputs of 'hidden'; the inputs of "
        "'again' would need (6, 6) and (6,).")]
    g.set_param(hidden.id, "units", 8)  # 8 -> 8: both calls fit one layer
    assert not analyze(g).has_errors
    assert build_model(g).count_params() == 8 * 8 + 8


def test_a_small_file_cannot_make_a_huge_model_through_sharing():
    """1,000 sharers of a 600-layer sub-model (a 100 kB file) would put
    600,000 layers in memory: refused before anything is copied."""
    inner = Graph("big")
    prev = inner.add_node("Input", name="i", params={"shape": [4]})
    for k in range(598):
        node = inner.add_node("ReLU", name=f"r{k}")
        inner.connect(prev.id, 0, node.id, 0)
        prev = node
    inner.connect(prev.id, 0, inner.add_node("Output", name="o").id, 0)
    doc = {"format": "netbuilder-project", "schema_version": 1, "name": "bomb",
           "nodes": [{"id": "g0", "type": "Group", "name": "g0",
                      "params": group_params(inner)}]
           + [{"id": f"g{k}", "type": "Group", "name": f"g{k}", "params": {},
               "shares": "g0"} for k in range(1, 1001)],
           "edges": []}
    text = json.dumps(doc)
    assert len(text) < 200_000
    result = loads(text)
    assert result.graph is None
    assert result.fatal_reason == ("its shared sub-models add 600,000 layers once "
                                   "each call is counted; NetBuilder opens up to "
                                   "500,000")
    doc["nodes"] = doc["nodes"][:51]  # 50 call sites more: 30,000 layers
    again = loads(json.dumps(doc)).graph
    assert again.nodes["g50"].params == again.nodes["g0"].params
