"""Long drawings wrap (Qt-free): a layered drawing much longer than a
window (a 400-layer chain is one column 40,000 px tall) is cut into runs of
consecutive layers placed side by side, like the columns of a newspaper:
top to bottom the runs are columns read left to right, left to right they
are rows read top to bottom. Cuts go where the fewest wires cross between
two layers (ideally only the main chain), near evenly spaced points, and
the number of runs makes the whole drawing about as wide as tall as a
window (:data:`ASPECT`)."""

from __future__ import annotations

import math

ASPECT = 1.6       # width : height of the window a fitted drawing fills
MIN_LAYERS = 12    # a run has at least this many layers
RUN_GAP = 100.0    # between two runs (room for the wires that wrap round)


def run_count(total_along: float, cross: float, layers: int, tb: bool) -> int:
    """How many runs fill a window best for a drawing ``total_along`` long
    and ``cross`` wide (top to bottom: tall and narrow)."""
    pitch = cross + RUN_GAP
    if total_along <= 0 or pitch <= 0:
        return 1
    if tb:  # k columns: k * pitch wide, total / k tall
        k = math.sqrt(ASPECT * total_along / pitch)
    else:   # k rows: total / k wide, k * pitch tall
        k = math.sqrt(total_along / (ASPECT * pitch))
    return max(1, min(int(round(k)), layers // MIN_LAYERS))


def cut_layers(lengths: list[float], links: list[int],
               runs: int) -> list[tuple[int, int]]:
    """Split layers 0..n-1 (``lengths[i]``: layer i's extent plus its gap;
    ``links[i]``: wires between layer i-1 and layer i) into ``runs`` ranges
    [start, end). Each cut is the layer boundary with the fewest wires within
    a third of a run of the evenly spaced point (nearest to it on ties)."""
    n = len(lengths)
    if runs < 2 or n < 2:
        return [(0, n)]
    starts = [0.0]
    for length in lengths:
        starts.append(starts[-1] + length)
    total = starts[-1]
    window = max(1, n // (3 * runs))
    cuts: list[int] = []
    for j in range(1, runs):
        goal = total * j / runs
        ideal = min(range(1, n), key=lambda i, g=goal: abs(starts[i] - g))
        low = max(cuts[-1] + 1 if cuts else 1, ideal - window)
        high = min(n - 1, ideal + window)
        if low > high:
            continue
        cuts.append(min(range(low, high + 1),
                        key=lambda i, d=ideal: (links[i], abs(i - d))))
    bounds = [0, *cuts, n]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
