"""The overview (minimap) dock: the whole graph small, with the canvas's
visible area outlined; click or drag in it to move the canvas there."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame, QGraphicsView

from netbuilder.ui import theme

MARGIN = 60.0


class Minimap(QGraphicsView):
    def __init__(self, main_view, parent=None) -> None:
        super().__init__(main_view.scene(), parent)
        self.main_view = main_view
        self.setInteractive(False)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setRenderHints(QPainter.Antialiasing)
        self.setBackgroundBrush(theme.CANVAS_BG)
        self.setMinimumSize(160, 120)
        self.setToolTip("Overview: click or drag to move the canvas there")
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(120)
        self._refit.timeout.connect(self.fit)
        main_view.horizontalScrollBar().valueChanged.connect(self._view_moved)
        main_view.verticalScrollBar().valueChanged.connect(self._view_moved)
        main_view.zoomChanged.connect(self._view_moved)
        self._watch(main_view.scene())

    def _watch(self, scene) -> None:
        scene.changed.connect(lambda *_: self._refit.start())

    def set_scene(self, scene) -> None:
        self.setScene(scene)
        self._watch(scene)
        self.fit()

    def graph_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.scene().nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)

    def fit(self) -> None:
        rect = self.graph_rect()
        if not rect.isEmpty():
            self.fitInView(rect, Qt.KeepAspectRatio)
        self.viewport().update()

    def visible_rect(self) -> QRectF:
        view = self.main_view
        return view.mapToScene(view.viewport().rect()).boundingRect()

    def _view_moved(self, *_args) -> None:
        self.viewport().update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def drawForeground(self, painter, rect) -> None:
        visible = self.visible_rect()
        pen = QPen(QColor("#f2f4f7"), 0)
        pen.setCosmetic(True)
        pen.setWidthF(1.5)
        painter.setPen(pen)
        painter.setBrush(QBrush(QColor(255, 255, 255, 28)))
        painter.drawRect(visible)

    def drawBackground(self, painter, rect) -> None:
        painter.fillRect(rect, theme.CANVAS_BG)

    # ------------------------------------------------------------ mouse
    def _move_to(self, event) -> None:
        self.main_view.centerOn(self.mapToScene(event.position().toPoint()))
        self.viewport().update()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            self._move_to(event)
            event.accept()

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.LeftButton:
            self._move_to(event)
            event.accept()

    def wheelEvent(self, event) -> None:
        self.main_view.wheelEvent(event)
