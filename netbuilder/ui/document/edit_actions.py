"""Canvas editing actions of the main window: add, delete, copy/paste,
duplicate, group/flatten, expand groups, auto-arrange, select all (a mixin
for MainWindow)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QCursor

from netbuilder.ui.canvas.arrange import arrange
from netbuilder.ui.document import clipboard


class EditActionsMixin:
    # ------------------------------------------------------------ adding
    def add_layer_at(self, type_name: str, pos: QPointF, connect_from=None,
                     connect_to=None) -> str | None:
        x, y = pos.x() - 90, pos.y() - 31
        nid = self.editor.add_node(type_name, (round(x, 1), round(y, 1)),
                                   connect_from=connect_from, connect_to=connect_to)
        if nid:
            self.scene.select_nodes([nid])
            self.scene.update_scene_rect()
            # After a drop from the palette the keys belong to the canvas
            # again: Tab opens quick add, not the Inspector's name field.
            self.view.setFocus(Qt.OtherFocusReason)
            self.view.ensureVisible(self.scene.nodes[nid], 80, 60)  # follow it
        return nid

    def add_layer_from_palette(self, type_name: str) -> str | None:
        """Double-click in the palette: after the selected node when that fits,
        else at the view centre."""
        selected = self.scene.selected_node_ids()
        graph = self.editor.graph
        if len(selected) == 1 and type_name != "Input":
            src = graph.node(selected[0])
            if graph.output_count(src.id) > 0:
                item = self.scene.nodes[src.id]
                taken = any(e.src == src.id for e in graph.edges)
                if self.scene.tb:  # below it (beside it when its output is used)
                    pos = QPointF(src.position[0] + 90 + (item.width + 40) * taken,
                                  src.position[1] + item.height + 60 + 31)
                else:
                    pos = QPointF(src.position[0] + 250 + 90,
                                  src.position[1] + item.height / 2 + 110 * taken)
                return self.add_layer_at(type_name, pos, connect_from=(src.id, 0))
        return self.add_layer_at(type_name, self.view.view_center())

    def open_quick_add(self, scene_pos: QPointF, connect_from=None,
                       connect_to=None) -> None:
        self._quick_context = (scene_pos, connect_from, connect_to)
        view_pos = self.view.mapFromScene(scene_pos)
        global_pos = self.view.viewport().mapToGlobal(view_pos)
        if not self.view.viewport().rect().contains(view_pos):
            global_pos = QCursor.pos()
        self.quick_add.popup(global_pos, self._wire_rank(connect_from))

    def _wire_rank(self, connect_from) -> int | None:
        """The rank (batch axis included) of the tensor on the wire that
        quick add continues, when the analysis knows it."""
        if connect_from is None:
            return None
        info = self.analysis.info.get(connect_from[0])
        shapes = getattr(info, "output_shapes", None) or []
        port = connect_from[1]
        shape = shapes[port] if 0 <= port < len(shapes) else None
        return len(shape) if isinstance(shape, (list, tuple)) else None

    def _quick_chosen(self, type_name: str) -> None:
        pos, connect_from, connect_to = getattr(
            self, "_quick_context", (self.view.view_center(), None, None))
        self._quick_context = (self.view.view_center(), None, None)
        self.add_layer_at(type_name, pos, connect_from, connect_to)

    def _wire_dropped(self, from_port, to_port, pos: QPointF) -> None:
        self.open_quick_add(pos, connect_from=from_port, connect_to=to_port)

    # ------------------------------------------------------------ removing
    def delete_selection(self) -> None:
        self.editor.delete(self.scene.selected_node_ids(), self.scene.selected_edges())

    # ------------------------------------------------------------ clipboard
    def copy_selection(self) -> int:
        n = clipboard.copy_nodes(self.editor.graph, self.scene.selected_node_ids())
        if n:
            self.show_message(f"Copied {n} layer{'s' if n != 1 else ''}")
            self._paste_count = 0
        return n

    def cut_selection(self) -> None:
        if self.copy_selection():
            self.delete_selection()

    def paste(self) -> list[str]:
        payload = clipboard.clipboard_payload()
        if payload is None:
            self.show_message("Nothing to paste: the clipboard holds no layers")
            return []
        self._paste_count = getattr(self, "_paste_count", 0) + 1
        step = 40.0 * self._paste_count
        ids = self.editor.add_subgraph(payload["nodes"], payload["edges"],
                                       (step, step), "Paste")
        if ids:
            self.scene.select_nodes(ids)
        return ids

    def duplicate(self) -> list[str]:
        payload = clipboard.selection_payload(self.editor.graph,
                                              self.scene.selected_node_ids())
        if not payload["nodes"]:
            return []
        ids = self.editor.add_subgraph(payload["nodes"], payload["edges"], (40, 40),
                                       "Duplicate")
        if ids:
            self.scene.select_nodes(ids)
        return ids

    def select_all(self) -> None:
        self.scene.select_nodes(list(self.scene.nodes))

    # ------------------------------------------------------------ layout
    def auto_arrange(self, direction: str | None = None) -> None:
        """Layered layout of the whole graph, one undo step; with
        ``direction`` ("TB" / "LR") the project's drawing direction changes
        in the same step."""
        from netbuilder.engine.model.layout import direction_of, node_size

        graph = self.editor.graph
        old = direction_of(graph)
        direction = direction or old
        if direction == old:
            sizes = {nid: (item.width, item.height)
                     for nid, item in self.scene.nodes.items()}
        else:  # ports move to other sides: sizes as the new direction draws
            sizes = {nid: node_size(graph, nid, direction) for nid in graph.nodes}
        coords = arrange(graph, sizes, direction)
        moves = {nid: (graph.nodes[nid].position, xy) for nid, xy in coords.items()}
        layout = None
        if direction != old:
            layout = (graph.extra.get("layout"),
                      {**(graph.extra.get("layout") or {}), "direction": direction})
        text = "Auto-arrange" if layout is None else (
            "Arrange top to bottom" if direction == "TB" else "Arrange left to right")
        if self.editor.move(moves, text, layout):
            self.scene.update_scene_rect()
            self.scene.reroute()
            self.view.show_graph()  # fit, unless that makes labels unreadable
        self.sync_direction_actions()

    def sync_direction_actions(self) -> None:
        from netbuilder.engine.model.layout import direction_of

        actions = getattr(self, "direction_actions", {})
        current = direction_of(self.editor.graph)
        for key, action in actions.items():
            action.setChecked(key == current)

    # ------------------------------------------------------------ groups
    def group_blocks(self, shapes: dict | None = None) -> list[str]:
        """Fold each run of layers named by a common prefix (block_3_…,
        conv2_block1_…) into a group; one undo step."""
        from netbuilder.engine.model.blocks import find_blocks

        graph = self.editor.graph
        blocks = find_blocks(graph)
        if not blocks:
            self.show_message("No named blocks here: blocks are layers whose names "
                              "share a prefix such as block_3_ or conv2_block1_")
            return []
        if shapes is None:
            shapes = {nid: list(info.output_shapes or [])
                      for nid, info in self.analysis.info.items()}
        if not any(shapes.values()):
            self.show_message("Tensor shapes are not known yet (TensorFlow is still "
                              "loading); try Group Blocks again in a moment")
            return []

        def positions(g):
            sizes = {nid: (item.width, item.height)
                     for nid, item in self.scene.nodes.items()}
            return arrange(g, sizes)

        made, skipped = self.editor.group_blocks(shapes, positions)
        if made:
            self.scene.update_scene_rect()
            self.scene.reroute()
            self.view.show_graph()
        note = f"; {len(skipped)} left as they are ({skipped[0]})" if skipped else ""
        self.show_message(f"Folded {len(made)} block{'s' if len(made) != 1 else ''} "
                          f"into groups{note}. Undo unfolds them.")
        return made

    def group_selection(self) -> str | None:
        ids = self.scene.selected_node_ids()
        if not ids:
            self.show_message("Select the layers to group first")
            return None
        shapes = {nid: list(info.output_shapes or [])
                  for nid, info in self.analysis.info.items()}
        gid = self.editor.group(ids, shapes)
        if gid:
            self.scene.select_nodes([gid])
            n = len(ids)
            self.show_message(f"Grouped {n} layer{'s' if n != 1 else ''}; "
                              "double-click the group to look inside")
        return gid

    def flatten_selection(self) -> list[str]:
        groups = [n for n in self.scene.selected_node_ids()
                  if self.editor.graph.nodes[n].type == "Group"]
        if len(groups) != 1:
            self.show_message("Select one group to flatten")
            return []
        graph = self.editor.graph
        sites = graph.share_set(groups[0])
        name = graph.nodes[sites[0]].name
        ids = self.editor.flatten(groups[0])
        if ids:
            self.scene.select_nodes(ids)
            if len(sites) > 1:
                self.show_message(
                    f"Flattened all {len(sites)} call sites of the shared sub-model "
                    f"{name!r}: their layers stay shared (one set of weights), so "
                    "editing one edits every site. Undo puts the groups back.")
        return ids

    def toggle_group_expanded(self) -> bool:
        groups = [n for n in self.scene.selected_node_ids()
                  if self.editor.graph.nodes[n].type == "Group"]
        if not groups:
            self.show_message("Select a group to expand or collapse")
            return False
        for nid in groups:
            self.scene.toggle_expanded(nid)
        return True
