"""The editor: turns user gestures into undo commands on one QUndoStack.

Widgets call these methods; nothing else changes the graph. The graph
validates each edit (once): a command runs first and is pushed only when the
graph accepted it. Refused edits are reported through ``message`` (shown in
the status bar) and never raise.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.graph import Edge, Graph
from netbuilder.engine.model.params import default_params, validate_value
from netbuilder.ui.document import commands as cmd


class Editor(QObject):
    message = Signal(str)          # plain-words feedback for the status bar
    graphReplaced = Signal(object)  # the new Graph

    def __init__(self, graph: Graph | None = None, parent=None) -> None:
        super().__init__(parent)
        self.graph = graph or Graph("untitled")
        self.stack = QUndoStack(self)

    def set_graph(self, graph: Graph) -> None:
        self.stack.clear()
        self.graph = graph
        self.graphReplaced.emit(graph)

    # ------------------------------------------------------------- helpers
    def _push(self, command: cmd.GraphCommand, refused: str = "") -> bool:
        """Run ``command``; push it when the graph accepted it, else say why
        (after ``refused``, e.g. "Not connected: ")."""
        try:
            command.try_first_run()
        except GraphError as exc:
            return self._refuse(GraphError(f"{refused}{exc}"))
        self.stack.push(command)
        return True

    def _refuse(self, exc: Exception) -> bool:
        self.message.emit(str(exc))
        return False

    # ------------------------------------------------------------- edits
    def add_node(self, type_name: str, position, params: dict | None = None,
                 connect_from=None, connect_to=None) -> str | None:
        spec = self.graph.catalog.get(type_name)
        if spec is None:
            reason = GraphError(f"{type_name!r} is not a known layer type")
            return self._refuse(reason) or None
        if params is None:
            params = default_params(spec.type, self.graph.catalog)
        command = cmd.AddNodeCommand(self.graph, spec.type, position, params,
                                     connect_from=connect_from, connect_to=connect_to)
        if spec.type == "Input":
            command.connect_from = None
        if spec.type == "Output":
            command.connect_to = None
        return command.node_id if self._push(command) else None

    def delete(self, node_ids, edges=()) -> bool:
        node_ids = [n for n in node_ids if n in self.graph.nodes]
        edges = [e for e in edges if e in self.graph.edges]
        if not node_ids and not edges:
            return False
        return self._push(cmd.RemoveCommand(self.graph, node_ids, edges))

    def connect(self, src: str, src_port: int, dst: str, dst_port: int) -> bool:
        return self._push(cmd.ConnectCommand(self.graph, src, src_port, dst,
                                             dst_port), "Not connected: ")

    def disconnect(self, edge: Edge) -> bool:
        return self.delete([], [edge])

    def move_connection(self, edge: Edge, dst: str, dst_port: int) -> bool:
        """Re-plug ``edge`` into another input as one undo step."""
        if edge not in self.graph.edges:
            return False
        trial = self.graph.copy()
        trial.disconnect(edge)
        try:
            trial.check_connection(edge.src, edge.src_port, dst, dst_port)
        except GraphError as exc:
            return self._refuse(GraphError(f"Not moved: {exc}"))
        self.stack.beginMacro("Move connection")
        try:
            self._push(cmd.RemoveCommand(self.graph, [], [edge]))
            self._push(cmd.ConnectCommand(self.graph, edge.src, edge.src_port,
                                          dst, dst_port))
        finally:
            self.stack.endMacro()
        return True

    def check_param(self, node_id: str, key: str, value: Any) -> str | None:
        """None when ``value`` fits the param, else the reason."""
        node = self.graph.nodes.get(node_id)
        spec = self.graph.catalog.get(node.type) if node else None
        pspec = spec.param(key) if spec else None
        if pspec is None:
            return f"there is no parameter {key!r}"
        try:
            validate_value(pspec, value, self.graph.catalog)
        except GraphError as exc:
            return str(exc)
        return None

    def set_param(self, node_id: str, key: str, value: Any) -> bool:
        node = self.graph.nodes.get(node_id)
        if node is None:
            return self._refuse(GraphError(f"there is no node {node_id!r}"))
        spec = self.graph.catalog.get(node.type)
        pspec = spec.param(key) if spec else None
        if pspec is not None and node.params.get(key, pspec.default) == value:
            return True  # nothing changes: no undo step
        return self._push(cmd.SetParamCommand(self.graph, node_id, key, value))

    def set_param_many(self, node_ids, key: str, value: Any) -> bool:
        for nid in node_ids:
            reason = self.check_param(nid, key, value)
            if reason:
                return self._refuse(GraphError(reason))
        # Checked for all first, so that the macro is made whole or not at all.
        self.stack.beginMacro(f"Set {key} on {len(node_ids)} layers")
        try:
            for nid in node_ids:
                self._push(cmd.SetParamCommand(self.graph, nid, key, value))
        finally:
            self.stack.endMacro()
        return True

    def rename(self, node_id: str, new_name: str) -> bool:
        node = self.graph.nodes.get(node_id)
        if node is None or node.name == new_name:
            return False
        return self._push(cmd.RenameCommand(self.graph, node_id, new_name))

    def move(self, moves: dict, text: str | None = None,
             layout: tuple | None = None) -> bool:
        """Move nodes (one undo step); ``layout`` = (old, new) also changes
        the project's layout field (the drawing direction) in the same step."""
        moves = {nid: (tuple(o), tuple(n)) for nid, (o, n) in moves.items()
                 if tuple(o) != tuple(n) and nid in self.graph.nodes}
        if layout is not None and layout[0] == layout[1]:
            layout = None
        if not moves and layout is None:
            return False
        return self._push(cmd.MoveCommand(self.graph, moves, text, layout))

    def group(self, node_ids, shapes: dict, name: str | None = None) -> str | None:
        """Replace ``node_ids`` by one Group node; returns its id."""
        from netbuilder.ui.document.group_commands import group_command

        node_ids = [n for n in node_ids if n in self.graph.nodes]
        if not node_ids:
            return self._refuse(GraphError("select the layers to group first")) or None
        command = group_command(self.graph, node_ids, name, shapes)
        if not self._push(command):
            return None
        return command.result.id

    def group_blocks(self, shapes: dict, arrange) -> tuple[list[str], list[str]]:
        """Fold every named block into a group and re-arrange (one undo
        step); returns (group ids, reasons for blocks left alone)."""
        from netbuilder.ui.document.group_commands import blocks_command

        command = blocks_command(self.graph, shapes, arrange)
        if not self._push(command):
            return [], []
        return command.result

    def flatten(self, node_id: str) -> list[str]:
        """Put a group's layers back inline; returns their new ids."""
        from netbuilder.ui.document.group_commands import flatten_command

        node = self.graph.nodes.get(node_id)
        if node is None or node.type != "Group":
            name = node.name if node is not None else "the selection"
            self._refuse(GraphError(f"{name!r} is not a group: select a group to "
                                    "flatten"))
            return []
        command = flatten_command(self.graph, node_id)
        return command.added_ids if self._push(command) else []

    def add_subgraph(self, nodes: list[dict], edges: list[dict], offset=(40, 40),
                     text: str = "Paste") -> list[str]:
        command = cmd.AddSubgraphCommand(self.graph, nodes, edges, offset, text)
        return command.new_ids if self._push(command) else []
