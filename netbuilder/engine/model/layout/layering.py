"""Layering and ordering for the layered (Sugiyama) layout (Qt-free).

Nodes get a layer (longest path from the sources, then pulled towards their
consumers so edges stay short); an edge spanning several layers is broken
into one virtual point per layer it crosses, so it reserves room in every
layer it passes; barycenter sweeps then order each layer to reduce crossings
(the best order seen is kept, crossings counted exactly by inversions)."""

from __future__ import annotations

from dataclasses import dataclass, field

SWEEPS = 12


@dataclass
class Layered:
    """Layers of keys (a node id, or a virtual point ``("~", edge_index, k)``)
    with the links between consecutive layers."""

    layers: list[list]
    preds: dict = field(default_factory=dict)
    succs: dict = field(default_factory=dict)
    layer_of: dict = field(default_factory=dict)
    chain: set = field(default_factory=set)  # the straight main chain

    def is_virtual(self, key) -> bool:
        return isinstance(key, tuple)


def assign_layers(graph) -> dict[str, int]:
    """Layer of each node: 0 for sources, 1 + the furthest input's otherwise;
    a node then moves down next to its first consumer when it can (so a
    constant or a side input does not start a long wire)."""
    order = graph.topological_order()
    layer: dict[str, int] = {}
    for nid in order:
        preds = [layer[p] for p in graph.predecessors(nid) if p in layer]
        layer[nid] = 1 + max(preds) if preds else 0
    for nid in reversed(order):
        succs = [layer[s] for s in graph.successors(nid)]
        if succs and graph.nodes[nid].type != "Input":
            layer[nid] = max(layer[nid], min(succs) - 1)
    return layer


def main_chain(graph, layer: dict[str, int]) -> list[str]:
    """The longest path (in layers) from a source to a sink: drawn straight."""
    best: dict[str, tuple[int, str | None]] = {}
    for nid in graph.topological_order():
        options = [(best[p][0], p) for p in graph.predecessors(nid)
                   if layer[p] == layer[nid] - 1]
        length, prev = max(options) if options else (0, None)
        best[nid] = (length + 1, prev)
    if not best:
        return []
    node = max(best, key=lambda n: (best[n][0], -layer[n]))
    chain = []
    while node is not None:
        chain.append(node)
        node = best[node][1]
    return chain[::-1]


def build_layers(graph) -> Layered:
    layer = assign_layers(graph)
    depth = max(layer.values(), default=-1) + 1
    result = Layered([[] for _ in range(depth)])
    for nid in graph.topological_order():
        result.layers[layer[nid]].append(nid)
        result.layer_of[nid] = layer[nid]
        result.preds[nid], result.succs[nid] = [], []
    for index, edge in enumerate(graph.edges):
        a, b = edge.src, edge.dst
        if a not in layer or b not in layer:
            continue
        prev = a
        for k, lay in enumerate(range(layer[a] + 1, layer[b])):
            key = ("~", index, k)
            result.layers[lay].append(key)
            result.layer_of[key] = lay
            result.preds[key], result.succs[key] = [prev], []
            result.succs[prev].append(key)
            prev = key
        result.succs[prev].append(b)
        result.preds[b].append(prev)
    result.chain = set(main_chain(graph, layer))
    order_layers(result)
    return result


def count_inversions(values: list[int]) -> int:
    """Pairs i < j with values[i] > values[j] (merge sort, O(n log n))."""
    if len(values) < 2:
        return 0
    mid = len(values) // 2
    left, right = values[:mid], values[mid:]
    total = count_inversions(left) + count_inversions(right)
    left.sort()
    right.sort()
    i = 0
    for r in right:
        while i < len(left) and left[i] <= r:
            i += 1
        total += len(left) - i
    return total


def crossings(layers: list[list], succs: dict) -> int:
    """Exact number of crossings between consecutive layers."""
    total = 0
    for upper, lower in zip(layers, layers[1:], strict=False):
        index = {k: i for i, k in enumerate(lower)}
        ends = sorted((i, index[s]) for i, k in enumerate(upper)
                      for s in succs[k] if s in index)
        total += count_inversions([b for _, b in ends])
    return total


def _pair_crossings(u, v, neighbours: tuple, pos: dict) -> int:
    """Crossings between the wires of ``u`` and of ``v`` (``u`` placed
    before ``v``) with the layers above and below."""
    total = 0
    for neigh in neighbours:
        for a in neigh[u]:
            pa = pos[a]
            total += sum(1 for b in neigh[v] if pos[b] < pa)
    return total


def transpose(lay: Layered, pos: dict, rounds: int = 4) -> None:
    """Swap neighbours in a layer while that removes crossings (the
    *transpose* step of Gansner et al.)."""
    neighbours = (lay.preds, lay.succs)
    for _ in range(rounds):
        improved = False
        for col in lay.layers:
            for i in range(len(col) - 1):
                u, v = col[i], col[i + 1]
                if _pair_crossings(v, u, neighbours, pos) < \
                        _pair_crossings(u, v, neighbours, pos):
                    col[i], col[i + 1] = v, u
                    pos[u], pos[v] = float(i + 1), float(i)
                    improved = True
        if not improved:
            return


def order_layers(lay: Layered) -> None:
    """Barycenter sweeps, down then up, each followed by neighbour swaps
    (transpose), keeping the order with the fewest crossings."""
    layers = lay.layers
    pos = {k: float(i) for col in layers for i, k in enumerate(col)}
    best = [list(c) for c in layers]
    best_score = crossings(layers, lay.succs)
    for sweep in range(SWEEPS):
        if best_score == 0:
            break
        down = sweep % 2 == 0
        neigh = lay.preds if down else lay.succs
        seq = range(1, len(layers)) if down else range(len(layers) - 2, -1, -1)
        for c in seq:
            def bary(k, neigh=neigh):
                others = neigh[k]
                if not others:
                    return pos[k]
                return sum(pos[o] for o in others) / len(others)
            layers[c].sort(key=lambda k: (bary(k), pos[k]))
            for i, k in enumerate(layers[c]):
                pos[k] = float(i)
        transpose(lay, pos, rounds=1)
        score = crossings(layers, lay.succs)
        if score < best_score:
            best, best_score = [list(c) for c in layers], score
    lay.layers[:] = best
