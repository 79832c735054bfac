"""Keeps diagnostics and shapes current: structural checks at once after an
edit (debounced), Keras shape inference on a worker thread once TensorFlow
has loaded; results are applied on the UI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from netbuilder.engine.model import events as ev
from netbuilder.ui.background import run_in_thread

try:  # the engine's analysis modules
    from netbuilder.engine.analysis.diagnostics import structural_diagnostics
except ImportError:  # pragma: no cover - older engine
    structural_diagnostics = None
try:
    from netbuilder.engine.analysis.shapes import ShapeInference
except ImportError:  # pragma: no cover
    ShapeInference = None

DEBOUNCE_MS = 120


class Analysis(QObject):
    diagnosticsChanged = Signal(list)   # Diagnostic list
    infoChanged = Signal(dict)          # node id -> NodeInfo
    busyChanged = Signal(bool)

    def __init__(self, editor, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.keras_ready = False
        self.diagnostics: list = []
        self.info: dict = {}
        self._inference = None
        self._unsubscribe = None
        self._running = False
        self._pending = False
        self._generation = 0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.run_now)
        editor.graphReplaced.connect(self._attach)
        self._attach(editor.graph)

    def _attach(self, graph) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        if self._inference is not None:
            self._inference.close()
            self._inference = None
        self._generation += 1
        self.info = {}
        # Shapes and diagnostics follow the nodes and edges, not project fields.
        self._unsubscribe = graph.events.subscribe(self._on_event, *ev.GRAPH_EDITS)
        if self.keras_ready and ShapeInference is not None:
            self._inference = ShapeInference(graph)
        self.infoChanged.emit({})
        self.run_now()

    def _on_event(self, _event) -> None:
        self._generation += 1
        self.timer.start()

    def invalidate(self) -> None:
        """Infer everything again (the project's custom code was trusted or
        no longer is)."""
        if self._inference is not None:
            self._inference.invalidate_all()
        self._generation += 1
        self.run_now()

    def set_keras_ready(self) -> None:
        self.keras_ready = True
        if ShapeInference is not None and self._inference is None:
            self._inference = ShapeInference(self.editor.graph)
        self.run_now()

    def run_now(self) -> None:
        self.timer.stop()
        graph = self.editor.graph
        if structural_diagnostics is not None:
            self.diagnostics = structural_diagnostics(graph)
            self.diagnosticsChanged.emit(self.diagnostics)
        if self._inference is None:
            return
        if self._running:
            self._pending = True
            return
        self._running = True
        self.busyChanged.emit(True)
        snapshot = graph.copy()
        inference, generation = self._inference, self._generation
        run_in_thread(lambda: inference.run(snapshot),
                      lambda report, error: self._finished(inference, generation,
                                                           report, error), self)

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """For tests and headless rendering: block until results are current."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop

        deadline = QDeadlineTimer(timeout_ms)
        while (self._running or self._pending or self.timer.isActive()) \
                and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.AllEvents, 50)
        return not (self._running or self._pending)

    def _finished(self, inference, generation, report, error) -> None:
        self._running = False
        self.busyChanged.emit(False)
        if inference is self._inference and error is None and report is not None:
            self.info = dict(report.info)
            self.diagnostics = list(report.diagnostics)
            self.infoChanged.emit(self.info)
            self.diagnosticsChanged.emit(self.diagnostics)
        elif error is not None:
            self.editor.message.emit(f"Shape inference failed: {error}")
        if self._pending or generation != self._generation:
            self._pending = False
            self.run_now()
