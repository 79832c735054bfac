"""File > Import model through the menu, with the file and confirm prompts
answered the way a user would; then what the canvas and inspector show for
the imported groups, shared layers and carried weights."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from uihelpers import focus_canvas, select


def make_keras_model(path: Path) -> None:
    """A small model with a nested sub-model (a group) and a shared layer."""
    import keras

    block = keras.Sequential([keras.Input((8,)), keras.layers.Dense(6, name="b1"),
                              keras.layers.Dense(8, name="b2")], name="block")
    x = keras.Input((8,), name="features")
    shared = keras.layers.Dense(8, activation="relu", name="shared")
    h = shared(x)
    h = shared(h)
    h = block(h)
    y = keras.layers.Dense(3, activation="softmax", name="probs")(h)
    keras.Model(x, y, name="tiny").save(path)


def answer_prompts(win, model: Path, target: Path) -> list:
    asked = []

    def ask_path(title, save, filters="", suggestion=""):
        asked.append(title)
        return str(target) if save else str(model)

    win.ask_path = ask_path
    win.confirm = lambda title, text: asked.append(title) or True
    return asked


def test_import_model_from_the_file_menu(keras_window, qtbot, tmp_path):
    win = keras_window
    model, target = tmp_path / "tiny.keras", tmp_path / "tiny.nbproj"
    make_keras_model(model)
    asked = answer_prompts(win, model, target)
    assert win.import_action.shortcut().toString() == "Ctrl+I"
    win.import_action.trigger()
    assert asked == ["Import model", "Save imported project"]
    assert not win.warned
    assert target.exists() and (tmp_path / "tiny.weights.h5").exists()
    assert win.document.path == str(target.resolve())
    g = win.editor.graph
    names = {n.name: n for n in g.nodes.values()}
    assert {"shared", "probs", "block"} <= set(names)
    assert set(win.scene.nodes) == set(g.nodes)
    assert len(win.scene.edges) == len(g.edges)
    # The nested model is a group node, drawn as one.
    group = win.scene.nodes[names["block"].id]
    assert group.is_group and "2 layers" in group.summary
    # The second call of the shared Dense carries a link marker naming the owner.
    sharer = next(n for n in g.nodes.values() if n.shares is not None)
    marker = win.scene.nodes[sharer.id].link_marker
    assert marker is not None and g.nodes[sharer.shares].name in marker.toolTip()
    assert win.scene.nodes[sharer.shares].link_marker is not None
    # Shapes on the wires, from Keras.
    assert win.analysis.wait_idle()
    qtbot.waitUntil(lambda: bool(win.scene.shapes), timeout=30_000)
    labels = {item.full_label for item in win.scene.edges.values()}
    assert "(None, 8)" in labels and "(None, 3)" in labels
    # Inspector: shared-layer note; editing an imported layer warns about
    # its weights, here and in the status bar; undo takes the warning away.
    select(win, sharer.id)
    assert "Shares its layer with" in win.inspector.notice.text()
    assert "editing it edits both" in win.inspector.notice.text()
    probs = names["probs"].id
    select(win, probs)
    assert "weights" not in win.inspector.notice.text()
    win.inspector.rows["units"].editor.box.setValue(4)
    assert g.nodes[probs].params["units"] == 4
    assert "imported weights will be replaced by fresh ones" in \
        win.inspector.notice.text()
    win.weights_notice.refresh()
    assert win.weights_notice.label.isVisible()
    assert "1 imported layer will get fresh weights" in win.weights_notice.label.text()
    win.weights_notice.after_build()
    assert "fresh weights for probs" in win.statusBar().currentMessage()
    win.editor.stack.undo()
    win.weights_notice.refresh()
    assert not win.weights_notice.label.isVisible()
    assert "weights" not in win.inspector.notice.text()


def test_group_expands_in_place_and_collapses(keras_window, qtbot, tmp_path):
    win = keras_window
    model, target = tmp_path / "tiny.keras", tmp_path / "tiny.nbproj"
    make_keras_model(model)
    answer_prompts(win, model, target)
    assert win.import_model()
    g = win.editor.graph
    gid = g.node_by_name("block").id
    item = win.scene.nodes[gid]
    collapsed = (item.width, item.height)
    # Double-click the group on the canvas: its layers appear inside it.
    win.view.centerOn(item)
    point = win.view.mapFromScene(item.scenePos() + item.boundingRect().center())
    QTest.mouseDClick(win.view.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    assert item.expanded
    inner = sorted(i.name for i in item.contents.items if hasattr(i, "name"))
    assert {"b1", "b2"} <= set(inner)
    assert item.width > collapsed[0] and item.height > collapsed[1]
    # The outer wires follow the ports to the frame's edges.
    edge = next(e for e in win.scene.edges.values() if e.edge.dst == gid)
    assert edge.dst_port.scenePos() == item.inputs[0].scenePos()
    assert win.editor.stack.count() == 0  # looking inside is not an edit
    # Enter collapses it again.
    select(win, gid)
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_Return)
    assert not item.expanded and (item.width, item.height) == collapsed
    assert not item.contents


def test_import_of_a_broken_file_says_why(window, tmp_path):
    win = window
    bad = tmp_path / "broken.keras"
    bad.write_text("this is not a keras file")
    answer_prompts(win, bad, tmp_path / "broken.nbproj")
    assert not win.import_model()
    assert win.warned and win.warned[0][0] == "Cannot import model"
    assert "broken.keras" in win.warned[0][1] and "Traceback" not in win.warned[0][1]
    assert not (tmp_path / "broken.nbproj").exists()
    assert not win.editor.graph.nodes


def test_python_import_prompt_is_honest_and_declining_runs_nothing(keras_window,
                                                                    tmp_path):
    win = keras_window
    src = tmp_path / "net.py"
    marker = tmp_path / "ran"
    src.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    prompts = []
    win.ask_path = lambda title, save, filters="", suggestion="": str(src)
    win.confirm = lambda title, text: prompts.append((title, text)) and False
    win.import_action.trigger()
    [(title, text)] = prompts
    assert title == "Run Python code?"
    assert "not a sandbox" in text and "can read, change or send" in text
    assert "environment variables" in text and "safe mode" in text
    assert not marker.exists()
