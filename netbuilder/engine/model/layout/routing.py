"""Wire routing along free channels (Qt-free).

Node rectangles are grouped into *bands* along the layer axis (rectangles
whose extents overlap on that axis share a band; a layered layout gives one
band per layer). Between two bands there is no node at all, and inside a
band the free *gaps* between nodes are known. A forward wire leaves its
source, crosses each band in between through a gap (the one nearest its
straight course, spread out when several share it) and enters its target;
the crossings between bands are S-curves that stay inside the empty space
between the bands. A wire going backwards (or within one band) goes round
the outside of every band on its way. Either way no wire passes over a node
it does not connect.

A route is a list of points and a list of segment kinds: ``"L"`` a straight
line, ``"S"`` an S-curve whose tangents follow the layer axis."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

MARGIN = 7.0     # distance a wire keeps from a node's side
SPREAD = 9.0     # spacing of wires sharing a gap
OUTSIDE = 26.0   # distance of a round-the-outside wire from the bands


@dataclass
class Band:
    start: float
    end: float
    spans: list[tuple[float, float]] = field(default_factory=list)  # merged
    gaps: list[tuple[float, float]] = field(default_factory=list)


def _flip(p, tb: bool):
    return (p[0], p[1]) if tb else (p[1], p[0])


def make_bands(rects: dict, tb: bool) -> tuple[list[Band], dict]:
    """``rects``: key -> (x, y, w, h). Returns the bands in layer order and
    the band index of each key."""
    items = []
    for key, (x, y, w, h) in rects.items():
        c0, l0 = _flip((x, y), tb)
        cw, lw = _flip((w, h), tb)
        items.append((l0, l0 + lw, c0, c0 + cw, key))
    items.sort(key=lambda t: t[0])
    bands: list[Band] = []
    members: list[list] = []
    band_of: dict = {}
    for l0, l1, c0, c1, key in items:
        if bands and l0 < bands[-1].end:
            bands[-1].end = max(bands[-1].end, l1)
            members[-1].append((c0, c1))
        else:
            bands.append(Band(l0, l1))
            members.append([(c0, c1)])
        band_of[key] = len(bands) - 1
    for band, spans in zip(bands, members, strict=True):
        spans.sort()
        merged: list[list[float]] = []
        for c0, c1 in spans:
            if merged and c0 <= merged[-1][1] + 2 * MARGIN:
                merged[-1][1] = max(merged[-1][1], c1)
            else:
                merged.append([c0, c1])
        band.spans = [(a, b) for a, b in merged]
        edges = [-1e12] + [v for s in merged for v in s] + [1e12]
        band.gaps = [(edges[i] + MARGIN, edges[i + 1] - MARGIN)
                     for i in range(0, len(edges), 2)]
    return bands, band_of


def _gap_index(band: Band, want: float) -> int:
    """Index of the gap nearest to ``want``."""
    lows = [g[0] for g in band.gaps]
    i = bisect_right(lows, want) - 1
    best, best_d = 0, float("inf")
    for j in (i, i + 1):
        if 0 <= j < len(band.gaps):
            lo, hi = band.gaps[j]
            d = 0.0 if lo <= want <= hi else min(abs(want - lo), abs(want - hi))
            if d < best_d:
                best, best_d = j, d
    return best


def _clamp(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


def route_all(rects: dict, wires: list, tb: bool) -> list[tuple[list, list]]:
    """``wires``: (src_key, src_point, dst_key, dst_point) in scene
    coordinates; returns one (points, kinds) route per wire."""
    bands, band_of = make_bands(rects, tb)
    plans = []  # per wire: ("fwd", s, a, b, [(band, gap, c)]) or ("back", ...)
    usage: dict[tuple[int, int], list] = {}
    outside = 0
    for n, (sk, sp, dk, dp) in enumerate(wires):
        a, b = _flip(sp, tb), _flip(dp, tb)
        s, d = band_of.get(sk), band_of.get(dk)
        if s is None or d is None:
            plans.append(("direct", a, b))
            continue
        if d <= s:
            outside += 1
            c = _corridor(bands, d, s, (a[0] + b[0]) / 2, SPREAD * (outside % 6))
            plans.append(("back", a, b, s, d, c))
            continue
        c, steps = a[0], []
        for k in range(s + 1, d):
            remaining = d - k + 1
            want = c + (b[0] - c) / remaining
            gi = _gap_index(bands[k], want)
            lo, hi = bands[k].gaps[gi]
            c = _clamp(want, lo, hi) if lo <= hi else (lo + hi) / 2
            steps.append([k, gi, c])
            usage.setdefault((k, gi), []).append((c, n, len(steps) - 1))
        plans.append(("fwd", a, b, s, d, steps))
    _spread(usage, plans, bands)
    return [_points(plan, bands, tb) for plan in plans]


def _free_through(bands: list[Band], lo: int, hi: int) -> list[tuple[float, float]]:
    """Cross-axis intervals free of nodes in every band from ``lo`` to
    ``hi``: the corridors a wire can run along."""
    free = [(-1e12, 1e12)]
    for k in range(lo, hi + 1):
        gaps, merged, i, j = bands[k].gaps, [], 0, 0
        while i < len(free) and j < len(gaps):  # both sorted: one pass
            a, b = max(free[i][0], gaps[j][0]), min(free[i][1], gaps[j][1])
            if a < b:
                merged.append((a, b))
            if free[i][1] < gaps[j][1]:
                i += 1
            else:
                j += 1
        free = merged
    return free


def _corridor(bands: list[Band], lo: int, hi: int, want: float,
              shift: float) -> float:
    """Where a backward wire runs past bands ``lo``..``hi``: in the free
    corridor nearest ``want`` (the one on the right on a tie), at least
    :data:`OUTSIDE` from its nodes when it is wide enough; ``shift`` keeps
    several such wires apart."""
    free = _free_through(bands, lo, hi)

    def distance(gap):
        return (0.0 if gap[0] <= want <= gap[1]
                else min(abs(want - gap[0]), abs(want - gap[1])), -gap[0])

    a, b = min(free, key=distance)
    inset = min(OUTSIDE - MARGIN, (b - a) / 2)
    c = _clamp(want, a + inset, b - inset)
    return _clamp(c + shift, a + inset, b - inset) if c + shift <= b - inset \
        else _clamp(c - shift, a + inset, b - inset)


def _spread(usage: dict, plans: list, bands: list[Band]) -> None:
    """Wires sharing a gap run side by side, in the order they came."""
    for (k, gi), users in usage.items():
        if len(users) < 2:
            continue
        lo, hi = bands[k].gaps[gi]
        users.sort()
        centre = sum(u[0] for u in users) / len(users)
        width = SPREAD * (len(users) - 1)
        first = _clamp(centre - width / 2, lo, max(lo, hi - width))
        step = SPREAD if hi - lo >= width else (hi - lo) / (len(users) - 1)
        for i, (_c, n, j) in enumerate(users):
            plans[n][5][j][2] = first + i * step


def _gap_mid(bands: list[Band], k: int, below: bool) -> float:
    """A layer coordinate in the empty space just after (``below``) or
    before band ``k``."""
    if below:
        nxt = bands[k + 1].start if k + 1 < len(bands) else bands[k].end + 40
        return bands[k].end + min(20.0, (nxt - bands[k].end) / 2)
    prev = bands[k - 1].end if k > 0 else bands[k].start - 40
    return bands[k].start - min(20.0, (bands[k].start - prev) / 2)


def _points(plan, bands: list[Band], tb: bool) -> tuple[list, list]:
    kind = plan[0]
    if kind == "direct":
        pts, kinds = [plan[1], plan[2]], ["S"]
    elif kind == "back":
        _k, a, b, s, d, c_out = plan
        low, high = _gap_mid(bands, s, True), _gap_mid(bands, d, False)
        pts = [a, (a[0], low), (c_out, low), (c_out, high), (b[0], high), b]
        kinds = ["L"] * 5
    else:
        _k, a, b, s, d, steps = plan
        pts, kinds = [a], []
        if bands[s].end > a[1]:
            pts.append((a[0], bands[s].end))
            kinds.append("L")
        for k, _gi, c in steps:
            pts += [(c, bands[k].start), (c, bands[k].end)]
            kinds += ["S", "L"]
        if bands[d].start < b[1]:
            pts.append((b[0], bands[d].start))
            kinds.append("S")
            kinds.append("L")
        else:
            kinds.append("S")
        pts.append(b)
    return [_flip(p, tb) for p in pts], kinds
