"""The fidelity check for models with operations and keyword ports: import
from a file -> project -> check clean -> generated code builds the same layer
and operation types with the same arguments -> the exported ``.keras`` (with
the weights carried beside the project) has every layer's weights equal to
the original's and gives the original's outputs and inner features."""

from __future__ import annotations

import json

import numpy as np

from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.execute import build
from netbuilder.engine.importing.importer import import_model, save_imported
from netbuilder.engine.keras.export import export_verified
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model.project import load_project

TOLERANCE = 1e-5


def signature(model) -> list[str]:
    """Each layer and operation as its class and arguments (without names,
    which Keras numbers by creation order), sorted."""
    out = []
    for op in model.operations:
        if type(op).__name__ == "InputLayer":
            continue
        config = {k: v for k, v in op.get_config().items()
                  if k not in ("name", "build_config")}
        out.append(type(op).__name__ + json.dumps(config, sort_keys=True,
                                                  default=str))
    return sorted(out)


def sample(model, seed=0):
    rng = np.random.default_rng(seed)
    xs = []
    for t in model.inputs:
        shape = [2] + [d or 5 for d in t.shape[1:]]
        if "int" in str(t.dtype):
            xs.append(rng.integers(0, 5, size=shape).astype(str(t.dtype)))
        elif "bool" in str(t.dtype):
            xs.append(rng.integers(0, 2, size=shape).astype(bool))
        else:
            xs.append(rng.normal(size=shape).astype(str(t.dtype)))
    return xs


def run(model, xs, layer: str | None = None):
    keras = load_keras()
    if layer is not None:
        model = keras.Model(model.inputs, model.get_layer(layer).output)
    ys = model(xs if len(xs) > 1 else xs[0])
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    return [np.asarray(y) for y in ys]


def max_difference(a: list, b: list) -> float:
    assert len(a) == len(b)
    diffs = []
    for x, y in zip(a, b, strict=True):
        assert x.shape == y.shape
        diffs.append(float(np.max(np.abs(x - y))) if x.size else 0.0)
    return max(diffs)


def import_file(path, **kwargs):
    """Import ``path``, save the project, read it back: (graph, import result)."""
    result = import_model(path, **kwargs)
    project = path.with_name(path.stem + "_imported.nbproj")
    save_imported(result, project)
    loaded = load_project(project)
    assert not [p for p in loaded.problems if p.severity == "error"], loaded.problems
    report = analyze(loaded.graph)
    assert not report.has_errors, [d.message for d in report.diagnostics]
    return loaded.graph, result


def check_roundtrip(original, path, features: tuple[str, ...] = (), **kwargs):
    """Full fidelity check of ``original`` imported from ``path``; returns
    (graph, max output difference of the reloaded export)."""
    keras = load_keras()
    graph, _ = import_file(path, **kwargs)
    built = build(graph)
    if original.weights:
        assert any("weights loaded" in n for n in built.weights_notes), \
            built.weights_notes
    assert signature(built.model) == signature(original)
    exported = path.with_name(path.stem + "_export.keras")
    export_verified(built.model, "keras", str(exported))
    again = keras.saving.load_model(exported)
    assert signature(again) == signature(original)
    for layer in original.layers:
        if not layer.weights:
            continue
        theirs = again.get_layer(layer.name).get_weights()
        mine = layer.get_weights()
        assert len(theirs) == len(mine), layer.name
        for a, b in zip(mine, theirs, strict=True):
            assert np.array_equal(a, b), layer.name
    xs = sample(original)
    diff = max_difference(run(original, xs), run(again, xs))
    assert diff <= TOLERANCE
    for name in features:
        assert max_difference(run(original, xs, name), run(again, xs, name)) \
            <= TOLERANCE
    return graph, diff
