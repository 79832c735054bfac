"""What a Group node shows: its ports and layer count (read from the group's
document without loading it), and, when expanded, its inner graph drawn
inside the node's frame (read-only: edit a group's layers by flattening it).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from netbuilder.engine.model.layout import LR, TB, TB_WIDTH, tb_port_x
from netbuilder.ui import theme
from netbuilder.ui.canvas.edge_item import wire_path

PAD = 24.0
TITLE = 64.0
INNER_HEIGHT = 62.0


def group_outline(node) -> tuple[int, list[str], list[str]]:
    """(inner layer count, input names, output names) of a group node."""
    doc = node.params.get("graph") if isinstance(node.params, dict) else None
    nodes = doc.get("nodes") if isinstance(doc, dict) else None
    if not isinstance(nodes, list):
        return 0, [], []
    nodes = [n for n in nodes if isinstance(n, dict)]
    ins = [str(n.get("name", "")) for n in nodes if n.get("type") == "Input"]
    outs = [str(n.get("name", "")) for n in nodes if n.get("type") == "Output"]
    return len(nodes) - len(ins) - len(outs), ins, outs


def _inner_height(n_inputs: int) -> float:
    rows = max(n_inputs, 1)
    return INNER_HEIGHT if rows == 1 else 60.0 + rows * theme.PORT_SPACING


def _inner_size(n_inputs: int, tb: bool) -> tuple[float, float]:
    return (TB_WIDTH, INNER_HEIGHT) if tb else (theme.NODE_WIDTH,
                                                 _inner_height(n_inputs))


class InnerNodeItem(QGraphicsItem):
    """A layer inside an expanded group (drawn like a node, not editable);
    top to bottom (``tb``) its ports are on its top and bottom sides, as
    on the canvas."""

    def __init__(self, parent, node, spec, n_inputs: int, tb: bool = False) -> None:
        super().__init__(parent)
        self.node_id = node.id
        self.type_name = node.type
        self.name = node.name
        self.tb = tb
        self.width, self.height = _inner_size(n_inputs, tb)
        self.n_inputs = n_inputs
        self.color = theme.category_color(spec.category if spec else None)
        if node.type == "Group":
            self.summary = f"▣ group · {group_outline(node)[0]} layers"
        else:
            self.summary = theme.node_summary(node, spec)
        self.setAcceptedMouseButtons(Qt.NoButton)  # clicks reach the group
        self.setToolTip(f"<b>{node.name}</b> ({node.type})"
                        + (f"<br>{self.summary}" if self.summary else "")
                        + "<br><i>inside a group: flatten it to edit</i>")

    def input_point(self, port: int) -> QPointF:
        if self.tb:
            return self.pos() + QPointF(
                tb_port_x(port, max(self.n_inputs, 1), self.width), 0)
        if self.n_inputs <= 1:
            return self.pos() + QPointF(0, self.height / 2)
        return self.pos() + QPointF(0, 60.0 + (port + 0.5) * theme.PORT_SPACING)

    def output_point(self, _port: int) -> QPointF:
        if self.tb:
            return self.pos() + QPointF(self.width / 2, self.height)
        return self.pos() + QPointF(self.width, self.height / 2)

    def boundingRect(self) -> QRectF:
        return QRectF(-6, -2, self.width + 12, self.height + 4)

    def paint(self, painter, option, widget=None) -> None:
        rect = QRectF(0, 0, self.width, self.height)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < 0.4:
            painter.setPen(Qt.NoPen)
            painter.setBrush(QBrush(self.color))
            painter.drawRect(rect)
            return
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor("#15171a"), 1))
        painter.setBrush(QBrush(theme.NODE_BG))
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QBrush(self.color))
        painter.drawRoundedRect(QRectF(1, 1, self.width - 2, theme.HEADER_HEIGHT), 5, 5)
        painter.setPen(theme.NODE_TEXT)
        painter.setFont(theme.ui_font(9, True))
        w = self.width - 18
        painter.drawText(QRectF(9, 1, w, theme.HEADER_HEIGHT),
                         Qt.AlignVCenter | Qt.AlignLeft, self.type_name)
        painter.setFont(theme.ui_font(9.5, True))
        painter.drawText(QRectF(9, 24, w, 18), Qt.AlignVCenter | Qt.AlignLeft,
                         self.name)
        if self.summary:
            painter.setPen(theme.NODE_SUBTEXT)
            painter.setFont(theme.ui_font(8.5))
            painter.drawText(QRectF(9, 41, w, 16), Qt.AlignVCenter | Qt.AlignLeft,
                             self.summary)
        painter.setPen(QPen(QColor("#d8dee6"), 1.2))
        painter.setBrush(QBrush(QColor("#d8dee6")))
        r = theme.PORT_RADIUS - 1.5
        if self.type_name != "Input":
            for i in range(max(self.n_inputs, 1)):
                painter.drawEllipse(self.input_point(i) - self.pos(), r, r)
        if self.type_name != "Output":
            painter.drawEllipse(self.output_point(0) - self.pos(), r, r)


class GroupContents:
    """The inner graph of an expanded group, as child items of its node."""

    def __init__(self, parent: QGraphicsItem, node, catalog,
                 direction: str = LR) -> None:
        from netbuilder.engine.model.groups import GroupError, inner_graph
        from netbuilder.ui.canvas.arrange import arrange

        self.items: list[QGraphicsItem] = []
        self.error = ""
        self.input_ys: list[float] = []
        self.output_ys: list[float] = []
        try:
            inner = inner_graph(node, catalog)
        except GroupError as exc:
            self.error = str(exc)
            self.size = (theme.NODE_WIDTH * 2, 40.0)
            return
        tb = direction == TB
        counts = {nid: max((e.dst_port + 1 for e in inner.incoming(nid)), default=1)
                  for nid in inner.nodes}
        sizes = {nid: _inner_size(counts[nid], tb) for nid in inner.nodes}
        coords = arrange(inner, sizes, direction)
        by_id: dict[str, InnerNodeItem] = {}
        for nid, inode in inner.nodes.items():
            item = InnerNodeItem(parent, inode, catalog.get(inode.type), counts[nid],
                                 tb)
            x, y = coords.get(nid, (0.0, 0.0))
            item.setPos(PAD + x, TITLE + y)
            by_id[nid] = item
            self.items.append(item)
        pen = QPen(theme.EDGE_COLOR, 1.6)
        for e in inner.edges:
            a = by_id[e.src].output_point(e.src_port)
            b = by_id[e.dst].input_point(e.dst_port)
            wire = QGraphicsPathItem(wire_path(a, b, tb), parent)
            wire.setPen(pen)
            wire.setZValue(-0.5)
            wire.setAcceptedMouseButtons(Qt.NoButton)
            self.items.append(wire)
        right = max((i.pos().x() + i.width for i in by_id.values()), default=0.0)
        bottom = max((i.pos().y() + i.height for i in by_id.values()), default=0.0)
        self.size = (right + PAD, bottom + PAD)
        self.input_ys = [by_id[n.id].pos().y() + by_id[n.id].height / 2
                         for n in inner.input_nodes()]
        self.output_ys = [by_id[n.id].pos().y() + by_id[n.id].height / 2
                          for n in inner.output_nodes()]
        self.inner = inner

    def remove(self) -> None:
        for item in self.items:
            item.setParentItem(None)
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.items = []
