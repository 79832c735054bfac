"""Build the layer catalog by introspecting ``keras.layers`` (imports Keras).

Nothing here is hand-written per layer except the facts Keras does not state
in a machine-readable way: which layers take several inputs, which return
states, and the kind of a few required arguments. Every other parameter's
kind, default and allowed values come from the constructor signature and the
docstring.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from netbuilder.engine.model.catalog import (
    Catalog,
    LayerSpec,
    ParamSpec,
)

# Public classes of keras.layers that the palette leaves out, with the reason.
EXCLUDED: dict[str, str] = {
    "Layer": "abstract base class of all layers",
    "Wrapper": "abstract base class of wrappers",
    "InputLayer": "represented by the Input node",
    "Pipeline": "a container of other layers, not a layer to wire",
    "Lambda": "runs arbitrary Python code, which a project file must never carry",
    "GRUCell": "an RNN cell: used inside RNN, not wired on its own",
    "LSTMCell": "an RNN cell: used inside RNN, not wired on its own",
    "SimpleRNNCell": "an RNN cell: used inside RNN, not wired on its own",
    "StackedRNNCells": "an RNN cell container: used inside RNN",
    "TFSMLayer": "backend-specific wrapper around a SavedModel on disk",
    "TorchModuleWrapper": "backend-specific wrapper for PyTorch modules",
    "JaxLayer": "backend-specific wrapper for JAX functions",
    "FlaxLayer": "backend-specific wrapper for Flax modules",
}

RNN_CELLS = ["SimpleRNNCell", "GRUCell", "LSTMCell"]

# Layers whose inputs are not a single tensor.
MERGE_ANY = {"Add", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"}
MERGE_TWO = {"Subtract", "Dot"}
LIST_VARIADIC = {"HashedCrossing"}
ATTENTION_LIST = {"Attention", "AdditiveAttention"}
ATTENTION_KWARGS = {"MultiHeadAttention", "GroupQueryAttention"}

# Extra outputs with return_state=True (the states an RNN returns).
STATE_OUTPUTS = {
    "SimpleRNN": 1, "GRU": 1, "LSTM": 2,
    "ConvLSTM1D": 2, "ConvLSTM2D": 2, "ConvLSTM3D": 2, "RNN": 1,
}

CATEGORY_BY_PACKAGE = {
    "activations": "activation",
    "attention": "attention",
    "convolutional": "convolution",
    "core": "core",
    "merging": "merging",
    "normalization": "normalization",
    "pooling": "pooling",
    "preprocessing": "preprocessing",
    "regularization": "regularization",
    "reshaping": "reshaping",
    "rnn": "recurrent",
}

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


def public_layer_classes() -> dict[str, list[str]]:
    """Map each concrete public class name in keras.layers to its aliases."""
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()

    groups: dict[type, list[str]] = {}
    for attr in sorted(dir(keras.layers)):
        if attr.startswith("_"):
            continue
        obj = getattr(keras.layers, attr)
        if inspect.isclass(obj) and issubclass(obj, keras.layers.Layer):
            groups.setdefault(obj, []).append(attr)
    result: dict[str, list[str]] = {}
    for cls, names in groups.items():
        canonical = cls.__name__ if cls.__name__ in names else names[0]
        result[canonical] = [n for n in names if n != canonical]
    return result


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


def conv_rank(class_name: str) -> int | None:
    m = re.search(r"([123])D", class_name)
    return int(m.group(1)) if m else None


def category_of(cls: type) -> str:
    parts = cls.__module__.split(".")
    for part in parts:
        if part in CATEGORY_BY_PACKAGE:
            return CATEGORY_BY_PACKAGE[part]
    return "core"


def build_layer_spec(type_name: str, cls: type, aliases: list[str]) -> LayerSpec:
    doc = inspect.getdoc(cls) or ""
    arg_docs = parse_arg_docs(doc)
    rank = conv_rank(type_name)
    params: list[ParamSpec] = []
    sig = inspect.signature(cls.__init__)
    for pname, p in sig.parameters.items():
        if pname == "self" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        if pname == "name":
            continue
        required = p.default is inspect.Parameter.empty
        try:
            default = None if required else to_json_value(p.default)
        except TypeError:
            default = None
        params.append(classify_param(pname, default, required,
                                     arg_docs.get(pname, ""), rank))
    names = {p.name for p in params}
    # Base-layer keyword arguments every layer accepts.
    if "trainable" not in names:
        params.append(ParamSpec(
            "trainable", "bool", default=True,
            doc="Whether the layer's weights are updated in training."))
    if "dtype" not in names:
        params.append(ParamSpec("dtype", "dtype", default=None, nullable=True,
                                choices=list(DTYPES),
                                doc="The layer's dtype policy, e.g. float32 or "
                                    "mixed_float16."))
    spec = LayerSpec(type=type_name, category=category_of(cls),
                     doc=first_sentence(doc), params=params,
                     aliases=sorted(aliases), module=cls.__module__)
    if type_name in MERGE_ANY or type_name in LIST_VARIADIC:
        spec.variadic, spec.min_inputs, spec.call_style = True, 2, "list"
        spec.inputs = ["input_0", "input_1"]
    elif type_name in MERGE_TWO:
        spec.inputs, spec.min_inputs, spec.call_style = ["x1", "x2"], 2, "list"
    elif type_name in ATTENTION_LIST:
        spec.inputs, spec.min_inputs = ["query", "value", "key"], 2
        spec.call_style = "list"
    elif type_name in ATTENTION_KWARGS:
        spec.inputs, spec.min_inputs = ["query", "value", "key"], 2
        spec.call_style = "kwargs"
    spec.state_outputs = STATE_OUTPUTS.get(type_name, 0)
    if type_name == "RNN":
        cell = spec.param("cell")
        if cell is not None:
            cell.choices = list(RNN_CELLS)
    return spec


def build_object_kinds() -> dict[str, dict[str, Any]]:
    """Names and classes Keras accepts for activations, initializers, ...

    ``names`` are the string shortcuts (``"relu"``, ``"he_normal"``);
    ``classes`` map each class to its constructor arguments and defaults, so
    that a nested object can be validated and generated as a constructor call.
    """
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()

    modules = {
        "activation": (keras.activations, {"get", "serialize", "deserialize"}),
        "initializer": (keras.initializers, {"get", "serialize", "deserialize",
                                             "Initializer"}),
        "regularizer": (keras.regularizers, {"get", "serialize", "deserialize",
                                             "Regularizer"}),
        "constraint": (keras.constraints, {"get", "serialize", "deserialize",
                                           "Constraint"}),
    }
    kinds: dict[str, dict[str, Any]] = {}
    for kind, (module, skip) in modules.items():
        names, classes = [], {}
        for attr in sorted(dir(module)):
            if attr.startswith("_") or attr in skip:
                continue
            obj = getattr(module, attr)
            if inspect.isclass(obj):
                args = {}
                for pname, p in inspect.signature(obj.__init__).parameters.items():
                    if pname == "self" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                        continue
                    try:
                        default = (None if p.default is inspect.Parameter.empty
                                   else to_json_value(p.default))
                    except TypeError:
                        default = None
                    args[pname] = default
                classes[attr] = args
            elif callable(obj):
                names.append(attr)
        kinds[kind] = {"names": names, "classes": classes}
    return kinds


def build_catalog() -> Catalog:
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()

    specs = []
    for type_name, aliases in sorted(public_layer_classes().items()):
        if type_name in EXCLUDED:
            continue
        cls = getattr(keras.layers, type_name)
        specs.append(build_layer_spec(type_name, cls, aliases))
    return Catalog(specs, keras_version=keras.__version__, exclusions=EXCLUDED,
                   objects=build_object_kinds())


def write_snapshot(path=None) -> Catalog:
    import json

    from netbuilder.engine.model.catalog import SNAPSHOT_PATH

    catalog = build_catalog()
    with open(path or SNAPSHOT_PATH, "w", encoding="utf-8") as fh:
        json.dump(catalog.to_json(), fh, indent=1, sort_keys=False)
        fh.write("\n")
    return catalog


if __name__ == "__main__":
    cat = write_snapshot()
    print(f"wrote {len(cat.layer_types())} layers for Keras {cat.keras_version}")

