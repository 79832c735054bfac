"""Auto-arrange on the canvas (no Qt here): the engine's layered layout
(:func:`netbuilder.engine.model.layout.layout_positions`) given the sizes the
canvas really draws (taller nodes with many ports, expanded groups), so
nothing overlaps."""

from __future__ import annotations

from netbuilder.engine.model.layout import layout_positions


def arrange(graph, sizes: dict | None = None,
            direction: str | None = None) -> dict[str, tuple[float, float]]:
    """Node id -> (x, y) for the engine ``graph``; ``sizes`` maps node id to
    the (width, height) drawn on the canvas; ``direction`` is "TB" or "LR"
    (default: the project's)."""
    return {nid: (round(x, 1), round(y, 1)) for nid, (x, y)
            in layout_positions(graph, sizes, direction).items()}
