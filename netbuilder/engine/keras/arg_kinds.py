"""What kind of value a constructor argument takes, read from its name,
default and docstring (``Args:`` section). Used for layers
(:mod:`catalog_build`) and operations (:mod:`ops_catalog`) alike."""

from __future__ import annotations

import re
from typing import Any

from netbuilder.engine.model.catalog import ParamSpec

INT_NAMES = {
    "units", "filters", "output_dim", "input_dim", "num_heads", "key_dim",
    "value_dim", "n", "num_tokens", "max_tokens", "groups", "depth_multiplier",
    "height", "width", "num_bins", "num_key_value_heads", "head_dim",
    "num_classes", "max_number", "fft_length", "sequence_length",
    "sequence_stride", "frame_length", "frame_step", "num_mel_bins",
    "sampling_rate", "output_sequence_length", "ngrams", "seed",
    "num_query_heads", "lora_rank", "sliding_window", "max_freq",
}
INT_TUPLE_NAMES = {
    "kernel_size", "strides", "pool_size", "dilation_rate", "size",
    "cropping", "output_size", "dims", "tile_grid_size",
}
SHAPE_NAMES = {"target_shape", "shape"}
FLOAT_NAMES = {
    "rate", "stddev", "l1", "l2", "momentum", "epsilon", "scale", "offset",
    "negative_slope", "max_value", "threshold", "alpha", "dropout",
    "recurrent_dropout", "factor", "value", "mask_value", "clip_limit",
}
# A float argument whose docstring says it also takes a (low, high) tuple.
RANGE_DOC = re.compile(r"tuple of (size )?(2|two)|lower and upper bound", re.I)
LAYER_NAMES = {"layer", "backward_layer", "cell"}
DTYPES = [
    "float16", "float32", "float64", "bfloat16", "int8", "int16", "int32",
    "int64", "uint8", "bool", "string", "mixed_float16", "mixed_bfloat16",
]
# Parameters that are free text even though their docstring quotes strings.
FREE_STRING_NAMES = {"name", "equation", "bias_axes", "oov_token", "mask_token",
                     "split", "separator", "vocabulary", "idf_weights"}


def parse_arg_docs(doc: str) -> dict[str, str]:
    """Argument descriptions from the ``Args:`` section of a docstring."""
    lines = (doc or "").splitlines()
    out: dict[str, str] = {}
    in_args = False
    arg_indent = None
    current = None
    for line in lines:
        stripped = line.strip()
        if re.match(r"^(Args|Arguments):\s*$", stripped):
            in_args = True
            arg_indent = None
            continue
        if not in_args:
            continue
        if stripped and re.match(r"^[A-Z][A-Za-z ]*:\s*$", stripped):
            in_args = False  # next section (Call arguments:, Input shape:, ...)
            continue
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip())
        m = re.match(r"^(\*{0,2}\w+)\s*(\([^)]*\))?:\s*(.*)$", stripped)
        if m and (arg_indent is None or indent <= arg_indent):
            arg_indent = indent
            current = m.group(1).lstrip("*")
            out[current] = m.group(3)
        elif current is not None and arg_indent is not None and indent > arg_indent:
            out[current] += " " + stripped
        elif arg_indent is not None and indent < arg_indent:
            in_args = False
    return {k: " ".join(v.split()) for k, v in out.items()}


def first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return (m.group(1) if m else text)[:300]


def quoted_values(text: str) -> list[str]:
    values = re.findall(r'["\']([A-Za-z0-9_]+)["\']', text or "")
    seen: list[str] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def to_json_value(value: Any) -> Any:
    """Signature default as a JSON value; raises TypeError if it has none."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    raise TypeError(type(value).__name__)


def classify_param(name: str, default: Any, required: bool, doc: str,
                   rank: int | None) -> ParamSpec:
    spec = ParamSpec(name=name, kind="other", default=default, required=required,
                     doc=first_sentence(doc))
    spec.nullable = default is None and not required
    if name.endswith("_initializer") or name == "initializer":
        spec.kind = "initializer"
    elif name.endswith("_regularizer") or name == "regularizer":
        spec.kind = "regularizer"
    elif name.endswith("_constraint") or name == "constraint":
        spec.kind = "constraint"
    elif name in ("activation", "recurrent_activation") or name.endswith("_activation"):
        spec.kind = "activation"
    elif name == "dtype" or name.endswith("_dtype"):
        spec.kind = "dtype"
        spec.choices = list(DTYPES)
    elif name in LAYER_NAMES:
        spec.kind = "layer"
    elif isinstance(default, bool):
        spec.kind = "bool"
    elif name in INT_TUPLE_NAMES or (
        isinstance(default, list) and default and all(
            isinstance(v, int) and not isinstance(v, bool) for v in default)
    ):
        spec.kind = "int_tuple"
        if isinstance(default, list) and default:
            spec.length = len(default)
        elif rank:
            spec.length = rank
    elif name in SHAPE_NAMES:
        spec.kind = "shape"
    elif isinstance(default, int) or (default is None and name in INT_NAMES):
        spec.kind = "int"
    elif isinstance(default, float) or (default is None and name in FLOAT_NAMES):
        spec.kind = "float"
    elif required and name in INT_NAMES:
        spec.kind = "int"
    elif required and name in FLOAT_NAMES:
        spec.kind = "float"
    elif isinstance(default, str) or (default is None
                                      and name not in FREE_STRING_NAMES):
        options = quoted_values(doc)
        if name not in FREE_STRING_NAMES and (
            (isinstance(default, str) and default in options and len(options) >= 2)
            or (default is None and len(options) >= 2 and name in (
                "data_format", "padding", "interpolation", "fill_mode",
                "output_mode", "merge_mode", "mode", "value_range"))
        ):
            spec.kind = "choice"
            spec.choices = options
        elif isinstance(default, str) or (required and name in FREE_STRING_NAMES):
            spec.kind = "string"
    if spec.kind == "float" and RANGE_DOC.search(doc):
        spec.pair = True
    if name == "data_format":
        spec.kind = "choice"
        spec.choices = ["channels_last", "channels_first"]
        spec.nullable = True
    if name == "padding" and spec.kind == "choice":
        spec.choices = [c for c in spec.choices if c in ("valid", "same", "causal",
                                                          "full")] or spec.choices
    return spec
