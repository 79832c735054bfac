"""Check data against a model before training: shapes, dtypes, labels vs loss.

Works from the graph's Input params and the inferred Output shapes, so the
check is quick and names the Input/Output node at fault. A suggested change
to an Input is first tried on a copy of the graph along the whole chain
(:mod:`data_fix`): only a change that makes the model fit is suggested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netbuilder.engine.analysis.diagnostics import fmt_shape
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.training.data_fix import input_suggestion
from netbuilder.engine.training.datasets import Dataset, Split

SPARSE_LOSSES = {"sparse_categorical_crossentropy"}
ONE_HOT_LOSSES = {"categorical_crossentropy", "categorical_focal_crossentropy",
                  "kl_divergence", "categorical_hinge"}
BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy", "hinge",
                 "squared_hinge"}


@dataclass
class DataProblem:
    message: str
    suggestion: str = ""
    # A fix the UI can offer with one click, e.g. ("loss", "label",
    # "sparse_categorical_crossentropy").
    fix: tuple | None = None


def check_data(graph: Graph, output_shapes: dict[str, tuple],
               dataset: Dataset, losses: dict[str, str]) -> list[DataProblem]:
    """``output_shapes`` maps Output node names to their inferred shapes;
    ``losses`` maps Output node names to loss names."""
    problems: list[DataProblem] = []
    inputs = graph.input_nodes()
    outputs = graph.output_nodes()
    split = dataset.train
    if dataset.pipelines:
        return problems  # image folders: shapes are checked by the pipeline
    for nodes, arrays, what, key in ((inputs, split.x, "input", "x"),
                                     (outputs, split.y, "output", "y")):
        if len(arrays) != len(nodes):
            names = ", ".join(n.name for n in nodes)
            kind = "input" if key == "x" else "label"
            return [DataProblem(f"the model has {len(nodes)} {what}(s) ({names}) "
                                f"but the data has {len(arrays)} {kind} array(s)",
                                f"For several {what}s, name the arrays in the .npz "
                                f"after the {what.capitalize()} nodes "
                                f"({key}_<name>).")]
    labels = {node.name: y for node, y in zip(outputs, split.y, strict=False)}
    for node, array in zip(inputs, split.x, strict=False):
        found = _check_input(node, array)
        if found and found[0].fix is not None:  # the shape: try the fix first
            found[0].suggestion, found[0].fix = input_suggestion(
                graph, node, tuple(array.shape[1:]), _check_labels, labels, losses)
            return problems + found
        problems += found
    for node, labels in zip(outputs, split.y, strict=False):
        shape = output_shapes.get(node.name)
        if shape is None:
            continue
        problems += _check_labels(node.name, shape, labels,
                                  losses.get(node.name, ""))
    for name, part in (("validation", dataset.validation), ("test", dataset.test)):
        if part is not None and part.x and split.x:
            problems += _same_sample_shapes(name, split, part)
    return problems


def _check_input(node, array: np.ndarray) -> list[DataProblem]:
    want = tuple(node.params.get("shape") or ())
    got = tuple(array.shape[1:])
    out = []
    if len(want) != len(got) or any(w is not None and w != g
                                    for w, g in zip(want, got, strict=False)):
        # check_data replaces the suggestion with one checked along the chain
        out.append(DataProblem(
            f"Input '{node.name}' expects samples of shape {fmt_shape(want)} but "
            f"the data has samples of shape {fmt_shape(got)} "
            f"(array {fmt_shape(array.shape)})", "",
            ("input_shape", node.name, list(got))))
    dtype = node.params.get("dtype", "float32")
    if dtype.startswith("int") and not np.issubdtype(array.dtype, np.integer):
        out.append(DataProblem(
            f"Input '{node.name}' is {dtype} but the data is {array.dtype}",
            "Token ids for an Embedding must be whole numbers."))
    if array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
        out.append(DataProblem(f"the data for Input '{node.name}' contains NaN or "
                               "infinite values", "Clean or impute them first."))
    return out


def _check_labels(name: str, shape: tuple, labels: np.ndarray,
                  loss: str) -> list[DataProblem]:
    out_shape = tuple(shape[1:])
    per_sample = tuple(labels.shape[1:])
    integer = np.issubdtype(labels.dtype, np.integer)
    classes = out_shape[-1] if out_shape else None
    if loss in SPARSE_LOSSES:
        if not integer or per_sample not in ((), (1,)):
            if per_sample == out_shape:
                return [DataProblem(
                    f"Output '{name}': {loss} expects integer class ids, but the "
                    f"labels look one-hot with shape {fmt_shape(labels.shape)}",
                    "Use categorical_crossentropy for one-hot labels.",
                    ("loss", name, "categorical_crossentropy"))]
            return [DataProblem(f"Output '{name}': {loss} expects integer class ids "
                                f"of shape (n,), the labels have shape "
                                f"{fmt_shape(labels.shape)} and dtype {labels.dtype}")]
        if len(out_shape) != 1:
            return [DataProblem(
                f"Output '{name}' gives {fmt_shape(shape)}, but with {loss} and "
                f"class-id labels of shape {fmt_shape(labels.shape)} it must give "
                "one vector of class scores per sample, (None, classes)",
                "Insert a Flatten or a global pooling layer before the last Dense "
                "layer.")]
        if classes and labels.size and (labels.min() < 0 or labels.max() >= classes):
            return [DataProblem(
                f"Output '{name}' has {classes} units but the labels go from "
                f"{labels.min()} to {labels.max()}",
                f"Give the last layer {int(labels.max()) + 1} units.")]
        return []
    if loss in ONE_HOT_LOSSES:
        if integer and per_sample in ((), (1,)) and classes and classes > 1:
            return [DataProblem(
                f"Output '{name}': the labels are integer class ids (shape "
                f"{fmt_shape(labels.shape)}) but {loss} expects one-hot vectors "
                f"of shape (n, {classes})",
                "Use sparse_categorical_crossentropy for integer labels.",
                ("loss", name, "sparse_categorical_crossentropy"))]
    if loss in BINARY_LOSSES and labels.size and integer and labels.max() > 1:
        return [DataProblem(f"Output '{name}': {loss} expects labels 0 or 1, the "
                            f"labels go up to {labels.max()}",
                            "Use sparse_categorical_crossentropy with one unit "
                            "per class.",
                            ("loss", name, "sparse_categorical_crossentropy"))]
    if loss in SPARSE_LOSSES | ONE_HOT_LOSSES | BINARY_LOSSES:
        expected = out_shape
        got = per_sample if per_sample else (1,)
        if got != expected and not (loss in BINARY_LOSSES and got == (1,)
                                    and expected == (1,)):
            return [DataProblem(f"Output '{name}' gives {fmt_shape(shape)} but the "
                                f"labels have shape {fmt_shape(labels.shape)}")]
        return []
    # regression losses: shapes must match up to a trailing 1
    got = per_sample if per_sample else (1,)
    if got != out_shape and not (got == (1,) and out_shape == ()):
        return [DataProblem(f"Output '{name}' gives {fmt_shape(shape)} but the "
                            f"labels have shape {fmt_shape(labels.shape)}",
                            "Make the last layer's units match the label size.")]
    return []


def _same_sample_shapes(name: str, train: Split, other: Split) -> list[DataProblem]:
    for a, b in zip(train.x + train.y, other.x + other.y, strict=False):
        if a.shape[1:] != b.shape[1:]:
            return [DataProblem(f"the {name} split has samples of shape "
                                f"{fmt_shape(b.shape[1:])}, training has "
                                f"{fmt_shape(a.shape[1:])}")]
    return []
