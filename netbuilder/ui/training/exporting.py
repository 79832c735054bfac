"""Exporting the model from the Training dock: the save dialog (whose file
name follows the chosen format) and the verified export in the background."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from netbuilder.ui.training import state as st

# dialog filter -> export format
EXPORT_FILTERS = {"Keras model (*.keras)": "keras",
                  "SavedModel folder (*)": "savedmodel",
                  "TFLite model (*.tflite)": "tflite"}
SUFFIXES = {"keras": ".keras", "tflite": ".tflite", "savedmodel": ""}


def name_for_format(name: str, fmt: str) -> str:
    """``name`` with the suffix of ``fmt`` (a SavedModel is a folder: no
    suffix), e.g. ``model.keras`` -> ``model`` for SavedModel."""
    stem = name
    for suffix in SUFFIXES.values():
        if suffix and stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    return (stem or "model") + SUFFIXES.get(fmt, "")


class ExportFileDialog(QFileDialog):
    """A save dialog for models; choosing a format renames the file to fit
    it (Qt's own dialog, so that this works on every platform)."""

    def __init__(self, parent, folder: Path, name: str = "model") -> None:
        super().__init__(parent, "Export model", str(folder))
        self.setOption(QFileDialog.DontUseNativeDialog, True)
        self.setAcceptMode(QFileDialog.AcceptSave)
        self.setFileMode(QFileDialog.AnyFile)
        self.setNameFilters(list(EXPORT_FILTERS))
        self.selectNameFilter(next(iter(EXPORT_FILTERS)))
        self._name = name_for_format(name, "keras")
        self.selectFile(self._name)
        from PySide6.QtWidgets import QComboBox

        combo = self.findChild(QComboBox, "fileTypeCombo")
        if combo is not None:  # whether the user or the code picks a format
            combo.currentTextChanged.connect(self.format_chosen)
        else:
            self.filterSelected.connect(self.format_chosen)

    def current_format(self) -> str:
        return EXPORT_FILTERS.get(self.selectedNameFilter(), "keras")

    def _name_edit(self):
        from PySide6.QtWidgets import QLineEdit

        return self.findChild(QLineEdit, "fileNameEdit")

    def current_name(self) -> str:
        edit = self._name_edit()
        return edit.text() if edit is not None else self._name

    def format_chosen(self, name_filter: str) -> None:
        fmt = EXPORT_FILTERS.get(name_filter, "keras")
        self._name = name_for_format(Path(self.current_name()).name, fmt)
        edit = self._name_edit()
        if edit is not None:
            # (selectFile leaves the field alone while it has the focus)
            edit.setText(self._name)
        else:
            self.selectFile(self._name)

    def choice(self) -> tuple[str, str] | None:
        files = self.selectedFiles()
        if not files:
            return None
        fmt = self.current_format()
        path = Path(files[0])
        return fmt, str(path.with_name(name_for_format(path.name, fmt)))


class ExportMixin:
    """The Training panel's export: the trained model when the session has
    one, else the model the project builds; verified after writing."""

    def ask_export_path(self) -> tuple[str, str] | None:
        """(format, path) from a save dialog; tests replace this method."""
        dialog = ExportFileDialog(self, self._base_dir(), self.graph.name or "model")
        self.export_file_dialog = dialog
        if not dialog.exec():
            return None
        return dialog.choice()

    def export_dialog(self) -> None:
        if not self.machine.allows(st.EXPORT):
            self.message.emit(self._refusal("export"))
            return
        choice = self.ask_export_path()
        if choice is None:
            return
        fmt, path = choice
        self.export_model(fmt, str(Path(path).with_name(
            name_for_format(Path(path).name, fmt))))

    def export_model(self, fmt: str, path: str) -> None:
        """Export in the background; the trained model if there is one, else
        the model the generated code builds. A trained model is checked
        against the model the current project builds first."""
        if not self.machine.allows(st.EXPORT):
            self.message.emit(self._refusal("export"))
            return
        session = self.session
        model = session.model if session is not None else None
        graph = self.graph.copy()
        sample = None
        if session is not None and session.dataset is not None \
                and session.dataset.train.x:
            sample = [x[:8] for x in session.dataset.train.x]
        token = self._token
        back = self.machine.state
        self.machine.set(st.EXPORTING)
        self.status.setText(f"Exporting {fmt} to {path}…")

        def work() -> None:
            from netbuilder.engine.codegen.execute import build
            from netbuilder.engine.keras.export import ExportError, export_verified

            try:
                current = build(graph)  # the project's graph and kept weights
                reference = current.model
                built = model if model is not None else reference
                result = export_verified(built, fmt, path, sample,
                                         reference=reference)
            except ExportError as exc:
                self.exported.emit(token, back, str(exc), False)
                return
            except Exception as exc:  # report, never crash
                self.exported.emit(token, back, f"export to {path} failed: {exc}",
                                   False)
                return
            notes = [n for n in current.weights_notes if n.startswith("fresh")]
            extra = "".join(f" {n[0].upper()}{n[1:]}." for n in notes) \
                if model is None else ""
            self.exported.emit(token, back, str(result).capitalize() + "." + extra,
                               True)

        threading.Thread(target=work, name="netbuilder-export", daemon=True).start()

    def _exported(self, token: int, back: str, message: str, ok: bool) -> None:
        self.message.emit(message)
        if token != self._token:  # another project is open now
            return
        color = "" if ok else " style='color:#ff6b6b'"
        self.status.setText(f"<span{color}>{message}</span>")
        self.machine.set(back)
