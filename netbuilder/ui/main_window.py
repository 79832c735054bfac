"""The main window: canvas in the middle, dockable Palette, Inspector, Code,
Problems and Model summary panels; menus, toolbar and status bar."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from netbuilder.engine.model.graph import Graph
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.view import GraphView
from netbuilder.ui.document.analysis import Analysis
from netbuilder.ui.document.document import Document
from netbuilder.ui.document.edit_actions import EditActionsMixin
from netbuilder.ui.document.editor import Editor
from netbuilder.ui.document.file_actions import FileActionsMixin
from netbuilder.ui.document.recovery import Autosaver
from netbuilder.ui.panels.code_view import CodeView
from netbuilder.ui.panels.inspector import Inspector
from netbuilder.ui.panels.palette import Palette
from netbuilder.ui.panels.problems import ProblemsPanel
from netbuilder.ui.panels.quick_add import QuickAdd
from netbuilder.ui.panels.summary import SummaryPanel
from netbuilder.ui.settings import settings
from netbuilder.ui.tf_loader import TensorFlowLoader
from netbuilder.ui.training import install_training_dock
from netbuilder.ui.window_menus import build_menus


class MainWindow(FileActionsMixin, EditActionsMixin, QMainWindow):
    def __init__(self, load_tensorflow: bool = True) -> None:
        super().__init__()
        self.setObjectName("NetBuilderMainWindow")
        self.setDockNestingEnabled(True)
        self._picking_from_code = False
        self._errors_seen: set = set()
        self.editor = Editor(Graph("untitled"), self)
        self.document = Document(self.editor, self)
        self.scene = GraphScene(self.editor.graph, self.editor, self)
        self.view = GraphView(self.scene, self)
        self.setCentralWidget(self.view)
        self.quick_add = QuickAdd(self)
        self._build_docks()
        self.analysis = Analysis(self.editor, self)
        self.tf = TensorFlowLoader(self)
        self._build_status()
        build_menus(self)
        install_training_dock(self)
        self._wire()
        from netbuilder.ui.canvas.welcome import WelcomeOverlay

        self.welcome = WelcomeOverlay(self)
        self.autosaver = Autosaver(self.document, parent=self)
        self._restore_layout()
        self._update_title()
        self._update_recent_menu()
        self._load_tensorflow = load_tensorflow

    # ------------------------------------------------------------ layout
    def _dock(self, title: str, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                         | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.palette = Palette(self)
        self.inspector = Inspector(self.editor, self)
        self.code_view = CodeView(self.editor, self)
        self.problems = ProblemsPanel(self)
        self.summary = SummaryPanel(self)
        self.palette_dock = self._dock("Palette", "paletteDock", self.palette,
                                       Qt.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector,
                                         Qt.RightDockWidgetArea)
        self.code_dock = self._dock("Code", "codeDock", self.code_view,
                                    Qt.RightDockWidgetArea)
        self.problems_dock = self._dock("Problems", "problemsDock", self.problems,
                                        Qt.BottomDockWidgetArea)
        self.summary_dock = self._dock("Model summary", "summaryDock", self.summary,
                                       Qt.BottomDockWidgetArea)
        from netbuilder.ui.canvas.minimap import Minimap
        from netbuilder.ui.panels.find_layer import FindBar

        self.minimap = Minimap(self.view, self)
        self.minimap_dock = self._dock("Overview", "overviewDock", self.minimap,
                                       Qt.LeftDockWidgetArea)
        self.find_bar = FindBar(self, self.view)
        self.tabifyDockWidget(self.inspector_dock, self.code_dock)
        self.tabifyDockWidget(self.problems_dock, self.summary_dock)
        self.inspector_dock.raise_()
        self.problems_dock.raise_()
        self.resizeDocks([self.palette_dock, self.inspector_dock], [210, 340],
                         Qt.Horizontal)
        self.resizeDocks([self.minimap_dock], [170], Qt.Vertical)
        self.resizeDocks([self.problems_dock], [150], Qt.Vertical)

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.problem_label = QLabel("")
        self.zoom_label = QLabel("100%")
        self.tf_label = QLabel("Loading TensorFlow…")
        bar.addPermanentWidget(self.problem_label)
        bar.addPermanentWidget(self.zoom_label)
        bar.addPermanentWidget(self.tf_label)

    def _wire(self) -> None:
        ed = self.editor
        ed.message.connect(self.show_message)
        ed.graphReplaced.connect(self._graph_replaced)
        ed.stack.indexChanged.connect(self._update_title)
        ed.stack.indexChanged.connect(lambda *_: self.sync_direction_actions())
        self.document.changed.connect(self._update_title)
        self.document.problemsLoaded.connect(self.problems.set_file_problems)
        self.scene.message.connect(self.show_message)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.wireDropped.connect(self._wire_dropped)
        self.view.dropLayer.connect(self.add_layer_at)
        self.view.quickAddRequested.connect(self.open_quick_add)
        self.view.zoomChanged.connect(
            lambda z: self.zoom_label.setText(f"{round(z * 100)}%"))
        self.quick_add.chosen.connect(self._quick_chosen)
        self.palette.addRequested.connect(self.add_layer_from_palette)
        self.problems.nodeActivated.connect(self.reveal_node)
        self.summary.nodeActivated.connect(self.reveal_node)
        self.code_view.nodeClicked.connect(self._node_clicked_in_code)
        self.code_view.exportRequested.connect(self.export_python)
        self.analysis.diagnosticsChanged.connect(self._diagnostics_changed)
        self.analysis.infoChanged.connect(self._info_changed)
        self.tf.loaded.connect(self._tf_loaded)
        self.tf.failed.connect(self._tf_failed)
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(200)
        self._summary_timer.timeout.connect(self._refresh_summary)

    def start_background_work(self) -> None:
        """Called once the window is shown: load TensorFlow off the UI thread."""
        if self._load_tensorflow:
            self.tf.start()

    # ------------------------------------------------------------ reactions
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _graph_replaced(self, graph) -> None:
        self.scene.set_graph(graph)
        self.sync_direction_actions()
        self._selection_changed()
        self._summary_timer.start()

    def _update_title(self, *_args) -> None:
        modified = self.document.is_modified()
        self.setWindowTitle(f"{self.document.display_name()}[*] — NetBuilder")
        self.setWindowModified(modified)
        if hasattr(self, "save_action"):
            self.save_action.setEnabled(True)

    def _selection_changed(self) -> None:
        ids = self.scene.selected_node_ids()
        self.inspector.show_nodes(ids)
        self.code_view.highlight_nodes(ids)
        # A layer picked on the canvas is edited in the Inspector: bring it
        # in front of the Code tab (not when the pick came from the code).
        if ids and not self._picking_from_code and self.inspector_dock.isVisible():
            self.inspector_dock.raise_()

    def _node_clicked_in_code(self, node_id: str) -> None:
        self._picking_from_code = True
        try:
            self.reveal_node(node_id)
        finally:
            self._picking_from_code = False

    def reveal_node(self, node_id: str) -> None:
        item = self.scene.nodes.get(node_id)
        if item is None:
            return
        self.scene.select_nodes([node_id])
        self.view.centerOn(item)

    def _diagnostics_changed(self, diagnostics) -> None:
        graph = self.editor.graph
        names = {nid: n.name for nid, n in graph.nodes.items()}
        self.problems.set_diagnostics(diagnostics, names)
        by_node: dict = {}
        for d in diagnostics:
            if not d.node:
                continue
            sev, text, ports = by_node.get(d.node, (None, "", set()))
            if d.severity == "error" or sev is None:
                sev = d.severity if sev != "error" else sev
            line = d.message + (f"<br><i>{d.hint}</i>" if d.hint else "")
            text = f"{text}<br>{line}" if text else line
            if d.severity == "error" and d.port is not None:
                ports = set(ports) | {d.port}
            by_node[d.node] = (sev, text, ports)
        self.scene.apply_problems(by_node)
        errors, warnings = self.problems.counts()
        self.problem_label.setText(problem_counts_html(errors, warnings))
        # A new error brings the Problems list forward (once per new error,
        # not on every analysis).
        keys = {(d.node, d.message) for d in diagnostics if d.severity == "error"}
        if keys - self._errors_seen and self.problems_dock.isVisible():
            self.problems_dock.raise_()
        self._errors_seen = keys

    def _info_changed(self, info: dict) -> None:
        self.scene.apply_shapes({nid: i.output_shapes for nid, i in info.items()})
        self.inspector.set_info(info)
        self._summary_timer.start()

    def _refresh_summary(self) -> None:
        self.summary.update_summary(self.editor.graph, self.analysis.info)

    def _tf_loaded(self, devices: list) -> None:
        self.tf_label.setText("TensorFlow ready · " + (", ".join(devices) or "CPU"))
        self.analysis.set_keras_ready()

    def _tf_failed(self, reason: str) -> None:
        self.tf_label.setText("TensorFlow unavailable")
        self.tf_label.setToolTip(reason)
        self.show_message(reason)

    # ------------------------------------------------------------ settings
    def _restore_layout(self) -> None:
        s = settings()
        geometry = s.value("window/geometry")
        state = s.value("window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._first_start_geometry()
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        flavor = s.value("code/flavor")
        if flavor in ("tf-keras", "keras"):
            self.code_view.set_flavor(flavor)

    def _first_start_geometry(self) -> None:
        """First start: the whole available screen, the side docks narrow and
        the bottom docks low, so that the canvas gets most of the room."""
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is None or screen.width() < 800:
            self.resize(1400, 860)
            return
        self.setGeometry(screen)
        self.resizeDocks([self.palette_dock, self.inspector_dock],
                         [max(200, screen.width() // 8), max(320, screen.width() // 5)],
                         Qt.Horizontal)
        self.resizeDocks([self.problems_dock], [max(140, screen.height() // 6)],
                         Qt.Vertical)

    def save_layout(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("code/flavor", self.code_view.flavor)
        s.sync()

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self.autosaver.stop()
        self.scene.detach()
        event.accept()

    def shortcut(self, action: QAction, keys) -> None:
        if isinstance(keys, (list, tuple)):
            action.setShortcuts([QKeySequence(k) for k in keys])
        else:
            action.setShortcut(QKeySequence(keys))


def problem_counts_html(errors: int, warnings: int) -> str:
    """The status bar's counts: red only when there are errors, amber only
    when there are warnings."""
    def part(count: int, noun: str, colour: str) -> str:
        text = f"{count} {noun}{'s' * (count != 1)}"
        return f"<span style='color:{colour}'>{text}</span>" if count else text

    return f"{part(errors, 'error', '#ff6b6b')}, {part(warnings, 'warning', '#f0a030')}"
