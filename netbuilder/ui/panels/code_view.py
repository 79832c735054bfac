"""The code view: the generated Python for the current graph, updated
(debounced, off the UI thread) after every edit; flavor switch, Copy and
Export. Selecting a node highlights its lines; clicking a layer line
selects its node."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from netbuilder.ui.background import run_in_thread
from netbuilder.ui.panels.highlighter import PythonHighlighter

try:
    from netbuilder.engine.codegen import module as _codegen
except ImportError:  # pragma: no cover - engine part not there yet
    _codegen = None

DEBOUNCE_MS = 250


def generate(graph, flavor: str) -> tuple[str, dict]:
    """(code text, node id -> (first line, last line), 1-based inclusive)."""
    global _codegen
    if _codegen is None:
        try:
            from netbuilder.engine.codegen import module
            _codegen = module
        except ImportError:
            return ("# Code generation is not available in this build.\n", {})
    if hasattr(_codegen, "generate"):  # GeneratedCode with node_lines
        result = _codegen.generate(graph, flavor)
    else:
        result = _codegen.generate_code(graph, flavor=flavor)
    text, lines = _split_result(result)
    return text, _normalise_lines(lines)


def _split_result(result):
    if isinstance(result, str):
        return result, {}
    if isinstance(result, tuple):
        return result[0], (result[1] if len(result) > 1 else {})
    text = getattr(result, "text", None) or getattr(result, "code", None) or str(result)
    lines = (getattr(result, "lines", None) or getattr(result, "line_map", None)
             or getattr(result, "node_lines", None) or {})
    return text, lines


def _normalise_lines(lines) -> dict:
    out = {}
    for nid, span in dict(lines or {}).items():
        if isinstance(span, int):
            out[nid] = (span, span)
        elif isinstance(span, range):
            out[nid] = (span.start, max(span.start, span.stop - 1))
        elif isinstance(span, (tuple, list)) and len(span) == 2:
            out[nid] = (int(span[0]), int(span[1]))
    return out


class CodeView(QWidget):
    nodeClicked = Signal(str)
    exportRequested = Signal()

    def __init__(self, editor, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.flavor = "tf-keras"
        self.lines: dict = {}
        self.text = ""
        self._running = False
        self._pending = False
        self._unsubscribe = None
        self._selected: list[str] = []
        self.flavor_box = QComboBox()
        self.flavor_box.addItems(["tf-keras", "keras"])
        self.flavor_box.setToolTip("import style: tensorflow.keras or standalone keras")
        copy_button = QPushButton("Copy")
        export_button = QPushButton("Export Python…")
        self.status = QLabel("")
        self.status.setStyleSheet("color: #f0a030;")
        # on its own line, wrapped: a long reason is read in full, not clipped
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.status.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel("Flavor"))
        top.addWidget(self.flavor_box)
        top.addStretch(1)
        top.addWidget(copy_button)
        top.addWidget(export_button)
        self.edit = QPlainTextEdit()
        self.edit.setReadOnly(True)
        # long lines wrap at the panel's width: no sideways scrolling
        self.edit.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setStyleHint(QFont.Monospace)
        self.edit.setFont(font)
        self.highlighter = PythonHighlighter(self.edit.document())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.edit)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.regenerate)
        self.flavor_box.currentTextChanged.connect(self.set_flavor)
        copy_button.clicked.connect(self.copy)
        export_button.clicked.connect(self.exportRequested)
        self.edit.cursorPositionChanged.connect(self._cursor_moved)
        editor.graphReplaced.connect(self._attach)
        self._attach(editor.graph)

    def _attach(self, graph) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        self._unsubscribe = graph.events.subscribe(self._graph_changed)
        self.regenerate()

    def _graph_changed(self, event) -> None:
        if event.changes_model:  # recording a training run changes no code
            self.timer.start()

    def set_flavor(self, flavor: str) -> None:
        self.flavor = flavor
        if self.flavor_box.currentText() != flavor:
            self.flavor_box.setCurrentText(flavor)
        self.regenerate()

    def regenerate(self) -> None:
        self.timer.stop()
        if self._running:
            self._pending = True
            return
        self._running = True
        snapshot, flavor = self.editor.graph.copy(), self.flavor
        run_in_thread(lambda: generate(snapshot, flavor), self._generated)

    def is_idle(self) -> bool:
        return not (self._running or self._pending or self.timer.isActive())

    def _generated(self, result, error) -> None:
        self._running = False
        if error is not None:
            self.status.setText(f"Not runnable yet: {error}")
            self.status.setToolTip(str(error))
            self.status.show()
        else:
            text, lines = result
            self.status.setText("")
            self.status.hide()
            if text != self.text:
                bar = self.edit.verticalScrollBar().value()
                self.text, self.lines = text, lines
                self.edit.blockSignals(True)
                self.edit.setPlainText(text)
                self.edit.blockSignals(False)
                self.edit.verticalScrollBar().setValue(bar)
            else:
                self.lines = lines
            self.highlight_nodes(self._selected, scroll=False)
        if self._pending:
            self._pending = False
            self.regenerate()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)

    # ------------------------------------------------------------ node <-> line
    def highlight_nodes(self, node_ids, scroll: bool = True) -> None:
        self._selected = list(node_ids)
        selections = []
        doc = self.edit.document()
        first_block = None
        for nid in node_ids:
            span = self.lines.get(nid)
            if not span:
                continue
            for line in range(span[0], span[1] + 1):
                block = doc.findBlockByNumber(line - 1)  # (not visual lines)
                if not block.isValid():
                    continue
                sel = QTextEdit.ExtraSelection()
                sel.format.setBackground(QColor(245, 215, 110, 60))
                sel.format.setProperty(QTextFormat.FullWidthSelection, True)
                sel.cursor = QTextCursor(block)
                selections.append(sel)
                if first_block is None:
                    first_block = block
        self.edit.setExtraSelections(selections)
        if scroll and first_block is not None:
            self.edit.blockSignals(True)
            cursor = QTextCursor(first_block)
            self.edit.setTextCursor(cursor)
            self.edit.centerCursor()
            self.edit.blockSignals(False)

    def node_at_line(self, line: int) -> str | None:
        for nid, (a, b) in self.lines.items():
            if a <= line <= b:
                return nid
        return None

    def _cursor_moved(self) -> None:
        line = self.edit.textCursor().blockNumber() + 1
        nid = self.node_at_line(line)
        if nid is not None and nid not in self._selected:
            self.nodeClicked.emit(nid)
