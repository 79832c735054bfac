"""The Training dock: settings, Train / Stop / Resume, progress with ETA and
samples/s, live curves, evaluation and the project's recorded runs.

Training runs in TrainingSession's worker thread; the UI only reacts to its
events (see :mod:`bridge`). Settings edits and recorded runs change the
project through undo commands. What the dock may do in each state is decided
in one place, :mod:`state`; running is in :mod:`runner`, exporting in
:mod:`exporting`. A session belongs to one project: opening another project
lets it go (see :meth:`TrainingPanel.set_graph`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
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
from netbuilder.ui.panels.escape import restore_on_escape
from netbuilder.ui.training import state as st
from netbuilder.ui.training.bridge import SessionBridge
from netbuilder.ui.training.commands import SetExtraCommand
from netbuilder.ui.training.config_form import ConfigForm
from netbuilder.ui.training.exporting import ExportMixin
from netbuilder.ui.training.failure_details import FailureDetails
from netbuilder.ui.training.runner import RunnerMixin

if TYPE_CHECKING:
    from netbuilder.ui.training.evaluation_view import EvaluationView
    from netbuilder.ui.training.live_plot import LivePlot


class TrainingPanel(RunnerMixin, ExportMixin, QWidget):
    message = Signal(str)
    stateChanged = Signal(str)  # one of the states in :mod:`state`
    exported = Signal(int, str, str, bool)  # token, state to go back to, message, ok
    weightsKept = Signal(int, object)  # token; the "weights" field, or a message
    evaluated = Signal(object, dict)  # the session, its evaluation
    previewReady = Signal(str)
    previewImages = Signal(object)  # a uint8 RGB strip of sample images

    def __init__(self, editor, document=None, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.document = document
        self.session: tr.TrainingSession | None = None
        self.bridge: SessionBridge | None = None
        self.machine = st.DockState(self)
        self.run_id = ""
        self._ended = ""
        self._token = 0  # changes when another project is opened
        self._failure_shown = False
        self._unsubscribe = None
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
        self._run_started = 0.0
        self._target_epochs = 0
        self._epochs_at_start = 0
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
        scroll = self.settings_scroll = QScrollArea()
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
        # The dock shares the bottom area with Problems: it may be low at
        # start (the canvas gets the room) and grows when brought forward.
        for widget in (scroll, self.tabs, self.runs_list):
            widget.setMinimumHeight(24)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.failure_details = FailureDetails(self)
        layout.addWidget(self.failure_details)
        layout.addWidget(self.strategy_label)
        layout.addWidget(split, 1)
        for action, button in ((st.TRAIN, self.train_button),
                               (st.STOP, self.stop_button),
                               (st.RESUME, self.resume_button),
                               (st.KEEP, self.keep_button),
                               (st.EXPORT, self.export_button)):
            self.machine.bind(action, button)
        self.machine.changed.connect(self._state_changed)

    def _wire(self) -> None:
        self.form.edited.connect(self._settings_edited)
        self.form.previewRequested.connect(self.preview_data)
        # Escape in a settings field shows the project's settings again
        restore_on_escape(self.form, lambda: self.form.set_config(
            self.graph.extra.get("training")))
        self.previewReady.connect(self.preview.setText)
        self.previewImages.connect(self._show_samples)
        self.train_button.clicked.connect(self.train)
        self.stop_button.clicked.connect(self.stop)
        self.resume_button.clicked.connect(self.resume)
        self.export_button.clicked.connect(self.export_dialog)
        self.keep_button.clicked.connect(self.keep_weights)
        self.weightsKept.connect(self._weights_kept)
        self.exported.connect(self._exported)
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
        """Show ``graph``'s settings and runs. Another project lets the
        session go: a running training is stopped and forgotten, the curves
        and the evaluation are cleared, and Resume, Keep weights and Export
        no longer act on the old model."""
        if getattr(self, "graph", None) is not graph:
            self._let_session_go()
        self.graph = graph
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = graph.events.subscribe(self._graph_edited)
        self.form.set_config(graph.extra.get("training"))
        self._show_runs()
        if self._plot is not None and self.session is None:
            self._plot.runs = []
            self._plot.set_previous_runs(graph.extra.get("runs") or [])

    def _let_session_go(self) -> None:
        session, self.session = self.session, None
        self._token += 1
        if session is not None and session.running:
            session.stop()
        if self.bridge is not None:
            self._new_bridge()  # the old session's events go nowhere
        self.batch_timer.stop()
        self.run_id = ""
        if self._evaluation is not None:
            self._evaluation.clear()
        self.epoch_bar.reset()
        self.batch_bar.reset()
        self.strategy_label.clear()
        self.status.setText("Ready.")
        self._failure_shown = False
        self.machine.set(st.IDLE)

    def _graph_edited(self, event) -> None:
        # A message about why training could not start (say, data that did
        # not fit the model) is stale once the model changes.
        if not getattr(event, "changes_model", True):
            return
        if self._failure_shown and not self.machine.busy:
            self._failure_shown = False
            self.status.setText("The model changed: press Train to check it "
                                "against the data again.")

    def _state_changed(self, state: str) -> None:
        self.form.set_running(state in (st.PREPARING, st.RUNNING, st.EVALUATING))
        self.stateChanged.emit(state)

    @property
    def state(self) -> str:
        return self.machine.state

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
        shape = tr.image_shape(self.graph)

        def work() -> None:
            from netbuilder.engine.training.datasets import DataError, load_data

            try:
                data = load_data(spec, base, validation_split=split,
                                 image_shape=shape)
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

    # ------------------------------------------------------------ weights
    def keep_weights(self) -> None:
        path = getattr(self.document, "path", None)
        if not self.machine.allows(st.KEEP):
            self.message.emit(self._refusal("keep the weights"))
            return
        if not path:
            self.message.emit("Save the project first: the weights are kept in a "
                              "file beside it.")
            return
        session, token = self.session, self._token
        self.machine.set(st.KEEPING)

        def work() -> None:
            try:
                self.weightsKept.emit(token, tr.keep_weights(session, path))
            except (OSError, tr.TrainingError) as exc:
                self.weightsKept.emit(token, f"The weights could not be kept: {exc}")

        threading.Thread(target=work, name="netbuilder-keep", daemon=True).start()

    def _weights_kept(self, token: int, result) -> None:
        if token != self._token:  # another project is open now
            return
        self.machine.set(st.STOPPED)
        if isinstance(result, str):
            self._failed(result)
            return
        self.editor.stack.push(SetExtraCommand(self.graph, "weights", result,
                                               "Keep trained weights"))
        self.status.setText(f"Trained weights kept in {result['file']}: exports and "
                            "further training start from them.")


def sample_strip(x, count: int = 7, size: int = 40):
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
