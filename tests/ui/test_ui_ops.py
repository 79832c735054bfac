"""Build ``y = dense(x) * 0.5 + x`` the way a user does: operations from the
palette and from quick add, a constant in the inspector, wires on the canvas;
then a keyword port (an LSTM's initial state) wired by hand."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from test_ui_build import set_field
from uihelpers import connect, drag_wire, drop_layer, port_point, select


def place(win, type_name: str, pos, **fields) -> str:
    """Drop a layer from the palette and set fields in the inspector."""
    node = drop_layer(win, type_name, pos)
    select(win, node)
    for key, value in fields.items():
        set_field(win, key, value)
    return node


def code_text(win, qtbot) -> str:
    qtbot.waitUntil(win.code_view.is_idle, timeout=10_000)
    qtbot.wait(400)
    qtbot.waitUntil(win.code_view.is_idle, timeout=10_000)
    return win.code_view.edit.toPlainText()


def wire_labels(win, qtbot) -> dict:
    win.analysis.wait_idle()
    qtbot.waitUntil(lambda: win.scene.edges and all(
        e.full_label for e in win.scene.edges.values()), timeout=30_000)
    return {(e.src, e.dst, e.dst_port): item.full_label
            for e, item in win.scene.edges.items()}


def test_build_residual_scaling_with_operations(keras_window, qtbot):
    win = keras_window
    g = win.editor.graph
    x = place(win, "Input", (0, 0), shape="6")
    dense = place(win, "Dense", (300, 0), units=6)
    connect(win, x, dense)

    # The palette lists operations under their own heading; the filter finds them.
    assert "operations" in win.palette.groups
    assert not win.palette.groups["operations"].isExpanded()
    win.palette.search.setText("ops.multip")
    assert win.palette.visible_types() == ["ops.multiply"]
    assert win.palette.groups["operations"].isExpanded()
    scale = drop_layer(win, "ops.multiply", (600, 0))
    win.palette.search.clear()
    connect(win, dense, scale)
    # Port x2 has no wire: the inspector takes a constant for it.
    select(win, scale)
    row = win.inspector.rows["x2"]
    assert row.editor.isEnabled() and row.label.text().endswith("(constant)")
    set_field(win, "x2", "0.5")
    assert g.node(scale).params == {"x2": 0.5}
    assert win.inspector.rows["x1"].label.text().endswith("(wired)")
    assert not win.inspector.rows["x1"].editor.isEnabled()

    # Quick add from a wire dropped on empty canvas: the add operation.
    win.view.centerOn(win.scene.nodes[scale])
    start = port_point(win, scale, 0, True)
    drag_wire(win, start, start + QPoint(220, 60))
    assert win.quick_add.isVisible()
    win.quick_add.search.setText("ops.add")
    assert win.quick_add.list.currentItem().text() == "ops.add"
    QTest.keyClick(win.quick_add.search, Qt.Key_Return)
    add = next(n.id for n in g.nodes.values() if n.type == "ops.add")
    assert g.edge_into(add, 0).src == scale
    # The residual wire goes into the second port of the add on the canvas.
    assert [p.label for p in win.scene.nodes[add].inputs] == ["x1", "x2"]
    connect(win, x, add, dst_port=1)
    out = drop_layer(win, "Output", (1300, 0))
    connect(win, add, out)

    labels = wire_labels(win, qtbot)
    assert labels[(scale, add, 0)] == "(None, 6)"
    assert labels[(x, add, 1)] == "(None, 6)"
    assert labels[(add, out, 0)] == "(None, 6)"
    assert win.problems.counts()[0] == 0
    code = code_text(win, qtbot)
    assert "multiply = keras.ops.multiply(dense, 0.5)" in code
    assert "add = keras.ops.add(multiply, input_)" in code

    # Removing the constant is one undo step and shows as a problem on the port.
    select(win, scale)
    win.inspector._reset("x2")
    assert "x2" not in g.node(scale).params
    win.analysis.wait_idle()
    qtbot.waitUntil(lambda: win.problems.counts()[0] == 1, timeout=10_000)
    win.editor.stack.undo()
    assert g.node(scale).params == {"x2": 0.5}


def test_lstm_initial_state_ports_on_the_canvas(keras_window, qtbot):
    win = keras_window
    enc_in = place(win, "Input", (0, 0), shape="5, 3")
    dec_in = place(win, "Input", (0, 300), shape="4, 2")
    encoder = place(win, "LSTM", (300, 0), units=8)
    win.inspector.rows["return_state"].editor.box.setChecked(True)
    assert len(win.scene.nodes[encoder].outputs) == 3
    decoder = place(win, "LSTM", (650, 300), units=8)
    assert [p.label for p in win.scene.nodes[decoder].inputs] == [
        "input", "initial_state[0]", "initial_state[1]", "mask"]
    connect(win, enc_in, encoder)
    connect(win, dec_in, decoder)
    connect(win, encoder, decoder, src_port=1, dst_port=1)
    connect(win, encoder, decoder, src_port=2, dst_port=2)
    out = drop_layer(win, "Output", (1000, 300))
    connect(win, decoder, out)
    labels = wire_labels(win, qtbot)
    assert labels[(decoder, out, 0)] == "(None, 8)"
    assert labels[(encoder, decoder, 1)] == "(None, 8)"
    assert win.problems.counts()[0] == 0
    code = code_text(win, qtbot)
    assert "initial_state=[lstm_state_0, lstm_state_1]" in code


def test_split_shows_one_port_per_part_as_the_user_sets_it(keras_window, qtbot):
    """A split dropped from the palette: its parts in the inspector set its
    output ports (named result_k), each wire gets its part's shape, undo
    brings the ports back."""
    win = keras_window
    g = win.editor.graph
    x = place(win, "Input", (0, 0), shape="4, 6")
    split = place(win, "ops.split", (300, 0), indices_or_sections="2", axis=-1)
    connect(win, x, split)
    assert g.output_count(split) == 2
    set_field(win, "indices_or_sections", "3")
    assert g.output_count(split) == 3
    item = win.scene.nodes[split]
    assert [p.label for p in item.outputs] == ["result_0", "result_1", "result_2"]
    dense = place(win, "Dense", (650, 200), units=2)
    connect(win, split, dense, src_port=2)
    out = place(win, "Output", (950, 200))
    connect(win, dense, out)
    labels = wire_labels(win, qtbot)
    assert labels[(split, dense, 0)].endswith("4×2") or "(4, 2)" in \
        labels[(split, dense, 0)] or "4, 2" in labels[(split, dense, 0)]
    assert "split, split_1, split_2 = keras.ops.split(" in code_text(win, qtbot)
    # the two wires, the Output, the Dense's units and the Dense
    for _ in range(5):
        win.editor.stack.undo()
    assert g.output_count(split) == 3 and dense not in g.nodes
    win.editor.stack.undo()
    win.editor.stack.undo()  # 3 parts -> 2
    assert g.output_count(split) == 2
    assert len(win.scene.nodes[split].outputs) == 2
