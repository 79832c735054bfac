"""A wire between an output port and an input port: a smooth curve
labelled with the shape of the tensor it carries."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetrics,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.ui import theme

LABEL_LOD = 0.55


def wire_path(a: QPointF, b: QPointF) -> QPainterPath:
    dx = b.x() - a.x()
    bend = max(50.0, abs(dx) * 0.5) if dx >= 0 else max(80.0, abs(dx) * 0.35 + 60)
    path = QPainterPath(a)
    path.cubicTo(QPointF(a.x() + bend, a.y()), QPointF(b.x() - bend, b.y()), b)
    return path


class EdgeItem(QGraphicsItem):
    def __init__(self, edge, src_port, dst_port) -> None:
        super().__init__()
        self.edge = edge
        self.src_port = src_port
        self.dst_port = dst_port
        self.label = ""
        self.full_label = ""
        self.compact_label = ""
        self.error = False
        self.setZValue(0)
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self._font = theme.ui_font(7.5)
        self._path = QPainterPath()
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self.update_path()

    def set_label(self, text: str, compact: str = "") -> None:
        """``text`` is the full shape; ``compact`` is used when the wire is
        too short for it."""
        if (text, compact or text) != (self.full_label, self.compact_label):
            self.full_label, self.compact_label = text, compact or text
            self.setToolTip(f"tensor shape {text}" if text else "")
            self.update_path()

    def set_error(self, on: bool) -> None:
        if on != self.error:
            self.error = on
            self.update()

    def update_path(self) -> None:
        self.prepareGeometryChange()
        a, b = self.src_port.anchor(), self.dst_port.anchor()
        self._path = wire_path(a, b)
        fm = QFontMetrics(self._font)
        self.label = self.full_label
        room = abs(b.x() - a.x()) - 12 if b.x() > a.x() else 1e9
        if self.label and fm.horizontalAdvance(self.label) + 10 > room:
            self.label = self.compact_label
            if fm.horizontalAdvance(self.label) + 10 > room:
                self.label = ""  # no room: the tooltip still tells
        if self.label:
            w, h = fm.horizontalAdvance(self.label) + 10, fm.height() + 2
            mid = self._path.pointAtPercent(0.5)
            self._label_rect = QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)
        else:
            self._label_rect = QRectF()
        self._bounds = self._path.boundingRect().adjusted(-4, -4, 4, 4).united(
            self._label_rect)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        return stroker.createStroke(self._path)

    def paint(self, painter, option, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        colour = (theme.SELECT_COLOR if self.isSelected() else
                  theme.ERROR_COLOR if self.error else theme.EDGE_COLOR)
        if lod >= theme_low():
            painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        pen = QPen(colour, 2.0 if lod >= 0.3 else 1.0)
        pen.setCosmetic(lod < 0.3)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self._path)
        if self.label and lod >= LABEL_LOD:
            painter.setPen(QPen(QColor("#15171a"), 1))
            painter.setBrush(QBrush(QColor(35, 38, 43, 225)))
            painter.drawRoundedRect(self._label_rect, 4, 4)
            painter.setFont(self._font)
            painter.setPen(theme.ERROR_COLOR.lighter(130) if self.error
                           else theme.EDGE_LABEL)
            painter.drawText(self._label_rect, Qt.AlignCenter, self.label)


def theme_low() -> float:
    return 0.4
