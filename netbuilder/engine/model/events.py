"""Typed graph events: the graph emits them, views and analyses follow.

Each kind of change is a small frozen dataclass (:class:`NodeAdded`,
:class:`EdgeRemoved`, :class:`ParamChanged`, ...) that says exactly what
changed. Listeners subscribe to the kinds they need
(``graph.events.subscribe(fn, EdgeAdded, EdgeRemoved)``) or to all of them
(``graph.events.subscribe(fn)``). A listener that raises is logged and the
other listeners still get the event.

``event.changes_model`` is False for changes that do not affect the model or
its generated code (moving nothing but history, such as recording a training
run): code generation and analysis skip those.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GraphEvent:
    """One change of the graph; subclasses carry the kind-specific details."""

    node_id: str | None = None
    kind: ClassVar[str] = "graph_event"
    changes_model: ClassVar[bool] = True

    @property
    def data(self) -> dict[str, Any]:
        """The details as a dict (for listeners written against the old
        untyped stream; new code reads the typed fields)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "node_id"}


@dataclass(frozen=True)
class NodeAdded(GraphEvent):
    kind: ClassVar[str] = "node_added"


@dataclass(frozen=True)
class NodeRemoved(GraphEvent):
    node: Any = None  # the removed Node
    kind: ClassVar[str] = "node_removed"


@dataclass(frozen=True)
class EdgeAdded(GraphEvent):
    """``node_id`` is the edge's destination."""

    edge: Any = None
    kind: ClassVar[str] = "edge_added"


@dataclass(frozen=True)
class EdgeRemoved(GraphEvent):
    """``node_id`` is the edge's destination."""

    edge: Any = None
    kind: ClassVar[str] = "edge_removed"


@dataclass(frozen=True)
class ParamChanged(GraphEvent):
    """One param (``key``) or, with ``key=None``, all params replaced."""

    key: str | None = None
    old: Any = None
    new: Any = None
    kind: ClassVar[str] = "param_changed"


@dataclass(frozen=True)
class SharesChanged(GraphEvent):
    """The node now calls the layer of ``new`` (None: its own layer); also
    emitted when a removed owner hands its layer on to another node."""

    old: str | None = None
    new: str | None = None
    kind: ClassVar[str] = "shares_changed"


@dataclass(frozen=True)
class NodeRenamed(GraphEvent):
    old: str = ""
    new: str = ""
    kind: ClassVar[str] = "node_renamed"


@dataclass(frozen=True)
class NodeMoved(GraphEvent):
    """Canvas position; it orders generated code, so it counts as a change."""

    old: tuple[float, float] = (0.0, 0.0)
    new: tuple[float, float] = (0.0, 0.0)
    kind: ClassVar[str] = "node_moved"


@dataclass(frozen=True)
class ExtraChanged(GraphEvent):
    """A top-level project field (``"training"``, ``"runs"``, ...)."""

    key: str = ""
    old: Any = None
    new: Any = None
    kind: ClassVar[str] = "extra_changed"
    # Fields that only record history: neither the model nor its code changes.
    RECORD_KEYS: ClassVar[frozenset[str]] = frozenset({"runs"})

    @property
    def changes_model(self) -> bool:  # type: ignore[override]
        return self.key not in self.RECORD_KEYS


# The edits of nodes and edges (everything but project fields).
GRAPH_EDITS: tuple[type[GraphEvent], ...] = (
    NodeAdded, NodeRemoved, EdgeAdded, EdgeRemoved, ParamChanged, SharesChanged,
    NodeRenamed, NodeMoved)

# Kind names, for code written against the untyped stream.
NODE_ADDED = NodeAdded.kind
NODE_REMOVED = NodeRemoved.kind
EDGE_ADDED = EdgeAdded.kind
EDGE_REMOVED = EdgeRemoved.kind
PARAM_CHANGED = ParamChanged.kind
SHARES_CHANGED = SharesChanged.kind
NODE_RENAMED = NodeRenamed.kind
NODE_MOVED = NodeMoved.kind
EXTRA_CHANGED = ExtraChanged.kind


Listener = Callable[[GraphEvent], None]


class Observable:
    """Holds listeners and calls each one with the events it asked for."""

    def __init__(self) -> None:
        self._listeners: list[tuple[Listener, tuple[type[GraphEvent], ...]]] = []

    def subscribe(self, listener: Listener,
                  *kinds: type[GraphEvent]) -> Callable[[], None]:
        """Call ``listener`` with every event of the given kinds (all events
        when none are given); returns a function that removes it again."""
        entry = (listener, tuple(kinds) or (GraphEvent,))
        self._listeners.append(entry)

        def unsubscribe() -> None:
            if entry in self._listeners:
                self._listeners.remove(entry)

        return unsubscribe

    def emit(self, event: GraphEvent) -> None:
        for listener, kinds in list(self._listeners):
            if not isinstance(event, kinds):
                continue
            try:
                listener(event)
            except Exception:  # one broken view must not blind the others
                log.exception("a listener failed on %s", event.kind)
