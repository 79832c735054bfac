"""Build the small CNN from an empty canvas the way a user does, check the
shapes on the wires and the live code, then undo it all and redo it."""

from __future__ import annotations

from uihelpers import connect, drop_layer, select

from netbuilder.ui.panels.param_editors import (
    ChoiceEditor,
    IntEditor,
    ObjectEditor,
    TextEditor,
    TupleEditor,
)

CHAIN = ["Input", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense", "Output"]


def set_field(win, key, value):
    row = win.inspector.rows[key]
    ed = row.editor
    if isinstance(ed, IntEditor):
        ed.box.setValue(value)
    elif isinstance(ed, TupleEditor):
        for box, v in zip(ed.boxes, value, strict=True):
            box.setValue(v)
    elif isinstance(ed, ObjectEditor):
        ed.box.setEditText(value)
        ed.box.lineEdit().editingFinished.emit()
    elif isinstance(ed, ChoiceEditor):
        ed.box.setCurrentIndex(ed.values.index(value))
        ed.box.activated.emit(ed.values.index(value))
    elif isinstance(ed, TextEditor):
        ed.edit.setText(value)
        ed.edit.editingFinished.emit()
    else:  # pragma: no cover
        raise AssertionError(type(ed))
    return row


def build_cnn(win):
    ids = [drop_layer(win, t, (i * 300, 0)) for i, t in enumerate(CHAIN)]
    for a, b in zip(ids, ids[1:], strict=False):
        connect(win, a, b)
    assert len(win.editor.graph.edges) == 6
    inp, conv, _pool, _flat, hidden, probs, _out = ids
    select(win, inp)
    set_field(win, "shape", "32, 32, 3")
    select(win, conv)
    set_field(win, "filters", 32)
    set_field(win, "kernel_size", [3, 3])
    set_field(win, "activation", "relu")
    select(win, hidden)
    set_field(win, "units", 100)
    set_field(win, "activation", "relu")
    select(win, probs)
    set_field(win, "units", 10)
    set_field(win, "activation", "softmax")
    return ids


def test_build_cnn_from_palette(keras_window, qtbot):
    win = keras_window
    ids = build_cnn(win)
    g = win.editor.graph
    assert g.node(ids[0]).params == {"shape": [32, 32, 3]}
    assert g.node(ids[1]).params["filters"] == 32
    assert g.node(ids[1]).params["activation"] == "relu"
    win.analysis.wait_idle()
    qtbot.waitUntil(lambda: win.scene.edges and all(
        e.full_label for e in win.scene.edges.values()), timeout=30_000)
    labels = {(e.src, e.dst): item.full_label for e, item in win.scene.edges.items()}
    assert labels[(ids[0], ids[1])] == "(None, 32, 32, 3)"
    assert labels[(ids[1], ids[2])] == "(None, 30, 30, 32)"
    assert labels[(ids[3], ids[4])] == "(None, 7200)"
    assert labels[(ids[5], ids[6])] == "(None, 10)"
    # The summary panel and the inspector show params.
    qtbot.waitUntil(lambda: win.summary.totals[0] > 0, timeout=10_000)
    assert win.summary.totals[0] == 896 + 720100 + 1010
    # Edge labels follow param changes live.
    select(win, ids[1])
    set_field(win, "filters", 16)
    win.analysis.wait_idle()
    qtbot.waitUntil(lambda: win.scene.edges[g.outgoing(ids[1])[0]].full_label
                    == "(None, 30, 30, 16)", timeout=10_000)
    # Live code.
    qtbot.waitUntil(win.code_view.is_idle, timeout=10_000)
    qtbot.wait(400)
    qtbot.waitUntil(win.code_view.is_idle, timeout=10_000)
    code = win.code_view.edit.toPlainText()
    assert "layers.Conv2D(" in code and "16" in code
    # Selecting a node highlights its lines; clicking a line selects the node.
    select(win, ids[4])
    span = win.code_view.lines[ids[4]]
    assert win.code_view.edit.extraSelections()
    assert win.code_view.edit.textCursor().blockNumber() + 1 == span[0]
    select(win, ids[0])
    from PySide6.QtGui import QTextCursor
    block = win.code_view.edit.document().findBlockByNumber(span[0] - 1)
    win.code_view.edit.setTextCursor(QTextCursor(block))
    assert win.scene.selected_node_ids() == [ids[4]]
    # No problems for a well-formed model.
    assert win.problems.counts()[0] == 0

    # Undo everything back to an empty canvas, then redo it.
    stack = win.editor.stack
    snapshot = (dict((k, (n.type, n.name, dict(n.params))) for k, n in g.nodes.items()),
                set(g.edges))
    while stack.canUndo():
        stack.undo()
    assert not g.nodes and not g.edges and not win.scene.nodes and not win.scene.edges
    while stack.canRedo():
        stack.redo()
    assert (dict((k, (n.type, n.name, dict(n.params))) for k, n in g.nodes.items()),
            set(g.edges)) == snapshot
    assert len(win.scene.nodes) == 7 and len(win.scene.edges) == 6


def test_param_edits_in_one_field_merge(window):
    win = window
    nid = drop_layer(win, "Dense", (0, 0))
    select(win, nid)
    depth = win.editor.stack.count()
    for units in (65, 66, 67):
        set_field(win, "units", units)
    assert win.editor.stack.count() == depth + 1
    assert win.editor.graph.node(nid).params["units"] == 67
    win.editor.stack.undo()
    assert win.editor.graph.node(nid).params["units"] == 64
    assert "Undo" in win.undo_action.text()


def test_invalid_value_is_refused_with_reason(window):
    win = window
    nid = drop_layer(win, "Input", (0, 0))
    select(win, nid)
    row = set_field(win, "shape", "32, banana")
    assert not row.error.isHidden()
    assert "shape must be" in row.error.text()
    assert win.editor.graph.node(nid).params["shape"] == [32]
    row = set_field(win, "shape", "8, 8")
    assert row.error.isHidden()
    assert win.editor.graph.node(nid).params["shape"] == [8, 8]


def test_reset_and_non_default_marker(window):
    win = window
    nid = drop_layer(win, "Conv2D", (0, 0))
    select(win, nid)
    row = set_field(win, "padding", "same")
    assert row.label.font().bold() and row.reset.isEnabled()
    row.reset.click()
    assert "padding" not in win.editor.graph.node(nid).params
    assert not win.inspector.rows["padding"].label.font().bold()


def test_rename_in_inspector(window):
    win = window
    a = drop_layer(win, "Dense", (0, 0))
    b = drop_layer(win, "Dense", (300, 0))
    select(win, b)
    win.inspector.name_edit.setText(win.editor.graph.node(a).name)
    win.inspector.name_edit.editingFinished.emit()
    assert not win.inspector.name_error.isHidden()
    win.inspector.name_edit.setText("head")
    win.inspector.name_edit.editingFinished.emit()
    assert win.editor.graph.node(b).name == "head"
    assert win.scene.nodes[b].name == "head"


def test_multi_selection_edits_shared_params(window):
    win = window
    ids = [drop_layer(win, "Dense", (i * 300, 0)) for i in range(3)]
    select(win, *ids)
    assert "3 Dense layers" in win.inspector.title.text()
    set_field(win, "units", 7)
    assert all(win.editor.graph.node(n).params["units"] == 7 for n in ids)
    win.editor.stack.undo()
    assert all(win.editor.graph.node(n).params["units"] == 64 for n in ids)
