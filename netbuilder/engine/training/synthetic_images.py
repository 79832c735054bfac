"""Procedurally drawn images for the bundled data sets (NumPy only).

Ten classes of shapes and textures, each drawn with random colours
(foreground and background), position, scale, rotation and a background
gradient, so that a small CNN learns them well and a model that ignores where
things are (a Dense layer on the raw pixels) does clearly worse. Every image
is a pure function of the seed: the bundled files can be regenerated
byte for byte (``python resources/datasets/make_datasets.py``).
"""

from __future__ import annotations

import math

import numpy as np

SHAPE_CLASSES = ["disk", "square", "triangle", "ring", "plus", "cross",
                 "h_stripes", "v_stripes", "checkers", "dots"]


def _coords(size: int, cx: float, cy: float, angle: float,
            scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates relative to (cx, cy), rotated by ``angle`` and
    divided by ``scale`` (so a unit shape has radius ``scale`` pixels)."""
    yy, xx = np.mgrid[0:size, 0:size].astype("float32") + 0.5
    dx, dy = xx - cx, yy - cy
    c, s = math.cos(angle), math.sin(angle)
    return (c * dx + s * dy) / scale, (-s * dx + c * dy) / scale


def _mask(kind: int, u: np.ndarray, v: np.ndarray, period: float,
          phase: float) -> np.ndarray:
    """Where class ``kind`` is drawn, in unit coordinates (u, v)."""
    inside = np.maximum(np.abs(u), np.abs(v)) <= 1.0  # window for textures
    if kind == 0:
        return u * u + v * v <= 1.0
    if kind == 1:
        return (np.abs(u) <= 0.8) & (np.abs(v) <= 0.8)
    if kind == 2:
        return (v <= 0.7) & (v >= -0.9 + 1.6 * np.abs(u) / 0.95)
    if kind == 3:
        r = u * u + v * v
        return (r <= 1.0) & (r >= 0.38)
    if kind == 4:
        return ((np.abs(u) <= 0.28) | (np.abs(v) <= 0.28)) & inside
    if kind == 5:
        return ((np.abs(u - v) <= 0.38) | (np.abs(u + v) <= 0.38)) & inside
    if kind == 6:
        return (np.floor(v / period + phase) % 2 == 0) & inside
    if kind == 7:
        return (np.floor(u / period + phase) % 2 == 0) & inside
    if kind == 8:
        return ((np.floor(u / period + phase) + np.floor(v / period + phase))
                % 2 == 0) & inside
    cu = (u / period + phase) % 1.0 - 0.5
    cv = (v / period + phase) % 1.0 - 0.5
    return (cu * cu + cv * cv <= 0.09) & inside


def _colours(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A bright foreground on a darker background, both of random hue."""
    fg = rng.uniform(0.15, 1.0, 3)
    fg = fg / fg.max() * rng.uniform(0.7, 1.0)
    bg = rng.uniform(0.0, 1.0, 3)
    bg = bg / max(bg.max(), 1e-3) * rng.uniform(0.05, 0.4)
    return fg, bg


def draw_shape(kind: int, rng: np.random.Generator, size: int = 32,
               channels: int = 3) -> np.ndarray:
    """One ``size``×``size``×``channels`` uint8 image of class ``kind``."""
    margin = size * 0.16
    cx, cy = rng.uniform(size / 2 - margin, size / 2 + margin, 2)
    scale = size * rng.uniform(0.2, 0.34)
    if kind in (4, 5, 6, 7):  # plus/cross and stripes keep their direction
        angle = rng.uniform(-0.3, 0.3)
    else:
        angle = rng.uniform(-math.pi, math.pi)
    u, v = _coords(size, cx, cy, angle, scale)
    mask = _mask(kind, u, v, period=rng.uniform(0.45, 0.7),
                 phase=rng.uniform(0, 2))
    fg, bg = _colours(rng)
    if channels == 1:
        fg, bg = fg.mean(keepdims=True), bg.mean(keepdims=True)
        if abs(float(fg[0] - bg[0])) < 0.3:
            fg = 1.0 - bg
    # a gentle background gradient (pixel noise would not compress)
    yy = np.linspace(-0.5, 0.5, size, dtype="float32")[:, None, None]
    tilt = rng.uniform(-0.15, 0.15)
    image = np.where(mask[..., None], fg, bg + tilt * yy)
    return (np.clip(image, 0, 1) * 255).round().astype("uint8")


def shape_images(n: int, seed: int, size: int = 32, channels: int = 3,
                 kinds: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images (uint8, n×size×size×channels) and their class ids,
    balanced over ``kinds`` (indexes into SHAPE_CLASSES, all by default);
    class id i means ``kinds[i]``."""
    kinds = list(range(len(SHAPE_CLASSES))) if kinds is None else kinds
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(kinds)
    rng.shuffle(labels)
    x = np.stack([draw_shape(kinds[int(k)], rng, size, channels) for k in labels])
    return x, labels.astype("int64")
