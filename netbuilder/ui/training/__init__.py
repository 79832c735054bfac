"""The Training dock: settings, live curves, evaluation and runs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu


def install_training_dock(window) -> QDockWidget:
    """Add the Training dock and a Run menu (Train F5, Stop Shift+F5) to the
    main window."""
    from netbuilder.ui.training.panel import TrainingPanel

    panel = TrainingPanel(window.editor, window.document, window)
    dock = QDockWidget("Training", window)
    dock.setObjectName("trainingDock")
    dock.setWidget(panel)
    dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                     | QDockWidget.DockWidgetFloatable)
    window.addDockWidget(Qt.BottomDockWidgetArea, dock)

    def give_room(*_args) -> None:
        # The bottom area is sized for the Problems list; curves need more.
        # Only when the user brings the Training tab up, never at start-up.
        if not dock.isFloating() and dock.height() < 380:
            window.resizeDocks([dock], [460], Qt.Vertical)

    window.tabifiedDockWidgetActivated.connect(
        lambda activated: give_room() if activated is dock else None)
    problems = getattr(window, "problems_dock", None)
    if problems is not None:
        window.tabifyDockWidget(problems, dock)
        problems.raise_()
    panel.message.connect(window.show_message)
    bar = window.menuBar()
    help_action = next((a for a in bar.actions()
                        if a.text().replace("&", "") == "Help"), None)
    menu = QMenu("&Run", bar)
    if help_action is not None:
        bar.insertMenu(help_action, menu)  # Help stays last
    else:
        bar.addMenu(menu)
    train = QAction("&Train", window)
    train.setShortcut(QKeySequence("F5"))
    train.triggered.connect(lambda: (dock.show(), dock.raise_(), give_room(),
                                     panel.train()))
    stop = QAction("&Stop training", window)
    stop.setShortcut(QKeySequence("Shift+F5"))
    stop.triggered.connect(panel.stop)
    resume = QAction("&Resume training", window)
    resume.triggered.connect(panel.resume)
    export = QAction("&Export model…", window)
    export.setShortcut(QKeySequence("Ctrl+Shift+E"))
    export.triggered.connect(panel.export_dialog)
    for action in (train, stop, resume, export):
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(dock.toggleViewAction())
    window.training_panel = panel
    window.training_dock = dock
    return dock
