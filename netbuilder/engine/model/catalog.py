"""The layer catalog: every Keras layer NetBuilder offers, its ports and params.

The catalog is generated from ``keras.layers`` by :mod:`catalog_build`; a
snapshot of it ships as ``catalog_snapshot.json`` so that the palette and the
graph work without importing TensorFlow at all; a test checks that the
snapshot matches the installed Keras. Port rules live in
:mod:`netbuilder.engine.model.ports`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SNAPSHOT_PATH = Path(__file__).with_name("catalog_snapshot.json")

# Parameter kinds understood by validation, editors and code generation.
PARAM_KINDS = (
    "int",
    "float",
    "bool",
    "choice",
    "int_tuple",
    "shape",
    "activation",
    "initializer",
    "regularizer",
    "constraint",
    "dtype",
    "string",
    "layer",
    "other",
)

# RNN cells are not palette layers: their arguments are checked against the
# layer they are the cell of, minus the arguments only the layer has.
CELL_LAYERS = {"SimpleRNNCell": "SimpleRNN", "GRUCell": "GRU", "LSTMCell": "LSTM"}
LAYER_ONLY_ARGS = {"return_sequences", "return_state", "go_backwards", "stateful",
                   "unroll", "use_cudnn", "activity_regularizer", "trainable"}

# Pseudo-layer categories: model inputs/outputs and nested-model groups.
HIDDEN = ("io", "group")

CATEGORIES = (
    "io",
    "core",
    "convolution",
    "pooling",
    "recurrent",
    "attention",
    "normalization",
    "regularization",
    "reshaping",
    "merging",
    "activation",
    "preprocessing",
    "operations",
    "applications",
)

# Type names of keras.ops operations start with this prefix, so they can never
# collide with a layer class (``ops.add``, ``ops.matmul``).
OPS_PREFIX = "ops."


@dataclass
class ParamSpec:
    name: str
    kind: str
    default: Any = None
    required: bool = False
    choices: list[Any] | None = None
    doc: str = ""
    # For int_tuple: how many ints a full tuple has (a single int also fits).
    length: int | None = None
    # None is accepted besides values of ``kind``.
    nullable: bool = False
    # For float: a [low, high] pair of numbers also fits (RandomRotation's
    # factor; Keras stores ``0.1`` as ``(-0.1, 0.1)``).
    pair: bool = False
    # An operation's call argument: a tensor wired into the port of the same
    # name, or (when the port is free) this constant value.
    tensor: bool = False
    # A flag of the layer's call, not of its constructor
    # (``MultiHeadAttention(...)(q, v, use_causal_mask=True)``).
    call: bool = False

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False, "")
                or k in ("name", "kind", "default")}


@dataclass
class LayerSpec:
    type: str
    category: str
    doc: str = ""
    params: list[ParamSpec] = field(default_factory=list)
    # Input port names, in port order.
    inputs: list[str] = field(default_factory=lambda: ["input"])
    # How many leading input ports must be connected.
    min_inputs: int = 1
    # Merge-style layers take any number of inputs >= min_inputs.
    variadic: bool = False
    # "single": layer(x); "list": layer([a, b, ...]); "kwargs": layer(query=..)
    call_style: str = "single"
    # Extra outputs when the layer is built with return_state=True.
    state_outputs: int = 0
    aliases: list[str] = field(default_factory=list)
    module: str = ""
    # Ports from this index on are keyword tensor arguments of the call
    # (``initial_state``, ``mask``); None when there are none.
    keyword_from: int | None = None
    # Operations (``ops.*``): the keras.ops function's parameters in order
    # ("*name" for a variadic one) and the Operation class Keras records.
    signature: list[str] = field(default_factory=list)
    op_class: str = ""
    # Operations that return several tensors (split, top_k, svd): how many at
    # the default params, found by calling the function on symbolic tensors
    # when the catalog is built (see ``ops.result_count`` for the params that
    # change it).
    results: int = 1

    @property
    def keras_layer(self) -> bool:
        """A public ``keras.layers`` class (else a layer Keras ships elsewhere,
        written ``from <module> import <type>``)."""
        return self.category != "applications"

    def param(self, name: str) -> ParamSpec | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["params"] = [p.to_json() for p in self.params]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LayerSpec:
        data = dict(data)
        params = [ParamSpec(**p) for p in data.pop("params", [])]
        return cls(params=params, **data)


def _io_specs() -> list[LayerSpec]:
    """The two pseudo layers: the model's inputs and outputs."""
    return [
        LayerSpec(
            type="Input",
            category="io",
            doc="A model input: the shape of one sample, without the batch axis.",
            inputs=[],
            min_inputs=0,
            params=[
                ParamSpec("shape", "shape", default=None, required=True,
                          doc="Shape of one sample, e.g. [28, 28, 1]; null for "
                              "a variable-size axis."),
                ParamSpec("dtype", "dtype", default="float32",
                          doc="Data type of the input."),
                ParamSpec("batch_size", "int", default=None, nullable=True,
                          doc="Fixed batch size, or null for any."),
                ParamSpec("sparse", "bool", default=False,
                          doc="Whether the input is a sparse tensor."),
            ],
            module="keras",
        ),
        LayerSpec(
            type="Output",
            category="io",
            doc="A model output: the tensor wired into it is returned by the model.",
            inputs=["input"],
            module="keras",
        ),
        LayerSpec(
            type="Group",
            category="group",
            doc="A nested model (a block of layers with its own inputs and "
                "outputs), built as a sub-model and called like a layer.",
            inputs=["input"],
            min_inputs=1,
            variadic=True,
            call_style="list",
            params=[ParamSpec("graph", "other", default=None, required=True,
                              doc="The group's own graph (a project document).")],
            module="keras",
        ),
    ]


class Catalog:
    """Lookup of layer specs by type name (aliases resolve to their class)."""

    def __init__(self, specs: list[LayerSpec], keras_version: str = "",
                 exclusions: dict[str, str] | None = None,
                 objects: dict[str, dict[str, Any]] | None = None) -> None:
        self.keras_version = keras_version
        # kind -> {"names": [...], "classes": {ClassName: {arg: default}}}
        self.objects = dict(objects or {})
        self.exclusions = dict(exclusions or {})
        self._specs: dict[str, LayerSpec] = {}
        self._aliases: dict[str, str] = {}
        self._op_classes: dict[tuple[str, str], LayerSpec] | None = None
        # A project's custom code (see custom_code) and the catalog it extends.
        self.custom: Any = None
        self.parent: Catalog | None = None
        for spec in _io_specs() + specs:
            self._specs[spec.type] = spec
            for alias in spec.aliases:
                self._aliases[alias] = spec.type

    def extended(self, specs: list[LayerSpec], objects: dict[str, Any],
                 custom: Any) -> Catalog:
        """A copy with a project's custom layers and objects added."""
        out = Catalog([], self.keras_version, self.exclusions, objects)
        out._specs = {**self._specs, **{s.type: s for s in specs}}
        out._aliases = dict(self._aliases)
        out.custom, out.parent = custom, self
        return out

    def __contains__(self, type_name: str) -> bool:
        return self.get(type_name) is not None

    def __len__(self) -> int:
        return len(self._specs)

    def get(self, type_name: str) -> LayerSpec | None:
        if not isinstance(type_name, str):
            return None
        spec = self._specs.get(type_name)
        if spec is None and type_name in self._aliases:
            spec = self._specs[self._aliases[type_name]]
        return spec

    def op_spec(self, module: str, class_name: str) -> LayerSpec | None:
        """The operation whose Keras class is ``module.class_name`` (what a
        saved model's config records for a keras.ops call)."""
        if self._op_classes is None:
            self._op_classes = {(s.module, s.op_class): s
                                for s in self._specs.values() if s.op_class}
        return self._op_classes.get((module, class_name))

    def canonical(self, type_name: str) -> str:
        return self._aliases.get(type_name, type_name)

    def types(self) -> list[str]:
        return list(self._specs)

    def layer_types(self) -> list[str]:
        """Keras layer types only (without the Input/Output pseudo layers)."""
        return [t for t, s in self._specs.items() if s.category not in HIDDEN]

    def specs(self) -> list[LayerSpec]:
        return list(self._specs.values())

    def by_category(self) -> dict[str, list[LayerSpec]]:
        groups: dict[str, list[LayerSpec]] = {c: [] for c in CATEGORIES}
        for spec in self._specs.values():
            if spec.category == "group":
                continue  # groups are made from a selection, not the palette
            groups.setdefault(spec.category, []).append(spec)
        for specs in groups.values():
            specs.sort(key=lambda s: s.type.lower())
        return {c: s for c, s in groups.items() if s}

    def to_json(self) -> dict[str, Any]:
        return {
            "keras_version": self.keras_version,
            "exclusions": self.exclusions,
            "objects": self.objects,
            "layers": [s.to_json() for s in self._specs.values()
                       if s.category not in HIDDEN],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalog:
        specs = [LayerSpec.from_json(d) for d in data["layers"]]
        return cls(specs, data.get("keras_version", ""), data.get("exclusions"),
                   data.get("objects"))


_lock = threading.Lock()
_catalog: Catalog | None = None


def load_snapshot(path: Path = SNAPSHOT_PATH) -> Catalog:
    with open(path, encoding="utf-8") as fh:
        return Catalog.from_json(json.load(fh))


def get_catalog() -> Catalog:
    """The catalog in use: the shipped snapshot until refreshed from Keras."""
    global _catalog
    with _lock:
        if _catalog is None:
            _catalog = load_snapshot()
        return _catalog


def set_catalog(catalog: Catalog) -> None:
    global _catalog
    with _lock:
        _catalog = catalog


def compare_catalogs(old: Catalog, new: Catalog) -> list[str]:
    old_types, new_types = set(old.layer_types()), set(new.layer_types())
    out = [f"new layer in Keras: {t}" for t in sorted(new_types - old_types)]
    out += [f"layer no longer in Keras: {t}" for t in sorted(old_types - new_types)]
    for t in sorted(old_types & new_types):
        a = [p.to_json() for p in old.get(t).params]
        b = [p.to_json() for p in new.get(t).params]
        if a != b:
            out.append(f"parameters of {t} changed")
    return out
