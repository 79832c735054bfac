"""Coordinate assignment for the layered layout (Qt-free).

Works in two axes: the *layer* axis (down for top-to-bottom, right for
left-to-right) and the *cross* axis. Each layer keeps its order; every item
wants the median cross position of its neighbours in the layer before (down
sweeps) or after (up sweeps); the positions closest to those wishes that
keep the order and the minimum gaps are found exactly by weighted isotonic
regression (pool adjacent violators). Main-chain nodes weigh so much that
the chain stays on one straight line; virtual points weigh more than real
nodes, so long wires run straight."""

from __future__ import annotations

NODE_GAP = 36.0      # between two nodes of a layer (cross axis)
VIRTUAL_SIZE = 14.0  # room a wire passing through a layer reserves
VIRTUAL_GAP = 8.0
ITERATIONS = 4
CHAIN_WEIGHT = 1e6


def _pav(targets: list[float], weights: list[float]) -> list[float]:
    """Non-decreasing values minimising sum w * (v - t)^2."""
    blocks: list[list[float]] = []  # [value, weight, count]
    for t, w in zip(targets, weights, strict=True):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for value, _w, count in blocks:
        out.extend([value] * int(count))
    return out


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


class Placer:
    def __init__(self, lay, cross_size: dict) -> None:
        self.lay = lay
        self.size = {k: (VIRTUAL_SIZE if lay.is_virtual(k) else cross_size[k])
                     for col in lay.layers for k in col}
        self.weight = {k: (CHAIN_WEIGHT if k in lay.chain else
                           4.0 if lay.is_virtual(k) else 1.0)
                       for col in lay.layers for k in col}
        self.x: dict = {}

    def _offsets(self, col: list) -> list[float]:
        offsets, total = [0.0], 0.0
        for a, b in zip(col, col[1:], strict=False):
            both_real = not (self.lay.is_virtual(a) or self.lay.is_virtual(b))
            gap = NODE_GAP if both_real else VIRTUAL_GAP
            total += (self.size[a] + self.size[b]) / 2 + gap
            offsets.append(total)
        return offsets

    def _fit(self, col: list, wishes: list[float]) -> None:
        offsets = self._offsets(col)
        ys = _pav([w - o for w, o in zip(wishes, offsets, strict=True)],
                  [self.weight[k] for k in col])
        for k, y, o in zip(col, ys, offsets, strict=True):
            self.x[k] = y + o

    def _sweep(self, down: bool) -> None:
        layers = self.lay.layers
        neigh = self.lay.preds if down else self.lay.succs
        seq = range(1, len(layers)) if down else range(len(layers) - 2, -1, -1)
        for c in seq:
            col = layers[c]
            wishes = []
            for k in col:
                if k in self.lay.chain:
                    wishes.append(0.0)
                elif neigh[k]:
                    wishes.append(_median([self.x[o] for o in neigh[k]]))
                else:
                    wishes.append(self.x[k])
            self._fit(col, wishes)

    def place(self) -> dict:
        """Centre of each key on the cross axis."""
        for col in self.lay.layers:
            offsets = self._offsets(col)
            anchor = next((offsets[i] for i, k in enumerate(col)
                           if k in self.lay.chain), offsets[-1] / 2 if col else 0)
            for k, o in zip(col, offsets, strict=True):
                self.x[k] = o - anchor
        for _ in range(ITERATIONS):
            self._sweep(down=True)
            self._sweep(down=False)
        self._sweep(down=True)
        return self.x
