"""A layer on the canvas: header coloured by category, name, key params,
ports, and a problem badge. Drawn simplified (no text) at low zoom."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.ui import theme
from netbuilder.ui.port_item import PortItem

LOW_DETAIL = 0.4
SINGLE_HEIGHT = 62.0
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
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setZValue(1)
        self._fonts = (theme.ui_font(9, True), theme.ui_font(9.5, True), theme.ui_font(8.5))
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
        n_in = 0 if node.type == "Input" else graph.input_count(node.id)
        n_out = graph.output_count(node.id)
        in_labels = []
        for i in range(n_in):
            named = spec is not None and (len(spec.inputs) > 1 or spec.variadic)
            in_labels.append(spec.input_name(i) if named else "")
        out_labels = [spec.output_name(i, n_out) if (spec and n_out > 1) else ""
                      for i in range(n_out)]
        rows = max(len(in_labels), len(out_labels), 1)
        self.prepareGeometryChange()
        self.height = SINGLE_HEIGHT if rows == 1 else MULTI_TOP + rows * theme.PORT_SPACING
        self._sync_ports(self.inputs, in_labels, False)
        self._sync_ports(self.outputs, out_labels, True)
        self._elide()
        self._update_tooltip()
        self.update()

    def _sync_ports(self, ports: list[PortItem], labels: list[str], is_output: bool) -> None:
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
        x = self.width if is_output else 0.0
        for i, port in enumerate(ports):
            if len(ports) == 1 and len(labels) <= 1 and self.height == SINGLE_HEIGHT:
                y = self.height / 2 + 6
            else:
                y = MULTI_TOP + (i + 0.5) * theme.PORT_SPACING
            port.setPos(x, y)

    def _elide(self) -> None:
        w = int(self.width - 16)
        fm = [QFontMetrics(f) for f in self._fonts]
        self._type_text = fm[0].elidedText(self.type_name, Qt.ElideRight, w - 10)
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
        if lod < LOW_DETAIL:
            painter.setPen(QPen(outline, 4) if outline is not None else Qt.NoPen)
            painter.setBrush(QBrush(self.color))
            painter.drawRect(rect)
            return
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(outline, 2.2) if outline is not None
                       else QPen(QColor("#15171a"), 1))
        painter.setBrush(QBrush(theme.NODE_BG))
        painter.drawRoundedRect(rect, 6, 6)
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
        if self.severity:
            self._paint_badge(painter)

    def _paint_port_labels(self, painter) -> None:
        painter.setFont(self._fonts[2])
        painter.setPen(theme.NODE_SUBTEXT)
        for port in self.inputs + self.outputs:
            if not port.label:
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
