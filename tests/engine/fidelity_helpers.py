"""The full import fidelity check of issue 15: import a saved model -> the
project checks clean -> the generated code builds the same layer types with
the same arguments -> a verified ``.keras`` export with the carried weights
has every layer's weights equal to the original's, and gives the original's
outputs and intermediate features (pre-softmax too) within ``TOLERANCE``."""

import json
import re

import numpy as np

from netbuilder.engine.analysis.diagnostics import ERROR
from netbuilder.engine.analysis.shapes import analyze
from netbuilder.engine.codegen.execute import build
from netbuilder.engine.importing.importer import import_model, save_imported
from netbuilder.engine.importing.params import comparable_config, learned_config
from netbuilder.engine.keras.export import export_verified
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model.project import load_project

TOLERANCE = 1e-5


def leaf_layers(model, prefix=""):
    """(path, layer) of every layer that is not a model, inside nested ones."""
    keras = load_keras()
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            out += leaf_layers(layer, f"{prefix}{layer.name}/")
        elif type(layer).__name__ != "InputLayer":
            out.append((prefix + layer.name, layer))
    return out


def _config(layer):
    """The layer's arguments, with what ``adapt()`` learned written inline."""
    return json.loads(comparable_config(learned_config(layer)))


def features(model, xs):
    """Outputs of every top-level layer called once (so the features before
    a softmax are compared, not only the flat softmax), by layer name."""
    keras = load_keras()
    named = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer" or isinstance(layer, keras.Model):
            continue  # a nested model: its outputs feed the layers compared
        try:
            out = layer.output
        except (AttributeError, ValueError):
            continue  # a shared layer has several outputs
        if isinstance(out, (list, tuple, dict)):
            continue
        named.append((layer.name, out))
    while named:
        try:
            probe = keras.Model(model.inputs, [t for _, t in named])
            break
        except ValueError as exc:  # a layer applied to constants only
            cut = re.search(r"Output with path `(\d+)` is not connected", str(exc))
            if cut is None:
                raise
            del named[int(cut.group(1))]
    if not named:  # every layer is inside a nested model
        return {}
    got = probe(xs if len(xs) > 1 else xs[0], training=False)
    got = got if isinstance(got, (list, tuple)) else [got]
    return {name: np.asarray(v) for (name, _), v in zip(named, got, strict=True)}


def max_diff(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    if a.dtype.kind in "OSU":
        assert (a == b).all()
        return 0.0
    return float(np.max(np.abs(a.astype("float64") - b.astype("float64")))) \
        if a.size else 0.0


def compare_models(model, rebuilt, xs):
    """Same layers (types, arguments), equal weights, equal features."""
    original = dict(leaf_layers(model))
    mine = dict(leaf_layers(rebuilt))
    assert list(mine) == list(original)
    for path, layer in original.items():
        assert type(mine[path]) is type(layer), path
        assert _config(mine[path]) == _config(layer), path
        a, b = layer.get_weights(), mine[path].get_weights()
        assert len(a) == len(b), path
        for x, y in zip(a, b, strict=True):
            assert max_diff(x, y) == 0.0, path
    expected, got = features(model, xs), features(rebuilt, xs)
    assert set(got) == set(expected), (sorted(set(got) ^ set(expected))[:10])
    for name in expected:
        assert max_diff(expected[name], got[name]) <= TOLERANCE, name


def memory_roundtrip(model, xs):
    """The check without files (for big models): import the built model,
    check, build from code, carry the weights, compare."""
    from netbuilder.engine.importing.importer import import_keras_model
    from netbuilder.engine.importing.weights import apply_weights

    result = import_keras_model(model)
    report = analyze(result.graph)
    assert not [d.message for d in report.diagnostics if d.severity == ERROR]
    built = build(result.graph)
    weights = apply_weights(built.model, result.graph, result.weights)
    assert not weights.invalidated and not weights.problems
    compare_models(model, built.model, xs)
    return result.graph, built.model


def full_roundtrip(model, tmp_path, xs, suffix=".keras", trust=False,
                   source=None):
    """Run the whole check; returns (project graph, exported model).
    ``source``: a ``.py`` file that builds ``model`` (with its weights) to
    import instead of saving ``model``."""
    keras = load_keras()
    if source is None:
        src = tmp_path / f"original{suffix}"
        model.save(src)
    else:
        src = source
    result = import_model(src, trust=trust, run_python=source is not None)
    save_imported(result, tmp_path / "imported.nbproj")
    loaded = load_project(tmp_path / "imported.nbproj")
    assert not [p for p in loaded.problems if p.severity == "error"]
    report = analyze(loaded.graph)
    assert not [d.message for d in report.diagnostics if d.severity == ERROR]
    built = build(loaded.graph)
    assert not any("fresh" in n for n in built.weights_notes), built.weights_notes
    compare_models(model, built.model, xs)  # the in-memory model
    out = tmp_path / "exported.keras"
    export_verified(built.model, "keras", str(out), inputs=xs)
    again = keras.saving.load_model(out, safe_mode=True)
    compare_models(model, again, xs)  # the exported one, reloaded
    return loaded.graph, again
