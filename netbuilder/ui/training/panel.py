"""The Training dock: settings, Train / Stop / Resume, progress with ETA and
samples/s, live curves, evaluation and the project's recorded runs.

Training runs in TrainingSession's worker thread; the UI only reacts to its
events (see :mod:`bridge`). Settings edits and recorded runs change the
project through undo commands.
"""

from __future__ import annotations

import math
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from netbuilder.engine.model.training_config import TrainingConfig, TrainingConfigError
from netbuilder.engine.training import session as tr
from netbuilder.ui.training.bridge import SessionBridge
from netbuilder.ui.training.commands import SetExtraCommand
from netbuilder.ui.training.config_form import ConfigForm

if TYPE_CHECKING:
    from netbuilder.ui.training.evaluation_view import EvaluationView
    from netbuilder.ui.training.live_plot import LivePlot


class TrainingPanel(QWidget):
    message = Signal(str)
    stateChanged = Signal(str)  # idle, preparing, running, evaluating, stopped
    exported = Signal(str, bool)  # message, ok
    weightsKept = Signal(object)  # the project's new "weights" field, or a message
    evaluated = Signal(dict)
    previewReady = Signal(str)
    previewImages = Signal(object)  # a uint8 RGB strip of sample images

    def __init__(self, editor, document=None, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.document = document
        self.session: tr.TrainingSession | None = None
        self.bridge = SessionBridge(self)
        self.form = ConfigForm()
        # The plots need matplotlib (about 0.3 s to import): they are made the
        # first time the panel is shown or used, not at start-up.
        self._plot: LivePlot | None = None
        self._evaluation: EvaluationView | None = None
        self._matplotlib_ready = threading.Event()
        threading.Thread(target=self._import_matplotlib, name="import-matplotlib",
                         daemon=True).start()
        self.runs_list = QListWidget()
        self.train_button = QPushButton("Train")
        self.stop_button = QPushButton("Stop")
        self.resume_button = QPushButton("Resume")
        self.export_button = QPushButton("Export model…")
        self.export_button.setToolTip("Save the trained model (or, before any "
                                      "training, the model as built) as a "
                                      "SavedModel, .keras or TFLite file, verified "
                                      "against the model")
        self.keep_button = QPushButton("Keep weights")
        self.keep_button.setToolTip("Keep the trained weights with the project, "
                                    "so that exports and further training start "
                                    "from them")
        self.train_button.setToolTip("Train the model with these settings (F5)")
        self.stop_button.setToolTip("Stop after the current batch (Shift+F5)")
        self.resume_button.setToolTip("Continue from the last epoch with the same "
                                      "optimizer state")
        self.epoch_bar = QProgressBar()
        self.epoch_bar.setFormat("epoch %v / %m")
        self.batch_bar = QProgressBar()
        self.batch_bar.setFormat("batch %v / %m")
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)
        self.strategy_label = QLabel("")
        self.strategy_label.setWordWrap(True)
        self.preview = QLabel("")
        self.preview.setWordWrap(True)
        self.samples = QLabel("")
        self._build()
        self._wire()
        self._epoch_started = 0.0
        self._run_started = 0.0
        self._target_epochs = 0
        self.set_graph(editor.graph)

    # ------------------------------------------------------------ layout
    def _build(self) -> None:
        buttons = QHBoxLayout()
        for b in (self.train_button, self.stop_button, self.resume_button,
                  self.keep_button, self.export_button):
            buttons.addWidget(b)
        buttons.addWidget(self.epoch_bar, 1)
        buttons.addWidget(self.batch_bar, 1)
        settings = QWidget()
        col = QVBoxLayout(settings)
        col.addWidget(self.form)
        col.addWidget(self.preview)
        col.addWidget(self.samples)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(settings)
        scroll.setMinimumWidth(380)
        self.tabs = QTabWidget()
        self.tabs.addTab(QWidget(), "Curves")
        self.tabs.addTab(QWidget(), "Evaluation")
        self.tabs.addTab(self.runs_list, "Runs")
        split = QSplitter()
        split.addWidget(scroll)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 2)
        split.setSizes([420, 900])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.strategy_label)
        layout.addWidget(split, 1)
        self._set_state("idle")

    def _wire(self) -> None:
        self.form.edited.connect(self._settings_edited)
        self.form.previewRequested.connect(self.preview_data)
        self.previewReady.connect(self.preview.setText)
        self.previewImages.connect(self._show_samples)
        self.train_button.clicked.connect(self.train)
        self.stop_button.clicked.connect(self.stop)
        self.resume_button.clicked.connect(self.resume)
        self.export_button.clicked.connect(self.export_dialog)
        self.keep_button.clicked.connect(self.keep_weights)
        self.weightsKept.connect(self._weights_kept)
        self.exported.connect(self._exported)
        self.bridge.event.connect(self._on_event)
        self.bridge.prepared.connect(self._prepared)
        self.bridge.prepareFailed.connect(self._failed)
        self.evaluated.connect(self._show_evaluation)
        self.editor.graphReplaced.connect(self.set_graph)
        self.batch_timer = QTimer(self)
        self.batch_timer.setInterval(200)
        self.batch_timer.timeout.connect(self._drain_batches)

    @property
    def plot(self) -> LivePlot:
        if self._plot is None:
            from netbuilder.ui.training.live_plot import LivePlot

            self._plot = LivePlot()
            self._plot.set_previous_runs(self.graph.extra.get("runs") or [])
            self._replace_tab(0, self._plot, "Curves")
        return self._plot

    @property
    def evaluation(self) -> EvaluationView:
        if self._evaluation is None:
            from netbuilder.ui.training.evaluation_view import EvaluationView

            self._evaluation = EvaluationView()
            self._replace_tab(1, self._evaluation, "Evaluation")
        return self._evaluation

    def _replace_tab(self, index: int, widget: QWidget, title: str) -> None:
        current = self.tabs.currentIndex()
        old = self.tabs.widget(index)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, title)
        self.tabs.setCurrentIndex(current)
        old.deleteLater()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._make_plots_when_ready()

    def _make_plots_when_ready(self) -> None:
        """Create the plot widgets once matplotlib has been imported in the
        background (so that showing the panel never waits for the import)."""
        if self._plot is not None:
            return
        if not self._matplotlib_ready.is_set():
            QTimer.singleShot(100, self._make_plots_when_ready)
            return
        self.plot, self.evaluation  # noqa: B018 - create them now

    def _import_matplotlib(self) -> None:
        try:
            import matplotlib.backends.backend_qtagg  # noqa: F401
            import matplotlib.figure  # noqa: F401
        finally:
            self._matplotlib_ready.set()

    def set_graph(self, graph) -> None:
        self.graph = graph
        self.form.set_config(graph.extra.get("training"))
        self._show_runs()
        if self._plot is not None and (self.session is None
                                       or not self.session.running):
            self._plot.runs = []
            self._plot.set_previous_runs(graph.extra.get("runs") or [])

    # ------------------------------------------------------------ settings
    def _settings_edited(self, data: dict) -> None:
        if data == self.graph.extra.get("training"):
            return
        self.editor.stack.push(SetExtraCommand(self.graph, "training", data,
                                               "Change training settings",
                                               merge=True))

    def config(self) -> TrainingConfig | None:
        data = self.graph.extra.get("training") or self.form.config_dict()
        try:
            return TrainingConfig.from_dict(data)
        except TrainingConfigError as exc:
            self._failed("; ".join(exc.problems))
            return None

    def preview_data(self, spec: str) -> None:
        """Load the data in the background and show its shapes and samples."""
        self.preview.setText(f"Loading {spec}…")
        base = self._base_dir()
        split = self.form.validation.value()

        def work() -> None:
            from netbuilder.engine.training.datasets import DataError, load_data

            try:
                data = load_data(spec, base, validation_split=split)
            except DataError as exc:
                self.previewReady.emit(f"<span style='color:#ff6b6b'>{exc}</span>")
                return
            text = data.summary()
            if data.train.y:
                labels = data.train.y[0][:12].reshape(-1)[:12].tolist()
                names = data.class_names
                if names:
                    labels = [names[int(v)] if 0 <= int(v) < len(names) else v
                              for v in labels]
                text += f"<br>first labels: {labels}"
            self.previewReady.emit(text)
            strip = sample_strip(data.train.x[0]) if data.train.x else None
            self.previewImages.emit(strip)

        threading.Thread(target=work, daemon=True).start()

    def _show_samples(self, strip) -> None:
        if strip is None:
            self.samples.clear()
            return
        from PySide6.QtGui import QImage, QPixmap

        height, width, _ = strip.shape
        image = QImage(strip.tobytes(), width, height, 3 * width,
                       QImage.Format_RGB888).copy()
        self.samples.setPixmap(QPixmap.fromImage(image))
        self.samples.setToolTip("The first training samples")

    # ------------------------------------------------------------ running
    def _base_dir(self) -> Path:
        path = getattr(self.document, "path", None)
        return Path(path).parent if path else Path.cwd()

    def _log_dir(self, run_number: int) -> Path:
        path = getattr(self.document, "path", None)
        root = (Path(path).parent / "runs" / Path(path).stem) if path else \
            Path(tempfile.gettempdir()) / "netbuilder-runs"
        return root / f"run-{run_number}"

    def train(self) -> None:
        if self.session is not None and self.session.running:
            return
        config = self.config()
        if config is None:
            return
        run_number = len(self.graph.extra.get("runs") or []) + 1
        self.session = tr.TrainingSession(
            self.graph, config, base_dir=self._base_dir(),
            listener=self.bridge.listener, log_dir=self._log_dir(run_number))
        self._target_epochs = config.epochs
        self.plot.set_previous_runs(self.graph.extra.get("runs") or [])
        logged = ["loss"] + [m for m in config.metrics if isinstance(m, str)]
        if config.validation_split:
            logged += [f"val_{k}" for k in logged]
        self.plot.start_run(f"run-{run_number}", logged)
        self.status.setText("Preparing: loading data and building the model…")
        self._set_state("preparing")
        self.bridge.prepare_in_background(self.session)

    def _prepared(self, session) -> None:
        if session is not self.session:
            return
        self.strategy_label.setText(session.strategy_info.describe(
            session.config.batch_size))
        self._start(self._target_epochs)

    def _start(self, target: int) -> None:
        self.epoch_bar.setRange(0, target)
        self.epoch_bar.setValue(self.session.completed_epochs)
        self._run_started = time.perf_counter()
        self._epochs_at_start = self.session.completed_epochs
        self._set_state("running")
        self.status.setText("Training…")
        self.batch_timer.start()
        self.session.start(target)

    def stop(self) -> None:
        if self.session is not None and self.session.running:
            self.session.stop()
            self.status.setText("Stopping after the current batch…")

    def resume(self) -> None:
        if self.session is None or self.session.running or self.session.model is None:
            return
        config = self.config()
        extra = config.epochs if config else 1
        self._target_epochs = self.session.completed_epochs + extra
        self._start(self._target_epochs)

    # ------------------------------------------------------------ weights
    def keep_weights(self) -> None:
        path = getattr(self.document, "path", None)
        if self.session is None or self.session.model is None:
            self.message.emit("Train the model first.")
            return
        if not path:
            self.message.emit("Save the project first: the weights are kept in a "
                              "file beside it.")
            return
        session = self.session

        def work() -> None:
            try:
                self.weightsKept.emit(tr.keep_weights(session, path))
            except (OSError, tr.TrainingError) as exc:
                self.weightsKept.emit(f"The weights could not be kept: {exc}")

        threading.Thread(target=work, daemon=True).start()

    def _weights_kept(self, result) -> None:
        if isinstance(result, str):
            self._failed(result)
            return
        self.editor.stack.push(SetExtraCommand(self.graph, "weights", result,
                                               "Keep trained weights"))
        self.status.setText(f"Trained weights kept in {result['file']}: exports and "
                            "further training start from them.")

    # ------------------------------------------------------------ export
    EXPORT_FILTERS = {"Keras model (*.keras)": "keras",
                      "TFLite model (*.tflite)": "tflite",
                      "SavedModel folder (*)": "savedmodel"}

    def ask_export_path(self) -> tuple[str, str] | None:
        """(format, path) from a save dialog; tests replace this method."""
        from PySide6.QtWidgets import QFileDialog

        path, chosen = QFileDialog.getSaveFileName(
            self, "Export model", str(self._base_dir() / "model.keras"),
            ";;".join(self.EXPORT_FILTERS))
        if not path:
            return None
        return self.EXPORT_FILTERS.get(chosen, "keras"), path

    def export_dialog(self) -> None:
        if self.session is not None and self.session.running:
            self.message.emit("Stop the training before exporting.")
            return
        choice = self.ask_export_path()
        if choice is None:
            return
        fmt, path = choice
        if fmt == "keras" and not path.endswith(".keras"):
            path += ".keras"
        elif fmt == "tflite" and not path.endswith(".tflite"):
            path += ".tflite"
        self.export_model(fmt, path)

    def export_model(self, fmt: str, path: str) -> None:
        """Export in the background; the trained model if there is one, else
        the model the generated code builds."""
        model = self.session.model if self.session is not None else None
        graph = self.graph.copy()
        sample = None
        if self.session is not None and self.session.dataset is not None \
                and self.session.dataset.train.x:
            sample = [x[:8] for x in self.session.dataset.train.x]
        self.status.setText(f"Exporting {fmt} to {path}…")

        def work() -> None:
            from netbuilder.engine.codegen.execute import build_model
            from netbuilder.engine.keras.export import ExportError, export_verified

            try:
                built = model if model is not None else build_model(graph)
                result = export_verified(built, fmt, path, sample)
            except ExportError as exc:
                self.exported.emit(str(exc), False)
                return
            except Exception as exc:  # report, never crash
                self.exported.emit(f"export to {path} failed: {exc}", False)
                return
            self.exported.emit(str(result).capitalize() + ".", True)

        threading.Thread(target=work, daemon=True).start()

    def _exported(self, message: str, ok: bool) -> None:
        color = "" if ok else " style='color:#ff6b6b'"
        self.status.setText(f"<span{color}>{message}</span>")
        self.message.emit(message)

    # ------------------------------------------------------------ events
    def _drain_batches(self) -> None:
        batches = self.bridge.take_batches()
        if not batches:
            return
        self.plot.add_batches(batches)
        _, epoch, step, steps, logs = batches[-1]
        if steps:
            self.batch_bar.setRange(0, steps)
            self.batch_bar.setValue(step + 1)
        done = self._progress(epoch, step, steps)
        elapsed = time.perf_counter() - self._run_started
        eta = elapsed / done * (1 - done) if done > 0 else math.nan
        rate = logs.get("samples_per_second", 0.0)
        loss = logs.get("loss", math.nan)
        self.status.setText(f"Epoch {epoch + 1}/{self._target_epochs} · loss "
                            f"{loss:.4g} · {rate:,.0f} samples/s · ETA "
                            + (f"{eta:.0f} s" if math.isfinite(eta) else "…"))

    def _progress(self, epoch: int, step: int, steps: int | None) -> float:
        total = self._target_epochs - self._epochs_at_start
        if not steps or total <= 0:
            return 0.0
        return ((epoch - self._epochs_at_start) + (step + 1) / steps) / total

    def _on_event(self, event: tr.TrainingEvent) -> None:
        if event.kind == tr.EPOCH:
            self.plot.add_epoch(event.logs)
            self.epoch_bar.setValue(event.epoch + 1)
        elif event.kind == tr.PREPARED:
            self.preview.setText(event.message)
        elif event.kind in (tr.FINISHED, tr.STOPPED):
            self._drain_batches()
            self.batch_timer.stop()
            self.plot.redraw()
            text = event.message if event.kind == tr.STOPPED else \
                f"Finished: {event.message}."
            self.status.setText(text + " Evaluating…")
            self._set_state("evaluating")
            self._evaluate_in_background()
            if event.kind == tr.STOPPED and "loss became" in event.message:
                self.message.emit(event.message)
        elif event.kind == tr.FAILED:
            self.batch_timer.stop()
            self._failed(event.message)

    def _failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#ff6b6b'>{message}</span>")
        self.message.emit(message)
        self._set_state("stopped" if self.session and self.session.model else "idle")

    def _evaluate_in_background(self) -> None:
        session = self.session

        def work() -> None:
            try:
                result = session.evaluate()
            except Exception as exc:  # report, never crash
                result = {"error": str(exc)}
            self.evaluated.emit(result)

        threading.Thread(target=work, daemon=True).start()

    def _show_evaluation(self, result: dict) -> None:
        if "error" in result:
            self.status.setText(f"Evaluation failed: {result['error']}")
            result = None
        else:
            self.evaluation.show_result(result)
            metrics = ", ".join(f"{k} {v:.4g}" for k, v in result["metrics"].items())
            self.status.setText(f"Done. {result['split'].capitalize()} {metrics}.")
        self._record(result)
        self._set_state("stopped")

    def _record(self, evaluation: dict | None) -> None:
        runs = list(self.graph.extra.get("runs") or [])
        run = {"id": f"run-{len(runs) + 1}", **self.session.record(evaluation)}
        runs.append(run)
        self.editor.stack.push(SetExtraCommand(self.graph, "runs", runs,
                                               f"Record training {run['id']}"))
        self._show_runs()

    def _show_runs(self) -> None:
        self.runs_list.clear()
        for run in self.graph.extra.get("runs") or []:
            final = run.get("final") or {}
            bits = [f"{k} {v:.4g}" for k, v in final.items()
                    if k in ("loss", "accuracy", "val_loss", "val_accuracy")]
            self.runs_list.addItem(f"{run.get('id', '?')} · {run.get('epochs', 0)} "
                                   f"epochs · " + ", ".join(bits))

    def _set_state(self, state: str) -> None:
        running = state in ("preparing", "running", "evaluating")
        self.train_button.setEnabled(not running)
        self.stop_button.setEnabled(state == "running")
        self.resume_button.setEnabled(state == "stopped" and self.session is not None
                                      and self.session.model is not None)
        self.export_button.setEnabled(not running)
        self.keep_button.setEnabled(state == "stopped" and self.session is not None
                                    and self.session.model is not None)
        self.form.set_running(running)
        self.state = state
        self.stateChanged.emit(state)


def sample_strip(x, count: int = 8, size: int = 48):
    """The first ``count`` images of ``x`` (n, h, w, 1|3) side by side as one
    uint8 RGB array, each scaled to ``size`` pixels; None for other data."""
    import numpy as np

    if x.ndim != 4 or x.shape[-1] not in (1, 3) or len(x) == 0:
        return None
    images = np.asarray(x[:count], dtype="float64")
    low, high = float(images.min()), float(images.max())
    images = (images - low) / (high - low or 1.0) * 255
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    h, w = images.shape[1:3]
    rows = (np.arange(size) * h // size)
    cols = (np.arange(size) * w // size)
    tiles = [img[rows][:, cols] for img in images]  # nearest-neighbour resize
    gap = np.full((size, 4, 3), 40.0)
    parts = []
    for tile in tiles:
        parts += [tile, gap]
    return np.ascontiguousarray(np.concatenate(parts[:-1], axis=1).astype("uint8"))
