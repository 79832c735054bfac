"""A tiny plain-Python observer: the graph emits events, the UI follows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Event kinds emitted by :class:`netbuilder.engine.model.graph.Graph`.
NODE_ADDED = "node_added"
NODE_REMOVED = "node_removed"
EDGE_ADDED = "edge_added"
EDGE_REMOVED = "edge_removed"
PARAM_CHANGED = "param_changed"
NODE_RENAMED = "node_renamed"
NODE_MOVED = "node_moved"
GRAPH_RESET = "graph_reset"
EXTRA_CHANGED = "extra_changed"  # a top-level project field (e.g. "training")


@dataclass(frozen=True)
class GraphEvent:
    """One change of the graph. ``data`` carries kind-specific details."""

    kind: str
    node_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[GraphEvent], None]


class Observable:
    """Holds listeners and calls each one with every emitted event."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; returns a function that removes it again."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: GraphEvent) -> None:
        for listener in list(self._listeners):
            listener(event)
