"""Helpers shared by the command-line verbs."""

from __future__ import annotations

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import load_project


class CommandError(Exception):
    """A failure to report as one line, with its exit status."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def read_project(path: str) -> tuple[Graph, list]:
    """Load a project or raise CommandError(status 2) with a one-line reason."""
    result = load_project(path)
    if result.graph is None:
        raise CommandError(f"cannot read {path}: {result.fatal_reason}", 2)
    return result.graph, result.problems
