"""Undo commands for engine operations that rewrite part of the graph
(group a selection, flatten a group).

The engine operation runs once, on the first ``redo``; the command records
what it changed (nodes removed and added with their file positions, edges
removed and added, shared-layer links changed) and replays that difference
forwards or backwards through the graph API. Undo therefore restores the
exact previous graph: the same node ids, names, params, positions, file
order, shared layers and connections.
"""

from __future__ import annotations

from collections.abc import Callable

from netbuilder.engine.model.graph import Graph, Node
from netbuilder.ui.document.commands import GraphCommand, relink, restore_node


class _State:
    """The parts of a graph a rewrite can change."""

    def __init__(self, graph: Graph) -> None:
        self.order = {nid: i for i, nid in enumerate(graph.nodes)}
        self.nodes = {nid: n.copy() for nid, n in graph.nodes.items()}
        self.edges = list(graph.edges)


class RewriteCommand(GraphCommand):
    """Run ``operation(graph)`` once; undo/redo replay its difference."""

    def __init__(self, graph: Graph, text: str,
                 operation: Callable[[Graph], object]) -> None:
        super().__init__(graph, text)
        self.operation = operation
        self.result: object = None
        self.before: _State | None = None
        self.after: _State | None = None

    def do(self) -> None:
        self._change(self.before, self.after)

    def first_run(self) -> None:
        before = _State(self.graph)
        try:
            self.result = self.operation(self.graph)
        except Exception:
            # The engine validates before it changes anything, but never leave
            # a half-made rewrite behind.
            self._change(_State(self.graph), before)
            raise
        self.before, self.after = before, _State(self.graph)

    def undo_it(self) -> None:
        self._change(self.after, self.before)

    def _change(self, old: _State, new: _State) -> None:
        g = self.graph
        new_edges, old_edges = set(new.edges), set(old.edges)
        for e in old.edges:
            if e not in new_edges and e in g.edges:
                g.disconnect(e)
        gone = [nid for nid in old.nodes if nid not in new.nodes]
        for nid in reversed(gone):
            if nid in g.nodes:
                g.remove_node(nid)
        added = sorted((nid for nid in new.nodes if nid not in old.nodes),
                       key=lambda nid: new.order[nid])
        for nid in added:
            node: Node = new.nodes[nid]
            plain = node.copy()
            plain.shares = None
            restore_node(g, plain, new.order[nid])
        for e in new.edges:
            if e not in old_edges and e not in g.edges:
                g.connect(e.src, e.src_port, e.dst, e.dst_port)
        relink(g, {nid: node.shares for nid, node in new.nodes.items()})
        for nid, node in new.nodes.items():  # a rewrite may also re-arrange
            if nid in old.nodes and nid in g.nodes and \
                    tuple(g.nodes[nid].position) != tuple(node.position):
                g.move(nid, node.position)

    @property
    def added_ids(self) -> list[str]:
        if self.before is None or self.after is None:
            return []
        return [nid for nid in self.after.nodes if nid not in self.before.nodes]


def group_command(graph: Graph, node_ids, name: str | None,
                  shapes: dict) -> RewriteCommand:
    from netbuilder.engine.model.groups import group_nodes

    n = len(node_ids)
    return RewriteCommand(
        graph, f"Group {n} layer{'s' if n != 1 else ''}",
        lambda g: group_nodes(g, list(node_ids), name, shapes=shapes))


def blocks_command(graph: Graph, shapes: dict, arrange) -> RewriteCommand:
    """Fold every named block into a group, then ``arrange(graph)`` returns
    the new positions (one undo step). ``result`` is (group ids, skipped)."""
    from netbuilder.engine.model.blocks import group_blocks

    def operation(g: Graph):
        result = group_blocks(g, shapes)
        if result[0]:
            for nid, xy in arrange(g).items():
                g.move(nid, xy)
        return result

    return RewriteCommand(graph, "Group blocks", operation)


def flatten_command(graph: Graph, node_id: str) -> RewriteCommand:
    from netbuilder.engine.model.groups import flatten_group

    name = graph.node(node_id).name
    sites = len(graph.share_set(node_id))
    calls = f" ({sites} call sites)" if sites > 1 else ""
    return RewriteCommand(graph, f"Flatten group {name}{calls}",
                          lambda g: flatten_group(g, node_id))

