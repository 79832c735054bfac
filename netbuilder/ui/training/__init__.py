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
    from netbuilder.ui.training import state as st

    actions = {}
    for name, text, keys, slot in (
            (st.TRAIN, "&Train", "F5",
             lambda: (dock.show(), dock.raise_(), give_room(), panel.train())),
            (st.STOP, "&Stop Training", "Shift+F5", panel.stop),
            (st.RESUME, "&Resume Training", None, panel.resume),
            (st.KEEP, "&Keep Trained Weights", None, panel.keep_weights),
            (st.EXPORT, "&Export Model…", "Ctrl+Shift+E", panel.export_dialog)):
        action = QAction(text, window)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False, slot=slot: slot())
        # the dock's one state machine enables menu actions and buttons alike
        panel.machine.bind(name, action)
        menu.addAction(action)
        actions[name] = action
    actions[st.EXPORT].setStatusTip("Export the model as a SavedModel, .keras or "
                                    "TFLite file, verified after writing")
    window.run_actions = actions
    window.export_model_action = actions[st.EXPORT]
    file_export = getattr(window, "export_menu", None)
    if file_export is not None:  # File -> Export -> Model too (one action)
        file_export.insertAction(file_export.actions()[0] if file_export.actions()
                                 else None, actions[st.EXPORT])
    menu.addSeparator()
    menu.addAction(dock.toggleViewAction())
    window.training_panel = panel
    window.training_dock = dock
    return dock
