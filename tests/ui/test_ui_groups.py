"""Group selection / Flatten group from the keyboard and the context menu,
each one undo step that restores the exact previous graph; shared layers
keep their links through delete and undo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from uihelpers import connect, drop_layer, focus_canvas, select

from netbuilder.engine.model.project import graph_to_dict


def snapshot(g):
    doc = graph_to_dict(g)
    doc["edges"] = sorted(map(str, doc["edges"]))
    return doc


def build(win):
    types = ["Input", "Dense", "Dropout", "Dense", "Output"]
    ids = [drop_layer(win, t, (i * 260, 0)) for i, t in enumerate(types)]
    for a, b in zip(ids, ids[1:], strict=False):
        connect(win, a, b)
    select(win, ids[0])
    win.inspector.rows["shape"].editor.edit.setText("16")
    win.inspector.rows["shape"].editor.edit.editingFinished.emit()
    return ids


def test_group_and_flatten_are_exact_undo_steps(keras_window, qtbot):
    win = keras_window
    inp, d1, drop, d2, out = build(win)
    g = win.editor.graph
    assert g.nodes[inp].params["shape"] == [16]
    assert win.analysis.wait_idle()
    qtbot.waitUntil(lambda: d2 in win.analysis.info, timeout=30_000)
    before = snapshot(g)
    select(win, d1, drop, d2)
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_G, Qt.ControlModifier)
    groups = [n for n in g.nodes.values() if n.type == "Group"]
    assert len(groups) == 1 and set(g.nodes) == {inp, out, groups[0].id}
    gid = groups[0].id
    item = win.scene.nodes[gid]
    assert item.is_group and "3 layers" in item.summary
    assert len(item.inputs) == 1 and len(item.outputs) == 1
    assert win.scene.selected_node_ids() == [gid]
    assert win.editor.stack.undoText().startswith("Group 3 layers")
    grouped = snapshot(g)
    win.editor.stack.undo()
    assert snapshot(g) == before
    assert set(win.scene.nodes) == set(g.nodes) and len(win.scene.edges) == 4
    win.editor.stack.redo()
    assert snapshot(g) == grouped  # the same group id, name and params
    # Flatten from the context menu's action (the same QAction as the menu).
    select(win, gid)
    QTest.keyClick(win.view, Qt.Key_G, Qt.ControlModifier | Qt.ShiftModifier)
    assert "Group" not in {n.type for n in g.nodes.values()}
    assert sorted(n.type for n in g.nodes.values()) == sorted(
        ["Input", "Dense", "Dropout", "Dense", "Output"])
    assert len(g.edges) == 4
    win.editor.stack.undo()
    assert snapshot(g) == grouped
    win.editor.stack.undo()
    assert snapshot(g) == before


def test_grouping_without_shapes_or_a_group_says_why(window):
    win = window
    inp, d1, drop, d2, out = build(win)
    g = win.editor.graph
    before, steps = snapshot(g), win.editor.stack.count()
    select(win, inp, d1)
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_G, Qt.ControlModifier)
    assert "cannot go inside a group" in win.statusBar().currentMessage()
    select(win, d1, drop)  # no Keras here: shapes are not known yet
    QTest.keyClick(win.view, Qt.Key_G, Qt.ControlModifier)
    assert "shape" in win.statusBar().currentMessage()
    select(win, d1)
    QTest.keyClick(win.view, Qt.Key_G, Qt.ControlModifier | Qt.ShiftModifier)
    assert "Select one group" in win.statusBar().currentMessage()
    assert snapshot(g) == before and win.editor.stack.count() == steps


def test_context_menu_offers_group_actions(window, qtbot):
    win = window
    ids = build(win)
    item = win.scene.nodes[ids[1]]
    win.view.centerOn(item)
    pos = win.view.mapFromScene(item.scenePos() + item.boundingRect().center())
    win.view.customContextMenuRequested.emit(pos)
    menu = win.canvas_menu
    texts = [a.text() for a in menu.actions()]
    assert "&Group Selection" in texts and "&Flatten Group" in texts
    assert win.scene.selected_node_ids() == [ids[1]]
    assert win.group_action.isEnabled() and not win.flatten_action.isEnabled()
    menu.close()


def test_delete_owner_of_shared_layer_and_undo_restores_links(window, tmp_path):
    from netbuilder.engine.model.graph import Graph
    from netbuilder.engine.model.project import save_project

    g = Graph("siamese")
    a = g.add_node("Input", "a", {"shape": [8]}, (0, 0)).id
    b = g.add_node("Input", "b", {"shape": [8]}, (0, 120)).id
    enc = g.add_node("Dense", "enc", {"units": 4}, (260, 0)).id
    enc_b = g.add_node("Dense", "enc_b", {"units": 4}, (260, 120)).id
    enc_c = g.add_node("Dense", "enc_c", {"units": 4}, (260, 240)).id
    g.set_shares(enc_b, enc)
    g.set_shares(enc_c, enc)
    g.connect(a, 0, enc, 0)
    g.connect(b, 0, enc_b, 0)
    path = tmp_path / "siamese.nbproj"
    save_project(g, path)
    win = window
    assert win.open_path(str(path))
    g = win.editor.graph
    before = snapshot(g)
    assert "enc" in win.scene.nodes[enc_b].link_marker.toolTip()
    assert "enc_b" in win.scene.nodes[enc].link_marker.toolTip()
    select(win, enc)
    assert "editing it edits them too" in win.inspector.notice.text()
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_Delete)
    assert g.nodes[enc_c].shares == enc_b  # the layer passed on
    assert "enc_b" in win.scene.nodes[enc_c].link_marker.toolTip()
    win.editor.stack.undo()
    assert snapshot(g) == before
    assert list(g.nodes) == [a, b, enc, enc_b, enc_c]
    assert "enc" in win.scene.nodes[enc_c].link_marker.toolTip()
