"""A node's input or output port: a small circle wires attach to."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.ui import theme


class PortItem(QGraphicsItem):
    def __init__(self, parent, node_id: str, index: int, is_output: bool,
                 label: str = "") -> None:
        super().__init__(parent)
        self.node_id = node_id
        self.index = index
        self.is_output = is_output
        self.label = label
        self.connected = False
        self.highlight = False
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        r = theme.PORT_RADIUS
        self._rect = QRectF(-r - 3, -r - 3, 2 * r + 6, 2 * r + 6)
        kind = "output" if is_output else "input"
        self.setToolTip(f"{kind} {label or index}")
        self.setCursor(Qt.CrossCursor)

    def boundingRect(self) -> QRectF:
        return self._rect

    def anchor(self) -> QPointF:
        return self.scenePos()

    def set_highlight(self, on: bool) -> None:
        if on != self.highlight:
            self.highlight = on
            self.update()

    def paint(self, painter, option, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < 0.35:
            return
        r = theme.PORT_RADIUS
        if self.highlight:
            painter.setPen(QPen(theme.COMPATIBLE_COLOR, 2.5))
            painter.setBrush(QBrush(theme.COMPATIBLE_COLOR.darker(150)))
            painter.drawEllipse(QPointF(0, 0), r + 2, r + 2)
            return
        painter.setPen(QPen(QColor("#d8dee6"), 1.4))
        fill = QColor("#d8dee6") if self.connected else theme.NODE_BG
        painter.setBrush(QBrush(fill))
        painter.drawEllipse(QPointF(0, 0), r, r)
