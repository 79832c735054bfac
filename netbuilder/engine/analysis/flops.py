"""Estimated multiply-adds per sample for the layers where they matter."""

from __future__ import annotations

import math
from typing import Any


def _prod(dims) -> int:
    out = 1
    for d in dims:
        if d is None:
            return 0
        out *= int(d)
    return out


def _as_tuple(value: Any, n: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * n
    return tuple(value)


def _channels_first(params: dict) -> bool:
    return params.get("data_format") == "channels_first"


def estimate_flops(type_name: str, params: dict, in_shapes: list, out_shapes: list,
                   weights: int) -> int:
    """Multiply-adds for one sample (0 where negligible or unknown)."""
    try:
        return max(0, int(_estimate(type_name, params, in_shapes, out_shapes, weights)))
    except (TypeError, ValueError, IndexError, KeyError):
        return 0


def _estimate(t: str, p: dict, ins: list, outs: list, weights: int) -> int:
    x = ins[0] if ins else None
    y = outs[0] if outs else None
    if t in ("Dense", "EinsumDense"):
        if not x or not y:
            return 0
        # every output element is a dot product over the consumed axis
        return _prod(y[1:]) * (x[-1] or 0)
    if t.startswith(("Conv", "SeparableConv", "DepthwiseConv")) and "LSTM" not in t:
        rank = len(x) - 2
        cf = _channels_first(p)
        cin = x[1] if cf else x[-1]
        out_spatial = y[2:] if cf else y[1:-1]
        in_spatial = x[2:] if cf else x[1:-1]
        k = _prod(_as_tuple(p.get("kernel_size", 1), rank))
        groups = p.get("groups", 1) or 1
        if t.startswith("DepthwiseConv"):
            return _prod(out_spatial) * k * cin * p.get("depth_multiplier", 1)
        if t.startswith("SeparableConv"):
            dm = p.get("depth_multiplier", 1)
            return (_prod(out_spatial) * k * cin * dm
                    + _prod(out_spatial) * cin * dm * p["filters"])
        if "Transpose" in t:
            return _prod(in_spatial) * k * cin * p["filters"]
        return _prod(out_spatial) * k * (cin // groups) * p["filters"]
    if t in ("SimpleRNN", "GRU", "LSTM"):
        gates = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}[t]
        steps, feat, units = x[1] or 0, x[-1] or 0, p["units"]
        return gates * steps * (feat * units + units * units)
    if t.startswith("ConvLSTM"):
        # four gates, each a convolution over input and state
        return weights * _prod(y[1:-1] if len(y) > 2 else [1])
    if t in ("Bidirectional", "TimeDistributed", "RNN"):
        steps = x[1] if x and len(x) > 2 else 1
        return weights * (steps or 0)
    if t in ("MultiHeadAttention", "GroupQueryAttention"):
        q = ins[0]
        v = ins[1] if len(ins) > 1 else q
        heads = p.get("num_heads", p.get("num_query_heads", 1))
        kd = p.get("key_dim", p.get("head_dim", 1))
        vd = p.get("value_dim") or kd
        tq, tv = _prod(q[1:-1]), _prod(v[1:-1])
        proj = tq * q[-1] * heads * kd + tv * v[-1] * heads * (kd + vd)
        attn = tq * tv * heads * (kd + vd)
        out = tq * heads * vd * (y[-1] or 0)
        return proj + attn + out
    if t in ("Attention", "AdditiveAttention"):
        q, v = ins[0], ins[1]
        return 2 * _prod(q[1:-1]) * _prod(v[1:-1]) * (q[-1] or 0)
    if t == "Dot":
        return _prod(ins[0][1:])
    return 0


def activation_bytes(shapes: list, dtypes: list) -> int | None:
    """Bytes one sample's outputs occupy (None when an axis is unknown)."""
    total = 0
    for shape, dtype in zip(shapes, dtypes, strict=False):
        if shape is None or any(d is None for d in shape[1:]):
            return None
        size = _dtype_size(dtype)
        total += math.prod(int(d) for d in shape[1:]) * size
    return total


def _dtype_size(dtype: str) -> int:
    for token, size in (("64", 8), ("32", 4), ("16", 2), ("8", 1)):
        if token in str(dtype):
            return size
    return 1 if str(dtype) == "bool" else 4
