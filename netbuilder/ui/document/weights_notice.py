"""Imported weights that an edit invalidates, said in plain words.

An imported project carries each layer's weights with a fingerprint of the
layer's type and params at import time (see
:mod:`netbuilder.engine.importing.weights`). When a layer is edited, the next
build gives it fresh weights. This module finds those layers the same way the
engine does when it builds, so the inspector can warn on the edited layer and
a status-bar label can count them; after a training build the engine's own
notes are shown in the status bar.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

_files: dict[tuple[str, float], set[str]] = {}


def _paths_with_weights(graph) -> set[str] | None:
    """Layer paths the weights file holds arrays for (None: unknown)."""
    from netbuilder.engine.importing.weights import weight_paths, weights_path

    path = weights_path(graph)
    if path is None or not path.is_file():
        return None
    key = (str(path), os.path.getmtime(path))
    if key not in _files:
        try:
            _files[key] = weight_paths(path)
        except (OSError, ImportError, ValueError):
            return None
    return _files[key]


def replaced_layers(graph) -> dict[str, str]:
    """Layer path -> name path ("block/conv") of every imported layer whose
    weights the next build replaces with fresh ones (edited since import)."""
    from netbuilder.engine.importing.weights import edited_layers

    info = graph.extra.get("weights")
    if not isinstance(info, dict) or not info.get("layers"):
        return {}
    return edited_layers(graph, _paths_with_weights(graph))


def node_loses_weights(graph, node_id: str) -> bool:
    """True when ``node_id``'s (or, for a group, an inner layer's) imported
    weights will be replaced by fresh ones."""
    from netbuilder.engine.importing.weights import _key

    if "weights" not in graph.extra or node_id not in graph.nodes:
        return False
    key = _key(graph.layer_owner(node_id))
    return any(p == key or p.startswith(key + "/") for p in replaced_layers(graph))


class WeightsNotice(QObject):
    """A status-bar label: how many imported layers get fresh weights."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.label = QLabel("")
        self.label.setStyleSheet("color: #f0a030;")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.replaced: dict[str, str] = {}
        self._unsubscribe = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.refresh)
        window.editor.graphReplaced.connect(self._attach)
        self._attach(window.editor.graph)
        QTimer.singleShot(0, self._hook_training)

    def _attach(self, graph) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        self._unsubscribe = graph.events.subscribe(self._graph_changed)
        self.refresh()

    def _graph_changed(self, event) -> None:
        if event.changes_model:  # recording a training run replaces no layer
            self.timer.start()

    def refresh(self) -> None:
        self.timer.stop()
        graph = self.window.editor.graph
        self.replaced = replaced_layers(graph) if "weights" in graph.extra else {}
        n = len(self.replaced)
        self.label.setVisible(bool(n))
        if n:
            self.label.setText(f"⚠ {n} imported layer{'s' if n != 1 else ''} will "
                               "get fresh weights")
            names = ", ".join(sorted(self.replaced.values())[:12])
            self.label.setToolTip(f"Edited since import, so the next build starts "
                                  f"them from fresh weights: {names}"
                                  + (" …" if n > 12 else ""))

    def _hook_training(self) -> None:
        panel = getattr(self.window, "training_panel", None)
        bridge = getattr(panel, "bridge", None)
        if bridge is not None and hasattr(bridge, "prepared"):
            bridge.prepared.connect(self.after_build)

    def after_build(self, _session=None) -> None:
        """After the model was built: say which imported layers start fresh
        (the engine's own account when the build reports one)."""
        self.refresh()
        notes = getattr(_session, "weights_notes", None)
        if notes:
            self.window.show_message("Built: " + "; ".join(notes))
            return
        if self.replaced:
            names = ", ".join(sorted(self.replaced.values())[:6])
            more = f" and {len(self.replaced) - 6} more" if len(self.replaced) > 6 \
                else ""
            self.window.show_message(f"Built with fresh weights for {names}{more} "
                                     "(edited since import); the other imported "
                                     "layers keep their weights")
        elif "weights" in self.window.editor.graph.extra:
            self.window.show_message("Built with every imported layer's weights")
