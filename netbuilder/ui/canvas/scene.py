"""The canvas scene: node, port and edge items that follow the graph's events.

User gestures on the canvas (wiring, moving) are handed to the
:class:`~netbuilder.ui.document.editor.Editor`, which turns them into undo commands.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QPen, Qt
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from netbuilder.engine.model import events as ev
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.layout import TB, direction_of
from netbuilder.engine.model.layout.routing import route_all
from netbuilder.ui import theme
from netbuilder.ui.canvas.edge_item import EdgeItem, wire_path
from netbuilder.ui.canvas.far_view import FarLayer, set_painted
from netbuilder.ui.canvas.node_item import NodeItem
from netbuilder.ui.canvas.port_item import PortItem


class GraphScene(QGraphicsScene):
    # (src_node, src_port or None, dst_node or None, dst_port, scene_pos):
    # a wire was dropped on empty canvas; the view offers to add a node there.
    wireDropped = Signal(object, object, QPointF)
    message = Signal(str)

    def __init__(self, graph: Graph, editor=None, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.graph = graph
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict = {}
        self._adj: dict[str, set] = {}  # node id -> edges touching it
        self.shapes: dict = {}  # node id -> list of output shapes
        self._unsubscribe: list = []
        self._drag_wire: QGraphicsPathItem | None = None
        self._drag_port: PortItem | None = None
        self._detached = None  # an edge picked up from its input port
        self._press_positions: dict[str, tuple] = {}
        self._highlighted: list[PortItem] = []
        self._sharers: dict[str, list[str]] | None = None
        self.direction = direction_of(graph)
        self.far_on = False  # zoomed out: the far layer draws the graph
        self.far = FarLayer(self)
        self.selectionChanged.connect(self._selection_changed)
        self._route_timer = QTimer(self)
        self._route_timer.setSingleShot(True)
        self._route_timer.setInterval(0)
        self._route_timer.timeout.connect(self.reroute)
        self.setBackgroundBrush(theme.CANVAS_BG)
        self.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        self.set_graph(graph)

    # ------------------------------------------------------------ model sync
    def set_graph(self, graph: Graph) -> None:
        self.detach()
        self.graph = graph
        self._unsubscribe = self._subscribe(graph)
        self.rebuild()

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    @property
    def tb(self) -> bool:
        return self.direction == TB

    def rebuild(self) -> None:
        self._sharers = None
        self.direction = direction_of(self.graph)
        if self.far.scene() is self:
            self.removeItem(self.far)  # kept: clear() would delete it
        self.clear()
        self.addItem(self.far)
        self.nodes.clear()
        self.edges.clear()
        self._adj.clear()
        self._drag_wire = None
        for node in self.graph.nodes.values():
            self._add_node_item(node)
        for edge in self.graph.edges:
            self._add_edge_item(edge)
        self._refresh_connected()
        self.update_scene_rect()
        self.reroute()

    # ------------------------------------------------------------ detail
    def set_far(self, on: bool) -> None:
        """Zoomed out (``on``): the items stop painting themselves and the
        far layer draws the graph in batches (see :mod:`far_view`)."""
        if on == self.far_on:
            return
        self.far_on = on
        for item in self.nodes.values():
            self._set_node_painted(item)
        for item in self.edges.values():
            set_painted(item, not on)
        self.far.set_active(on)

    def _set_node_painted(self, item: NodeItem) -> None:
        set_painted(item, not self.far_on)
        for port in item.inputs + item.outputs:
            set_painted(port, not self.far_on)

    def _selection_changed(self) -> None:
        if shiboken6.isValid(self.far):  # not while the scene is destroyed
            self.far.refresh()

    def highlighted_ports(self) -> list[PortItem]:
        return self._highlighted

    def addItem(self, item) -> None:
        super().addItem(item)
        self.far.invalidate()

    def removeItem(self, item) -> None:
        super().removeItem(item)
        self.far.invalidate()

    # ------------------------------------------------------------ routing
    def schedule_reroute(self) -> None:
        self._route_timer.start()

    def reroute(self) -> None:
        """Route every wire along the free channels between nodes (see
        :mod:`netbuilder.engine.model.layout.routing`)."""
        self._route_timer.stop()
        rects = {}
        for nid, item in self.nodes.items():
            p = item.pos()
            rects[nid] = (p.x(), p.y(), item.width, item.height)
        items = list(self.edges.values())
        wires = []
        for item in items:
            a, b = item.src_port.anchor(), item.dst_port.anchor()
            wires.append((item.edge.src, (a.x(), a.y()), item.edge.dst,
                          (b.x(), b.y())))
        for item, route in zip(items, route_all(rects, wires, self.tb), strict=True):
            item.set_route(route, self.tb)
        self.far.invalidate()

    def node_rect(self, node_id: str) -> QRectF:
        item = self.nodes[node_id]
        return QRectF(item.pos().x(), item.pos().y(), item.width, item.height)

    def update_scene_rect(self) -> None:
        rect = self.itemsBoundingRect().adjusted(-2000, -2000, 2000, 2000)
        self.setSceneRect(rect.united(QRectF(-2000, -1500, 4000, 3000)))

    def _add_node_item(self, node) -> NodeItem:
        item = NodeItem(self, node)
        self._set_node_painted(item)
        self.nodes[node.id] = item
        self.addItem(item)
        return item

    def _add_edge_item(self, edge) -> EdgeItem | None:
        src, dst = self.nodes.get(edge.src), self.nodes.get(edge.dst)
        if src is None or dst is None:
            return None
        if edge.src_port >= len(src.outputs) or edge.dst_port >= len(dst.inputs):
            dst.refresh(self.graph.node(edge.dst))
            src.refresh(self.graph.node(edge.src))
            if edge.src_port >= len(src.outputs) or edge.dst_port >= len(dst.inputs):
                return None
        item = EdgeItem(edge, src.outputs[edge.src_port], dst.inputs[edge.dst_port])
        item.set_label(*self._label_for(edge))
        set_painted(item, not self.far_on)
        self.edges[edge] = item
        self._adj.setdefault(edge.src, set()).add(edge)
        self._adj.setdefault(edge.dst, set()).add(edge)
        self.addItem(item)
        return item

    def _label_for(self, edge) -> tuple[str, str]:
        shapes = self.shapes.get(edge.src)
        if shapes and edge.src_port < len(shapes):
            shape = shapes[edge.src_port]
            return theme.shape_text(shape), theme.compact_shape_text(shape)
        return "", ""

    def _refresh_connected(self, node_ids=None) -> None:
        ids = self.nodes.keys() if node_ids is None else node_ids
        used_out, used_in = set(), set()
        for e in self.graph.edges:
            used_out.add((e.src, e.src_port))
            used_in.add((e.dst, e.dst_port))
        for nid in ids:
            item = self.nodes.get(nid)
            if item is None:
                continue
            for p in item.outputs:
                p.connected = (nid, p.index) in used_out
                p.update()
            for p in item.inputs:
                p.connected = (nid, p.index) in used_in
                p.update()
        self.far.invalidate()

    def _refresh_node(self, node_id: str) -> None:
        item = self.nodes.get(node_id)
        if item is None or node_id not in self.graph.nodes:
            return
        item.refresh(self.graph.node(node_id))
        self._reattach_edges(node_id)
        self._refresh_connected([node_id])

    def _reattach_edges(self, node_id: str) -> None:
        for edge in list(self._adj.get(node_id, ())):
            eitem = self.edges.get(edge)
            if eitem is not None:
                src, dst = self.nodes[edge.src], self.nodes[edge.dst]
                if edge.src_port < len(src.outputs) and edge.dst_port < len(dst.inputs):
                    eitem.src_port = src.outputs[edge.src_port]
                    eitem.dst_port = dst.inputs[edge.dst_port]
                    eitem.update_path()

    def sharers_of(self, node_id: str) -> list[str]:
        """Ids of the nodes that call ``node_id``'s layer (cached per edit)."""
        if self._sharers is None:
            self._sharers = {}
            for n in self.graph.nodes.values():
                if n.shares is not None:
                    self._sharers.setdefault(n.shares, []).append(n.id)
        return self._sharers.get(node_id, [])

    def toggle_expanded(self, node_id: str) -> None:
        item = self.nodes.get(node_id)
        if item is None or not item.is_group:
            return
        item.set_expanded(not item.expanded)
        self._reattach_edges(node_id)
        self.update_scene_rect()
        self.reroute()

    def mouseDoubleClickEvent(self, event) -> None:
        item = self.itemAt(event.scenePos(), self.views()[0].transform()) \
            if self.views() else None
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if isinstance(item, NodeItem) and item.is_group:
            self.toggle_expanded(item.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _subscribe(self, graph: Graph) -> list:
        events = graph.events
        return [events.subscribe(handler, kind)
                for kind, handler in ((ev.NodeAdded, self._node_added),
                                      (ev.NodeRemoved, self._node_removed),
                                      (ev.EdgeAdded, self._edge_added),
                                      (ev.EdgeRemoved, self._edge_removed),
                                      (ev.ParamChanged, self._param_changed),
                                      (ev.SharesChanged, self._shares_changed),
                                      (ev.NodeRenamed, self._node_renamed),
                                      (ev.NodeMoved, self._node_moved),
                                      (ev.ExtraChanged, self._extra_changed))] + [
            events.subscribe(lambda _e: self.schedule_reroute(), ev.NodeAdded,
                             ev.NodeRemoved, ev.EdgeAdded, ev.EdgeRemoved,
                             ev.NodeMoved, ev.ParamChanged)]

    def _node_added(self, event: ev.NodeAdded) -> None:
        self._sharers = None
        self._keep_in_scene(self._add_node_item(self.graph.node(event.node_id)))

    def _node_removed(self, event: ev.NodeRemoved) -> None:
        self._sharers = None
        item = self.nodes.pop(event.node_id, None)
        if item is not None:
            self.removeItem(item)
        owner = event.node.shares if event.node is not None else None
        if owner is not None and owner in self.graph.nodes:
            # their markers (and a group's count of calls) listed the removed site
            for nid in self.graph.share_set(owner):
                self._refresh_node(nid)

    def _edge_added(self, event: ev.EdgeAdded) -> None:
        edge = event.edge
        self._refresh_node(edge.dst)
        self._add_edge_item(edge)
        self._refresh_connected([edge.src, edge.dst])

    def _edge_removed(self, event: ev.EdgeRemoved) -> None:
        edge = event.edge
        item = self.edges.pop(edge, None)
        self._adj.get(edge.src, set()).discard(edge)
        self._adj.get(edge.dst, set()).discard(edge)
        if item is not None:
            self.removeItem(item)
        self._refresh_node(edge.dst)
        self._refresh_connected([edge.src])

    def _param_changed(self, event: ev.ParamChanged) -> None:
        self._refresh_node(event.node_id)

    def _shares_changed(self, event: ev.SharesChanged) -> None:
        self._sharers = None
        # Every call site of both layers: a group's summary counts its calls.
        touched = {event.node_id, event.old, event.new} - {None}
        for nid in {m for n in touched if n in self.graph.nodes
                    for m in self.graph.share_set(n)} | touched:
            self._refresh_node(nid)

    def _node_renamed(self, event: ev.NodeRenamed) -> None:
        # Shared-layer markers name the other call sites.
        for nid in self.graph.share_set(event.node_id):
            self._refresh_node(nid)

    def _node_moved(self, event: ev.NodeMoved) -> None:
        item = self.nodes.get(event.node_id)
        if item is not None:
            item.setPos(QPointF(*event.new))
            self._keep_in_scene(item)

    def _keep_in_scene(self, item: NodeItem) -> None:
        """Grow the scrollable area when a node lands outside it (moved by
        undo, paste or layout), so that the view can show and fit it."""
        if not self.sceneRect().contains(item.sceneBoundingRect()):
            self.update_scene_rect()

    def _extra_changed(self, event: ev.ExtraChanged) -> None:
        if event.key == "layout" and direction_of(self.graph) != self.direction:
            self.rebuild()  # ports move to other sides

    def node_item_moved(self, item: NodeItem) -> None:
        self.far.invalidate()
        for edge in self._adj.get(item.node_id, ()):
            eitem = self.edges.get(edge)
            if eitem is not None:
                eitem.update_path()

    # ------------------------------------------------------------ analysis
    def apply_shapes(self, shapes: dict) -> None:
        """``shapes`` maps node id -> list of output shapes."""
        self.shapes = dict(shapes)
        for edge, item in self.edges.items():
            item.set_label(*self._label_for(edge))

    def apply_problems(self, by_node: dict) -> None:
        """``by_node`` maps node id -> (severity, text, error_ports)."""
        for nid, item in self.nodes.items():
            severity, text, _ports = by_node.get(nid, (None, "", ()))
            item.set_problem(severity, text)
        self.far.refresh()
        for edge, item in self.edges.items():
            entry = by_node.get(edge.dst)
            item.set_error(bool(entry and entry[0] == "error"
                                and edge.dst_port in entry[2]))
        self.far.refresh()

    # ------------------------------------------------------------ selection
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, node_ids) -> None:
        self.blockSignals(True)
        self.clearSelection()
        for nid in node_ids:
            item = self.nodes.get(nid)
            if item is not None:
                item.setSelected(True)
        self.blockSignals(False)
        self.selectionChanged.emit()

    # ------------------------------------------------------------ mouse
    def port_at(self, pos: QPointF) -> PortItem | None:
        area = QRectF(pos.x() - 7, pos.y() - 7, 14, 14)
        for item in self.items(area):
            if isinstance(item, PortItem):
                return item
        return None

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            port = self.port_at(event.scenePos())
            if port is not None and self.editor is not None:
                self._start_wire(port, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.LeftButton:
            self._press_positions = {
                nid: tuple(self.graph.nodes[nid].position)
                for nid in self.selected_node_ids() if nid in self.graph.nodes}

    def mouseMoveEvent(self, event) -> None:
        if self._drag_wire is not None:
            self._update_wire(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._drag_wire is not None and event.button() == Qt.LeftButton:
            self._finish_wire(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.LeftButton and self._press_positions:
            moves = {}
            for nid, old in self._press_positions.items():
                item = self.nodes.get(nid)
                if item is not None:
                    new = (round(item.pos().x(), 1), round(item.pos().y(), 1))
                    if new != tuple(old):
                        moves[nid] = (old, new)
            self._press_positions = {}
            if moves and self.editor is not None:
                self.editor.move(moves)
                self.update_scene_rect()

    # ------------------------------------------------------------ wiring
    def _start_wire(self, port: PortItem, pos: QPointF) -> None:
        # Pressing on a connected input picks its wire up: it follows the
        # mouse from its source, to be dropped on another input (moved) or
        # on empty canvas (removed).
        self._detached = None
        if not port.is_output:
            edge = self.graph.edge_into(port.node_id, port.index)
            source = self.nodes.get(edge.src) if edge is not None else None
            if source is not None and edge.src_port < len(source.outputs):
                self._detached = edge
                port = source.outputs[edge.src_port]
        self._drag_port = port
        wire = QGraphicsPathItem()
        pen = QPen(theme.COMPATIBLE_COLOR, 2, Qt.DashLine)
        wire.setPen(pen)
        wire.setZValue(5)
        self.addItem(wire)
        self._drag_wire = wire
        self._highlight_compatible(port)
        self._update_wire(pos)

    def _update_wire(self, pos: QPointF) -> None:
        port = self._drag_port
        a, b = (port.anchor(), pos) if port.is_output else (pos, port.anchor())
        self._drag_wire.setPath(wire_path(a, b, self.tb))

    def _highlight_compatible(self, port: PortItem) -> None:
        g = self.graph
        if port.is_output:
            forbidden = g.upstream([port.node_id])
            for nid, item in self.nodes.items():
                if nid in forbidden or g.nodes[nid].type == "Input":
                    continue
                for p in item.inputs:
                    if g.edge_into(nid, p.index) is None:
                        p.set_highlight(True)
                        self._highlighted.append(p)
            self.far.refresh()
        else:
            if g.edge_into(port.node_id, port.index) is not None:
                return
            forbidden = g.downstream([port.node_id])
            for nid, item in self.nodes.items():
                if nid in forbidden:
                    continue
                for p in item.outputs:
                    p.set_highlight(True)
                    self._highlighted.append(p)
            self.far.refresh()

    def _finish_wire(self, pos: QPointF) -> None:
        start = self._drag_port
        self.removeItem(self._drag_wire)
        self._drag_wire, self._drag_port = None, None
        for p in self._highlighted:
            p.set_highlight(False)
        self._highlighted = []
        self.far.refresh()
        target = self.port_at(pos)
        detached, self._detached = self._detached, None
        if detached is not None:
            self._move_detached(detached, target)
            return
        if target is None:
            if start.is_output:
                self.wireDropped.emit((start.node_id, start.index), None, pos)
            else:
                self.wireDropped.emit(None, (start.node_id, start.index), pos)
            return
        if target is start:
            return
        if target.is_output == start.is_output:
            kind = "outputs" if start.is_output else "inputs"
            self.message.emit(f"Not connected: both ports are {kind}; drag from an "
                              "output to an input")
            return
        src, dst = (start, target) if start.is_output else (target, start)
        self.editor.connect(src.node_id, src.index, dst.node_id, dst.index)

    def _move_detached(self, edge, target: PortItem | None) -> None:
        """A wire picked up from an input was dropped on ``target``."""
        if target is None:
            self.editor.disconnect(edge)
            self.message.emit("Connection removed")
            return
        if target.is_output or (target.node_id, target.index) == (edge.dst,
                                                                  edge.dst_port):
            return  # back where it was, or on an output: nothing changes
        self.editor.move_connection(edge, target.node_id, target.index)
