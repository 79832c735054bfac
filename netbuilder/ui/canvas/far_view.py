"""Level-of-detail painting for a zoomed-out canvas.

Below :data:`~netbuilder.ui.canvas.semantic.FULL_DETAIL` zoom the node, port
and wire items stop painting themselves (they keep ``ItemHasNoContents``, so
Qt skips them, but they still take clicks, drags and rubber-band selection)
and one :class:`FarLayer` draws the whole visible graph in a few calls:

- wires as polylines, one path per tile of the scene (no shape labels);
- node bodies and colour strips as one path per tile and colour;
- each node's name once, as a cached :class:`QStaticText` drawn in screen
  pixels (so a zoom step reuses the text of the last frame);
- the few nodes or wires with a state of their own (selected, with a
  problem, a highlighted port) on top, one by one.

The geometry is cached and rebuilt lazily after the scene calls
:meth:`FarLayer.invalidate` (a node or wire added, removed, moved, renamed
or re-routed)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QStaticText, QTransform
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.engine.model.layout import NODE_HEIGHT
from netbuilder.ui import theme
from netbuilder.ui.canvas.semantic import (
    MIN_TEXT_PX,
    STRIP,
    font_for,
    label_lines,
)

TILE = 1024.0       # scene units per tile side
PORT_LOD = 0.35     # ports are drawn from this zoom on
GROUP_BG = QColor("#2c3138")
PORT_COLOR = QColor("#d8dee6")
TITLE = 64.0        # an expanded group's label sits in its title band
MAX_TEXTS = 20000   # cached static texts before the cache starts afresh


@dataclass(slots=True)
class _Node:
    item: object
    rect: QRectF
    label_height: float
    box: tuple = ()  # x, y, width, bottom, as floats (read every frame)


@dataclass
class _Tile:
    nodes: list = field(default_factory=list)
    body: QPainterPath = field(default_factory=QPainterPath)
    groups: QPainterPath = field(default_factory=QPainterPath)
    strips: dict = field(default_factory=dict)   # colour rgba -> path
    blocks: dict = field(default_factory=dict)   # colour rgba -> path
    wires: QPainterPath = field(default_factory=QPainterPath)
    ports_on: QPainterPath = field(default_factory=QPainterPath)
    ports_off: QPainterPath = field(default_factory=QPainterPath)


def set_painted(item: QGraphicsItem, painted: bool) -> None:
    """Let ``item`` paint itself, or not (it still takes mouse events)."""
    if bool(item.flags() & QGraphicsItem.ItemHasNoContents) == painted:
        item.setFlag(QGraphicsItem.ItemHasNoContents, not painted)


def _tile_of(x: float, y: float) -> tuple[int, int]:
    return int(math.floor(x / TILE)), int(math.floor(y / TILE))


def wire_polyline(item) -> list[QPointF]:
    """A wire as a polyline in scene coordinates: its routed points (the
    S-curves between layers become straight lines, which stay in the empty
    space between the layers), or its free curve flattened."""
    if item.route is not None:
        return [QPointF(x, y) for x, y in item.route[0]]
    polygons = item._path.toSubpathPolygons()
    return list(polygons[0]) if polygons else []


def _add_segments(tiles: dict, points: list[QPointF]) -> None:
    """Each segment, cut into pieces no longer than a tile, goes into the
    tile of its start."""
    for a, b in zip(points, points[1:], strict=False):
        d = b - a
        pieces = max(1, int(math.ceil(max(abs(d.x()), abs(d.y())) / TILE)))
        for k in range(pieces):
            p, q = a + d * (k / pieces), a + d * ((k + 1) / pieces)
            path = tiles.setdefault(_tile_of(p.x(), p.y()), _Tile()).wires
            path.moveTo(p)
            path.lineTo(q)


class FarLayer(QGraphicsItem):
    """Draws the zoomed-out graph in batches (see the module text)."""

    def __init__(self, scene) -> None:
        super().__init__()
        self.graph_scene = scene
        self.active = False
        self._dirty = True
        self._tiles: dict[tuple[int, int], _Tile] = {}
        self._bounds = QRectF()
        self._margin = TILE
        self._texts: dict = {}
        self.setZValue(0.5)  # over the (empty) wires, under node children
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption, True)

    # ------------------------------------------------------------ state
    def set_active(self, on: bool) -> None:
        if on != self.active:
            self.prepareGeometryChange()
            self.active = on
            self.update()

    def invalidate(self) -> None:
        """The scene's geometry changed: rebuild before the next paint."""
        if not self._dirty:
            if self.active:
                # Qt asks the old bounds here: still the cached ones. Marked
                # dirty first, each node moved by an arrange rebuilt the
                # whole cache (quadratic in the number of nodes).
                self.prepareGeometryChange()
            self._dirty = True
            if self.active:
                self.update()

    def refresh(self) -> None:
        """Only a state drawn per frame changed (selection, problems)."""
        if self.active:
            self.update()

    def content_rect(self) -> QRectF:
        """The rectangle the graph's nodes and wires cover."""
        if self._dirty:
            self._rebuild()
        return QRectF(self._bounds)

    # ------------------------------------------------------------ QGraphicsItem
    def boundingRect(self) -> QRectF:
        return self.content_rect() if self.active else QRectF()

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never hit: clicks go to the items below

    # ------------------------------------------------------------ cache
    def _rebuild(self) -> None:
        self._dirty = False
        tiles: dict[tuple[int, int], _Tile] = {}
        bounds = QRectF()
        half = 0.0
        for item in self.graph_scene.nodes.values():
            pos = item.pos()
            rect = QRectF(pos.x(), pos.y(), item.width, item.height)
            bounds = bounds.united(rect)
            half = max(half, rect.width() / 2, rect.height() / 2)
            centre = rect.center()
            tile = tiles.setdefault(_tile_of(centre.x(), centre.y()), _Tile())
            expanded = item.expanded
            tile.nodes.append(_Node(item, rect, min(rect.height(), TITLE)
                                    if expanded else rect.height(),
                                    (rect.x(), rect.y(), rect.width(),
                                     rect.bottom())))
            colour = item.color.rgba()
            (tile.groups if expanded else tile.body).addRect(rect)
            strip = QRectF(rect.x(), rect.y(), rect.width(),
                           tile.nodes[-1].label_height * STRIP)
            tile.strips.setdefault(colour, QPainterPath()).addRect(strip)
            tile.blocks.setdefault(colour, QPainterPath()).addRect(rect)
            r = theme.PORT_RADIUS
            for port in item.inputs + item.outputs:
                p = port.scenePos()
                path = tile.ports_on if port.connected else tile.ports_off
                path.addEllipse(p, r, r)
        for item in self.graph_scene.edges.values():
            points = wire_polyline(item)
            _add_segments(tiles, points)
            for p in points:
                bounds = bounds.united(QRectF(p, p))
        self._tiles = tiles
        self._bounds = QRectF() if bounds.isNull() else bounds.adjusted(-8, -8, 8, 8)
        self._margin = max(TILE, half)

    def _visible_tiles(self, rect: QRectF) -> list[_Tile]:
        m = self._margin
        (i0, j0), (i1, j1) = (_tile_of(rect.left() - m, rect.top() - m),
                              _tile_of(rect.right() + m, rect.bottom() + m))
        if (i1 - i0 + 1) * (j1 - j0 + 1) > len(self._tiles):
            return list(self._tiles.values())
        return [t for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)
                if (t := self._tiles.get((i, j))) is not None]

    # ------------------------------------------------------------ painting
    def paint(self, painter, option, widget=None) -> None:
        if not self.active:
            return
        if self._dirty:
            self._rebuild()
        transform = painter.worldTransform()
        lod = option.levelOfDetailFromTransform(transform)
        tiles = self._visible_tiles(option.exposedRect)
        painter.setRenderHint(painter.RenderHint.Antialiasing, lod >= 0.3)
        wire_pen = QPen(theme.EDGE_COLOR, 1.0)
        wire_pen.setCosmetic(True)
        painter.setPen(wire_pen)
        painter.setBrush(Qt.NoBrush)
        for tile in tiles:
            painter.drawPath(tile.wires)
        self._paint_special_wires(painter)
        painter.setRenderHint(painter.RenderHint.Antialiasing, False)
        blocks = NODE_HEIGHT * lod < MIN_TEXT_PX  # no name fits: plain blocks
        for tile in tiles:
            if blocks:
                for colour, path in tile.blocks.items():
                    painter.fillPath(path, QColor.fromRgba(colour))
                continue
            painter.fillPath(tile.body, theme.NODE_BG)
            painter.fillPath(tile.groups, GROUP_BG)
            for colour, path in tile.strips.items():
                painter.fillPath(path, QColor.fromRgba(colour))
        if lod >= PORT_LOD:
            self._paint_ports(painter, tiles)
        self._paint_outlines(painter, tiles, lod)
        if not blocks:
            self._paint_labels(painter, tiles, transform, option.exposedRect)

    def _paint_special_wires(self, painter) -> None:
        """Selected wires and wires into a port with an error, coloured."""
        for item in self.graph_scene.edges.values():
            if not (item.error or item.isSelected()):
                continue
            pen = QPen(theme.SELECT_COLOR if item.isSelected() else theme.ERROR_COLOR,
                       2.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            points = wire_polyline(item)
            painter.drawPolyline(points)

    def _paint_ports(self, painter, tiles: list[_Tile]) -> None:
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        pen = QPen(PORT_COLOR, 1.2)
        for tile in tiles:
            painter.fillPath(tile.ports_on, PORT_COLOR)
            painter.strokePath(tile.ports_off, pen)
        highlighted = self.graph_scene.highlighted_ports()
        if highlighted:
            painter.setPen(QPen(theme.COMPATIBLE_COLOR, 2.5))
            painter.setBrush(QBrush(theme.COMPATIBLE_COLOR.darker(150)))
            r = theme.PORT_RADIUS + 2
            for port in highlighted:
                painter.drawEllipse(port.scenePos(), r, r)
        painter.setRenderHint(painter.RenderHint.Antialiasing, False)

    def _paint_outlines(self, painter, tiles: list[_Tile], lod: float) -> None:
        """Selected nodes and nodes with a problem get a coloured frame."""
        painter.setBrush(Qt.NoBrush)
        for tile in tiles:
            for node in tile.nodes:
                item = node.item
                colour = (theme.SELECT_COLOR if item.isSelected() else
                          theme.ERROR_COLOR if item.severity == "error" else
                          theme.WARNING_COLOR if item.severity == "warning" else None)
                if colour is None:
                    continue
                pen = QPen(colour, 3.0 if lod >= 0.1 else 2.0)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.drawRect(node.rect)

    def _paint_labels(self, painter, tiles: list[_Tile], transform: QTransform,
                      exposed: QRectF) -> None:
        """Every node tall enough on screen gets its name, in screen pixels."""
        if transform.isRotating():
            return
        sx, sy = transform.m11(), transform.m22()
        dx, dy = transform.dx(), transform.dy()
        painter.save()
        painter.setWorldTransform(QTransform())
        painter.setPen(theme.NODE_TEXT)
        current = None
        left, top = exposed.left(), exposed.top()
        right, bottom = exposed.right(), exposed.bottom()
        for tile in tiles:
            for node in tile.nodes:
                x, y, width, end = node.box
                if (node.label_height * sy < MIN_TEXT_PX or x > right or y > bottom
                        or x + width < left or end < top):
                    continue
                item = node.item
                x0, y0 = x * sx + dx, y * sy + dy
                for lx, ly, w, h, px, text, bold in label_lines(
                        width, node.label_height, sy, item.name, item.type_name):
                    static, height = self._static(text, px, bold, w)
                    if current != (px, bold):
                        current = (px, bold)
                        painter.setFont(font_for(px, bold)[0])
                    painter.drawStaticText(
                        QPointF(x0 + lx, y0 + ly + (h - height) / 2), static)
        painter.restore()

    def _static(self, text: str, px: int, bold: bool, room: float):
        """A prepared text elided to ``room`` pixels (rounded down to 6 px,
        so that zoom steps reuse it) and its line height."""
        bucket = int(room) // 6 * 6
        key = (text, px, bold, bucket)
        cached = self._texts.get(key)
        if cached is None:
            if len(self._texts) > MAX_TEXTS:
                self._texts.clear()
            font, metrics = font_for(px, bold)
            static = QStaticText(metrics.elidedText(text, Qt.ElideRight, bucket))
            static.setTextFormat(Qt.PlainText)
            static.prepare(QTransform(), font)
            cached = self._texts[key] = (static, metrics.height())
        return cached
