"""Evaluation results: test metrics, confusion matrix heat map, per-class
accuracy."""

from __future__ import annotations

import os

os.environ.setdefault("QT_API", "pyside6")

import numpy as np  # noqa: E402
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget  # noqa: E402

from netbuilder.ui.training.plot_style import (  # noqa: E402
    AXES,
    TEXT,
    style_axes,
    style_figure,
)

NO_RESULT = "No evaluation yet: train the model (F5) and it is evaluated when " \
    "training ends."


class EvaluationView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.summary = QLabel(NO_RESULT)
        self.summary.setWordWrap(True)
        self.figure = Figure(figsize=(6, 3.2), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        style_figure(self.figure)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.canvas, 1)
        self.result: dict | None = None

    def clear(self) -> None:
        """Back to "no evaluation" (another project was opened)."""
        self.result = None
        self.summary.setText(NO_RESULT)
        self.figure.clear()
        self.canvas.draw_idle()

    def show_result(self, result: dict) -> None:
        self.result = result
        metrics = "   ".join(f"<b>{k}</b> {v:.4g}"
                               for k, v in result["metrics"].items())
        self.summary.setText(f"On the {result['split']} split ({result['samples']} "
                             f"samples): {metrics}")
        self.figure.clear()
        matrix = result.get("confusion_matrix")
        if matrix is None:
            self.canvas.draw_idle()
            return
        matrix = np.asarray(matrix)
        names = result.get("class_names") or [str(i) for i in range(len(matrix))]
        ax, bars = self.figure.subplots(1, 2, width_ratios=[3, 2])
        style_figure(self.figure)
        style_axes(ax)
        style_axes(bars)
        ax.imshow(matrix, cmap=dark_blues(), vmin=0)
        ax.set_title("confusion matrix", fontsize=9)
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("true", fontsize=8)
        ticks = range(len(names))
        # names longer than a digit or two are turned so that they never overlap
        turned = max(len(str(n)) for n in names) > 2
        ax.set_xticks(ticks, names, fontsize=7, rotation=90 if turned else 0,
                      ha="right" if turned else "center",
                      rotation_mode="anchor")
        ax.set_yticks(ticks, names, fontsize=7)
        if len(names) <= 12:
            top = matrix.max() or 1
            for (i, j), value in np.ndenumerate(matrix):
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                        color="#10141a" if value > top * 0.6 else TEXT)
        per_class = [v if v is not None else 0.0
                     for v in result.get("per_class_accuracy", [])]
        bars.barh(list(ticks), per_class, color="#4e9af1")
        bars.set_yticks(ticks, names, fontsize=7)
        bars.invert_yaxis()
        bars.set_xlim(0, 1)
        bars.set_title("accuracy per class", fontsize=9)
        bars.tick_params(labelsize=7)
        self.canvas.draw_idle()


def dark_blues():
    """A colour map from the dark axes colour (0) to bright blue (the most),
    so that the matrix sits in the dark UI instead of a white square."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("netbuilder-blues",
                                             [AXES, "#2f5f9e", "#7db8ff"])
