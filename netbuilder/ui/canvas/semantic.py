"""Semantic zoom rules shared by the canvas's two ways of drawing a
zoomed-out node (the node item itself, and the batched far layer of
:mod:`far_view`): a dark block with a coloured strip on top and its name (or
type) written larger relative to the node as the view zooms out, as long as
the node is at least :data:`MIN_TEXT_PX` tall on screen; a plain coloured
block below that.

All sizes here are on-screen pixels, relative to the node's top-left corner.
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics

from netbuilder.ui import theme

FULL_DETAIL = 0.55  # below this zoom a node shows its name only, drawn larger
MIN_TEXT_PX = 12.0  # nodes shorter than this on screen are plain blocks
TEXT_PX = 11.0      # on-screen height of zoomed-out node text (at most)
TWO_LINES_PX = 30.0  # from this on-screen height: type above name
STRIP = 0.22        # the colour strip, as a share of the node's height

_FONTS: dict = {}
_WIDTHS: dict = {}
MAX_CACHED = 50000


def font_for(px: float, bold: bool) -> tuple:
    """A font ``px`` pixels high (whole pixels, cached) and its metrics."""
    key = (max(1, int(round(px))), bold)
    cached = _FONTS.get(key)
    if cached is None:
        font = theme.ui_font(9, bold)
        font.setPixelSize(key[0])
        cached = _FONTS[key] = (font, QFontMetrics(font))
    return cached


def text_width(text: str, px: int, bold: bool) -> int:
    """Width of ``text`` in a ``px`` font (cached: asked every frame)."""
    key = (text, px, bold)
    width = _WIDTHS.get(key)
    if width is None:
        if len(_WIDTHS) > MAX_CACHED:
            _WIDTHS.clear()
        width = _WIDTHS[key] = font_for(px, bold)[1].horizontalAdvance(text)
    return width


Line = tuple[float, float, float, float, int, str, bool]


def label_lines(width: float, height: float, lod: float, name: str,
                type_name: str) -> list[Line]:
    """The text lines of a zoomed-out node ``width`` x ``height`` (scene
    units) seen at zoom ``lod``: (x, y, w, h, pixel size, text, bold) in
    on-screen pixels from the node's top-left corner. Empty when the node is
    too small on screen for text."""
    ws, hs = width * lod, height * lod
    if hs < MIN_TEXT_PX:
        return []
    strip = hs * STRIP
    pad = min(8.0 * lod, 3.0)
    x, w = pad, ws - 2 * pad
    room = hs - strip
    if hs >= TWO_LINES_PX:
        px = int(min(room * 0.42, TEXT_PX))
        half = room / 2
        return [(x, strip, w, half, max(1, int(px * 0.85)), type_name, False),
                (x, strip + half, w, half, px, name, True)]
    px = int(min(room * 0.8, TEXT_PX))
    text = name
    if text_width(name, px, True) > w * 1.6:
        text = type_name  # a long name would show only a stub
    return [(x, strip, w, room, px, text, True)]
