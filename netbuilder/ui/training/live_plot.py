"""Live loss and metric curves (matplotlib in Qt), several runs overlaid.

Redraws are throttled: new points only mark the plot dirty, and a timer
redraws only while the widget is visible, at most twice a second and, up to
a 3 s wait, no more often than keeps drawing under 2 % of the wall time (a
redraw that took 40 ms waits 2 s before the next), updating existing lines
rather than rebuilding axes, so plotting stays a small fraction of training
time.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_API", "pyside6")

from matplotlib.backends.backend_qtagg import (  # noqa: E402
    FigureCanvasQTAgg,
    NavigationToolbar2QT,
)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from netbuilder.ui.training.plot_style import (  # noqa: E402
    GRID,
    style_axes,
    style_figure,
    style_legend,
)

SKIP = {"learning_rate", "samples_per_second"}
# Drawing holds Python's lock, which the training thread needs too: keep the
# time spent drawing under this share of the wall time.
DRAW_BUDGET = 0.02
MAX_WAIT = 3.0  # but show new points at least every few seconds
TEXT_GREY = "#aab2bd"
COLORS = ["#4e9af1", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2",
          "#edc948", "#ff9da7"]
REDRAW_MS = 500
PLACEHOLDER = ("No curves yet. Press Train (F5): the loss and the metrics of "
               "each epoch are drawn here as the model learns, next to the "
               "project's earlier runs.")


def quantities(history: dict) -> list[str]:
    """Base quantities to plot (loss first), without val_ duplicates."""
    names = []
    for key in history:
        base = key[4:] if key.startswith("val_") else key
        if base not in SKIP and base not in names:
            names.append(base)
    return sorted(names, key=lambda n: (n != "loss", n))


class LivePlot(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.figure = Figure(figsize=(6, 3.2), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        style_figure(self.figure)
        self.toolbar = NavigationToolbar2QT(self.canvas, self)
        self.batch_box = QCheckBox("Per-batch detail")
        self.batch_box.setToolTip("Also draw the running batch values of the "
                                  "current run")
        self.batch_box.toggled.connect(self._mark_layout)
        self.export_button = QPushButton("Export history CSV…")
        self.export_button.clicked.connect(self.export_csv_dialog)
        top = QHBoxLayout()
        top.addWidget(self.toolbar)
        top.addStretch(1)
        top.addWidget(self.batch_box)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #9aa4b2;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.canvas)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.runs: list[dict] = []  # {"label", "history", "batches", "current"}
        self._lines: dict = {}
        self._axes: dict = {}
        self._layout_dirty = True
        self._dirty = False
        self.redraws = 0
        self.draw_seconds = 0.0
        self._next_allowed = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    # ------------------------------------------------------------ data in
    def set_previous_runs(self, runs: list[dict]) -> None:
        """Recorded runs of the project, drawn lighter behind the current one."""
        recorded = {r.get("id") for r in runs}
        # the current run stays (it may not be recorded yet), unless the
        # project's records hold it already
        current = [r for r in self.runs if r["current"]
                   and r["label"] not in recorded]
        self.runs = [{"label": r.get("id", f"run {i + 1}"),
                      "history": dict(r.get("history") or {}), "batches": [],
                      "current": False} for i, r in enumerate(runs)] + current
        self._mark_layout()

    def start_run(self, label: str, expected: list[str] | None = None) -> None:
        """A new current run. ``expected`` names the quantities it will log
        (e.g. loss, accuracy, val_loss): the axes are laid out now, before
        training starts, instead of during it."""
        for run in self.runs:
            run["current"] = False
        self.runs.append({"label": label, "history": {k: [] for k in expected or []},
                          "batches": [], "current": True})
        self._mark_layout()
        if expected and self.isVisible():
            self.redraw()

    def add_epoch(self, logs: dict) -> None:
        run = self._current()
        if run is None:
            return
        new_key = False
        for key, value in logs.items():
            if key not in run["history"]:
                new_key = True
            run["history"].setdefault(key, []).append(value)
        if new_key:
            self._layout_dirty = True
        self._dirty = True

    def add_batches(self, batches: list) -> None:
        """(time, epoch, step, steps, logs) tuples from the bridge."""
        run = self._current()
        if run is None or not batches:
            return
        for _, epoch, step, steps, logs in batches:
            x = epoch + (step + 1) / steps if steps else epoch + 1
            run["batches"].append((x, logs))
        self._dirty = self._dirty or self.batch_box.isChecked()

    def point_count(self) -> int:
        run = self._current()
        return len(run["history"].get("loss", [])) if run else 0

    def _current(self) -> dict | None:
        return next((r for r in reversed(self.runs) if r["current"]), None)

    def _mark_layout(self, *_args) -> None:
        self._layout_dirty = True
        self._dirty = True

    # ------------------------------------------------------------ drawing
    def has_points(self) -> bool:
        return any(any(r["history"].values()) or (
            r["batches"] and r["current"] and self.batch_box.isChecked())
            for r in self.runs)

    def _tick(self) -> None:
        has_points = self.has_points()
        self.stack.setCurrentWidget(self.canvas if has_points else self.placeholder)
        if self._dirty and has_points and self.isVisible() and \
                time.perf_counter() >= self._next_allowed:
            self.redraw()

    def redraw(self) -> None:
        self.stack.setCurrentWidget(self.canvas if self.has_points()
                                    else self.placeholder)
        t0 = time.perf_counter()
        rebuilt = self._layout_dirty
        if rebuilt:
            self._rebuild()
            self.figure.set_layout_engine("constrained")
        self._update_lines()
        self.canvas.draw()
        if rebuilt:
            # Keep the margins constrained layout found; solving it again on
            # every draw would double the cost of each update.
            self.figure.set_layout_engine("none")
        spent = time.perf_counter() - t0
        self.draw_seconds += spent
        # the first draws are slower (font and layout caches): judge the cost
        # by the cheapest recent draw
        self._costs = (getattr(self, "_costs", []) + [spent])[-3:]
        wait = min(min(self._costs) / DRAW_BUDGET, MAX_WAIT)
        self._next_allowed = time.perf_counter() + wait
        self._dirty = False
        self.redraws += 1

    def _rebuild(self) -> None:
        self.figure.clear()
        self._lines.clear()
        self._axes.clear()
        names: list[str] = []
        for run in self.runs:
            for name in quantities(run["history"]):
                if name not in names:
                    names.append(name)
        names = sorted(names, key=lambda n: (n != "loss", n))[:4] or ["loss"]
        axes = self.figure.subplots(1, len(names), squeeze=False)[0]
        style_figure(self.figure)
        for ax, name in zip(axes, names, strict=True):
            ax.set_title(name.replace("_", " "), fontsize=9)
            ax.set_xlabel("epoch", fontsize=8)
            style_axes(ax)
            ax.grid(True, color=GRID, alpha=0.8)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            self._axes[name] = ax
            for i, run in enumerate(self.runs):
                color = COLORS[i % len(COLORS)]
                alpha = 1.0 if run["current"] else 0.45
                width = 1.8 if run["current"] else 1.0
                label = run["label"]
                (train,) = ax.plot([], [], color=color, alpha=alpha, lw=width,
                                   marker="o", ms=2.5, label=f"{label} train")
                (val,) = ax.plot([], [], color=color, alpha=alpha, lw=width,
                                 ls="--", label=f"{label} validation")
                self._lines[(i, name, "train")] = train
                self._lines[(i, name, "val")] = val
                if run["current"] and self.batch_box.isChecked():
                    (batch,) = ax.plot([], [], color=color, alpha=0.35, lw=0.7,
                                       label=f"{label} batches")
                    self._lines[(i, name, "batch")] = batch
        if self.runs:
            self._legend()
        self._layout_dirty = False

    def _legend(self) -> None:
        """One entry per run (its colour) and one per line style, outside the
        axes on the right, so that it never covers a curve however many runs
        there are."""
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=COLORS[i % len(COLORS)],
                          lw=1.8 if run["current"] else 1.0,
                          alpha=1.0 if run["current"] else 0.45)
                   for i, run in enumerate(self.runs)]
        labels = [run["label"] for run in self.runs]
        handles += [Line2D([], [], color=TEXT_GREY, marker="o", ms=2.5),
                    Line2D([], [], color=TEXT_GREY, ls="--")]
        labels += ["training", "validation"]
        style_legend(self.figure.legend(handles, labels, fontsize=7,
                                        loc="outside right upper"))

    def _update_lines(self) -> None:
        for (i, name, split), line in self._lines.items():
            run = self.runs[i]
            if split == "batch":
                points = [(x, logs[name]) for x, logs in run["batches"]
                          if name in logs]
                line.set_data([p[0] for p in points], [p[1] for p in points])
                continue
            key = name if split == "train" else f"val_{name}"
            values = run["history"].get(key, [])
            line.set_data(range(1, len(values) + 1), values)
        for ax in self._axes.values():
            ax.relim()
            ax.autoscale_view()

    # ------------------------------------------------------------ export
    def export_csv_dialog(self) -> None:
        run = self._current() or (self.runs[-1] if self.runs else None)
        if run is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export history", "history.csv",
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(path, run["history"])

    @staticmethod
    def export_csv(path: str, history: dict) -> None:
        from netbuilder.engine.training.history import write_history

        write_history(history, path)
