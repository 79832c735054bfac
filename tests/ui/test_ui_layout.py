"""Real models readable on the canvas: imported keras.applications models
(built offline with weights=None, small inputs) opened in the window.
Asserts on the scene items: no wire over a node it does not connect, no
overlapping nodes, a readable zoom after opening; Find and the overview move
the view; block groups fold and unfold in one undo step."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtTest import QTest

from netbuilder.engine.model.layout import TB, direction_of


def _keras():
    from netbuilder.engine.keras.runtime import load_keras

    return load_keras()


def resnet_style(keras):
    """Two stages of ResNet-style blocks named as keras.applications does."""
    L = keras.layers
    x = inp = keras.Input((16, 16, 3), name="input")
    x = L.Conv2D(8, 3, padding="same", name="conv1_conv")(x)
    x = L.ReLU(name="conv1_relu")(x)
    for stage, filters in ((2, 8), (3, 16)):
        for block in (1, 2):
            p = f"conv{stage}_block{block}"
            shortcut = x
            if block == 1 and stage == 3:
                shortcut = L.Conv2D(filters, 1, name=f"{p}_0_conv")(x)
            y = L.Conv2D(filters, 3, padding="same", name=f"{p}_1_conv")(x)
            y = L.BatchNormalization(name=f"{p}_1_bn")(y)
            y = L.ReLU(name=f"{p}_1_relu")(y)
            y = L.Conv2D(filters, 3, padding="same", name=f"{p}_2_conv")(y)
            x = L.Add(name=f"{p}_add")([shortcut, y])
            x = L.ReLU(name=f"{p}_out")(x)
    x = L.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inp, L.Dense(4, name="predictions")(x), name="resnet_style")


def unet(keras):
    L = keras.layers
    inp = keras.Input((32, 32, 1), name="image")
    c1 = L.Conv2D(4, 3, padding="same", name="enc1")(inp)
    p1 = L.MaxPooling2D(name="pool1")(c1)
    c2 = L.Conv2D(8, 3, padding="same", name="enc2")(p1)
    p2 = L.MaxPooling2D(name="pool2")(c2)
    b = L.Conv2D(16, 3, padding="same", name="bottom")(p2)
    u2 = L.UpSampling2D(name="up2")(b)
    cat2 = L.Concatenate(name="cat2")([u2, c2])
    d2 = L.Conv2D(8, 3, padding="same", name="dec2")(cat2)
    u1 = L.UpSampling2D(name="up1")(d2)
    cat1 = L.Concatenate(name="cat1")([u1, c1])
    d1 = L.Conv2D(4, 3, padding="same", name="dec1")(cat1)
    return keras.Model(inp, L.Conv2D(1, 1, name="mask")(d1), name="unet")


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    """name -> .nbproj of an imported model."""
    from netbuilder.engine.importing.importer import import_keras_model
    from netbuilder.engine.model.project import save_project

    keras = _keras()
    folder = tmp_path_factory.mktemp("imported")
    models = {
        "mobilenetv2": keras.applications.MobileNetV2(
            input_shape=(32, 32, 3), alpha=0.35, weights=None, classes=10),
        "resnet_style": resnet_style(keras),
        "unet": unet(keras),
    }
    out = {}
    for name, model in models.items():
        graph = import_keras_model(model, with_weights=False).graph
        out[name] = folder / f"{name}.nbproj"
        save_project(graph, out[name])
    return out


def open_model(win, path):
    assert win.open_path(str(path), ask=False)
    return win.editor.graph


def node_rects(win) -> dict:
    return {nid: item.sceneBoundingRect().intersected(
        QRectF(item.pos(), item.pos() + QPointF(item.width, item.height)))
        for nid, item in win.scene.nodes.items()}


def wires_through_nodes(win) -> list[tuple[str, str, str]]:
    """(source, target, node crossed) for every wire whose drawn path enters
    a node rectangle other than its two ends (the path sampled densely)."""
    graph = win.editor.graph
    rects = node_rects(win)
    bad = []
    for edge, item in win.scene.edges.items():
        path = item.mapToScene(item._path)
        points = [path.pointAtPercent(k / 400) for k in range(401)]
        box = path.boundingRect().adjusted(-1, -1, 1, 1)  # never zero-wide
        for nid, rect in rects.items():
            if nid in (edge.src, edge.dst) or not rect.intersects(box):
                continue
            inner = rect.adjusted(1, 1, -1, -1)
            if any(inner.contains(p) for p in points):
                bad.append((graph.nodes[edge.src].name, graph.nodes[edge.dst].name,
                            graph.nodes[nid].name))
                break
    return bad


def overlapping_nodes(win) -> int:
    rects = list(node_rects(win).values())
    return sum(1 for i, a in enumerate(rects) for b in rects[i + 1:]
               if a.intersects(b))


@pytest.mark.parametrize("name", ["mobilenetv2", "resnet_style", "unet"])
def test_imported_model_wires_clear_nodes_and_view_is_readable(window, projects,
                                                                name):
    win = window
    graph = open_model(win, projects[name])
    win.scene.reroute()
    assert len(win.scene.edges) == len(graph.edges) > 10
    assert wires_through_nodes(win) == []
    assert overlapping_nodes(win) == 0
    assert win.view.zoom() >= 0.5
    if name == "mobilenetv2":
        assert direction_of(graph) == TB  # deep: reads top to bottom
        visible = win.view.mapToScene(win.view.viewport().rect()).boundingRect()
        first = win.scene.nodes[graph.topological_order()[0]]
        assert visible.contains(first.sceneBoundingRect())  # starts at its input


def test_a_node_dropped_on_a_wire_is_routed_round_then_arranged(window, projects,
                                                                tmp_path):
    from netbuilder.engine.model.graph import Graph
    from netbuilder.engine.model.layout import set_direction
    from netbuilder.engine.model.project import save_project

    g = Graph("chain")
    a = g.add_node("Input", "a", {"shape": [4]}, (0, 0)).id
    b = g.add_node("Dense", "b", {"units": 4}, (0, 600)).id  # a long wire a -> b
    c = g.add_node("Output", "c", {}, (0, 800)).id
    g.connect(a, 0, b, 0)
    g.connect(b, 0, c, 0)
    set_direction(g, TB)
    save_project(g, tmp_path / "chain.nbproj")
    win = window
    graph = open_model(win, tmp_path / "chain.nbproj")
    assert wires_through_nodes(win) == []
    # The user drags c onto the straight wire a -> b and lets go.
    item = win.scene.nodes[c]
    win.view.set_zoom(0.5)
    win.view.centerOn(QPointF(100, 500))
    start = win.view.mapFromScene(item.pos() + QPointF(30, 30))
    end = win.view.mapFromScene(QPointF(30, 300 + 30))
    QTest.mousePress(win.view.viewport(), Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, 11):
        QTest.mouseMove(win.view.viewport(), start + (end - start) * k / 10)
    # while dragging, the wire a -> b still runs straight under c
    assert ("a", "b", "c") in wires_through_nodes(win)
    QTest.mouseRelease(win.view.viewport(), Qt.LeftButton, Qt.NoModifier, end)
    assert graph.nodes[c].position[1] == pytest.approx(300, abs=10)
    assert win.editor.stack.undoText() == "Move 1 layer"
    QTest.qWait(50)  # re-routed right after the edit
    assert wires_through_nodes(win) == []
    win.auto_arrange()
    assert win.editor.stack.undoText() == "Auto-arrange"
    assert [graph.nodes[n].position for n in (a, b, c)] == [
        (0.0, 0.0), (0.0, 62.0 + 44.0), (0.0, 2 * (62.0 + 44.0))]
    assert wires_through_nodes(win) == [] and overlapping_nodes(win) == 0


def test_switching_direction_is_one_undo_step_and_saved(window, projects):
    win = window
    graph = open_model(win, projects["unet"])
    before = {nid: n.position for nid, n in graph.nodes.items()}
    win.direction_actions["LR"].trigger()
    assert direction_of(graph) == "LR"
    item = win.scene.nodes[graph.node_by_name("enc1").id]
    assert item.inputs[0].pos().x() == 0  # ports on the sides again
    assert wires_through_nodes(win) == []
    win.editor.stack.undo()
    assert direction_of(graph) == TB
    assert {nid: n.position for nid, n in graph.nodes.items()} == before
    assert win.direction_actions["TB"].isChecked()


def test_seed_cnn_opens_whole_and_large(window):
    from pathlib import Path

    win = window
    win.resize(1600, 1000)
    QTest.qWait(20)
    root = Path(__file__).resolve().parents[2]
    example = root / "resources/examples/small_cnn.nbproj"
    assert win.open_path(str(example), ask=False)
    assert win.view.zoom() >= 0.75
    visible = win.view.mapToScene(win.view.viewport().rect()).boundingRect()
    for item in win.scene.nodes.values():
        assert visible.contains(item.sceneBoundingRect())


def test_find_layer_moves_the_view_and_steps(window, projects):
    win = window
    graph = open_model(win, projects["mobilenetv2"])
    win.view.setFocus()
    QTest.keyClick(win.view, Qt.Key_K, Qt.ControlModifier)
    assert win.find_bar.isVisible() and win.find_bar.edit.hasFocus()
    QTest.keyClicks(win.find_bar.edit, "block_13_expand")
    target = graph.node_by_name("block_13_expand").id
    centre = win.view.mapToScene(win.view.viewport().rect().center())
    item = win.scene.nodes[target]
    assert (centre - item.sceneBoundingRect().center()).manhattanLength() < 4
    assert target in win.scene.selected_node_ids()
    # Several matches: Enter steps to the next one and centres it.
    win.find_bar.edit.setText("block_13")
    first = win.find_bar.hits[win.find_bar.current]
    QTest.keyClick(win.find_bar.edit, Qt.Key_Return)
    second = win.find_bar.hits[win.find_bar.current]
    assert second != first and len(win.find_bar.hits) >= 5
    centre = win.view.mapToScene(win.view.viewport().rect().center())
    rect = win.scene.nodes[second].sceneBoundingRect()
    assert (centre - rect.center()).manhattanLength() < 4
    QTest.keyClick(win.find_bar.edit, Qt.Key_Escape)
    assert not win.find_bar.isVisible()


def test_minimap_click_moves_the_view(window, projects):
    win = window
    graph = open_model(win, projects["mobilenetv2"])
    mini = win.minimap
    win.minimap_dock.show()
    mini.fit()
    last = win.scene.nodes[graph.topological_order()[-1]].sceneBoundingRect()
    assert not win.view.mapToScene(win.view.viewport().rect()).boundingRect() \
        .contains(last.center())
    point = mini.mapFromScene(last.center()).toPoint()
    QTest.mouseClick(mini, Qt.LeftButton, Qt.NoModifier, point)
    centre = win.view.mapToScene(win.view.viewport().rect().center())
    # the minimap is small: one of its pixels is many scene units
    tolerance = 3 / mini.scale()
    assert abs(centre.y() - last.center().y()) < tolerance
    assert win.view.mapToScene(win.view.viewport().rect()).boundingRect() \
        .contains(last.center())


def test_block_groups_fold_undo_and_keep_the_model(window, projects):
    from netbuilder.engine.analysis.shapes import analyze
    from netbuilder.engine.codegen.execute import build_model
    from netbuilder.engine.codegen.module import generate

    win = window
    graph = open_model(win, projects["resnet_style"])
    code = generate(graph).text
    shapes = {nid: i.output_shapes for nid, i in analyze(graph).info.items()}
    n_before = len(graph.nodes)
    made = win.group_blocks(shapes)
    names = sorted(graph.nodes[g].name for g in made)
    assert names == ["conv2_block1", "conv2_block2", "conv3_block1", "conv3_block2"]
    assert len(graph.nodes) == n_before - 4 * 6 - 1 + 4  # conv3_block1 has 7
    assert win.editor.stack.undoText() == "Group blocks"
    assert wires_through_nodes(win) == [] and overlapping_nodes(win) == 0
    # The grouped model is the same network: as many weights, same output.
    grouped_code = generate(graph).text
    assert "def build_conv2_block1() -> keras.Model:" in grouped_code
    grouped = build_model(graph)
    win.editor.stack.undo()
    assert len(graph.nodes) == n_before
    assert generate(graph).text == code  # undo restores the exact project
    original = build_model(graph)
    assert grouped.count_params() == original.count_params() > 0
    x = np.random.default_rng(0).random((2, 16, 16, 3)).astype("float32")
    assert tuple(grouped(x).shape) == tuple(original(x).shape) == (2, 4)
    win.editor.stack.redo()
    assert len(graph.nodes) == n_before - 4 * 6 - 1 + 4


def test_import_offers_to_fold_named_blocks(window, tmp_path):
    from netbuilder.ui.document.import_model import import_model_dialog

    win = window
    source, target = tmp_path / "res.keras", tmp_path / "res.nbproj"
    resnet_style(_keras()).save(source)
    asked = []
    win.ask_path = lambda title, save, filters="", suggestion="": str(target)
    win.confirm = lambda title, text: asked.append((title, text)) or True
    assert import_model_dialog(win, str(source), str(target))
    assert asked[-1][0] == "Fold blocks into groups?"
    assert "4 named blocks (conv2_block1, conv2_block2, conv3_block1, " \
           "conv3_block2)" in asked[-1][1]
    graph = win.editor.graph
    assert sorted(n.name for n in graph.nodes.values() if n.type == "Group") == [
        "conv2_block1", "conv2_block2", "conv3_block1", "conv3_block2"]
    assert wires_through_nodes(win) == [] and overlapping_nodes(win) == 0
    win.editor.stack.undo()
    assert not [n for n in graph.nodes.values() if n.type == "Group"]


def test_zoom_buttons_show_the_level_and_new_layers_scroll_into_view(window):
    win = window
    win.view.reset_zoom()
    assert win.zoom_label.text() == "100%"
    win.zoom_in_action.trigger()
    assert win.zoom_label.text() == "125%"
    win.zoom_out_action.trigger()
    win.zoom_out_action.trigger()
    assert win.zoom_label.text() == "80%"
    win.reset_zoom_action.trigger()
    assert win.view.zoom() == pytest.approx(1.0)
    # A layer added after the selected one, far off-screen: the view follows.
    first = win.add_layer_at("Input", QPointF(0, 0))
    win.view.centerOn(QPointF(-3000, -3000))
    win.scene.select_nodes([first])
    added = win.add_layer_from_palette("Dense")
    visible = win.view.mapToScene(win.view.viewport().rect()).boundingRect()
    assert visible.contains(win.scene.nodes[added].sceneBoundingRect())
    assert win.editor.graph.edge_into(added, 0).src == first
