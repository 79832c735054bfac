"""Where an unsaved project's files go, and moving them with the first save.

A project that has never been saved (a new one, or an example opened as an
untitled copy) writes its training logs, runs and checkpoints to a
temporary folder; the first save moves them beside the new project file
(``runs/untitled`` becomes ``runs/<name>``) and updates the run records
that point into it. Nothing is ever written under the installed
``resources/`` folder.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from netbuilder.engine.model.data_spec import is_bundled_resource
from netbuilder.ui.settings import examples_dir

UNTITLED = "untitled"


def resources_dir() -> Path:
    return examples_dir().parent


def is_installed_resource(path: str | Path) -> bool:
    """True for files inside NetBuilder's own resources/ folder."""
    return is_bundled_resource(path)


class ScratchFolder:
    """A lazily created temporary folder for one unsaved project."""

    def __init__(self) -> None:
        self._path: Path | None = None

    def folder(self) -> Path:
        if self._path is None or not self._path.is_dir():
            self._path = Path(tempfile.mkdtemp(prefix="netbuilder-unsaved-"))
        return self._path

    @property
    def used(self) -> bool:
        return self._path is not None and self._path.is_dir() and any(
            self._path.iterdir())

    def move_into(self, project: Path, graph) -> list[str]:
        """Move everything to ``project``'s folder; returns what moved.
        Run records (``graph.extra["runs"][i]["log_dir"]``) follow."""
        if not self.used:
            return []
        source, target = self._path, project.parent
        moved = []
        for item in sorted(source.iterdir()):
            if item.name == "runs":
                moved += _move_runs(item / UNTITLED, target / "runs" / project.stem)
                shutil.rmtree(item, ignore_errors=True)
            elif not (target / item.name).exists():
                shutil.move(str(item), str(target / item.name))
                moved.append(item.name)
        old, new = str(source / "runs" / UNTITLED), str(target / "runs" / project.stem)
        for run in graph.extra.get("runs") or []:
            log_dir = run.get("log_dir") if isinstance(run, dict) else None
            if isinstance(log_dir, str) and log_dir.startswith(old):
                run["log_dir"] = new + log_dir[len(old):]
        shutil.rmtree(source, ignore_errors=True)
        self._path = None
        return moved


def _move_runs(source: Path, target: Path) -> list[str]:
    if not source.is_dir():
        return []
    target.mkdir(parents=True, exist_ok=True)
    moved = []
    for run in sorted(source.iterdir()):
        if not (target / run.name).exists():
            shutil.move(str(run), str(target / run.name))
            moved.append(f"runs/{target.name}/{run.name}")
    return moved
