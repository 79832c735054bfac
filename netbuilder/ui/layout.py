"""Auto-arrange: left-to-right layered layout (no Qt here).

Longest-path layering, dummy nodes on long edges, barycentre sweeps for
crossing reduction, then coordinates: x by layer, y by order within layer.
"""

from __future__ import annotations

LAYER_GAP = 300.0
DUMMY_GAP = 30.0


def layered_layout(graph, heights: dict | None = None, sweeps: int = 6) -> dict:
    """Node id -> (x, y) for ``graph`` (engine Graph)."""
    order = graph.topological_order()
    if not order:
        return {}
    heights = heights or {}
    preds: dict[str, list[str]] = {n: [] for n in order}
    for e in graph.edges:
        if e.src in preds and e.dst in preds:
            preds[e.dst].append(e.src)
    layer: dict[str, int] = {}
    for nid in order:  # longest path from the sources
        layer[nid] = max((layer.get(p, 0) + 1 for p in preds[nid] if p in layer),
                         default=0)
    # Pull Output nodes (and other sinks) to the far right of their component?
    # Keep longest-path layering; it already places sinks after their inputs.
    n_layers = max(layer.values()) + 1
    # Build the proper layered graph with dummies.
    up: dict[str, list[str]] = {n: [] for n in order}
    down: dict[str, list[str]] = {n: [] for n in order}
    layers: list[list[str]] = [[] for _ in range(n_layers)]
    for nid in order:
        layers[layer[nid]].append(nid)
    dummy_count = 0
    for e in graph.edges:
        if e.src not in layer or e.dst not in layer:
            continue
        a, la, lb = e.src, layer[e.src], layer[e.dst]
        prev = a
        for level in range(la + 1, lb):
            dummy_count += 1
            d = f"__dummy{dummy_count}"
            up[d], down[d] = [prev], []
            down[prev].append(d)
            layers[level].append(d)
            layer[d] = level
            prev = d
        down[prev].append(e.dst)
        up[e.dst].append(prev)
    pos = {n: i for lay in layers for i, n in enumerate(lay)}

    def sweep(rng, neighbours) -> None:
        for level in rng:
            lay = layers[level]

            def bary(n, lay=lay):
                ns = neighbours[n]
                if not ns:
                    return pos[n]
                return sum(pos[m] for m in ns) / len(ns)

            lay.sort(key=bary)
            for i, n in enumerate(lay):
                pos[n] = i

    for _ in range(sweeps):
        sweep(range(1, n_layers), up)
        sweep(range(n_layers - 2, -1, -1), down)

    coords: dict[str, tuple[float, float]] = {}
    for level, lay in enumerate(layers):
        y = 0.0
        ys = []
        for n in lay:
            ys.append(y)
            y += DUMMY_GAP if n.startswith("__dummy") else heights.get(n, 62.0) + 40.0
        offset = -y / 2.0
        for n, yy in zip(lay, ys):
            if not n.startswith("__dummy"):
                coords[n] = (level * LAYER_GAP, round(yy + offset, 1))
    return coords
