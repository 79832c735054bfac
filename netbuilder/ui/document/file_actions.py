"""File menu actions of the main window: new, open, recent, save, examples,
model import, exports, the unsaved-changes prompt and crash recovery (a
mixin)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from netbuilder.ui.canvas.image_export import render_scene
from netbuilder.ui.document import recovery
from netbuilder.ui.document.document import existing_recent
from netbuilder.ui.settings import examples_dir

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
PROJECT_FILTER = "NetBuilder projects (*.nbproj);;All files (*)"


class FileActionsMixin:
    # ------------------------------------------------------------ prompts
    def ask_unsaved(self) -> str:
        """Save / Discard / Cancel. Tests replace this method."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save changes to {self.document.display_name()}?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(QMessageBox.Save | QMessageBox.Discard
                               | QMessageBox.Cancel)
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        return {QMessageBox.Save: SAVE, QMessageBox.Discard: DISCARD}.get(
            QMessageBox.StandardButton(answer), CANCEL)

    def warn(self, title: str, text: str) -> None:
        """A warning box. Tests replace this method."""
        QMessageBox.warning(self, title, text)

    def ask_path(self, title: str, save: bool, filters: str = PROJECT_FILTER,
                 suggestion: str = "") -> str | None:
        """A file dialog. Tests replace this method."""
        if save:
            path, _ = QFileDialog.getSaveFileName(self, title, suggestion, filters)
        else:
            path, _ = QFileDialog.getOpenFileName(self, title, suggestion, filters)
        return path or None

    def confirm(self, title: str, text: str) -> bool:
        """A Yes/No question (No is the default). Tests replace this method."""
        answer = QMessageBox.question(self, title, text,
                                      QMessageBox.Yes | QMessageBox.No,
                                      QMessageBox.No)
        return answer == QMessageBox.Yes

    def ask_restore(self, copy) -> str:
        """Offer one recovery copy: "restore", "discard" or "keep" (ask again
        next time). Tests replace this method."""
        name = Path(copy.original).name if copy.original else "an untitled project"
        when = time.strftime("%H:%M:%S on %d %b", time.localtime(copy.saved_at))
        index, total = getattr(self, "_offering", (1, 1))
        which = f" (copy {index} of {total})" if total > 1 else ""
        box = QMessageBox(QMessageBox.Question, "Restore unsaved work?",
                          f"NetBuilder did not close properly. A recovery copy of "
                          f"{name} from {when} holds unsaved changes{which}.",
                          parent=self)
        restore = box.addButton("Restore", QMessageBox.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.DestructiveRole)
        box.addButton("Ask me next time", QMessageBox.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        return "restore" if clicked is restore else (
            "discard" if clicked is discard else "keep")

    def maybe_save(self) -> bool:
        """True when it is fine to throw the current document away."""
        if not self.document.is_modified():
            return True
        answer = self.ask_unsaved()
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    # ------------------------------------------------------------ file ops
    def new_document(self) -> bool:
        if not self.maybe_save():
            return False
        self.document.new()
        return True

    def open_dialog(self) -> bool:
        path = self.ask_path("Open project", save=False,
                             suggestion=str(Path(self.document.path or ".").parent))
        return self.open_path(path) if path else False

    def open_path(self, path: str, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        ok, reason = self.document.open(path)
        if not ok:
            self.warn("Cannot open project", f"{Path(path).name}: {reason}")
            self.show_message(f"Cannot open {path}: {reason}")
            return False
        self.view.show_graph()
        from netbuilder.ui.document.custom_trust import offer_trust

        offer_trust(self)
        problems = self.document.file_problems
        if problems:
            self.show_message(f"Opened {Path(path).name} with {len(problems)} "
                              "problem(s): see the Problems panel")
            self.problems_dock.show()
            self.problems_dock.raise_()
        elif self.document.example:
            self.show_message(f"Opened the {Path(path).stem} example as an untitled "
                              "copy: Save asks where to keep it")
        else:
            self.show_message(f"Opened {Path(path).name}")
        self._update_recent_menu()
        return True

    def save(self) -> bool:
        if not self.document.path:
            return self.save_as()
        return self._saved(*self.document.save())

    def save_as(self) -> bool:
        path = self.ask_path("Save project as", save=True,
                             suggestion=self.document.suggested_path())
        if not path:
            return False
        return self._saved(*self.document.save(path))

    def _saved(self, ok: bool, reason: str) -> bool:
        """After a save attempt: report a failure, or tidy up after success."""
        if not ok:
            self.warn("Cannot save", reason)
            self.show_message(reason)
            return False
        self.autosaver.remove()
        self.show_message(f"Saved {self.document.display_name()}")
        self._update_recent_menu()
        return True

    def import_model(self, path: str | None = None) -> bool:
        """File → Import model…: a .keras / .h5 / .py model as a project."""
        from netbuilder.ui.document.import_model import import_model_dialog

        ok = import_model_dialog(self, path)
        self._update_recent_menu()
        return ok

    def toggle_custom_trust(self) -> bool:
        """File → Trust Custom Code…"""
        from netbuilder.ui.document.custom_trust import toggle_trust

        return toggle_trust(self)

    def open_example(self, path: str) -> bool:
        """An example opens as an untitled copy (Document.open): saving asks
        for a place outside the installed resources."""
        return self.open_path(path)

    def examples(self) -> list[Path]:
        return sorted(examples_dir().glob("*.nbproj"))

    def _update_recent_menu(self) -> None:
        menu = getattr(self, "recent_menu", None)
        if menu is None:
            return
        menu.clear()
        files = existing_recent()
        for path in files:
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        menu.setEnabled(bool(files))

    # ------------------------------------------------------------ exports
    def export_python(self) -> bool:
        suggestion = str(Path(self.document.path).with_suffix(".py")) \
            if self.document.path else "model.py"
        path = self.ask_path("Export Python", save=True,
                             filters="Python (*.py)", suggestion=suggestion)
        if not path:
            return False
        from netbuilder.ui.panels.code_view import generate

        try:
            text, _lines = generate(self.editor.graph.copy(), self.code_view.flavor)
            Path(path).write_text(text, encoding="utf-8")
        except (OSError, Exception) as exc:  # codegen errors are shown, not raised
            self.show_message(f"Cannot export Python: {exc}")
            return False
        self.show_message(f"Exported {path}")
        return True

    def export_diagram(self) -> bool:
        stem = Path(self.document.path).stem if self.document.path else "diagram"
        path = self.ask_path("Export diagram", save=True,
                             filters="PNG image (*.png);;SVG image (*.svg)",
                             suggestion=f"{stem}.png")
        if not path:
            return False
        if not path.lower().endswith((".png", ".svg")):
            path += ".png"
        try:
            render_scene(self.scene, path)
        except (OSError, ValueError) as exc:
            self.show_message(f"Cannot export diagram: {exc}")
            return False
        self.show_message(f"Exported {path}")
        return True

    # ------------------------------------------------------------ recovery
    def offer_recovery(self) -> bool:
        """Offer every copy left by a crashed NetBuilder, newest first. The
        first one restored opens here, later ones in windows of their own; a
        copy is deleted only when the user discarded it or it was restored
        (and is then kept by its new window's own recovery copy)."""
        restored = False
        copies = recovery.leftover_copies()
        for index, copy in enumerate(copies, start=1):
            self._offering = (index, len(copies))
            answer = self.ask_restore(copy)
            if answer is True or answer == "restore":
                result = recovery.load_copy(copy)
                if result.graph is None:
                    self.show_message(f"The recovery copy {copy.path.name} cannot "
                                      f"be read: {result.fatal_reason}; it is kept")
                    continue
                original = copy.original if copy.original and os.path.exists(
                    copy.original) else None
                target = self.window_for_recovery() if restored else self
                target.document.adopt(result.graph, original, modified=True)
                target.view.fit_graph()
                target.show_message("Restored unsaved work from the recovery copy")
                if target.autosaver.save_now():
                    recovery.discard_copy(copy)
                restored = True
            elif answer is False or answer == "discard":
                recovery.discard_copy(copy)
        return restored

    def window_for_recovery(self):
        """A new window to restore a second recovery copy into."""
        window = type(self)(load_tensorflow=self._load_tensorflow)
        window.show()
        QTimer.singleShot(0, window.start_background_work)
        self.recovered_windows = [*getattr(self, "recovered_windows", []), window]
        return window
