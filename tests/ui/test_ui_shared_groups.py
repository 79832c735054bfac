"""Issue 15: an imported Siamese network whose tower sub-model is called twice
opens as two group nodes sharing one definition, each marked as sharing; a
group is read-only, so editing inside it goes through Flatten group, which
flattens both call sites with their layers shared: an edit (and its undo and
redo) reaches both towers, and undo puts the shared groups back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from uihelpers import focus_canvas, select

from netbuilder.engine.model.project import graph_to_dict


def snapshot(g):
    doc = graph_to_dict(g)
    doc["edges"] = sorted(map(str, doc["edges"]))  # undo may reorder edges
    return doc


def siamese_project(tmp_path, calls=2):
    import keras

    from netbuilder.engine.importing.importer import import_model, save_imported

    keras.backend.clear_session()
    x = keras.Input((8,), name="tower_in")
    h = keras.layers.Dense(6, activation="relu", name="hidden")(x)
    tower = keras.Model(x, keras.layers.Dense(4, name="embed")(h), name="tower")
    xs = [keras.Input((8,), name=n) for n in ("left", "right", "third")[:calls]]
    ys = [tower(x) for x in xs]
    diff = keras.layers.Subtract(name="diff")(ys[:2])
    if calls > 2:
        diff = keras.layers.Add(name="plus")([diff, ys[2]])
    model = keras.Model(xs, keras.layers.Dense(1, name="score")(diff),
                        name="siamese")
    model.save(tmp_path / "siamese.keras")
    project = tmp_path / "siamese.nbproj"
    save_imported(import_model(tmp_path / "siamese.keras"), project)
    return project


def test_shared_tower_opens_marked_and_edits_reach_both_call_sites(
        keras_window, qtbot, tmp_path):
    win = keras_window
    assert win.open_path(str(siamese_project(tmp_path)), ask=False)
    g = win.editor.graph
    owner, sharer = g.node_by_name("tower"), g.node_by_name("tower_call1")
    assert (owner.type, sharer.type, sharer.shares) == ("Group", "Group", owner.id)
    opened = snapshot(g)
    # Both call sites carry the link marker, naming each other.
    assert "2 layers · 2 calls" in win.scene.nodes[sharer.id].summary
    assert "2 layers · 2 calls" in win.scene.nodes[owner.id].summary
    marker = win.scene.nodes[sharer.id].link_marker
    assert marker is not None
    assert "Shares its sub-model with <b>tower</b>" in marker.toolTip()
    assert "also called by <b>tower_call1</b>" in \
        win.scene.nodes[owner.id].link_marker.toolTip()
    select(win, sharer.id)
    assert "Calls the same sub-model as <b>tower</b>" in win.inspector.notice.text()
    # Looking inside the sharer shows the one definition, marked shared.
    win.scene.toggle_expanded(sharer.id)
    item = win.scene.nodes[sharer.id]
    assert {"hidden", "embed"} <= {getattr(i, "name", "")
                                   for i in item.contents.items}
    assert "shared, read-only" in item.summary
    win.scene.toggle_expanded(sharer.id)
    assert win.analysis.wait_idle()
    qtbot.waitUntil(lambda: sharer.id in win.analysis.info, timeout=30_000)
    assert win.analysis.info[owner.id].params == 8 * 6 + 6 + 6 * 4 + 4
    assert win.analysis.info[sharer.id].params == 0
    # Flatten group (Ctrl+Shift+G) on one call site flattens both.
    select(win, sharer.id)
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_G, Qt.ControlModifier | Qt.ShiftModifier)
    assert "Group" not in {n.type for n in g.nodes.values()}
    assert "Flattened all 2 call sites" in win.statusBar().currentMessage()
    assert win.editor.stack.undoText() == "Flatten group tower_call1 (2 call sites)"
    embeds = [n for n in g.nodes.values() if n.type == "Dense"
              and n.name.startswith("embed")]
    assert len(embeds) == 2 and embeds[1].shares == embeds[0].id
    # An edit in the inspector on the second tower's layer reaches the first.
    select(win, embeds[1].id)
    win.inspector.rows["units"].editor.box.setValue(5)
    assert [n.params["units"] for n in embeds] == [5, 5]
    win.editor.stack.undo()
    assert [n.params["units"] for n in embeds] == [4, 4]
    win.editor.stack.redo()
    assert [n.params["units"] for n in embeds] == [5, 5]
    win.editor.stack.undo()
    win.editor.stack.undo()  # the flatten: the shared groups come back
    assert snapshot(g) == opened
    assert win.scene.nodes[sharer.id].link_marker is not None
    assert set(win.scene.nodes) == set(g.nodes)



def test_every_call_site_counts_the_calls_through_delete_and_undo(
        keras_window, tmp_path):
    win = keras_window
    assert win.open_path(str(siamese_project(tmp_path, calls=3)), ask=False)
    g = win.editor.graph
    sites = [g.node_by_name(n).id for n in ("tower", "tower_call1", "tower_call2")]
    for nid in sites:
        assert "2 layers · 3 calls" in win.scene.nodes[nid].summary
    select(win, sites[2])
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_Delete)
    assert sites[2] not in g.nodes
    for nid in sites[:2]:
        assert "2 layers · 2 calls" in win.scene.nodes[nid].summary
    select(win, sites[0])  # the owner: its definition passes to tower_call1
    QTest.keyClick(win.view, Qt.Key_Delete)
    assert g.nodes[sites[1]].shares is None
    assert win.scene.nodes[sites[1]].link_marker is None
    assert "2 layers" in win.scene.nodes[sites[1]].summary
    assert "calls" not in win.scene.nodes[sites[1]].summary
    win.editor.stack.undo()
    win.editor.stack.undo()
    assert [g.nodes[n].shares for n in sites] == [None, sites[0], sites[0]]
    for nid in sites:
        assert "2 layers · 3 calls" in win.scene.nodes[nid].summary
