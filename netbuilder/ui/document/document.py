"""The open document: its graph, file path and modified state, plus the
file operations (new, open, save, save as, recent files)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import load_project, save_project
from netbuilder.ui.document.scratch import ScratchFolder, is_installed_resource
from netbuilder.ui.settings import settings

MAX_RECENT = 10


class Document(QObject):
    changed = Signal()            # path or modified state changed
    problemsLoaded = Signal(list)  # problems found in the project file

    def __init__(self, editor, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.path: str | None = None
        self.file_problems: list = []
        # An example opened as an untitled copy: the file it came from.
        self.example: str | None = None
        # Training logs, runs and checkpoints of a never-saved project.
        self.scratch = ScratchFolder()
        editor.stack.cleanChanged.connect(self._clean_changed)
        self._forced_dirty = False

    def _clean_changed(self, _clean: bool) -> None:
        self.changed.emit()

    @property
    def graph(self) -> Graph:
        return self.editor.graph

    def is_modified(self) -> bool:
        return self._forced_dirty or not self.editor.stack.isClean()

    def display_name(self) -> str:
        if self.path:
            return Path(self.path).name
        return f"{Path(self.example).stem} (example)" if self.example else "Untitled"

    def work_dir(self) -> Path:
        """Where this project's runs, logs and checkpoints are written: its
        folder, or a temporary one until it is first saved."""
        return Path(self.path).parent if self.path else self.scratch.folder()

    def suggested_path(self) -> str:
        if self.path:
            return self.path
        name = Path(self.example).stem if self.example else "untitled"
        return str(Path.home() / f"{name}.nbproj")

    # ------------------------------------------------------------ operations
    def new(self) -> None:
        self._replace(Graph("untitled"), None, [])

    def open(self, path: str) -> tuple[bool, str]:
        """Open a project; file problems are kept for the Problems panel.
        Returns (ok, reason)."""
        result = load_project(path)
        if result.graph is None:
            return False, result.fatal_reason
        if is_installed_resource(path):  # an example: an untitled copy
            self._replace(result.graph, None, result.problems)
            self.example = str(Path(path).resolve())
            self.changed.emit()
            return True, ""
        self._replace(result.graph, str(Path(path).resolve()), result.problems)
        add_recent(self.path)
        return True, ""

    def adopt(self, graph: Graph, path: str | None, modified: bool) -> None:
        """Take over a graph from elsewhere (e.g. a recovery copy)."""
        self._replace(graph, path, [])
        self._forced_dirty = modified
        self.changed.emit()

    def save(self, path: str | None = None) -> tuple[bool, str]:
        target = path or self.path
        if not target:
            return False, "no file name"
        if not target.endswith(".nbproj"):
            target += ".nbproj"
        if is_installed_resource(target):
            return False, (f"{Path(target).name} would be written inside "
                           "NetBuilder's installed resources folder; choose "
                           "another place")
        if not self.graph.name or self.graph.name == "untitled":
            self.graph.name = Path(target).stem
        from netbuilder.engine.importing.importer import ImportFailure, place_modules

        try:
            # The project's custom-code modules go with it (kept beside it).
            place_modules(self.graph, Path(target).parent)
            save_project(self.graph, target)
        except ImportFailure as exc:
            return False, f"cannot save {target}: {exc}"
        except OSError as exc:
            return False, f"cannot save {target}: {exc.strerror or exc}"
        self.path = str(Path(target).resolve())
        if self.scratch.used and self.scratch.move_into(Path(self.path), self.graph):
            try:  # the run records now point beside the project
                save_project(self.graph, self.path)
            except OSError as exc:
                return False, f"cannot save {target}: {exc.strerror or exc}"
        self.example = None
        self._forced_dirty = False
        self.editor.stack.setClean()
        add_recent(self.path)
        self.changed.emit()
        return True, ""

    def _replace(self, graph: Graph, path: str | None, problems: list) -> None:
        self.path = path
        self.example = None
        self.scratch = ScratchFolder()
        self.file_problems = list(problems)
        self._forced_dirty = False
        self.editor.set_graph(graph)
        self.editor.stack.setClean()
        self.problemsLoaded.emit(self.file_problems)
        self.changed.emit()


def recent_files() -> list[str]:
    value = settings().value("recentFiles", [])
    if isinstance(value, str):
        value = [value]
    return [p for p in (value or []) if isinstance(p, str)]


def add_recent(path: str | None) -> None:
    if not path:
        return
    files = [p for p in recent_files() if p != path]
    files.insert(0, path)
    s = settings()
    s.setValue("recentFiles", files[:MAX_RECENT])
    s.sync()


def existing_recent() -> list[str]:
    return [p for p in recent_files() if os.path.exists(p)]
