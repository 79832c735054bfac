"""Automatic layered (Sugiyama) layout, top-to-bottom or left-to-right
(Qt-free): :mod:`layering` (layers, virtual points, crossing minimisation),
:mod:`placement` (coordinates, straight main chain), :mod:`routing` (wires
along free channels, never through a node) and :mod:`metrics`.

The direction is a project setting (``graph.extra["layout"]["direction"]``:
``"TB"`` or ``"LR"``); graphs without one are drawn left to right."""

from __future__ import annotations

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.layout.layering import build_layers
from netbuilder.engine.model.layout.placement import Placer
from netbuilder.engine.model.layout.wrap import RUN_GAP, cut_layers, run_count

TB, LR = "TB", "LR"
NODE_WIDTH = 140.0
TB_WIDTH = 220.0  # nodes are wider top to bottom (ports on top and bottom)
NODE_HEIGHT = 62.0
PORT_SPACING = 18.0
LAYER_GAP = {TB: 44.0, LR: 110.0}
DEEP = 10  # layers from which top-to-bottom reads better


TB_PORT_STEP = 36.0


def tb_port_x(index: int, count: int, width: float) -> float:
    """Across position of port ``index`` of ``count`` on a top-to-bottom
    node: grouped around the middle, so a wire into the first of two ports
    hardly bends."""
    step = min(TB_PORT_STEP, width / (count + 1))
    return width / 2 + (index - (count - 1) / 2) * step


def direction_of(graph: Graph) -> str:
    value = (graph.extra.get("layout") or {}).get("direction")
    return value if value in (TB, LR) else LR


def best_direction(graph: Graph) -> str:
    """Top-to-bottom for deep chains (most real models), else left-to-right."""
    from netbuilder.engine.model.layout.layering import assign_layers

    depth = max(assign_layers(graph).values(), default=0) + 1
    return TB if depth >= DEEP else LR


def set_direction(graph: Graph, direction: str) -> None:
    """Store the direction without an event (for freshly built graphs)."""
    if direction not in (TB, LR):
        raise ValueError(f"layout direction must be TB or LR, not {direction!r}")
    graph.extra["layout"] = {**(graph.extra.get("layout") or {}),
                             "direction": direction}


def node_size(graph: Graph, nid: str, direction: str) -> tuple[float, float]:
    """The size the canvas draws a node at (estimated without Qt)."""
    if direction == TB:
        return TB_WIDTH, NODE_HEIGHT
    node = graph.nodes[nid]
    n_in = 0 if node.type == "Input" else graph.input_count(nid)
    rows = max(n_in, graph.output_count(nid), 1)
    return NODE_WIDTH, NODE_HEIGHT if rows == 1 else 60.0 + rows * PORT_SPACING


def layout_positions(graph: Graph, sizes: dict | None = None,
                     direction: str | None = None) -> dict[str, tuple[float, float]]:
    """Top-left corner of each node. ``sizes`` maps node id to (width,
    height) as drawn; missing ones are estimated."""
    direction = direction or direction_of(graph)
    sizes = dict(sizes or {})
    for nid in graph.nodes:
        if nid not in sizes:
            sizes[nid] = node_size(graph, nid, direction)
    tb = direction == TB
    cross = {nid: (w if tb else h) for nid, (w, h) in sizes.items()}
    along = {nid: (h if tb else w) for nid, (w, h) in sizes.items()}
    lay = build_layers(graph)
    centre = Placer(lay, cross).place()
    real = [[k for k in col if not lay.is_virtual(k)] for col in lay.layers]
    lengths = [max((along[k] for k in col), default=0.0) + LAYER_GAP[direction]
               for col in real]
    extents = [(min((centre[k] - cross.get(k, 0.0) / 2 for k in col), default=0.0),
                max((centre[k] + cross.get(k, 0.0) / 2 for k in col), default=0.0))
               for col in lay.layers]
    width = (max((e[1] for e in extents), default=0.0)
             - min((e[0] for e in extents), default=0.0))
    links = [0] + [sum(len(lay.succs[k]) for k in col) for col in lay.layers[:-1]]
    runs = cut_layers(lengths, links,
                      run_count(sum(lengths), width, len(lay.layers), tb))
    out: dict[str, tuple[float, float]] = {}
    offset = 0.0
    for first, end in runs:  # side by side when the drawing wraps
        left = min(extents[i][0] for i in range(first, end))
        start = 0.0
        for i in range(first, end):
            for nid in real[i]:
                c = round(centre[nid] - cross[nid] / 2 - left + offset, 1)
                out[nid] = (c, start) if tb else (start, c)
            start += lengths[i]
        offset += max(extents[i][1] for i in range(first, end)) - left + RUN_GAP
    return out


def layers_of(graph: Graph) -> dict[str, int]:
    from netbuilder.engine.model.layout.layering import assign_layers

    return assign_layers(graph)


def layout_graph(graph: Graph, emit: bool = False,
                 direction: str | None = None) -> None:
    """Move every node to its layered position (through :meth:`Graph.move`,
    which emits events, when ``emit``; directly otherwise)."""
    for nid, xy in layout_positions(graph, direction=direction).items():
        if emit:
            graph.move(nid, xy)
        else:
            graph.nodes[nid].position = xy
