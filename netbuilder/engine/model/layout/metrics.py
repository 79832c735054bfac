"""Measures of a drawing (Qt-free): wires through nodes, wire crossings
and drawing area, computed from the routes themselves (curves sampled)."""

from __future__ import annotations

from netbuilder.engine.model.layout import tb_port_x
from netbuilder.engine.model.layout.routing import route_all

SAMPLES = 12


def _cubic(p0, p1, p2, p3, t: float):
    u = 1 - t
    return tuple(u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * d
                 for a, b, c, d in zip(p0, p1, p2, p3, strict=True))


def polyline(points: list, kinds: list, tb: bool) -> list:
    """The route as a dense polyline (S-curves sampled)."""
    out = [points[0]]
    for (a, b), kind in zip(zip(points, points[1:], strict=False), kinds, strict=True):
        if kind == "L":
            out.append(b)
            continue
        if tb:
            mid = (a[1] + b[1]) / 2
            c1, c2 = (a[0], mid), (b[0], mid)
        else:
            mid = (a[0] + b[0]) / 2
            c1, c2 = (mid, a[1]), (mid, b[1])
        out += [_cubic(a, c1, c2, b, i / SAMPLES) for i in range(1, SAMPLES + 1)]
    return out


def _hits(p, q, rect, inset: float = 1.0) -> bool:
    """Does segment p-q enter the rectangle (shrunk by ``inset``)?"""
    x0, y0 = rect[0] + inset, rect[1] + inset
    x1, y1 = rect[0] + rect[2] - inset, rect[1] + rect[3] - inset
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, lo, hi, v in ((dx, x0, x1, p[0]), (dy, y0, y1, p[1])):
        if abs(d) < 1e-12:
            if v <= lo or v >= hi:
                return False
            continue
        ta, tb = (lo - v) / d, (hi - v) / d
        if ta > tb:
            ta, tb = tb, ta
        t0, t1 = max(t0, ta), min(t1, tb)
        if t0 >= t1:
            return False
    return True


def wires_through_nodes(rects: dict, wires: list, lines: list) -> int:
    """Wires that pass over a node other than their two ends. ``lines`` are
    the dense polylines of ``wires`` (same order)."""
    keys = list(rects)
    count = 0
    for (sk, _sp, dk, _dp), line in zip(wires, lines, strict=True):
        xs = [p[0] for p in line]
        ys = [p[1] for p in line]
        box = (min(xs), min(ys), max(xs), max(ys))
        for key in keys:
            if key in (sk, dk):
                continue
            x, y, w, h = rects[key]
            if x > box[2] or y > box[3] or x + w < box[0] or y + h < box[1]:
                continue
            if any(_hits(p, q, rects[key]) for p, q in zip(line, line[1:],
                                                             strict=False)):
                count += 1
                break
    return count


def measure(rects: dict, wires: list, tb: bool) -> dict:
    """Route ``wires`` among ``rects`` and measure the result."""
    routes = route_all(rects, wires, tb)
    lines = [polyline(p, k, tb) for p, k in routes]
    xs = [r[0] for r in rects.values()] + [r[0] + r[2] for r in rects.values()]
    ys = [r[1] for r in rects.values()] + [r[1] + r[3] for r in rects.values()]
    area = (max(xs) - min(xs)) * (max(ys) - min(ys)) if rects else 0.0
    return {"wires_through_nodes": wires_through_nodes(rects, wires, lines),
            "area_per_node": area / max(1, len(rects)),
            "width": max(xs) - min(xs) if rects else 0.0,
            "height": max(ys) - min(ys) if rects else 0.0}


def anchors(graph, positions: dict, sizes: dict, tb: bool) -> list:
    """Wires with port anchors as the canvas places them (ports spread along
    the top/bottom sides top-to-bottom, on the left/right sides otherwise)."""
    wires = []
    for edge in graph.edges:
        sx, sy = positions[edge.src]
        dx, dy = positions[edge.dst]
        sw, sh = sizes[edge.src]
        dw, dh = sizes[edge.dst]
        n_out = max(1, graph.output_count(edge.src))
        n_in = max(1, graph.input_count(edge.dst))
        if tb:
            a = (sx + tb_port_x(edge.src_port, n_out, sw), sy + sh)
            b = (dx + tb_port_x(edge.dst_port, n_in, dw), dy)
        else:
            a = (sx + sw, sy + port_offset(edge.src_port, n_out, sh))
            b = (dx, dy + port_offset(edge.dst_port, n_in, dh))
        wires.append((edge.src, a, edge.dst, b))
    return wires


def port_offset(index: int, count: int, height: float) -> float:
    if count <= 1 and height <= 62.0:
        return height / 2 + 6
    return 60.0 + (index + 0.5) * 18.0
