"""Weights carried with an imported project.

The arrays live in ``<project>.weights.h5`` beside the ``.nbproj``, one HDF5
group per node (keyed by node id, a group's inner nodes under the group's
id), referenced from the project's ``weights`` field::

    "weights": {"file": "resnet.weights.h5",
                "layers": {"n12": "<fingerprint>", "n40/n3": "..."}}

The fingerprint is a hash of the node's type and params at import time. When
the model is built, each layer whose node still has its fingerprint gets its
weights back; an edited node (or one whose weight shapes changed) starts from
fresh weights and is reported as invalidated. Nothing here runs code: HDF5
holds only arrays.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.ops import is_op

SKIP_TYPES = ("Input", "Output")


def fingerprint(node) -> str:
    text = json.dumps({"type": node.type, "params": node.params}, sort_keys=True,
                      default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _key(node_id: str) -> str:
    return node_id.replace("%", "%25").replace("/", "%2F")


def weighted_nodes(graph: Graph, prefix: str = "") -> Iterator[tuple[str, list, Any]]:
    """(path, [layer names from the top model], node) for each layer that owns
    weights, looking inside groups."""
    from netbuilder.engine.model.groups import GROUP, GroupError, inner_graph

    for node in graph.nodes.values():
        if node.type in SKIP_TYPES or node.shares is not None or is_op(node.type):
            continue  # operations hold no weights
        path = prefix + _key(node.id)
        if node.type == GROUP:
            try:
                inner = inner_graph(node, graph.catalog)
            except GroupError:
                continue
            for sub_path, names, sub in weighted_nodes(inner, path + "/"):
                yield sub_path, [node.name] + names, sub
            continue
        yield path, [node.name], node


def shared_paths(graph: Graph, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(path at a call site that shares a layer or sub-model, path of the
    layer that owns the weights) for every weighted layer reached through a
    sharer, looking inside groups. The weights file and the fingerprints
    name each such path too, so that when an owner is removed the call site
    that inherits its layer keeps the imported weights."""
    from netbuilder.engine.model.groups import GROUP, GroupError, inner_graph

    for node in graph.nodes.values():
        if node.type in SKIP_TYPES or is_op(node.type):
            continue
        path = prefix + _key(node.id)
        owner = node.shares if node.shares in graph.nodes else None
        if owner is not None and node.type != GROUP:
            yield path, prefix + _key(owner)
            continue
        if node.type != GROUP:
            continue
        try:
            inner = inner_graph(node, graph.catalog)
        except GroupError:
            continue
        pairs = list(shared_paths(inner, path + "/"))
        if owner is None:
            yield from pairs
            continue
        owner_path = prefix + _key(owner)
        pairs += [(sub, sub) for sub, _, _ in weighted_nodes(inner, path + "/")]
        for sub, source in pairs:
            yield sub, owner_path + source[len(path):]


def fingerprints(graph: Graph) -> dict[str, str]:
    out = {path: fingerprint(node) for path, _, node in weighted_nodes(graph)}
    for path, owner in shared_paths(graph):
        if owner in out:
            out[path] = out[owner]
    return out


class LayerFinder:
    """A model's layers by their name path (``["block", "conv"]``), each
    (sub-)model's names indexed once: Keras's ``get_layer`` walks every
    layer on each call, which made looking up all the layers of a
    1,000-layer model quadratic."""

    def __init__(self, model: Any):
        self.model = model
        self._names: dict[int, tuple[Any, dict[str, Any]]] = {}

    def _index(self, model: Any) -> dict[str, Any]:
        held = self._names.get(id(model))
        if held is None:
            names: dict[str, Any] = {}
            for layer in model.layers:
                names.setdefault(layer.name, layer)  # the first, as get_layer
            held = self._names[id(model)] = (model, names)
        return held[1]

    def find(self, names: list[str]) -> Any:
        layer = self.model
        for name in names:
            found = self._index(layer).get(name)
            if found is None:
                raise ValueError(f"the model has no layer named {name!r}")
            layer = found
        return layer


def collect_weights(model: Any, graph: Graph) -> dict[str, list]:
    """Weight arrays of the model's layers, by node path (only layers with
    weights)."""
    out: dict[str, list] = {}
    layers = LayerFinder(model)
    for path, names, _ in weighted_nodes(graph):
        arrays = layers.find(names).get_weights()
        if arrays:
            out[path] = arrays
    for path, owner in shared_paths(graph):
        if owner in out:
            out[path] = out[owner]  # the same arrays: written once, linked
    return out


def save_weights(weights: dict[str, list], path: str | os.PathLike) -> None:
    import h5py

    from netbuilder.engine.model.safe_files import atomic_path

    # Written in full to a temp beside ``path``, fsynced, then renamed: a
    # failure or a kill leaves the previous weights and no stray temp.
    with atomic_path(path) as tmp, h5py.File(tmp, "w", locking=False) as fh:
        fh.attrs["format"] = "netbuilder-weights"
        written: dict[int, str] = {}  # id of an arrays list -> its first key
        for key, arrays in weights.items():
            if id(arrays) in written:  # a shared layer's other call site
                parent = key.rpartition("/")[0]
                if parent:
                    fh.require_group(parent)
                fh[key] = fh[written[id(arrays)]]  # a hard link: no copy
                continue
            written[id(arrays)] = key
            group = fh.require_group(key)
            for i, array in enumerate(arrays):
                group.create_dataset(f"w{i}", data=array)
            group.attrs["count"] = len(arrays)


def _layer_groups(fh) -> Iterator[tuple[str, Any]]:
    """(layer path, HDF5 group) of every layer's arrays in an open weights
    file, walked by links: a shared layer's arrays are one object reached
    from each call site's key. Folders are entered once each, so links that
    loop back cannot make the walk endless."""
    import h5py

    stack, entered = [(fh, "")], {fh}
    while stack:
        group, prefix = stack.pop()
        for name, obj in group.items():
            if not isinstance(obj, h5py.Group):
                continue
            if "count" in obj.attrs:
                yield prefix + name, obj
            elif obj not in entered:
                entered.add(obj)
                stack.append((obj, f"{prefix}{name}/"))


def _open_weights(path: str | os.PathLike):
    import h5py

    fh = h5py.File(path, "r")
    if fh.attrs.get("format") != "netbuilder-weights":
        fh.close()
        raise ValueError("not a NetBuilder weights file")
    return fh


def read_weights(path: str | os.PathLike) -> dict[str, list]:
    with _open_weights(path) as fh:
        return {key: [group[f"w{i}"][()] for i in range(int(group.attrs["count"]))]
                for key, group in _layer_groups(fh)}


def weight_paths(path: str | os.PathLike) -> set[str]:
    """The layer paths a weights file holds arrays for (arrays not read)."""
    with _open_weights(path) as fh:
        return {key for key, _ in _layer_groups(fh)}


@dataclass
class WeightsReport:
    loaded: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.loaded:
            out.append(f"weights loaded for {len(self.loaded)} layers")
        if self.invalidated:
            out.append(fresh_weights_line(self.invalidated))
        return out + self.problems


def edited_layers(graph: Graph, carried: set[str] | None = None) -> dict[str, str]:
    """Layer path -> name path ("block/conv") of every imported layer whose
    weights the next build replaces with fresh ones (edited since import).
    ``carried``: the paths the weights file holds (None: not known)."""
    info = graph.extra.get("weights")
    stored = info.get("layers") if isinstance(info, dict) else None
    if not isinstance(stored, dict) or not stored:
        return {}
    out: dict[str, str] = {}
    for path, names, node in weighted_nodes(graph):
        if path not in stored or (carried is not None and path not in carried):
            continue
        if stored[path] != fingerprint(node):
            out[path] = "/".join(names)
    return out


def fresh_weights_line(names: list[str], limit: int = 8) -> str:
    """One plain sentence naming the layers that start from fresh weights."""
    shown = ", ".join(sorted(names)[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return (f"fresh weights (edited since import) for {len(names)} "
            f"layer{'s' if len(names) != 1 else ''}: {shown}{more}")


def weights_path(graph: Graph) -> Path | None:
    info = graph.extra.get("weights")
    if not isinstance(info, dict) or not isinstance(info.get("file"), str):
        return None
    name = info["file"]
    if os.path.basename(name) != name or not name.endswith(".h5"):
        return None  # never read files outside the project's folder
    base = Path(getattr(graph, "path", None) or ".").parent
    return base / name


def _finalize(layer: Any) -> None:
    """Let a layer recompute what it derives from its weights, as loading a
    saved model does (``Normalization`` turns adapted mean/variance weights
    into the constants its ``call`` uses; without this the statistics are
    set but not used)."""
    finalize = getattr(layer, "finalize_state", None)
    if callable(finalize):
        finalize()


def apply_weights(model: Any, graph: Graph,
                  weights: dict[str, list] | None = None) -> WeightsReport:
    """Load the carried weights into ``model`` (built from ``graph``) for the
    layers unchanged since import."""
    report = WeightsReport()
    info = graph.extra.get("weights")
    if not isinstance(info, dict):
        return report
    stored = info.get("layers") if isinstance(info.get("layers"), dict) else {}
    if weights is None:
        if info.get("file") is None:
            return report  # imported but not saved yet: nothing to read
        path = weights_path(graph)
        if path is None or not path.is_file():
            report.problems.append(f"weights file {info.get('file')!r} not found; "
                                   "the model starts from fresh weights")
            return report
        try:
            weights = read_weights(path)
        except (OSError, ValueError) as exc:
            report.problems.append(f"cannot read {path.name}: {exc}")
            return report
    layers = LayerFinder(model)
    for path, names, node in weighted_nodes(graph):
        if path not in weights:
            continue
        label = "/".join(names)
        if stored.get(path) != fingerprint(node):
            report.invalidated.append(label)
            continue
        try:
            layer = layers.find(names)
            current = layer.get_weights()
            arrays = weights[path]
            if len(current) != len(arrays) or any(
                    c.shape != a.shape for c, a in zip(current, arrays, strict=True)):
                report.invalidated.append(label)
                continue
            layer.set_weights(arrays)
            _finalize(layer)
            report.loaded.append(label)
        except (ValueError, KeyError) as exc:
            report.problems.append(f"{label}: weights not loaded ({exc})")
    return report
