"""Canvas gestures: copy/paste/duplicate, delete and undo, auto-arrange,
quick add from a wire dropped on empty canvas, palette search, zoom keys."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from uihelpers import connect, drag_wire, drop_layer, focus_canvas, port_point, select

from netbuilder.ui.canvas.arrange import arrange


def chain(win, types):
    ids = [drop_layer(win, t, (i * 300, 0)) for i, t in enumerate(types)]
    for a, b in zip(ids, ids[1:], strict=False):
        connect(win, a, b)
    return ids


def test_copy_paste_duplicate_unique_names(window):
    win = window
    ids = chain(win, ["Dense", "Dropout"])
    select(win, *ids)
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_C, Qt.ControlModifier)
    QTest.keyClick(win.view, Qt.Key_V, Qt.ControlModifier)
    g = win.editor.graph
    assert len(g.nodes) == 4 and len(g.edges) == 2
    names = [n.name for n in g.nodes.values()]
    assert len(set(names)) == 4
    new = win.scene.selected_node_ids()
    assert len(new) == 2 and not set(new) & set(ids)
    QTest.keyClick(win.view, Qt.Key_D, Qt.ControlModifier)
    assert len(g.nodes) == 6 and len(g.edges) == 3
    win.editor.stack.undo()
    win.editor.stack.undo()
    assert len(g.nodes) == 2 and len(g.edges) == 1


def test_delete_and_undo_restores_ids_and_edges(window):
    win = window
    ids = chain(win, ["Input", "Dense", "Output"])
    g = win.editor.graph
    edges = set(g.edges)
    select(win, ids[1])
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_Delete)
    assert ids[1] not in g.nodes and not g.edges
    win.editor.stack.undo()
    assert ids[1] in g.nodes and set(g.edges) == edges
    assert list(g.nodes) == ids  # file order kept
    assert len(win.scene.edges) == 2


def test_auto_arrange_left_to_right_and_undo(window):
    win = window
    ids = [drop_layer(win, t, (i * 250, (i % 2) * 150)) for i, t in
           enumerate(["Input", "Dense", "Dense", "Add", "Output"])]
    inp, a, b, add, out = ids
    connect(win, inp, a)
    connect(win, inp, b)
    connect(win, a, add, 0, 0)
    connect(win, b, add, 0, 1)
    connect(win, add, out)
    g = win.editor.graph
    before = {n: g.nodes[n].position for n in ids}
    focus_canvas(win)
    QTest.keyClick(win.view, Qt.Key_L)
    x = {n: g.nodes[n].position[0] for n in ids}
    assert x[inp] < x[a] == x[b] < x[add] < x[out]
    assert g.nodes[a].position[1] != g.nodes[b].position[1]
    assert win.editor.stack.undoText() == "Auto-arrange"
    win.editor.stack.undo()
    assert {n: g.nodes[n].position for n in ids} == before


def test_layout_has_no_overlaps_and_layers():
    from netbuilder.engine.model.project import load_project

    g = load_project("resources/examples/residual_block.nbproj").graph
    tall = next(iter(g.nodes))
    sizes = {tall: (140.0, 400.0)}  # one node far taller than the engine's cell
    coords = arrange(g, sizes)
    assert set(coords) == set(g.nodes)
    for e in g.edges:
        assert coords[e.src][0] < coords[e.dst][0]
    boxes = [(x, y, *sizes.get(n, (140.0, 62.0))) for n, (x, y) in coords.items()]
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


def test_wire_dropped_on_empty_canvas_opens_quick_add(window, qtbot):
    win = window
    src = drop_layer(win, "Input", (0, 0))
    win.view.centerOn(win.scene.nodes[src])
    start = port_point(win, src, 0, True)
    end = start + type(start)(200, 80)
    drag_wire(win, start, end)
    assert win.quick_add.isVisible()
    win.quick_add.search.setText("Flatt")
    QTest.keyClick(win.quick_add.search, Qt.Key_Return)
    g = win.editor.graph
    flat = [n for n in g.nodes.values() if n.type == "Flatten"]
    assert len(flat) == 1 and g.edge_into(flat[0].id, 0).src == src
    win.editor.stack.undo()
    assert len(g.nodes) == 1 and not g.edges


def test_palette_search_and_double_click_adds_after_selection(window):
    win = window
    QTest.keyClick(win, Qt.Key_F, Qt.ControlModifier)
    win.palette.search.setText("conv2d")
    visible = win.palette.visible_types()
    assert "Conv2D" in visible and "Dense" not in visible
    assert "2D convolution" in win.palette.items["Conv2D"].toolTip(0)
    win.palette.search.clear()
    first = drop_layer(win, "Input", (0, 0))
    select(win, first)
    item = win.palette.items["Dense"]
    win.palette.tree.itemDoubleClicked.emit(item, 0)
    g = win.editor.graph
    dense = [n for n in g.nodes.values() if n.type == "Dense"][0]
    assert g.edge_into(dense.id, 0).src == first
    assert dense.position[0] > g.nodes[first].position[0]


def test_move_is_one_undo_step(window):
    win = window
    a = drop_layer(win, "Dense", (0, 0))
    b = drop_layer(win, "Dense", (300, 0))
    select(win, a, b)
    win.view.resetTransform()
    win.view.centerOn(win.scene.nodes[a])
    item = win.scene.nodes[a]
    start = win.view.mapFromScene(item.scenePos() + QPointF(40, 30))
    vp = win.view.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for d in (10, 30, 60):
        QTest.mouseMove(vp, start + type(start)(d, d))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + type(start)(60, 60))
    g = win.editor.graph
    assert g.nodes[a].position != (0.0, 0.0)
    assert win.editor.stack.undoText().startswith("Move 2")
    win.editor.stack.undo()
    assert win.scene.nodes[a].pos() == QPointF(*g.nodes[a].position)


def test_zoom_keys(window):
    win = window
    chain(win, ["Input", "Dense", "Output"])
    focus_canvas(win)
    win.view.set_zoom(0.3)
    QTest.keyClick(win.view, Qt.Key_1)
    assert abs(win.view.zoom() - 1.0) < 1e-6
    far = next(iter(win.editor.graph.nodes))
    win.editor.move({far: (win.editor.graph.nodes[far].position, (3000.0, 1800.0))})
    QTest.keyClick(win.view, Qt.Key_F)
    # F fits the whole graph in the view: zoomed out, every node visible
    assert win.view.zoom() < 0.5
    visible = win.view.mapToScene(win.view.viewport().rect()).boundingRect()
    for item in win.scene.nodes.values():
        assert visible.contains(item.sceneBoundingRect())


def test_export_diagram_png_and_svg(window, tmp_path):
    win = window
    chain(win, ["Input", "Dense", "Output"])
    for name in ("d.png", "d.svg"):
        win.ask_path = lambda *a, n=name, **k: str(tmp_path / n)
        assert win.export_diagram()
        assert (tmp_path / name).stat().st_size > 500


def test_wire_picked_up_from_an_input_moves_or_removes_it(window):
    win = window
    g = win.editor.graph
    src, first = chain(win, ["Input", "Dense"])
    second = drop_layer(win, "Dense", (300, 200))
    win.view.set_zoom(0.8)
    win.view.centerOn(win.scene.nodes[first])
    # drag the wire off first's input onto second's input: moved, one step
    drag_wire(win, port_point(win, first, 0, False), port_point(win, second, 0, False))
    assert g.edge_into(first, 0) is None
    assert g.edge_into(second, 0).src == src
    assert win.editor.stack.undoText() == "Move connection"
    win.editor.stack.undo()
    assert g.edge_into(first, 0).src == src and g.edge_into(second, 0) is None
    # drag it off onto empty canvas: removed, and undo brings it back
    start = port_point(win, first, 0, False)
    drag_wire(win, start, start + type(start)(-60, 160))
    assert g.edge_into(first, 0) is None and not win.quick_add.isVisible()
    win.editor.stack.undo()
    assert g.edge_into(first, 0).src == src
    # dropped back where it was: nothing changes
    count = win.editor.stack.count()
    start = port_point(win, first, 0, False)
    drag_wire(win, start, start)
    assert g.edge_into(first, 0).src == src and win.editor.stack.count() == count
