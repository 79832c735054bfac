"""Render the canvas scene to PNG or SVG (File → Export diagram and
``netbuilder render``): same scene items, drawn at full detail."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from netbuilder.ui import theme

MARGIN = 40.0


def scene_rect(scene) -> QRectF:
    rect = QRectF()
    for item in list(scene.nodes.values()) + list(scene.edges.values()):
        rect = rect.united(item.sceneBoundingRect())
    if rect.isNull():
        rect = QRectF(0, 0, 200, 100)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def render_scene(scene, path: str, scale: float = 1.5) -> Path:
    """Write the scene to ``path`` (.png or .svg). Raises ValueError for
    another suffix and OSError when the file cannot be written."""
    out = Path(path)
    suffix = out.suffix.lower()
    selected = scene.selectedItems()
    for item in selected:
        item.setSelected(False)
    from PySide6.QtWidgets import QGraphicsItem

    for item in scene.nodes.values():
        item.setCacheMode(QGraphicsItem.NoCache)
    far = scene.far_on
    scene.set_far(False)  # every item draws itself, at full detail
    try:
        source = scene_rect(scene)
        if suffix == ".svg":
            from PySide6.QtSvg import QSvgGenerator

            gen = QSvgGenerator()
            gen.setFileName(str(out))
            gen.setSize(QSize(int(source.width()), int(source.height())))
            gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
            gen.setTitle(getattr(scene.graph, "name", "") or "NetBuilder diagram")
            painter = QPainter()
            if not painter.begin(gen):
                raise OSError(f"cannot write {out}")
            _paint(painter, scene, source,
                   QRectF(0, 0, source.width(), source.height()))
            painter.end()
        elif suffix == ".png":
            max_side = 16000
            scale = min(scale, max_side / max(source.width(), source.height()))
            size = QSize(max(1, int(source.width() * scale)),
                         max(1, int(source.height() * scale)))
            image = QImage(size, QImage.Format_ARGB32_Premultiplied)
            image.fill(theme.CANVAS_BG)
            painter = QPainter(image)
            _paint(painter, scene, source, QRectF(0, 0, size.width(), size.height()))
            painter.end()
            if not image.save(str(out), "PNG"):
                raise OSError(f"cannot write {out}")
        else:
            raise ValueError(f"{out.name}: choose a .png or .svg file name")
    finally:
        scene.set_far(far)
        for item in scene.nodes.values():
            item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        for item in selected:
            item.setSelected(True)
    return out


def _paint(painter, scene, source: QRectF, target: QRectF) -> None:
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    painter.fillRect(target, theme.CANVAS_BG)
    brush = scene.backgroundBrush()
    scene.setBackgroundBrush(Qt.NoBrush)
    try:
        scene.render(painter, target, source, Qt.KeepAspectRatio)
    finally:
        scene.setBackgroundBrush(brush)
