"""Auto-arrange on the canvas (no Qt here).

The engine's layered layout (:func:`netbuilder.engine.model.layout.layout_positions`)
chooses each node's column and its order within the column. It assumes
every node has one standard size; on the canvas some are taller (many
ports) or wider (an expanded group), so the columns and rows are re-spaced
here by the real sizes, keeping the engine's order: nothing overlaps.
"""

from __future__ import annotations

from netbuilder.engine.model.layout import layout_positions

H_GAP = 110.0
V_GAP = 40.0
DEFAULT_SIZE = (140.0, 62.0)


def arrange(graph, sizes: dict | None = None) -> dict[str, tuple[float, float]]:
    """Node id -> (x, y) for the engine ``graph``; ``sizes`` maps node id to
    the (width, height) drawn on the canvas."""
    sizes = sizes or {}
    coords = layout_positions(graph)
    columns: dict[float, list[str]] = {}
    for nid, (x, _y) in coords.items():
        columns.setdefault(x, []).append(nid)
    out: dict[str, tuple[float, float]] = {}
    left = 0.0
    stacks: list[tuple[float, list[str], float]] = []
    for x in sorted(columns):
        col = sorted(columns[x], key=lambda nid: coords[nid][1])
        width = max(sizes.get(nid, DEFAULT_SIZE)[0] for nid in col)
        height = sum(sizes.get(nid, DEFAULT_SIZE)[1] for nid in col) \
            + V_GAP * (len(col) - 1)
        stacks.append((left, col, height))
        left += width + H_GAP
    tallest = max((h for _, _, h in stacks), default=0.0)
    for left, col, height in stacks:
        y = (tallest - height) / 2
        for nid in col:
            out[nid] = (round(left, 1), round(y, 1))
            y += sizes.get(nid, DEFAULT_SIZE)[1] + V_GAP
    return out
