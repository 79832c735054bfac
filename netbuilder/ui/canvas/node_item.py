"""A layer on the canvas: header coloured by category, name, key params,
ports, and a problem badge. Drawn simplified (no text) at low zoom.

A Group node has a double border and a "▣ group · N layers" line; expanded,
it grows into a frame showing its inner graph (see :mod:`group_view`). A node
that shares another's layer (or whose layer others share) carries a link
marker whose tooltip names the other call sites."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.engine.model import ports
from netbuilder.engine.model.layout import tb_port_x
from netbuilder.ui import theme
from netbuilder.ui.canvas.far_view import GROUP_BG, set_painted
from netbuilder.ui.canvas.group_view import TITLE, GroupContents, group_outline
from netbuilder.ui.canvas.port_item import PortItem
from netbuilder.ui.canvas.semantic import (
    FULL_DETAIL,
    STRIP,
    font_for,
    label_lines,
)

LOW_DETAIL = 0.4
SINGLE_HEIGHT = 62.0
TB_WIDTH = 220.0  # top to bottom there is room across: long names fit
MULTI_TOP = 60.0


class NodeItem(QGraphicsItem):
    def __init__(self, scene, node) -> None:
        super().__init__()
        self.graph_scene = scene
        self.node_id = node.id
        self.inputs: list[PortItem] = []
        self.outputs: list[PortItem] = []
        self.severity: str | None = None  # "error" / "warning" / None
        self.problem_text = ""
        self.width = theme.NODE_WIDTH
        self.height = SINGLE_HEIGHT
        self.is_group = False
        self.expanded = False
        self.contents: GroupContents | None = None
        self.link_marker: LinkMarker | None = None
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setZValue(1)
        self._fonts = (theme.ui_font(9, True), theme.ui_font(9.5, True),
                       theme.ui_font(8.5))
        self.refresh(node)
        self.setPos(QPointF(*node.position))

    # ------------------------------------------------------------ content
    def refresh(self, node) -> None:
        """Re-read the node (name, params, ports) from the graph."""
        graph = self.graph_scene.graph
        spec = graph.catalog.get(node.type)
        self.type_name = node.type
        self.name = node.name
        self.color = theme.category_color(spec.category if spec else None)
        self.summary = theme.node_summary(node, spec)
        self.is_group = node.type == "Group"
        n_in = 0 if node.type == "Input" else graph.input_count(node.id)
        n_out = graph.output_count(node.id)
        in_labels = []
        for i in range(n_in):
            named = spec is not None and (len(spec.inputs) > 1 or spec.variadic)
            in_labels.append(ports.input_name(spec, i) if named else "")
        out_labels = [ports.output_name(i, n_out, spec) if (spec and n_out > 1) else ""
                      for i in range(n_out)]
        if self.is_group:
            layers, ins, outs = group_outline(node)
            self.summary = f"▣ group · {layers} layer{'s' if layers != 1 else ''}"
            calls = len(graph.share_set(node.id))
            if calls > 1:  # a shared sub-model: one definition, several calls
                self.summary = self.summary.replace("group · ", "") + \
                    f" · {calls} calls"
            if ins:  # the group's ports are its inner Inputs and Outputs
                in_labels = ins if len(ins) > 1 else [""]
            if outs:
                out_labels = outs if len(outs) > 1 else [""]
        rows = max(len(in_labels), len(out_labels), 1)
        self.prepareGeometryChange()
        self.tb = self.graph_scene.tb  # ports on top/bottom (else left/right)
        self.width = TB_WIDTH if self.tb else theme.NODE_WIDTH
        self.height = (SINGLE_HEIGHT if rows == 1 or self.tb
                       else MULTI_TOP + rows * theme.PORT_SPACING)
        if self.contents is not None:
            self.contents.remove()
            self.contents = None
        if self.is_group and self.expanded:
            self.contents = GroupContents(self, node, graph.catalog,
                                          self.graph_scene.direction)
            self.summary += (" · read-only (flatten to edit)" if not (
                node.shares or self.graph_scene.sharers_of(node.id))
                else " · shared, read-only (flatten to edit every call)")
            w, h = self.contents.size
            self.width = max(self.width, w)
            self.height = max(self.height, h, TITLE + 20)
        else:
            self.expanded = False
        self._sync_ports(self.inputs, in_labels, False)
        self._sync_ports(self.outputs, out_labels, True)
        if self.contents is not None and not self.tb:
            self._place_ports_on_contents()
        self._sync_link_marker(node)
        self._elide()
        self._update_tooltip()
        self.update()
        self.graph_scene.far.invalidate()

    def _sync_ports(self, ports: list[PortItem], labels: list[str],
                    is_output: bool) -> None:
        while len(ports) > len(labels):
            port = ports.pop()
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        for i, label in enumerate(labels):
            if i < len(ports):
                ports[i].label = label
            else:
                ports.append(PortItem(self, self.node_id, i, is_output, label))
                set_painted(ports[-1], not self.graph_scene.far_on)
        if self.tb:  # spread along the top (inputs) or bottom (outputs) side
            y = self.height if is_output else 0.0
            for i, port in enumerate(ports):
                port.setPos(tb_port_x(i, len(ports), self.width), y)
            return
        x = self.width if is_output else 0.0
        for i, port in enumerate(ports):
            if len(ports) == 1 and len(labels) <= 1 and self.height == SINGLE_HEIGHT:
                y = self.height / 2 + 6
            else:
                y = MULTI_TOP + (i + 0.5) * theme.PORT_SPACING
            port.setPos(x, y)

    def _place_ports_on_contents(self) -> None:
        """Expanded group: each port level with its inner Input / Output."""
        for items, ys in ((self.inputs, self.contents.input_ys),
                          (self.outputs, self.contents.output_ys)):
            for port, y in zip(items, ys, strict=False):
                port.setPos(port.pos().x(), y)
                port.label = ""

    def set_expanded(self, on: bool) -> None:
        if not self.is_group or on == self.expanded:
            return
        self.expanded = on
        self.refresh(self.graph_scene.graph.node(self.node_id))

    def _sync_link_marker(self, node) -> None:
        graph = self.graph_scene.graph
        owner = graph.nodes.get(node.shares) if node.shares else None
        sharers = self.graph_scene.sharers_of(node.id)
        if owner is None and not sharers:
            if self.link_marker is not None:
                self.link_marker.setParentItem(None)
                if self.link_marker.scene() is not None:
                    self.link_marker.scene().removeItem(self.link_marker)
                self.link_marker = None
            return
        what = "sub-model" if node.type == "Group" else "layer"
        if owner is not None:
            tip = (f"Shares its {what} with <b>{owner.name}</b>: one Keras "
                   f"{'model' if what == 'sub-model' else what}, one set of "
                   "weights; editing it edits both")
        else:
            names = ", ".join(graph.nodes[n].name for n in sharers[:6])
            more = f" and {len(sharers) - 6} more" if len(sharers) > 6 else ""
            tip = (f"Its {what} is also called by <b>{names}</b>{more}; editing it "
                   "edits them too")
        if self.link_marker is None:
            self.link_marker = LinkMarker(self)
        self.link_marker.setToolTip(tip)
        self.link_marker.setPos(self.width - 16, theme.HEADER_HEIGHT / 2 + 1)

    def _elide(self) -> None:
        w = int(self.width - 16)
        fm = [QFontMetrics(f) for f in self._fonts]
        room = w - (26 if self.link_marker is not None else 10)
        self._type_text = fm[0].elidedText(self.type_name, Qt.ElideRight, room)
        self._name_text = fm[1].elidedText(self.name, Qt.ElideRight, w)
        self._summary_text = fm[2].elidedText(self.summary, Qt.ElideRight, w)

    def set_problem(self, severity: str | None, text: str) -> None:
        if (severity, text) == (self.severity, self.problem_text):
            return
        self.severity, self.problem_text = severity, text
        self._update_tooltip()
        self.update()

    def _update_tooltip(self) -> None:
        tip = f"<b>{self.name}</b> ({self.type_name})"
        if self.summary:
            tip += f"<br>{self.summary}"
        if self.is_group:
            tip += ("<br><i>double-click or Enter to "
                    f"{'collapse' if self.expanded else 'look inside'}</i>")
        if self.link_marker is not None:
            tip += f"<br>{self.link_marker.toolTip()}"
        if self.problem_text:
            colour = "#e5484d" if self.severity == "error" else "#f0a030"
            tip += f"<hr><span style='color:{colour}'>{self.problem_text}</span>"
        self.setToolTip(tip)

    def ports(self, is_output: bool) -> list[PortItem]:
        return self.outputs if is_output else self.inputs

    # ------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        return QRectF(-4, -10, self.width + 14, self.height + 14)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, self.width, self.height), 6, 6)
        return path

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            self.graph_scene.node_item_moved(self)
        return super().itemChange(change, value)

    # ------------------------------------------------------------ painting
    def paint(self, painter, option, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        rect = QRectF(0, 0, self.width, self.height)
        selected = self.isSelected()
        outline = (theme.SELECT_COLOR if selected else
                   theme.ERROR_COLOR if self.severity == "error" else
                   theme.WARNING_COLOR if self.severity == "warning" else None)
        if lod < FULL_DETAIL:
            self._paint_zoomed_out(painter, rect, lod, outline)
            return
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(outline, 2.2) if outline is not None
                       else QPen(QColor("#15171a"), 1))
        painter.setBrush(QBrush(GROUP_BG if self.expanded else theme.NODE_BG))
        painter.drawRoundedRect(rect, 6, 6)
        if self.is_group:  # double border: a block of layers, not one layer
            painter.setPen(QPen(self.color.lighter(125), 1.2))
            painter.setBrush(Qt.NoBrush)
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 4, 4)
        header = QPainterPath()
        header.setFillRule(Qt.WindingFill)
        top = QRectF(1, 1, self.width - 2, theme.HEADER_HEIGHT)
        header.addRoundedRect(top, 5, 5)
        header.addRect(QRectF(1, theme.HEADER_HEIGHT - 6, self.width - 2, 7))
        painter.setPen(Qt.NoPen)
        painter.setBrush(QBrush(self.color))
        painter.drawPath(header.simplified())
        painter.setPen(theme.NODE_TEXT)
        painter.setFont(self._fonts[0])
        painter.drawText(QRectF(9, 1, self.width - 18, theme.HEADER_HEIGHT),
                         Qt.AlignVCenter | Qt.AlignLeft, self._type_text)
        painter.setFont(self._fonts[1])
        painter.drawText(QRectF(9, 24, self.width - 18, 18),
                         Qt.AlignVCenter | Qt.AlignLeft, self._name_text)
        if self._summary_text:
            painter.setPen(theme.NODE_SUBTEXT)
            painter.setFont(self._fonts[2])
            painter.drawText(QRectF(9, 41, self.width - 18, 16),
                             Qt.AlignVCenter | Qt.AlignLeft, self._summary_text)
        self._paint_port_labels(painter)
        if self.expanded and self.contents is not None and self.contents.error:
            painter.setPen(theme.ERROR_COLOR)
            painter.drawText(QRectF(9, TITLE, self.width - 18, 30),
                             Qt.AlignVCenter | Qt.AlignLeft | Qt.TextWordWrap,
                             self.contents.error)
        if self.severity:
            self._paint_badge(painter)

    def _paint_zoomed_out(self, painter, rect: QRectF, lod: float, outline) -> None:
        """Semantic zoom (:mod:`semantic`), for the rare frames drawn without
        the far layer (e.g. the overview of a graph seen close up)."""
        lines = label_lines(self.width, self.height, lod, self.name, self.type_name)
        if not lines:
            painter.setPen(QPen(outline, 4) if outline is not None else Qt.NoPen)
            painter.setBrush(QBrush(self.color))
            painter.drawRect(rect)
            return
        painter.setPen(QPen(outline, 3 / lod) if outline is not None else Qt.NoPen)
        painter.setBrush(QBrush(theme.NODE_BG))
        painter.drawRect(rect)
        painter.fillRect(QRectF(0, 0, self.width, self.height * STRIP), self.color)
        painter.setPen(theme.NODE_TEXT)
        for x, y, w, h, px, text, bold in lines:
            font, metrics = font_for(px / lod, bold)
            painter.setFont(font)
            painter.drawText(QRectF(x / lod, y / lod, w / lod, h / lod),
                             Qt.AlignVCenter | Qt.AlignLeft,
                             metrics.elidedText(text, Qt.ElideRight, int(w / lod)))

    def _paint_port_labels(self, painter) -> None:
        painter.setFont(self._fonts[2])
        painter.setPen(theme.NODE_SUBTEXT)
        for port in self.inputs + self.outputs:
            if not port.label or self.tb:
                continue
            y = port.pos().y()
            if port.is_output:
                r = QRectF(self.width / 2, y - 8, self.width / 2 - 11, 16)
                painter.drawText(r, Qt.AlignVCenter | Qt.AlignRight, port.label)
            else:
                r = QRectF(11, y - 8, self.width / 2 - 11, 16)
                painter.drawText(r, Qt.AlignVCenter | Qt.AlignLeft, port.label)

    def _paint_badge(self, painter) -> None:
        colour = theme.ERROR_COLOR if self.severity == "error" else theme.WARNING_COLOR
        centre = QPointF(self.width - 2, -1)
        painter.setPen(QPen(QColor("#15171a"), 1.2))
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(centre, 8, 8)
        painter.setPen(QColor("white"))
        painter.setFont(self._fonts[0])
        painter.drawText(QRectF(centre.x() - 8, centre.y() - 8, 16, 16), Qt.AlignCenter,
                         "!")


class LinkMarker(QGraphicsItem):
    """A small chain-link mark on a node whose layer is shared."""

    def __init__(self, parent) -> None:
        super().__init__(parent)
        self.setZValue(3)
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:
        return QRectF(-9, -8, 18, 16)

    def paint(self, painter, option, widget=None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < LOW_DETAIL:
            return
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor("#f2f4f7"), 1.6))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(QRectF(-8, -3.5, 9, 7), 3.5, 3.5)
        painter.drawRoundedRect(QRectF(-1, -3.5, 9, 7), 3.5, 3.5)
