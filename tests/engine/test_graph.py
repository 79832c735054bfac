"""Graph operations: validation, typed errors, events."""

import pytest
from engine_helpers import chain

from netbuilder.engine.model import events as ev
from netbuilder.engine.model.errors import (
    CycleError,
    DuplicateNameError,
    GraphError,
    InvalidNameError,
    ParamError,
    PortError,
    UnknownLayerTypeError,
    UnknownNodeError,
)
from netbuilder.engine.model.graph import Graph, snake_case


@pytest.fixture
def graph():
    return Graph("t")


def record(graph):
    seen = []
    graph.events.subscribe(seen.append)
    return seen


def test_add_node_names_ids_and_event(graph):
    seen = record(graph)
    a = graph.add_node("Conv2D", params={"filters": 8, "kernel_size": 3})
    b = graph.add_node("Conv2D", params={"filters": 8, "kernel_size": 3})
    assert (a.id, b.id) == ("n1", "n2")
    assert (a.name, b.name) == ("conv2d", "conv2d_1")
    assert [e.kind for e in seen] == [ev.NODE_ADDED, ev.NODE_ADDED]
    assert graph.add_node("Convolution2D", params={"filters": 1, "kernel_size": 1}
                          ).type == "Conv2D"


def test_snake_case_matches_keras():
    assert snake_case("MaxPooling2D") == "max_pooling2d"
    assert snake_case("Conv2D") == "conv2d"
    assert snake_case("MultiHeadAttention") == "multi_head_attention"


def test_add_node_refuses_bad_input(graph):
    with pytest.raises(UnknownLayerTypeError, match="not a known layer type"):
        graph.add_node("Dense2000")
    with pytest.raises(ParamError, match="units must be an integer"):
        graph.add_node("Dense", params={"units": "many"})
    with pytest.raises(ParamError, match="units must be a positive integer"):
        graph.add_node("Dense", params={"units": -3})
    with pytest.raises(ParamError, match="rate must be a fraction"):
        graph.add_node("Dropout", params={"rate": 1.5})
    with pytest.raises(ParamError, match="has no parameter 'unitz'"):
        graph.add_node("Dense", params={"unitz": 3})
    with pytest.raises(InvalidNameError):
        graph.add_node("Dense", name="bad/name", params={"units": 3})
    graph.add_node("Dense", name="d", params={"units": 3})
    with pytest.raises(DuplicateNameError):
        graph.add_node("Dense", name="d", params={"units": 3})
    assert len(graph.nodes) == 1


def test_params_are_sparse_and_normalised(graph):
    n = graph.add_node("Conv2D", params={"filters": 8, "kernel_size": (3, 3),
                                         "strides": [1, 1], "padding": "valid"})
    assert n.params == {"filters": 8, "kernel_size": [3, 3]}
    graph.set_param(n.id, "padding", "same")
    assert n.params["padding"] == "same"
    graph.set_param(n.id, "padding", "valid")
    assert "padding" not in n.params
    with pytest.raises(ParamError, match="padding must be one of"):
        graph.set_param(n.id, "padding", "sideways")
    with pytest.raises(ParamError):
        graph.set_param(n.id, "kernel_size", [3, 3, 3])
    graph.set_param(n.id, "kernel_regularizer", {"class_name": "L2",
                                                 "config": {"l2": 0.01}})
    with pytest.raises(ParamError, match="class_name must be one of"):
        graph.set_param(n.id, "kernel_regularizer", {"class_name": "os.system"})
    with pytest.raises(ParamError, match="not a known Keras initializer"):
        graph.set_param(n.id, "kernel_initializer", "__import__('os')")


def test_connect_validation(graph):
    i, d, o = chain(graph, [("Input", {"shape": [4]}), ("Dense", {"units": 2}),
                            ("Output", {})])
    with pytest.raises(PortError, match="already connected"):
        graph.connect(i.id, 0, d.id, 0)
    with pytest.raises(PortError, match="takes no inputs"):
        graph.connect(d.id, 0, i.id, 0)
    with pytest.raises(PortError, match="has no outputs"):
        graph.connect(o.id, 0, d.id, 0)
    with pytest.raises(PortError, match="no output port 1"):
        graph.connect(d.id, 1, graph.add_node("Dense", params={"units": 1}).id, 0)
    with pytest.raises(UnknownNodeError):
        graph.connect("nope", 0, d.id, 0)


def test_cycle_refused(graph):
    a = graph.add_node("Dense", params={"units": 2})
    b = graph.add_node("Dense", params={"units": 2})
    add = graph.add_node("Add")
    graph.connect(a.id, 0, b.id, 0)
    graph.connect(b.id, 0, add.id, 0)
    with pytest.raises(CycleError):
        graph.connect(add.id, 0, a.id, 0)
    with pytest.raises(CycleError):
        graph.connect(add.id, 0, add.id, 1)


def test_variadic_ports(graph):
    add = graph.add_node("Add")
    srcs = [graph.add_node("Dense", params={"units": 2}) for _ in range(4)]
    assert graph.input_count(add.id) == 2
    for port, s in enumerate(srcs):
        graph.connect(s.id, 0, add.id, port)
    assert graph.input_count(add.id) == 5
    sub = graph.add_node("Subtract")
    with pytest.raises(PortError, match="no input port 2"):
        graph.connect(srcs[0].id, 0, sub.id, 2)


def test_multi_output_ports_follow_params(graph):
    lstm = graph.add_node("LSTM", params={"units": 4, "return_state": True})
    assert graph.output_count(lstm.id) == 3
    outs = [graph.add_node("Output") for _ in range(3)]
    for port, o in enumerate(outs):
        graph.connect(lstm.id, port, o.id, 0)
    removed = graph.set_param(lstm.id, "return_state", False)
    assert len(removed) == 2 and {e.src_port for e in removed} == {1, 2}
    assert len(graph.edges) == 1


def test_remove_node_returns_edges_for_undo(graph):
    i, d, o = chain(graph, [("Input", {"shape": [4]}), ("Dense", {"units": 2}),
                            ("Output", {})])
    seen = record(graph)
    node, edges = graph.remove_node(d.id)
    assert node.name == d.name and len(edges) == 2
    assert [e.kind for e in seen] == [ev.EDGE_REMOVED, ev.EDGE_REMOVED,
                                      ev.NODE_REMOVED]
    graph.add_node(node.type, node.name, node.params, node.position, node_id=node.id)
    for e in edges:
        graph.connect(e.src, e.src_port, e.dst, e.dst_port)
    assert len(graph.edges) == 2


def test_rename_move_and_events(graph):
    a = graph.add_node("Dense", params={"units": 2})
    graph.add_node("Dense", name="taken", params={"units": 2})
    seen = record(graph)
    graph.rename(a.id, "renamed")
    with pytest.raises(DuplicateNameError):
        graph.rename(a.id, "taken")
    with pytest.raises(InvalidNameError):
        graph.rename(a.id, "")
    graph.move(a.id, (10, 20))
    assert a.position == (10.0, 20.0)
    assert [e.kind for e in seen] == [ev.NODE_RENAMED, ev.NODE_MOVED]
    assert seen[0].data == {"old": "dense", "new": "renamed"}


def test_topological_order_breaks_ties_by_position(graph):
    i = graph.add_node("Input", params={"shape": [4]}, position=(0, 0))
    lower = graph.add_node("Dense", params={"units": 1}, position=(200, 100))
    upper = graph.add_node("Dense", params={"units": 1}, position=(200, 0))
    graph.connect(i.id, 0, lower.id, 0)
    graph.connect(i.id, 0, upper.id, 0)
    assert graph.topological_order() == [i.id, upper.id, lower.id]


def test_unsubscribe(graph):
    seen = []
    unsubscribe = graph.events.subscribe(seen.append)
    graph.add_node("Dense", params={"units": 1})
    unsubscribe()
    graph.add_node("Dense", params={"units": 1})
    assert len(seen) == 1


def test_set_extra_emits_an_event_and_returns_the_old_value(graph):
    seen = record(graph)
    assert graph.set_extra("training", {"epochs": 3}) is None
    assert graph.set_extra("training", {"epochs": 5}) == {"epochs": 3}
    assert graph.extra["training"] == {"epochs": 5}
    assert [e.kind for e in seen] == [ev.EXTRA_CHANGED, ev.EXTRA_CHANGED]
    assert seen[-1].data["key"] == "training"
    graph.set_extra("training", None)
    assert "training" not in graph.extra
    with pytest.raises(GraphError):
        graph.set_extra("nodes", [])


def test_add_node_at_index_keeps_file_order_and_emits(graph):
    a = graph.add_node("Input", params={"shape": [4]}).id
    b = graph.add_node("Dense", params={"units": 2}).id
    seen = record(graph)
    c = graph.add_node("Dense", "middle", {"units": 3}, index=1).id
    assert list(graph.nodes) == [a, c, b]
    assert [(e.kind, e.node_id) for e in seen] == [(ev.NODE_ADDED, c)]
    d = graph.add_node("Dense", params={"units": 3}, index=0).id
    e = graph.add_node("Output", index=99).id
    assert list(graph.nodes) == [d, a, c, b, e]
    graph.connect(a, 0, c, 0)
    assert graph.predecessors(c) == [a]  # edge indexes untouched
    with pytest.raises(GraphError):
        graph.add_node("Dense", params={"units": 1}, index=-1)
    with pytest.raises(GraphError):
        graph.add_node("Dense", params={"units": 1}, index="1")
    assert len(graph.nodes) == 5


def test_listeners_get_only_the_kinds_they_ask_for(graph):
    edges, everything = [], record(graph)
    graph.events.subscribe(edges.append, ev.EdgeAdded, ev.EdgeRemoved)
    a = graph.add_node("Input", params={"shape": [4]}).id
    b = graph.add_node("Dense", params={"units": 2}).id
    edge = graph.connect(a, 0, b, 0)
    graph.rename(b, "head")
    graph.disconnect(edge)
    assert [type(e) for e in edges] == [ev.EdgeAdded, ev.EdgeRemoved]
    assert edges[0].edge == edge and edges[0].node_id == b
    assert [type(e) for e in everything] == [ev.NodeAdded, ev.NodeAdded,
                                             ev.EdgeAdded, ev.NodeRenamed,
                                             ev.EdgeRemoved]
    assert (everything[3].old, everything[3].new) == ("dense", "head")


def test_a_failing_listener_is_logged_and_the_others_still_hear(graph, caplog):
    def broken(_event):
        raise RuntimeError("view went away")

    graph.events.subscribe(broken)
    seen = record(graph)
    with caplog.at_level("ERROR", logger="netbuilder.engine.model.events"):
        graph.add_node("Dense", params={"units": 1})
    assert [type(e) for e in seen] == [ev.NodeAdded]
    assert "node_added" in caplog.text and "view went away" in caplog.text


def test_recording_a_run_does_not_count_as_a_model_change(graph):
    seen = record(graph)
    graph.set_extra("runs", [{"epochs": 1}])
    graph.set_extra("training", {"epochs": 3})
    graph.move(graph.add_node("Dense", params={"units": 1}).id, (5, 5))
    assert [e.changes_model for e in seen] == [False, True, True, True]
