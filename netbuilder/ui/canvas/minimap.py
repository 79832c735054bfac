"""The overview (minimap) dock: the whole graph small, with the canvas's
visible area outlined; click or drag in it to move the canvas there.

The graph is drawn once into a picture (again a moment after the scene
changes), so panning and zooming the canvas only redraws the outline: the
overview costs nothing per canvas frame."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from netbuilder.ui import theme

MARGIN = 60.0


class Minimap(QWidget):
    def __init__(self, main_view, parent=None) -> None:
        super().__init__(parent)
        self.main_view = main_view
        self.setMinimumSize(160, 120)
        self.setToolTip("Overview: click or drag to move the canvas there")
        self._pixmap = QPixmap()
        self._source = QRectF()   # scene rectangle drawn
        self._target = QRectF()   # where it is drawn in the widget
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(250)
        self._refit.timeout.connect(self.fit)
        main_view.horizontalScrollBar().valueChanged.connect(self.update)
        main_view.verticalScrollBar().valueChanged.connect(self.update)
        main_view.zoomChanged.connect(self.update)
        main_view.scene().changed.connect(lambda *_: self._refit.start())

    def scene(self):
        return self.main_view.scene()

    def graph_rect(self) -> QRectF:
        """The graph's nodes and wires (cached by the scene until it changes,
        so asking on every paint is cheap)."""
        rect = self.scene().far.content_rect()
        if rect.isNull():
            return rect
        return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)

    def fit(self) -> None:
        """Draw the graph afresh, scaled to fit the widget."""
        self._refit.stop()
        source = self.graph_rect()
        if source.isEmpty() or self.width() < 2 or self.height() < 2 or \
                not self.isVisible():
            self._pixmap, self._source = QPixmap(), QRectF()
            self.update()
            return
        scale = min(self.width() / source.width(), self.height() / source.height())
        w, h = source.width() * scale, source.height() * scale
        self._target = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
        self._source = source
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(int(w * ratio) + 1, int(h * ratio) + 1)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(theme.CANVAS_BG)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        brush = self.scene().backgroundBrush()
        self.scene().setBackgroundBrush(Qt.NoBrush)
        try:
            self.scene().render(painter, QRectF(0, 0, w, h), source)
        finally:
            self.scene().setBackgroundBrush(brush)
            painter.end()
        self._pixmap = pixmap
        self.update()

    # ------------------------------------------------------------ mapping
    def scale(self) -> float:
        return self._target.width() / self._source.width() if self._source.width() \
            else 1.0

    def mapFromScene(self, point: QPointF) -> QPointF:
        s = self.scale()
        return QPointF(self._target.left() + (point.x() - self._source.left()) * s,
                       self._target.top() + (point.y() - self._source.top()) * s)

    def mapToScene(self, point: QPointF) -> QPointF:
        s = self.scale()
        return QPointF(self._source.left() + (point.x() - self._target.left()) / s,
                       self._source.top() + (point.y() - self._target.top()) / s)

    def visible_rect(self) -> QRectF:
        view = self.main_view
        return view.mapToScene(view.viewport().rect()).boundingRect()

    # ------------------------------------------------------------ painting
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refit.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._refit.start()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.CANVAS_BG)
        if self.scene().nodes and self._source != self.graph_rect():
            self._refit.start()  # the graph changed size or was never drawn
        if self._pixmap.isNull():
            return
        painter.drawPixmap(self._target.topLeft(), self._pixmap)
        visible = self.visible_rect()
        top_left = self.mapFromScene(visible.topLeft())
        bottom_right = self.mapFromScene(visible.bottomRight())
        painter.setPen(QPen(QColor("#f2f4f7"), 1.5))
        painter.setBrush(QBrush(QColor(255, 255, 255, 28)))
        painter.drawRect(QRectF(top_left, bottom_right).intersected(
            QRectF(self.rect()).adjusted(1, 1, -1, -1)))

    # ------------------------------------------------------------ mouse
    def _move_to(self, event) -> None:
        if not self._source.isEmpty():
            self.main_view.centerOn(self.mapToScene(event.position()))
            self.update()

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
