"""File → Import model…: pick a .keras/.h5/.py file, confirm trust when it
holds code, import with a progress dialog, save the project (and its
weights) beside the model, then open it.

Hook (for the main window's File menu, owned by file_actions/window_menus)::

    from netbuilder.ui.import_model import import_model_dialog
    menu.addAction("Import model…", lambda: import_model_dialog(self))

``window`` must offer ``maybe_save()``, ``open_path(path, ask=False)`` and
``show_message(text)`` (FileActionsMixin does).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog

MODEL_FILTER = ("Keras models (*.keras *.h5 *.hdf5 *.py);;Keras files (*.keras *.h5);;"
                "Python (*.py);;All files (*)")


def _confirm(window, title: str, text: str) -> bool:
    answer = QMessageBox.question(window, title, text,
                                  QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
    return answer == QMessageBox.Yes


def import_model_dialog(window, path: str | None = None,
                        target: str | None = None) -> bool:
    """Run the whole import gesture; returns True when a project was opened."""
    from netbuilder.engine.importer import (
        ImportFailure,
        import_model,
        save_imported,
        unsafe_parts,
    )

    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Import model", "", MODEL_FILTER)
        if not path:
            return False
    if not window.maybe_save():
        return False
    source = Path(path)
    run_python = source.suffix == ".py"
    if run_python and not _confirm(
            window, "Run Python code?",
            f"Importing {source.name} runs it (in a separate process, for at most "
            "60 s). Run it only if you trust it. Run it?"):
        return False
    trust = False
    risky = [] if run_python else unsafe_parts(source)
    if risky:
        if not _confirm(window, "Trust this file?",
                        f"{source.name} contains code that runs when it is loaded: "
                        f"{', '.join(risky[:6])}. Trust this file?"):
            return False
        trust = True
    progress = QProgressDialog(f"Importing {source.name}…", "", 0, 0, window)
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModal)
    progress.setMinimumDuration(300)

    def step(done: int, total: int, message: str) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        progress.setLabelText(f"Importing {source.name}: {message}")
        QApplication.processEvents()

    try:
        result = import_model(source, trust=trust, progress=step,
                              run_python=run_python)
    except ImportFailure as exc:
        progress.close()
        QMessageBox.warning(window, "Cannot import model", str(exc))
        window.show_message(f"Cannot import {source.name}: {exc}")
        return False
    progress.close()
    if target is None:
        suggestion = str(source.with_suffix(".nbproj"))
        target, _ = QFileDialog.getSaveFileName(window, "Save imported project",
                                                suggestion,
                                                "NetBuilder projects (*.nbproj)")
        if not target:
            return False
    if not target.endswith(".nbproj"):
        target += ".nbproj"
    try:
        save_imported(result, target)
    except OSError as exc:
        QMessageBox.warning(window, "Cannot save project", str(exc))
        return False
    opened = window.open_path(target, ask=False)
    if opened and result.weights:
        window.show_message(f"Imported {source.name} with its weights; editing a "
                            "layer gives that layer fresh weights")
    return opened
