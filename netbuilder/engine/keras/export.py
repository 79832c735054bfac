"""Export a built model and verify the export numerically.

Every artifact is reloaded after writing (SavedModel through
``tf.saved_model.load`` and its ``serve`` signature, ``.keras`` through
``keras.saving.load_model``, TFLite through the interpreter) and its outputs
on a sample batch are compared with the in-memory model. A mismatch is an
:class:`ExportError`, not a warning.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any

import numpy as np

FORMATS = ("savedmodel", "keras", "tflite")
TOLERANCE = 1e-4


class ExportError(Exception):
    """Writing or verifying an export failed; the message says which."""


@dataclass
class ExportResult:
    format: str
    path: str
    max_abs_diff: float

    def __str__(self) -> str:
        return (f"exported {self.format} to {self.path} (verified: max |difference| "
                f"{self.max_abs_diff:.2e})")


def sample_inputs(model: Any, batch: int = 4, seed: int = 0) -> list[np.ndarray]:
    """A random batch that fits the model's inputs (free axes become 8)."""
    rng = np.random.default_rng(seed)
    out = []
    for tensor in model.inputs:
        shape = [batch] + [d if d is not None else 8 for d in tensor.shape[1:]]
        dtype = str(tensor.dtype)
        if "int" in dtype:
            out.append(rng.integers(0, 2, shape).astype(dtype))
        elif dtype == "string":  # text inputs (lookup and vectorization layers)
            words = np.array(["a", "b c", "the", ""], dtype=object)
            out.append(words[rng.integers(0, len(words), shape)])
        else:
            out.append(rng.normal(0, 1, shape).astype(dtype))
    return out


def _feed(inputs: list[Any], model: Any = None) -> Any:
    """What ``predict`` takes: text arrays as string tensors (Keras's data
    adapters refuse numpy text arrays), one input bare, and a dict keyed
    like the model's inputs when ``model`` takes a dict (``inputs`` are in
    the order of ``model.inputs``)."""
    fed = list(inputs)
    if any(getattr(x, "dtype", None) is not None and x.dtype.kind in "OSU"
           for x in fed):
        import tensorflow as tf

        fed = [tf.constant(x.astype(str) if x.dtype.kind in "OSU" else x)
               for x in fed]
    structure = getattr(model, "input", None) if model is not None else None
    if isinstance(structure, dict):
        flat = list(model.inputs)
        return {key: fed[next(i for i, t in enumerate(flat) if t is tensor)]
                for key, tensor in structure.items()}
    return fed if len(fed) > 1 else fed[0]


def _as_list(outputs: Any) -> list[np.ndarray]:
    if isinstance(outputs, dict):
        return [np.asarray(outputs[k]) for k in sorted(outputs)]
    if isinstance(outputs, (list, tuple)):
        return [np.asarray(o) for o in outputs]
    return [np.asarray(outputs)]


def write(model: Any, fmt: str, path: str) -> None:
    """Save a built ``keras.Model`` as ``fmt`` at ``path`` (no verification)."""
    if fmt == "savedmodel":
        model.export(path, format="tf_saved_model", verbose=False)
    elif fmt == "keras":
        if not str(path).endswith(".keras"):
            raise ExportError("a .keras export needs a path ending in .keras")
        model.save(path)
    elif fmt == "tflite":
        import tensorflow as tf

        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        with contextlib.redirect_stdout(io.StringIO()):
            data = converter.convert()
        with open(path, "wb") as fh:
            fh.write(data)
    else:
        raise ExportError(f"unknown export format {fmt!r}; use one of "
                          f"{', '.join(FORMATS)}")


def reload_outputs(fmt: str, path: str, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Run the exported artifact on ``inputs``."""
    if fmt == "keras":
        from netbuilder.engine.keras.runtime import load_keras

        keras = load_keras()
        from netbuilder.engine.keras.custom_classes import known_objects

        # The user's trusted classes and functions the model was built with.
        with keras.saving.custom_object_scope(known_objects()):
            again = keras.saving.load_model(path, safe_mode=True)
        return _as_list(again.predict(_feed(inputs, again), verbose=0))
    import tensorflow as tf

    if fmt == "savedmodel":
        loaded = tf.saved_model.load(path)  # keep alive while serving
        return _as_list(loaded.serve(inputs if len(inputs) > 1 else inputs[0]))
    runner = tf.lite.Interpreter(model_path=path).get_signature_runner()
    details = runner.get_input_details()
    feed, unused = {}, list(range(len(inputs)))
    for name, detail in details.items():
        want = tuple(detail["shape_signature"][1:])
        match = next((i for i in unused if _fits(inputs[i], want)),
                     unused[0] if unused else None)
        if match is None:
            raise ExportError("the TFLite model's inputs do not match the model's")
        unused.remove(match)
        feed[name] = inputs[match]
    return _as_list(list(runner(**feed).values()))


def _fits(array: np.ndarray, want: tuple) -> bool:
    """Does ``array`` (with its batch axis) fit a TFLite signature shape
    (without it; -1 for a free axis)?"""
    if array.ndim != len(want) + 1:
        return False
    return all(w in (-1, d) for d, w in zip(array.shape[1:], want, strict=True))


def _compare(expected: list[np.ndarray], got: list[np.ndarray]) -> float:
    if len(expected) != len(got):
        raise ExportError(f"the export has {len(got)} outputs, the model "
                          f"{len(expected)}")
    worst = 0.0
    remaining = list(got)
    for e in expected:
        # signatures may reorder outputs by name: match by shape, best first
        candidates = [g for g in remaining if g.shape == e.shape]
        if not candidates:
            raise ExportError(f"no output of the export has shape {e.shape}")
        diffs = [float(np.max(np.abs(g.astype("float64") - e.astype("float64"))))
                 if e.size else 0.0 for g in candidates]
        best = int(np.argmin(diffs))
        worst = max(worst, diffs[best])
        chosen = candidates[best]
        remaining = [g for g in remaining if g is not chosen]
    return worst


def _shapes(tensors: Any) -> list[tuple]:
    return [tuple(t.shape[1:]) for t in tensors]


def architecture_problems(model: Any, reference: Any) -> list[str]:
    """How ``model`` differs from ``reference`` (the model the current
    project builds) in its inputs, outputs or parameter count; empty when
    they agree."""
    problems = []
    for what in ("inputs", "outputs"):
        got, want = _shapes(getattr(model, what)), _shapes(getattr(reference, what))
        if got != want:
            problems.append(f"its {what} are {_plain(got)}, the project's "
                            f"{_plain(want)}")
    got, want = model.count_params(), reference.count_params()
    if got != want:
        problems.append(f"it has {got:,} parameters, the project {want:,}")
    return problems


def _plain(shapes: list[tuple]) -> str:
    return ", ".join("(" + ", ".join("None" if d is None else str(d) for d in s)
                     + ")" for s in shapes)


def export_verified(model: Any, fmt: str, path: str,
                    inputs: list[np.ndarray] | None = None,
                    tolerance: float = TOLERANCE,
                    reference: Any = None) -> ExportResult:
    """Write the export, reload it, and compare outputs with ``model``.

    With ``reference`` (the model the current project builds), a ``model``
    of another architecture is refused before anything is written."""
    if reference is not None:
        problems = architecture_problems(model, reference)
        if problems:
            raise ExportError("the trained model is not the current project's "
                              "model (" + "; ".join(problems) + "): train this "
                              "project, or export before training")
    inputs = inputs if inputs is not None else sample_inputs(model)
    write(model, fmt, path)
    expected = _as_list(model.predict(_feed(inputs, model), verbose=0))
    try:
        got = reload_outputs(fmt, path, inputs)
    except ExportError:
        raise
    except Exception as exc:  # loaders raise many kinds
        raise ExportError(f"the {fmt} export at {path} could not be reloaded: "
                          f"{str(exc).splitlines()[0][:200]}") from None
    diff = _compare(expected, got)
    scale = max(1.0, max(float(np.max(np.abs(e))) if e.size else 0.0
                         for e in expected))
    if not np.isfinite(diff) or diff > tolerance * scale:
        raise ExportError(f"the {fmt} export at {path} does not reproduce the "
                          f"model: max |difference| {diff:.3g}")
    return ExportResult(fmt, path, diff)
