"""Helpers shared by the command-line verbs."""

from __future__ import annotations

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import load_project


class CommandError(Exception):
    """A failure to report as one line, with its exit status."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


TRUST_HELP = ("run the project's custom code: the Python module(s) beside the "
              "project that define its custom layers, Lambda functions or custom "
              "regularizers (listed under custom_code in the project). Without "
              "it NetBuilder runs none of that code and reports those layers as "
              "untrusted. Only for code you trust: it runs with your rights")


def add_trust_option(parser) -> None:
    parser.add_argument("--trust", action="store_true", help=TRUST_HELP)


def read_project(path: str, trust: bool = False) -> tuple[Graph, list]:
    """Load a project or raise CommandError(status 2) with a one-line reason;
    with ``trust``, trust its custom-code modules as they are now."""
    result = load_project(path)
    if result.graph is None:
        raise CommandError(f"cannot read {path}: {result.fatal_reason}", 2)
    if trust:
        from netbuilder.engine.model.custom_code import trust_project

        missing = trust_project(result.graph.catalog)
        if missing:
            raise CommandError(f"cannot trust {', '.join(missing)}: not found beside "
                               f"{path} (or not a readable file under 4 MB)", 2)
    return result.graph, result.problems
