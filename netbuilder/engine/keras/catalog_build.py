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

from netbuilder.engine.keras.arg_kinds import (  # noqa: F401 (re-exported)
    DTYPES,
    classify_param,
    first_sentence,
    parse_arg_docs,
    quoted_values,
    to_json_value,
)
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
# Layers Keras ships in keras.applications whose call takes a list of
# tensors (CustomScaleLayer returns inputs[0] + inputs[1] * scale).
LIST_PORTS = {"CustomScaleLayer": ["input", "scaled"]}
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


def application_layer_classes() -> dict[str, type]:
    """Layers that Keras itself ships inside ``keras.applications`` (ConvNeXt's
    ``LayerScale``, InceptionResNetV2's ``CustomScaleLayer``): Keras code,
    imported without asking, by class name (``keras.layers`` names win)."""
    import importlib
    import pkgutil

    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    package = importlib.import_module("keras.src.applications")
    found: dict[str, type] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.endswith("_test"):
            continue  # Keras's own tests (they need pytest markers)
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for attr, obj in sorted(vars(module).items()):
            if inspect.isclass(obj) and issubclass(obj, keras.layers.Layer) and \
                    not issubclass(obj, keras.Model) and \
                    obj.__module__ == module.__name__ and not attr.startswith("_") \
                    and not hasattr(keras.layers, attr):
                found.setdefault(attr, obj)
    return found


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
    elif type_name in LIST_PORTS:
        spec.inputs, spec.call_style = list(LIST_PORTS[type_name]), "list"
        spec.min_inputs = len(spec.inputs)
    elif type_name in MERGE_TWO:
        spec.inputs, spec.min_inputs, spec.call_style = ["x1", "x2"], 2, "list"
    elif type_name in ATTENTION_LIST:
        spec.inputs, spec.min_inputs = ["query", "value", "key"], 2
        spec.call_style = "list"
    elif type_name in ATTENTION_KWARGS:
        spec.inputs, spec.min_inputs = ["query", "value", "key"], 2
        spec.call_style = "kwargs"
    spec.state_outputs = STATE_OUTPUTS.get(type_name, 0)
    add_keyword_ports(spec, cls)
    add_call_flags(spec, cls)
    if type_name == "RNN":
        cell = spec.param("cell")
        if cell is not None:
            cell.choices = list(RNN_CELLS)
    return spec


def keyword_tensor_args(cls: type) -> list[str]:
    """Tensor arguments ``call`` takes by keyword: those after the first whose
    default is None (``initial_state``, ``mask``, ``attention_mask``), besides
    ``training``, which is a flag."""
    try:
        params = list(inspect.signature(cls.call).parameters.values())[1:]
    except (TypeError, ValueError):
        return []
    return [p.name for p in params[1:]
            if p.default is None and p.name != "training"
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def add_call_flags(spec: LayerSpec, cls: type) -> None:
    """Parameters for the call's ``use_*`` switches (``use_causal_mask``):
    keyword flags defaulting to False, written in the layer's call."""
    try:
        params = list(inspect.signature(cls.call).parameters.values())[1:]
    except (TypeError, ValueError):
        return
    for p in params:
        if p.name.startswith("use_") and p.default is False \
                and spec.param(p.name) is None:
            spec.params.append(ParamSpec(
                p.name, "bool", default=False, call=True,
                doc=f"Passed when the layer is called ({p.name}=True)."))


def add_keyword_ports(spec: LayerSpec, cls: type) -> None:
    """Named input ports for the call's keyword tensor arguments. An RNN's
    ``initial_state`` is a list: one port per state tensor the layer keeps
    (a wrapper such as Bidirectional: both directions of the largest)."""
    if spec.call_style == "list":
        # list-called layers take their masks as a list as well: one port per
        # required input (Attention: query_mask, value_mask); merge layers none
        if not spec.variadic and "mask" in keyword_tensor_args(cls):
            spec.keyword_from = len(spec.inputs)
            spec.inputs = spec.inputs + [f"mask[{k}]"
                                         for k in range(spec.min_inputs)]
        return
    names = [n for n in keyword_tensor_args(cls) if n not in spec.inputs]
    if not names:
        return
    ports: list[str] = []
    for name in names:
        if name == "initial_state":
            most = max(STATE_OUTPUTS.values())
            count = (most if spec.type == "RNN" else spec.state_outputs) or 2 * most
            ports += [f"initial_state[{k}]" for k in range(count)]
        else:
            ports.append(name)
    spec.keyword_from = len(spec.inputs)
    spec.inputs = spec.inputs + ports


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

    from netbuilder.engine.keras.ops_catalog import build_op_specs

    specs = []
    for type_name, aliases in sorted(public_layer_classes().items()):
        if type_name in EXCLUDED:
            continue
        cls = getattr(keras.layers, type_name)
        specs.append(build_layer_spec(type_name, cls, aliases))
    for type_name, cls in application_layer_classes().items():
        spec = build_layer_spec(type_name, cls, [])
        spec.category = "applications"
        specs.append(spec)
    op_specs, op_exclusions = build_op_specs()
    return Catalog(specs + op_specs, keras_version=keras.__version__,
                   exclusions={**EXCLUDED, **op_exclusions},
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

