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


def wire_path(a: QPointF, b: QPointF, tb: bool = False) -> QPainterPath:
    """A free wire (being dragged, or between nodes not yet routed)."""
    d = (b.y() - a.y()) if tb else (b.x() - a.x())
    bend = max(50.0, abs(d) * 0.5) if d >= 0 else max(80.0, abs(d) * 0.35 + 60)
    path = QPainterPath(a)
    if tb:
        path.cubicTo(QPointF(a.x(), a.y() + bend), QPointF(b.x(), b.y() - bend), b)
    else:
        path.cubicTo(QPointF(a.x() + bend, a.y()), QPointF(b.x() - bend, b.y()), b)
    return path


def route_path(points: list, kinds: list, tb: bool) -> QPainterPath:
    """A routed wire: straight runs and S-curves whose tangents follow the
    layer axis (see :mod:`netbuilder.engine.model.layout.routing`)."""
    path = QPainterPath(QPointF(*points[0]))
    for (a, b), kind in zip(zip(points, points[1:], strict=False), kinds,
                            strict=True):
        if kind == "L":
            path.lineTo(QPointF(*b))
        elif tb:
            mid = (a[1] + b[1]) / 2
            path.cubicTo(QPointF(a[0], mid), QPointF(b[0], mid), QPointF(*b))
        else:
            mid = (a[0] + b[0]) / 2
            path.cubicTo(QPointF(mid, a[1]), QPointF(mid, b[1]), QPointF(*b))
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
        self.route: tuple[list, list] | None = None  # set by the scene's router
        self.tb = False
        self.update_path()

    def set_label(self, text: str, compact: str = "") -> None:
        """``text`` is the full shape (in the tooltip); ``compact`` is drawn
        on the wire."""
        if (text, compact or text) != (self.full_label, self.compact_label):
            self.full_label, self.compact_label = text, compact or text
            self.setToolTip(f"tensor shape {text}" if text else "")
            self.update_path()

    def set_error(self, on: bool) -> None:
        if on != self.error:
            self.error = on
            self.update()

    def set_route(self, route: tuple[list, list] | None, tb: bool) -> None:
        self.route, self.tb = route, tb
        self.update_path()

    def _label_place(self, a: QPointF, b: QPointF) -> tuple[QPointF, float, float]:
        """Where the shape label goes (middle of the first crossing between
        layers) and the room there: (centre, width room, height room)."""
        if self.route is not None:
            points, kinds = self.route
            for (p, q), kind in zip(zip(points, points[1:], strict=False), kinds,
                                    strict=True):
                if kind == "S":
                    a, b = QPointF(*p), QPointF(*q)
                    break
        mid = (a + b) / 2
        if self.tb:
            return mid, 1e9, abs(b.y() - a.y()) - 6
        return mid, (b.x() - a.x()) - 12 if b.x() > a.x() else 1e9, 1e9

    def update_path(self) -> None:
        self.prepareGeometryChange()
        a, b = self.src_port.anchor(), self.dst_port.anchor()
        route = self.route
        if route is not None and (QPointF(*route[0][0]) - a).manhattanLength() + (
                QPointF(*route[0][-1]) - b).manhattanLength() > 0.5:
            route = self.route = None  # an end moved: the scene re-routes soon
        self._path = (route_path(*route, self.tb) if route is not None
                      else wire_path(a, b, self.tb))
        fm = QFontMetrics(self._font)
        # One form on every wire: the compact one (no batch axis); the full
        # shape is in the tooltip.
        self.label = self.compact_label
        mid, room, room_h = self._label_place(a, b)
        if self.label and fm.horizontalAdvance(self.label) + 10 > room:
            self.label = ""  # no room: the tooltip still tells
        if fm.height() + 2 > room_h:
            self.label = ""
        if self.label:
            w, h = fm.horizontalAdvance(self.label) + 10, fm.height() + 2
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
