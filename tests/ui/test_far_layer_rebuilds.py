"""Zoomed out, the far layer rebuilds its cache once per change of the
graph's geometry, not once per node moved: arranging a 120-node chain used to
rebuild it for every node (quadratic; 1,000 nodes took minutes)."""

from __future__ import annotations

from PySide6.QtCore import QRectF

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import save_project
from netbuilder.ui.canvas.far_view import FarLayer

N = 120


def _chain(path):
    g = Graph("chain")
    prev = g.add_node("Input", "x", {"shape": [8]}, (0, 0)).id
    for i in range(N - 2):
        nid = g.add_node("Dense", f"d{i}", {"units": 8},
                         ((i + 1) * 220, (i % 5) * 90)).id
        g.connect(prev, 0, nid, 0)
        prev = nid
    out = g.add_node("Output", "y", {}, ((N - 1) * 220, 0)).id
    g.connect(prev, 0, out, 0)
    save_project(g, path)


def test_arranging_rebuilds_the_far_layer_once(window, tmp_path, monkeypatch):
    _chain(tmp_path / "chain.nbproj")
    assert window.open_path(str(tmp_path / "chain.nbproj"))
    window.view.fit_graph()
    window.view.viewport().repaint()
    far = window.scene.far
    assert far.active  # 120 nodes fitted: zoomed out below the far threshold
    rebuilds = []
    original = FarLayer._rebuild
    monkeypatch.setattr(FarLayer, "_rebuild",
                        lambda self: (rebuilds.append(1), original(self))[1])
    window.auto_arrange()
    window.view.viewport().repaint()
    assert 1 <= len(rebuilds) <= 3, len(rebuilds)
    # the cache it drew from is the arranged graph's
    got = far.content_rect()
    for item in window.scene.nodes.values():
        pos = item.pos()
        assert got.contains(QRectF(pos.x(), pos.y(), item.width, item.height))
    assert got.width() < (N - 1) * 220  # wrapped into rows, not one long line
    window.editor.stack.undo()
    window.view.viewport().repaint()
    assert len(rebuilds) <= 6, len(rebuilds)
