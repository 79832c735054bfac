"""Undo commands: every edit of the graph goes through one of these.

Each command calls the engine's validated graph API; the graph emits events
and the views follow. The graph is the one place an edit is validated: the
editor runs a command once with :meth:`GraphCommand.try_first_run` and pushes
it onto the undo stack only when that succeeded (Meshroom's ``tryAndPush``),
so a refused edit never reaches the stack. Undo and redo replay it.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.graph import Edge, Graph

MERGE_PARAM = 101
MERGE_MOVE = 102


class GraphCommand(QUndoCommand):
    def __init__(self, graph: Graph, text: str) -> None:
        super().__init__(text)
        self.graph = graph
        self._done_once = False
        self._skip_redo = False

    def try_first_run(self) -> None:
        """Make the edit for the first time; raises the graph's
        :class:`GraphError` (and changes nothing) when it is refused."""
        self.first_run()
        self._done_once = True
        self._skip_redo = True  # QUndoStack.push calls redo(): already done

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
        elif self._done_once:
            self.do()
        else:  # pushed without try_first_run
            self.try_first_run()
            self._skip_redo = False

    def undo(self) -> None:
        self.undo_it()

    def first_run(self) -> None:
        """The first run; commands that learn something then (new ids, the
        wires that could be made) override it. Replays call :meth:`do`."""
        self.do()

    def do(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def undo_it(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def restore_node(graph: Graph, node, index: int | None = None) -> None:
    """Put a removed node back (same id, name, params; at ``index`` in file
    order when given)."""
    graph.add_node(node.type, node.name, copy.deepcopy(node.params), node.position,
                   node_id=node.id, validate=False, index=index)
    if node.shares is not None and node.shares in graph.nodes:
        graph.set_shares(node.id, node.shares)


def relink(graph: Graph, wanted: dict) -> None:
    """Set shared-layer links back to ``wanted`` (node id -> owner id or
    None) for the nodes that differ: unlink them all first, then link."""
    wrong = [nid for nid, owner in wanted.items()
             if nid in graph.nodes and graph.nodes[nid].shares != owner]
    for nid in wrong:
        if graph.nodes[nid].shares is not None:
            graph.set_shares(nid, None)
    for nid in wrong:
        if wanted[nid] is not None and wanted[nid] in graph.nodes:
            graph.set_shares(nid, wanted[nid])


def _reconnect(graph: Graph, edges: list[Edge]) -> None:
    for e in edges:
        if e not in graph.edges:
            graph.connect(e.src, e.src_port, e.dst, e.dst_port)


class AddNodeCommand(GraphCommand):
    """Add one node; optionally wire ``connect_from`` (src, port) into it and
    ``connect_to`` (dst, port) from it."""

    def __init__(self, graph: Graph, type_name: str, position, params=None,
                 name: str | None = None, connect_from=None, connect_to=None) -> None:
        super().__init__(graph, f"Add {type_name}")
        self.type_name = type_name
        self.position = (float(position[0]), float(position[1]))
        self.params = dict(params or {})
        self.name = name
        self.node_id: str | None = None
        self.connect_from = connect_from
        self.connect_to = connect_to
        self.edges: list[Edge] = []

    def first_run(self) -> None:
        node = self.graph.add_node(self.type_name, self.name, self.params,
                                   self.position)
        self.node_id, self.name = node.id, node.name
        try:
            if self.connect_from is not None:
                src, port = self.connect_from
                self.edges.append(self.graph.connect(src, port, node.id, 0))
            if self.connect_to is not None:
                dst, port = self.connect_to
                self.edges.append(self.graph.connect(node.id, 0, dst, port))
        except GraphError:
            pass  # the node stays; the wire simply is not made

    def do(self) -> None:
        self.graph.add_node(self.type_name, self.name, self.params, self.position,
                            node_id=self.node_id)
        _reconnect(self.graph, self.edges)

    def undo_it(self) -> None:
        self.graph.remove_node(self.node_id)


class RemoveCommand(GraphCommand):
    """Delete nodes (with their edges) and individual edges."""

    def __init__(self, graph: Graph, node_ids, edges=()) -> None:
        node_ids = [n for n in node_ids if n in graph.nodes]
        n, e = len(node_ids), len(edges)
        what = (f"{n} layer{'s' if n != 1 else ''}" if n else
                f"{e} connection{'s' if e != 1 else ''}")
        super().__init__(graph, f"Delete {what}")
        self.node_ids = node_ids
        self.extra_edges = list(edges)
        self.nodes = []
        self.edges: list[Edge] = []
        self.order: dict[str, int] = {}
        self.shares: dict = {}

    def do(self) -> None:
        g = self.graph
        ids = set(self.node_ids)
        self.order = {nid: i for i, nid in enumerate(g.nodes)}
        # Deleting a shared layer's owner hands the layer to another node.
        self.shares = {nid: n.shares for nid, n in g.nodes.items()}
        self.edges = [e for e in g.edges if e.src in ids or e.dst in ids]
        self.edges += [e for e in self.extra_edges
                       if e in g.edges and e not in self.edges]
        for e in list(self.edges):
            g.disconnect(e)
        self.nodes = [g.node(nid).copy() for nid in self.node_ids]
        for nid in self.node_ids:
            g.remove_node(nid)

    def undo_it(self) -> None:
        # Back where they were in file order (Input/Output order is the
        # model's input/output order): inserting in ascending old position
        # puts each node at its old index.
        for node in sorted(self.nodes, key=lambda n: self.order.get(n.id, 0)):
            restore_node(self.graph, node, self.order.get(node.id))
        _reconnect(self.graph, self.edges)
        relink(self.graph, self.shares)


class ConnectCommand(GraphCommand):
    def __init__(self, graph: Graph, src: str, src_port: int, dst: str,
                 dst_port: int) -> None:
        super().__init__(graph, "Connect")
        self.args = (src, src_port, dst, dst_port)
        self.edge: Edge | None = None
        try:
            self.setText(f"Connect {graph.node(src).name} → {graph.node(dst).name}")
        except GraphError:
            pass

    def do(self) -> None:
        self.edge = self.graph.connect(*self.args)

    def undo_it(self) -> None:
        self.graph.disconnect(self.edge)


class SetParamCommand(GraphCommand):
    """Set one param; consecutive edits of the same field merge."""

    def __init__(self, graph: Graph, node_id: str, key: str, value: Any) -> None:
        name = graph.node(node_id).name
        super().__init__(graph, f"Set {name}.{key}")
        self.node_id, self.key, self.value = node_id, key, value
        self.old_params = copy.deepcopy(graph.node(node_id).params)
        self.dropped: list[Edge] = []

    def id(self) -> int:
        return MERGE_PARAM

    def mergeWith(self, other) -> bool:
        if not isinstance(other, SetParamCommand) or other.isObsolete():
            return False
        if (other.node_id, other.key) != (self.node_id, self.key):
            return False
        self.value = other.value
        self.dropped += [e for e in other.dropped if e not in self.dropped]
        return True

    def do(self) -> None:
        self.dropped += self.graph.set_param(self.node_id, self.key, self.value)

    def undo_it(self) -> None:
        self.graph.set_params(self.node_id, self.old_params)
        _reconnect(self.graph, self.dropped)
        self.dropped = []


class RenameCommand(GraphCommand):
    def __init__(self, graph: Graph, node_id: str, new_name: str) -> None:
        super().__init__(graph, f"Rename {graph.node(node_id).name} to {new_name}")
        self.node_id, self.new_name = node_id, new_name
        self.old_name = graph.node(node_id).name

    def do(self) -> None:
        self.graph.rename(self.node_id, self.new_name)

    def undo_it(self) -> None:
        self.graph.rename(self.node_id, self.old_name)


class MoveCommand(GraphCommand):
    """Move nodes: ``moves`` maps node id -> (old position, new position)."""

    def __init__(self, graph: Graph, moves: dict, text: str | None = None,
                 layout: tuple | None = None) -> None:
        n = len(moves)
        super().__init__(graph, text or f"Move {n} layer{'s' if n != 1 else ''}")
        self.moves = dict(moves)
        self.layout = layout  # (old, new) project "layout" field, or None

    def do(self) -> None:
        if self.layout is not None:
            self.graph.set_extra("layout", self.layout[1])
        for nid, (_old, new) in self.moves.items():
            if nid in self.graph.nodes:
                self.graph.move(nid, new)

    def undo_it(self) -> None:
        for nid, (old, _new) in self.moves.items():
            if nid in self.graph.nodes:
                self.graph.move(nid, old)
        if self.layout is not None:
            self.graph.set_extra("layout", self.layout[0])


class AddSubgraphCommand(GraphCommand):
    """Paste / duplicate: add copies of nodes with fresh ids and unique names,
    and the edges among them."""

    def __init__(self, graph: Graph, nodes: list[dict], edges: list[dict],
                 offset=(40.0, 40.0), text: str = "Paste") -> None:
        super().__init__(graph, text)
        self.src_nodes = nodes
        self.src_edges = edges
        self.offset = offset
        self.created: list = []  # Node copies, filled on first redo
        self.edges: list[Edge] = []

    def do(self) -> None:
        for node in self.created:
            restore_node(self.graph, node)
        _reconnect(self.graph, self.edges)

    def first_run(self) -> None:
        try:
            self._add_copies()
        except GraphError:
            self.undo_it()
            self.created, self.edges = [], []
            raise

    def _add_copies(self) -> None:
        g = self.graph
        id_map: dict[str, str] = {}
        for raw in self.src_nodes:
            name = g.unique_name(raw.get("name") or raw["type"])
            x, y = raw.get("position", (0, 0))
            node = g.add_node(raw["type"], name, raw.get("params", {}),
                              (x + self.offset[0], y + self.offset[1]))
            id_map[raw["id"]] = node.id
            self.created.append(node.copy())
        for raw in self.src_edges:
            (s, sp), (d, dp) = raw["from"], raw["to"]
            if s in id_map and d in id_map:
                try:
                    self.edges.append(g.connect(id_map[s], sp, id_map[d], dp))
                except GraphError:
                    pass

    def undo_it(self) -> None:
        for node in reversed(self.created):
            if node.id in self.graph.nodes:
                self.graph.remove_node(node.id)

    @property
    def new_ids(self) -> list[str]:
        return [n.id for n in self.created]
