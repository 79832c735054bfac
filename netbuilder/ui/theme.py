"""Colours, sizes and small text helpers shared by the canvas items."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QFont

CATEGORY_COLORS = {
    "io": "#5b6b7f",
    "core": "#3f7fbf",
    "convolution": "#2f9e8f",
    "pooling": "#4aa35c",
    "recurrent": "#8c5fbf",
    "attention": "#b8569a",
    "normalization": "#c28a2e",
    "regularization": "#a0893a",
    "reshaping": "#6f7f3f",
    "merging": "#c0643a",
    "activation": "#cf4f4f",
    "preprocessing": "#5f7fa0",
    "operations": "#4a90a0",
    "applications": "#7f6fb0",
}
UNKNOWN_COLOR = "#7a7a7a"

NODE_WIDTH = 140.0
HEADER_HEIGHT = 22.0
BODY_TOP = 40.0
PORT_SPACING = 18.0
PORT_RADIUS = 5.5

CANVAS_BG = QColor("#23262b")
GRID_MINOR = QColor("#2a2e34")
GRID_MAJOR = QColor("#31363d")
NODE_BG = QColor("#353a42")
NODE_TEXT = QColor("#eceff3")
NODE_SUBTEXT = QColor("#b4bcc8")
SELECT_COLOR = QColor("#f5d76e")
ERROR_COLOR = QColor("#e5484d")
WARNING_COLOR = QColor("#f0a030")
EDGE_COLOR = QColor("#9aa4b2")
EDGE_LABEL = QColor("#c9d1dc")
COMPATIBLE_COLOR = QColor("#5fd38d")


def category_color(category: str | None) -> QColor:
    return QColor(CATEGORY_COLORS.get(category or "", UNKNOWN_COLOR))


def ui_font(size: float = 9.0, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def format_value(value: Any) -> str:
    """Compact text for a param value: [3, 3] -> 3×3, 0.5 -> 0.5."""
    if isinstance(value, list):
        if all(isinstance(v, int) for v in value) and 1 < len(value) <= 3:
            return "×".join(str(v) for v in value)
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        if "class_name" in value:
            return str(value["class_name"])
        if "type" in value:
            inner = value.get("params", {})
            units = inner.get("units")
            if units is not None:
                return f"{value['type']}({units})"
            return str(value["type"])
        return "{…}"
    if value is None:
        return "None"
    return str(value)


# Params worth showing on the node face, in order of importance.
KEY_PARAMS = ("units", "filters", "kernel_size", "pool_size", "strides", "rate",
              "num_heads", "key_dim", "shape", "target_shape", "dims", "axis",
              "size", "cropping", "padding", "layer", "output_dim", "input_dim",
              "activation")


def _as_tuple(value: Any, pspec) -> Any:
    """An int given for an n-tuple param (``kernel_size=3`` of Conv2D) as the
    tuple Keras makes of it, so that the face reads 3×3 however it was set."""
    length = getattr(pspec, "length", None)
    if isinstance(value, int) and not isinstance(value, bool) \
            and getattr(pspec, "kind", "") == "int_tuple" and length and length > 1:
        return [value] * length
    return value


def _op_value(value: Any) -> str:
    """An operation's argument as short code-like text: (1, 2), [:, 1:3]."""
    from netbuilder.engine.model.ops import index_text

    if isinstance(value, (list, dict)):
        index = index_text(value)
        if index is not None and (isinstance(value, dict) or any(
                isinstance(v, dict) for v in value)):
            return f"[{index}]"
        if isinstance(value, list):
            return "(" + ", ".join(_op_value(v) for v in value) + ")"
    return format_value(value)


def node_summary(node, spec) -> str:
    """One line of key params, e.g. ``32 · 3×3 · relu``."""
    params = node.params
    parts: list[str] = []
    if spec is not None and spec.signature:  # an operation: its arguments
        for pspec in spec.params:
            if pspec.name in params:
                parts.append(f"{pspec.name}={_op_value(params[pspec.name])}")
        return " · ".join(parts[:4])
    for key in KEY_PARAMS:
        if key not in params:
            continue
        value = _as_tuple(params[key], spec.param(key) if spec is not None else None)
        if key == "strides" and spec is not None:
            pspec = spec.param("strides")
            if pspec is not None and value == _as_tuple(pspec.default, pspec):
                continue
        text = format_value(value)
        if key in ("strides",):
            text = f"/{text}"
        elif key == "rate":
            text = f"p={text}"
        elif key == "padding" and value == "valid":
            continue
        parts.append(text)
        if len(parts) >= 4:
            break
    return " · ".join(parts)


def shape_text(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, (list, tuple)):
        if shape and isinstance(shape[0], (list, tuple)):
            return ", ".join(shape_text(s) for s in shape)
        inner = ", ".join("None" if d is None else str(d) for d in shape)
        if len(shape) == 1:
            inner += ","
        return f"({inner})"
    return str(shape)


def compact_shape_text(shape) -> str:
    """Short form without the batch axis: (None, 30, 30, 32) -> 30×30×32."""
    if isinstance(shape, (list, tuple)) and shape \
            and not isinstance(shape[0], (list, tuple)):
        dims = list(shape[1:]) if shape[0] is None else list(shape)
        return "×".join("?" if d is None else str(d) for d in dims) or "scalar"
    return shape_text(shape)


def human_count(n) -> str:
    if n is None:
        return "–"
    n = float(n)
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.2f}{unit}"
    return f"{int(n)}"
