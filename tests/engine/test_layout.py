"""Layered layout and wire routing (engine side, no Qt)."""

from __future__ import annotations

import pytest

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.layout import (
    LAYER_GAP,
    LR,
    TB,
    best_direction,
    direction_of,
    layout_positions,
    node_size,
    set_direction,
)
from netbuilder.engine.model.layout.layering import (
    Layered,
    build_layers,
    count_inversions,
    crossings,
    transpose,
)
from netbuilder.engine.model.layout.metrics import anchors, measure
from netbuilder.engine.model.layout.routing import route_all
from netbuilder.engine.model.layout.wrap import cut_layers
from netbuilder.engine.model.project import dumps, loads


def resnet_like(blocks: int = 4) -> Graph:
    """Input, then blocks of two Dense layers whose output is added to the
    block's input (a skip connection), then Output."""
    g = Graph("res")
    prev = g.add_node("Input", "x", {"shape": [8]}).id
    for b in range(blocks):
        d1 = g.add_node("Dense", f"b{b}_d1", {"units": 8}).id
        d2 = g.add_node("Dense", f"b{b}_d2", {"units": 8}).id
        add = g.add_node("Add", f"b{b}_add", {}).id
        g.connect(prev, 0, d1, 0)
        g.connect(d1, 0, d2, 0)
        g.connect(d2, 0, add, 0)
        g.connect(prev, 0, add, 1)
        prev = add
    out = g.add_node("Output", "y", {}).id
    g.connect(prev, 0, out, 0)
    return g


def rects_of(graph, positions, direction):
    return {n: (*positions[n], *node_size(graph, n, direction)) for n in positions}


def overlaps(rects) -> int:
    items = list(rects.values())
    count = 0
    for i, (x, y, w, h) in enumerate(items):
        for x2, y2, w2, h2 in items[i + 1:]:
            if x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h:
                count += 1
    return count


@pytest.mark.parametrize("direction", [TB, LR])
def test_resnet_like_layers_in_order_no_overlap_no_wire_through_nodes(direction):
    g = resnet_like()
    pos = layout_positions(g, direction=direction)
    along = 1 if direction == TB else 0
    order = [pos[n][along] for n in g.topological_order()]
    assert order == sorted(order) and len(set(order)) == len(order)
    rects = rects_of(g, pos, direction)
    assert overlaps(rects) == 0
    sizes = {n: node_size(g, n, direction) for n in g.nodes}
    result = measure(rects, anchors(g, pos, sizes, direction == TB), direction == TB)
    assert result["wires_through_nodes"] == 0


def test_top_to_bottom_chain_shares_one_column():
    g = resnet_like(3)
    pos = layout_positions(g, direction=TB)
    xs = {round(x, 1) for x, _y in pos.values()}
    assert xs == {0.0}  # Adds are on the chain too: one straight column
    ys = sorted(y for _x, y in pos.values())
    assert ys[1] - ys[0] == pytest.approx(62.0 + LAYER_GAP[TB])  # height + gap


def test_skip_wire_is_routed_beside_the_column():
    g = resnet_like(1)
    pos = layout_positions(g, direction=TB)
    sizes = {n: node_size(g, n, TB) for n in g.nodes}
    wires = anchors(g, pos, sizes, True)
    routes = route_all(rects_of(g, pos, TB), wires, True)
    skip = next(i for i, e in enumerate(g.edges)
                if g.nodes[e.src].type == "Input" and g.nodes[e.dst].type == "Add")
    points, kinds = routes[skip]
    width = sizes[g.edges[skip].src][0]
    # it passes the two Dense layers outside the column [0, width]
    inner = points[1:-1]
    assert any(p[0] > width or p[0] < 0 for p in inner)
    assert len(points) == len(kinds) + 1


def test_direct_wire_through_a_node_is_rerouted():
    # A above B above C in one column; a wire A -> C must not cross B.
    rects = {"a": (0, 0, 100, 50), "b": (0, 100, 100, 50), "c": (0, 200, 100, 50)}
    wires = [("a", (50, 50), "c", (50, 200))]
    points, _kinds = route_all(rects, wires, True)[0]
    assert measure(rects, wires, True)["wires_through_nodes"] == 0
    assert any(p[0] > 100 + 6 or p[0] < -6 for p in points)


def test_backward_wire_goes_round_the_outside():
    rects = {"a": (0, 300, 100, 50), "b": (0, 0, 100, 50), "m": (0, 150, 100, 50)}
    wires = [("a", (50, 350), "b", (50, 0))]
    assert measure(rects, wires, True)["wires_through_nodes"] == 0
    points, kinds = route_all(rects, wires, True)[0]
    assert max(p[0] for p in points) > 100 and set(kinds) == {"L"}


def test_crossings_are_counted_exactly():
    assert count_inversions([3, 1, 2]) == 2
    assert count_inversions([1, 2, 3]) == 0
    assert count_inversions([4, 3, 2, 1]) == 6
    layers = [["a", "b"], ["c", "d"]]
    succs = {"a": ["d"], "b": ["c"], "c": [], "d": []}
    assert crossings(layers, succs) == 1


def test_ordering_removes_an_avoidable_crossing():
    g = Graph("x")
    a = g.add_node("Input", "a", {"shape": [4]}).id
    b = g.add_node("Input", "b", {"shape": [4]}).id
    c = g.add_node("Dense", "c", {"units": 4}).id
    d = g.add_node("Dense", "d", {"units": 4}).id
    g.connect(a, 0, d, 0)
    g.connect(b, 0, c, 0)
    lay = build_layers(g)
    assert crossings(lay.layers, lay.succs) == 0


def test_long_edge_gets_one_virtual_point_per_layer():
    g = resnet_like(1)
    lay = build_layers(g)
    virtual = [k for col in lay.layers for k in col if lay.is_virtual(k)]
    assert len(virtual) == 2  # the skip spans the two Dense layers


def test_direction_is_stored_in_the_project():
    g = resnet_like(1)
    assert direction_of(g) == LR  # unset: left to right, as before
    set_direction(g, TB)
    again = loads(dumps(g)).graph
    assert direction_of(again) == TB
    with pytest.raises(ValueError):
        set_direction(g, "diagonal")


def test_deep_graphs_read_top_to_bottom():
    assert best_direction(resnet_like(4)) == TB
    assert best_direction(resnet_like(1)) == LR


def chain(n: int) -> Graph:
    g = Graph("chain")
    prev = g.add_node("Input", "x", {"shape": [8]}).id
    for i in range(n):
        nid = g.add_node("Dense", f"d{i}", {"units": 8}).id
        g.connect(prev, 0, nid, 0)
        prev = nid
    out = g.add_node("Output", "y", {}).id
    g.connect(prev, 0, out, 0)
    return g


def test_a_long_chain_wraps_into_columns_read_left_to_right():
    g = resnet_like(60)  # 182 nodes, one layer each: 19,000 px as one column
    pos = layout_positions(g, direction=TB)
    columns = sorted({x for x, _y in pos.values()})
    assert len(columns) >= 4
    order = [pos[n] for n in g.topological_order()]
    assert order == sorted(order)  # left column first, each top to bottom
    rects = rects_of(g, pos, TB)
    assert overlaps(rects) == 0
    width = max(x + w for x, _y, w, _h in rects.values())
    height = max(y + h for _x, y, _w, h in rects.values())
    assert 0.8 < width / height < 3.0  # fills a window, not a thin strip
    sizes = {n: node_size(g, n, TB) for n in g.nodes}
    wires = anchors(g, pos, sizes, True)
    assert measure(rects, wires, True)["wires_through_nodes"] == 0


def test_short_graphs_and_left_to_right_chains_of_a_window_do_not_wrap():
    pos = layout_positions(chain(20), direction=TB)
    assert len({x for x, _y in pos.values()}) == 1
    pos = layout_positions(chain(12), direction=LR)
    assert len({y for _x, y in pos.values()}) == 1


def test_cut_prefers_the_boundary_with_fewest_wires():
    lengths = [100.0] * 40
    links = [0] + [3] * 39
    links[22] = 1  # near the middle (20), one wire only
    assert cut_layers(lengths, links, 2) == [(0, 22), (22, 40)]
    assert cut_layers(lengths, [0] + [1] * 39, 2) == [(0, 20), (20, 40)]
    assert cut_layers(lengths, links, 1) == [(0, 40)]


def test_backward_wire_takes_the_corridor_between_columns():
    # two columns of three nodes; the wire from the bottom of the left one
    # to the top of the right one runs up between them, not round the right
    rects = {f"l{i}": (0, 100 * i, 100, 50) for i in range(3)}
    rects |= {f"r{i}": (300, 100 * i, 100, 50) for i in range(3)}
    wires = [("l2", (50, 250), "r0", (350, 0))]
    points, _kinds = route_all(rects, wires, True)[0]
    assert measure(rects, wires, True)["wires_through_nodes"] == 0
    ups = [(p, q) for p, q in zip(points, points[1:], strict=False)
           if p[0] == q[0] and p[1] > 250 and q[1] < 0]  # up past all nodes
    assert len(ups) == 1 and 100 < ups[0][0][0] < 300


def test_transpose_swaps_neighbours_that_cross():
    lay = Layered([["a", "b"], ["c", "d"]],
                  preds={"a": [], "b": [], "c": ["b"], "d": ["a"]},
                  succs={"a": ["d"], "b": ["c"], "c": [], "d": []})
    assert crossings(lay.layers, lay.succs) == 1
    transpose(lay, {"a": 0.0, "b": 1.0, "c": 0.0, "d": 1.0})
    assert crossings(lay.layers, lay.succs) == 0


def test_a_long_left_to_right_chain_wraps_into_rows():
    g = resnet_like(60)
    pos = layout_positions(g, direction=LR)
    rects = rects_of(g, pos, LR)
    assert overlaps(rects) == 0
    width = max(x + w for x, _y, w, _h in rects.values())
    height = max(y + h for _x, y, _w, h in rects.values())
    assert 1.0 < width / height < 2.5  # rows stacked, not one 20,000 px line
    first, last = g.topological_order()[0], g.topological_order()[-1]
    assert pos[first][1] < pos[last][1]  # the first row is on top
    sizes = {n: node_size(g, n, LR) for n in g.nodes}
    wires = anchors(g, pos, sizes, False)
    assert measure(rects, wires, False)["wires_through_nodes"] == 0
