"""Start the desktop app: ``netbuilder [FILE]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from netbuilder.ui.settings import style_dir


def make_application(argv=None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv or sys.argv[:1]))
        app.setApplicationName("NetBuilder")
        app.setOrganizationName("NetBuilder")
        app.setStyle("Fusion")
        apply_style(app)
    return app


def apply_style(app) -> None:
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette()
    colours = {
        QPalette.Window: "#2b2f35", QPalette.WindowText: "#e6e9ee",
        QPalette.Base: "#212428", QPalette.AlternateBase: "#272a30",
        QPalette.Text: "#e6e9ee", QPalette.Button: "#343941",
        QPalette.ButtonText: "#e6e9ee", QPalette.Highlight: "#3f7fbf",
        QPalette.HighlightedText: "#ffffff", QPalette.ToolTipBase: "#1d1f23",
        QPalette.ToolTipText: "#e6e9ee", QPalette.PlaceholderText: "#7f8894",
        QPalette.Link: "#6fb3ff",
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.Disabled, QPalette.Text, QColor("#6b727c"))
    pal.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#6b727c"))
    app.setPalette(pal)
    qss = style_dir() / "app.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text("utf-8"))


def create_window(path: str | None = None, load_tensorflow: bool = True,
                  offer_recovery: bool = True):
    """Build the main window and open ``path`` (or an empty project)."""
    from netbuilder.ui.main_window import MainWindow

    window = MainWindow(load_tensorflow=load_tensorflow)
    restored = window.offer_recovery() if offer_recovery else False
    if path and not restored:
        if not Path(path).exists():
            window.show_message(f"{path} does not exist; starting a new project")
        else:
            window.open_path(path, ask=False)
    return window


def run_app(path: str | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    app = make_application()
    window = create_window(path)
    window.show()
    QTimer.singleShot(0, window.view.show_graph)
    QTimer.singleShot(0, window.start_background_work)
    return app.exec()
