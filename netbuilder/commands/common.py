"""Helpers shared by the command-line verbs."""

from __future__ import annotations

from netbuilder.cli import CommandError
from netbuilder.engine.graph import Graph
from netbuilder.engine.project import load_project


def read_project(path: str) -> tuple[Graph, list]:
    """Load a project or raise CommandError(status 2) with a one-line reason."""
    result = load_project(path)
    if result.graph is None:
        raise CommandError(f"cannot read {path}: {result.fatal_reason}", 2)
    return result.graph, result.problems
