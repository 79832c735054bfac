"""The canvas view: zoom around the cursor, pan (middle button or
space+drag), fit (F), reset zoom (1), quick add (Tab / double-click),
and drops from the palette."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsView

from netbuilder.ui import theme
from netbuilder.ui.canvas.semantic import FULL_DETAIL

LAYER_MIME = "application/x-netbuilder-layer"
MIN_ZOOM, MAX_ZOOM = 0.05, 4.0


class GraphView(QGraphicsView):
    dropLayer = Signal(str, QPointF)       # layer type, scene position
    quickAddRequested = Signal(QPointF)    # scene position
    zoomChanged = Signal(float)

    def __init__(self, scene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.DontSavePainterState
                                  | QGraphicsView.DontAdjustForAntialiasing)
        self.setCacheMode(QGraphicsView.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._panning = False
        self._pan_start = QPointF()
        self._space = False
        self.zoomChanged.connect(self.sync_detail)

    def sync_detail(self, *_args) -> None:
        """Zoomed out, the scene draws in batches (see :mod:`far_view`)."""
        self.scene().set_far(self.zoom() < FULL_DETAIL)

    # ------------------------------------------------------------ zoom
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor_under_mouse: bool = False) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        scale = factor / self.zoom()
        old = self.transformationAnchor()
        if not anchor_under_mouse:
            self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)
        self.scale(scale, scale)
        self.setTransformationAnchor(old)
        self.zoomChanged.emit(self.zoom())

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if not steps:
            return super().wheelEvent(event)
        self.set_zoom(self.zoom() * math.pow(1.15, steps), anchor_under_mouse=True)
        event.accept()

    def fit_graph(self) -> None:
        rect = QRectF()
        for item in self.scene().nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
        else:
            self.fitInView(rect.adjusted(-30, -30, 30, 30), Qt.KeepAspectRatio)
            if self.zoom() > 1.5:
                self.set_zoom(1.5)
        self.zoomChanged.emit(self.zoom())

    def show_graph(self, min_zoom: float = 0.75) -> None:
        """Initial view of a freshly opened graph: fit it, but never so small
        that labels become unreadable (then start from its first layer: the
        top for a top-to-bottom graph, the left end otherwise)."""
        self.fit_graph()
        nodes = self.scene().nodes
        if self.zoom() >= min_zoom or not nodes:
            return
        rect = QRectF()
        for item in nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        self.set_zoom(min_zoom)
        graph = self.scene().graph
        first = next((nodes[n] for n in graph.topological_order() if n in nodes), None)
        start = first.sceneBoundingRect().center() if first else rect.center()
        half_w = self.viewport().width() / 2 / self.zoom()
        half_h = self.viewport().height() / 2 / self.zoom()
        if self.scene().tb:
            x = start.x() if rect.width() > 2 * half_w else rect.center().x()
            self.centerOn(x, rect.top() - 40 + half_h)
        else:
            y = start.y() if rect.height() > 2 * half_h else rect.center().y()
            self.centerOn(rect.left() - 40 + half_w, y)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def view_center(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    # ------------------------------------------------------------ keys
    def keyPressEvent(self, event) -> None:
        key = event.key()
        if event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            return super().keyPressEvent(event)
        if key == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.ScrollHandDrag)
            return
        if key == Qt.Key_F:
            self.fit_graph()
            return
        if key == Qt.Key_1:
            self.reset_zoom()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setDragMode(QGraphicsView.RubberBandDrag)
            return
        super().keyReleaseEvent(event)

    def focusNextPrevChild(self, next_: bool) -> bool:
        # Tab opens quick add instead of moving focus away from the canvas.
        pos = self.mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(pos):
            pos = self.viewport().rect().center()
        self.quickAddRequested.emit(self.mapToScene(pos))
        return True

    # ------------------------------------------------------------ mouse
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MiddleButton:
            self._panning = True
            self._pan_start = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._panning:
            delta = event.position() - self._pan_start
            self._pan_start = event.position()
            self.horizontalScrollBar().setValue(
                self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(
                self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MiddleButton and self._panning:
            self._panning = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.itemAt(event.position().toPoint()) is None:
            self.quickAddRequested.emit(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # ------------------------------------------------------------ drops
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if event.mimeData().hasFormat(LAYER_MIME):
            type_name = bytes(event.mimeData().data(LAYER_MIME)).decode("utf-8")
            pos = self.mapToScene(event.position().toPoint())
            self.dropLayer.emit(type_name, pos)
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    # ------------------------------------------------------------ background
    def drawBackground(self, painter, rect) -> None:
        painter.fillRect(rect, theme.CANVAS_BG)
        zoom = self.zoom()
        if self.scene().far_on != (zoom < FULL_DETAIL):
            QTimer.singleShot(0, self.sync_detail)  # zoomed without set_zoom
        if zoom < 0.3:
            return
        step = 20
        left = int(math.floor(rect.left() / step)) * step
        top = int(math.floor(rect.top() / step)) * step
        minor, major = [], []
        for x in range(left, int(rect.right()) + 1, step):
            (major if x % (step * 5) == 0 else minor).append(
                QLineF(x, rect.top(), x, rect.bottom()))
        for y in range(top, int(rect.bottom()) + 1, step):
            (major if y % (step * 5) == 0 else minor).append(
                QLineF(rect.left(), y, rect.right(), y))
        painter.setRenderHint(QPainter.Antialiasing, False)  # crisp and cheap
        if zoom >= 0.6:
            painter.setPen(QPen(theme.GRID_MINOR, 0))
            painter.drawLines(minor)
        painter.setPen(QPen(theme.GRID_MAJOR, 0))
        painter.drawLines(major)
        painter.setRenderHint(QPainter.Antialiasing, True)
