"""The zoomed-out canvas (level of detail): below 55% zoom one far layer
draws the graph in batches while the items stop painting. What a user sees
must not change: every node tall enough on screen still shows its name,
clicks still select, a selection is framed, a moved node is drawn where it
went. Checked on the pixels of the rendered view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.layout import TB, layout_graph, set_direction
from netbuilder.engine.model.project import save_project
from netbuilder.ui import theme


def chain_project(tmp_path, n: int = 30):
    g = Graph("chain")
    prev = g.add_node("Input", "x", {"shape": [8]}).id
    for i in range(n):
        nid = g.add_node("Dense", f"dense_{i}", {"units": 8}).id
        g.connect(prev, 0, nid, 0)
        prev = nid
    out = g.add_node("Output", "y", {}).id
    g.connect(prev, 0, out, 0)
    set_direction(g, TB)
    layout_graph(g)
    path = tmp_path / "chain.nbproj"
    save_project(g, path)
    return path


def open_chain(win, tmp_path):
    assert win.open_path(str(chain_project(tmp_path)), ask=False)
    return win.editor.graph


def screen_rect(win, node_id: str) -> QRect:
    item = win.scene.nodes[node_id]
    top_left = win.view.mapFromScene(item.pos())
    bottom_right = win.view.mapFromScene(item.pos() + QPointF(item.width, item.height))
    return QRect(top_left, bottom_right)


def count_like(image, rect: QRect, colour: QColor, tolerance: int = 40) -> int:
    """Pixels of ``rect`` within ``tolerance`` (per channel) of ``colour``."""
    count = 0
    rect = rect.intersected(image.rect())
    for x in range(rect.left(), rect.right() + 1):
        for y in range(rect.top(), rect.bottom() + 1):
            c = image.pixelColor(x, y)
            if (abs(c.red() - colour.red()) <= tolerance
                    and abs(c.green() - colour.green()) <= tolerance
                    and abs(c.blue() - colour.blue()) <= tolerance):
                count += 1
    return count


def look_at(win, node_id: str, zoom: float):
    win.view.set_zoom(zoom)
    win.view.centerOn(win.scene.nodes[node_id].sceneBoundingRect().center())
    QTest.qWait(10)
    return win.view.viewport().grab().toImage()


@pytest.mark.parametrize("zoom", [0.2, 0.3, 0.45])
def test_zoomed_out_nodes_keep_their_names(window, tmp_path, zoom):
    win = window
    graph = open_chain(win, tmp_path)
    nid = next(n for n in graph.nodes if graph.nodes[n].name == "dense_12")
    image = look_at(win, nid, zoom)
    assert win.scene.far_on  # the far layer draws, the items do not
    item = win.scene.nodes[nid]
    assert item.flags() & QGraphicsItem.ItemHasNoContents
    assert all(p.flags() & QGraphicsItem.ItemHasNoContents for p in item.inputs)
    rect = screen_rect(win, nid)
    assert rect.height() >= 12
    label = rect.adjusted(1, rect.height() // 4, -1, -1)
    text = count_like(image, label, theme.NODE_TEXT, 60)
    fill = count_like(image, label, theme.NODE_BG, 6)
    assert text >= 8  # letters are written in the node ...
    assert fill >= label.width() * label.height() // 3  # ... on its dark body


def test_too_small_nodes_are_plain_blocks_and_zooming_in_restores_items(window,
                                                                       tmp_path):
    win = window
    graph = open_chain(win, tmp_path)
    nid = next(n for n in graph.nodes if graph.nodes[n].name == "dense_12")
    image = look_at(win, nid, 0.15)  # nodes 9 px tall: no text fits
    rect = screen_rect(win, nid).adjusted(1, 1, -1, -1)
    colour = win.scene.nodes[nid].color
    assert count_like(image, rect, colour, 6) >= rect.width() * rect.height() * 0.9
    assert count_like(image, rect, theme.NODE_TEXT, 60) == 0
    look_at(win, nid, 1.0)
    assert not win.scene.far_on
    item = win.scene.nodes[nid]
    assert not item.flags() & QGraphicsItem.ItemHasNoContents
    assert not any(p.flags() & QGraphicsItem.ItemHasNoContents for p in item.outputs)


def test_zoomed_out_click_selects_and_frames_the_node(window, tmp_path, qtbot):
    win = window
    graph = open_chain(win, tmp_path)
    nid = next(n for n in graph.nodes if graph.nodes[n].name == "dense_5")
    look_at(win, nid, 0.3)
    rect = screen_rect(win, nid)
    QTest.mouseClick(win.view.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    assert win.scene.selected_node_ids() == [nid]
    image = win.view.viewport().grab().toImage()
    frame = rect.adjusted(-2, -2, 2, 2)
    assert count_like(image, frame, theme.SELECT_COLOR, 30) >= rect.width()


def test_zoomed_out_node_is_drawn_where_it_was_moved(window, tmp_path):
    win = window
    graph = open_chain(win, tmp_path)
    nid = next(n for n in graph.nodes if graph.nodes[n].name == "dense_8")
    look_at(win, nid, 0.3)
    before = screen_rect(win, nid)
    x, y = graph.nodes[nid].position
    win.editor.move({nid: ((x, y), (x + 600, y))})
    QTest.qWait(10)
    image = win.view.viewport().grab().toImage()
    after = screen_rect(win, nid)
    assert after.left() - before.left() == pytest.approx(180, abs=2)
    inner = before.adjusted(2, 2, -2, -2)
    empty = count_like(image, inner, theme.CANVAS_BG, 4)
    assert empty >= inner.width() * inner.height() * 0.8  # gone from there
    inner = after.adjusted(2, after.height() // 3, -2, -2)
    assert count_like(image, inner, theme.NODE_BG, 6) > inner.width() * 2


def test_overview_and_content_rect_follow_the_graph(window, tmp_path):
    win = window
    graph = open_chain(win, tmp_path)
    rect = win.scene.far.content_rect()
    for item in win.scene.nodes.values():
        assert rect.contains(item.pos())
    nid = graph.topological_order()[-1]
    x, y = graph.nodes[nid].position
    win.editor.move({nid: ((x, y), (x + 5000, y))})
    assert win.scene.far.content_rect().right() >= x + 5000


def test_diagram_exported_while_zoomed_out_is_drawn_at_full_detail(window, tmp_path):
    from PySide6.QtGui import QImage

    win = window
    open_chain(win, tmp_path)
    images = []
    for zoom in (1.0, 0.2):
        win.view.set_zoom(zoom)
        path = tmp_path / f"at_{zoom}.png"
        win.ask_path = lambda *a, p=path, **k: str(p)
        assert win.export_diagram()
        images.append(QImage(str(path)))
    assert win.scene.far_on  # the canvas is still zoomed out afterwards
    assert images[0].size() == images[1].size()
    assert images[0] == images[1]  # ports, summaries, shapes: all drawn


def test_expanded_group_inside_a_top_to_bottom_graph_reads_top_to_bottom(window,
                                                                         tmp_path):
    from netbuilder.engine.model.groups import group_nodes
    from netbuilder.ui.canvas.group_view import InnerNodeItem

    g = Graph("grouped")
    prev = g.add_node("Input", "x", {"shape": [8]}).id
    ids = []
    for i in range(4):
        nid = g.add_node("Dense", f"dense_{i}", {"units": 8}).id
        g.connect(prev, 0, nid, 0)
        prev = nid
        ids.append(nid)
    out = g.add_node("Output", "y", {}).id
    g.connect(prev, 0, out, 0)
    shapes = {nid: [[None, 8]] for nid in g.nodes}
    group = group_nodes(g, ids[1:3], "block", shapes).id
    set_direction(g, TB)
    layout_graph(g)
    path = tmp_path / "grouped.nbproj"
    save_project(g, path)
    win = window
    assert win.open_path(str(path), ask=False)
    win.scene.toggle_expanded(group)
    item = win.scene.nodes[group]
    inner = {i.name: i for i in item.childItems() if isinstance(i, InnerNodeItem)}
    order = [inner[n] for n in ("dense_1", "dense_2")]
    assert order[0].pos().y() + order[0].height < order[1].pos().y()  # below
    assert order[0].pos().x() == order[1].pos().x()  # one column
    assert order[0].input_point(0).y() == order[0].pos().y()  # port on top
    assert item.height > item.width / 2  # a tall frame, not a wide strip


def test_zooming_by_any_means_switches_the_drawing(window, tmp_path, qtbot):
    win = window
    open_chain(win, tmp_path)
    win.view.set_zoom(1.0)
    assert not win.scene.far_on
    win.view.scale(0.3, 0.3)  # not through set_zoom: no zoomChanged signal
    win.view.viewport().repaint()
    qtbot.waitUntil(lambda: win.scene.far_on, timeout=2000)
    win.view.scale(3, 3)
    win.view.viewport().repaint()
    qtbot.waitUntil(lambda: not win.scene.far_on, timeout=2000)


def test_a_long_chain_fits_the_window_with_every_name_readable(window, tmp_path):
    # like a DenseNet121 folded into its 58 blocks: an 82-node chain
    win = window
    win.resize(1600, 1000)
    QTest.qWait(20)
    assert win.open_path(str(chain_project(tmp_path, 80)), ask=False)
    assert win.view.zoom() >= 0.5  # opens at its start, readable
    win.view.fit_graph()
    rect = win.scene.far.content_rect()
    visible = win.view.mapToScene(win.view.viewport().rect()).boundingRect()
    assert visible.contains(rect)
    # one column 8,000 px tall would fit at 8%; wrapped, names stay legible
    assert win.view.zoom() * 62 >= 16
