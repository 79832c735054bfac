"""Undo commands for project-level training data (config and recorded runs)."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from netbuilder.engine.model.graph import Graph

MERGE_TRAINING_CONFIG = 201


class SetExtraCommand(QUndoCommand):
    """Set a top-level project field through ``Graph.set_extra``.

    Consecutive edits of the training settings merge into one undo step."""

    def __init__(self, graph: Graph, key: str, value: Any, text: str,
                 merge: bool = False) -> None:
        super().__init__(text)
        self.graph = graph
        self.key = key
        self.new = copy.deepcopy(value)
        self.old = copy.deepcopy(graph.extra.get(key))
        self.merge = merge

    def id(self) -> int:  # noqa: A003 - Qt's name
        return MERGE_TRAINING_CONFIG if self.merge else -1

    def mergeWith(self, other) -> bool:  # noqa: N802 - Qt's name
        if not (self.merge and isinstance(other, SetExtraCommand) and other.merge
                and other.key == self.key and other.graph is self.graph):
            return False
        self.new = copy.deepcopy(other.new)
        return True

    def redo(self) -> None:
        self.graph.set_extra(self.key, self.new)

    def undo(self) -> None:
        self.graph.set_extra(self.key, self.old)
