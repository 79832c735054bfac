"""Editor rough edges a new user hits: shortcuts, Tab and Escape, quick add
ranking, panels brought forward, sorting, the toolbar and first start."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from uihelpers import connect, drop_layer, select


def all_shortcuts(win) -> dict[str, list[str]]:
    """Every key sequence bound in the main window -> what it is bound to."""
    bound: dict[str, list[str]] = {}
    seen = set()
    for action in win.findChildren(QAction):
        if id(action) in seen:
            continue
        seen.add(id(action))
        for keys in action.shortcuts():
            if not keys.isEmpty():
                bound.setdefault(keys.toString(), []).append(action.text())
    for shortcut in win.findChildren(QShortcut):
        for keys in shortcut.keys():
            if not keys.isEmpty():
                bound.setdefault(keys.toString(), []).append("QShortcut")
    return bound


def test_every_keyboard_shortcut_is_bound_once(window):
    bound = all_shortcuts(window)
    twice = {keys: names for keys, names in bound.items() if len(names) > 1}
    assert not twice, twice
    # the keys that used to collide, and the ones the Run menu adds
    assert bound["Ctrl+Shift+E"] == ["&Export Model…"]
    assert bound["Ctrl+Alt+E"] == ["&Diagram (PNG or SVG)…"]
    for keys in ("F5", "Shift+F5", "Ctrl+Space", "Ctrl+E", "Ctrl+Z"):
        assert keys in bound, keys
    assert len(bound) >= 28


def test_export_model_is_under_file_export_and_help_lists_every_shortcut(window):
    from netbuilder.ui.window_menus import shortcuts_html

    export = window.export_menu
    names = [a.text() for a in export.actions()]
    assert names[0] == "&Export Model…" and "&Python…" in names
    assert export.actions()[0] is window.run_actions["export"]
    html = shortcuts_html(window)
    for keys in ("F5", "Shift+F5", "Ctrl+Space", "Ctrl+Shift+E", "Ctrl+Alt+E",
                 "Ctrl+E", "Ctrl+I"):
        assert f"{keys} — " in html, keys
    assert "Train" in html and "Stop Training" in html


def test_tab_after_a_palette_drop_opens_quick_add_not_the_name_field(window, qtbot):
    win = window
    win.palette.tree.setFocus()
    nid = drop_layer(win, "Dense", (0, 0))
    name = win.editor.graph.node(nid).name
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
    qtbot.waitUntil(win.quick_add.isVisible, timeout=2000)
    assert QApplication.focusWidget() is win.quick_add.search
    QTest.keyClicks(QApplication.focusWidget(), "zz")
    win.quick_add.hide()
    assert win.editor.graph.node(nid).name == name


def test_escape_in_a_field_restores_the_old_value(window, qtbot):
    win = window
    nid = drop_layer(win, "Dense", (0, 0))
    select(win, nid)
    name = win.editor.graph.node(nid).name
    edit = win.inspector.name_edit
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, "oops")
    QTest.keyClick(edit, Qt.Key_Escape)
    assert edit.text() == name
    edit.editingFinished.emit()
    assert win.editor.graph.node(nid).name == name
    box = win.inspector.rows["units"].editor.box
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "999")
    QTest.keyClick(box, Qt.Key_Escape)
    assert box.value() == 64
    box.clearFocus()
    win.setFocus()
    assert win.editor.graph.node(nid).params["units"] == 64
    depth = win.editor.stack.count()
    assert all("units" not in win.editor.stack.text(i) for i in range(depth))


def test_quick_add_from_a_4d_wire_ranks_2d_layers_first(keras_window, qtbot):
    win = keras_window
    inp = drop_layer(win, "Input", (0, 0))
    select(win, inp)
    win.inspector.rows["shape"].editor.edit.setText("28, 28, 1")
    win.inspector.rows["shape"].editor.edit.editingFinished.emit()
    win.analysis.run_now()
    assert win.analysis.wait_idle()
    assert win._wire_rank((inp, 0)) == 4
    win.open_quick_add(QPointF(300, 0), connect_from=(inp, 0))
    QTest.keyClicks(win.quick_add.search, "maxpool")
    assert win.quick_add.list.currentItem().text() in ("MaxPool2D", "MaxPooling2D")
    QTest.keyClick(win.quick_add.search, Qt.Key_Return)
    new = [n for n in win.editor.graph.nodes.values() if n.id != inp]
    assert [n.type for n in new][0].endswith("2D")
    # without a wire the alphabetical order stays
    win.open_quick_add(QPointF(600, 0))
    QTest.keyClicks(win.quick_add.search, "maxpool")
    assert win.quick_add.list.currentItem().text() in ("MaxPool1D", "MaxPooling1D")
    win.quick_add.hide()


def test_selecting_a_layer_brings_the_inspector_forward(window, qtbot):
    win = window
    nid = drop_layer(win, "Dense", (0, 0))
    win.scene.clearSelection()
    win.code_dock.raise_()
    qtbot.waitUntil(lambda: win.inspector.visibleRegion().isEmpty())
    select(win, nid)
    qtbot.waitUntil(lambda: not win.inspector.visibleRegion().isEmpty(),
                    timeout=2000)


def test_a_new_error_brings_problems_forward_and_sorts_first(window, qtbot):
    win = window
    a = drop_layer(win, "Input", (0, 0))
    b = drop_layer(win, "Dense", (300, 0))
    connect(win, a, b)  # no Output yet: a warning or an error
    win.summary_dock.raise_()
    qtbot.waitUntil(lambda: win.problems.visibleRegion().isEmpty())
    before = win.problems.counts()[0]
    drop_layer(win, "Add", (300, 300))  # an Add with no inputs: an error
    win.analysis.run_now()
    qtbot.waitUntil(lambda: win.problems.counts()[0] > before, timeout=5000)
    qtbot.waitUntil(lambda: not win.problems.visibleRegion().isEmpty(),
                    timeout=2000)
    severities = [e[0] for e in win.problems.all_entries()]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert "error" in severities


def test_problem_counts_are_red_only_when_there_are_errors():
    from netbuilder.ui.main_window import problem_counts_html

    assert problem_counts_html(0, 0) == "0 errors, 0 warnings"
    assert "ff6b6b" not in problem_counts_html(0, 2)
    assert "<span style='color:#ff6b6b'>1 error</span>" in problem_counts_html(1, 0)


def test_problems_list_errors_before_warnings():
    from types import SimpleNamespace as NS

    from netbuilder.ui.panels.problems import ProblemsPanel

    QApplication.instance() or QApplication([])
    panel = ProblemsPanel()
    panel.set_diagnostics([NS(severity="warning", node="a", message="w1", hint=""),
                           NS(severity="error", node="b", message="e1", hint=""),
                           NS(severity="warning", node=None, message="w2", hint=""),
                           NS(severity="error", node="a", message="e2", hint="")],
                          {"a": "A", "b": "B"})
    texts = [panel.topLevelItem(i).text(2) for i in range(panel.topLevelItemCount())]
    assert texts == ["e1", "e2", "w1", "w2"]


def test_undo_and_redo_buttons_keep_their_width(window, qtbot):
    win = window
    tb = win.findChild(type(win.addToolBar("x")), "mainToolbar")
    button = tb.widgetForAction(win.undo_button)
    width = button.sizeHint().width()
    drop_layer(win, "BatchNormalization", (0, 0))
    assert win.undo_button.text() == "Undo"
    assert win.undo_button.isEnabled()
    assert win.undo_button.toolTip().startswith("Undo Add BatchNormalization")
    assert "(Ctrl+Z)" in win.undo_button.toolTip()
    assert button.sizeHint().width() == width
    win.undo_button.trigger()
    assert not win.editor.graph.nodes
    assert win.redo_button.isEnabled() and not win.undo_button.isEnabled()


def test_first_start_uses_the_screen_and_gives_the_canvas_most_room(qtbot,
                                                                    config_dir):
    from netbuilder.ui.app import create_window, make_application

    make_application()
    win = create_window(None, load_tensorflow=False, offer_recovery=False)
    win.ask_unsaved = lambda: "discard"
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    screen = win.screen().availableGeometry()
    assert win.frameGeometry().width() >= screen.width() - 2
    assert win.height() >= screen.height() * 0.9
    canvas = win.view.size()
    assert win.problems_dock.height() < win.height() * 0.25
    assert canvas.height() > win.height() * 0.5
    # (the test screen is 800 px wide: the side docks are at their minimum)
    assert win.palette_dock.width() <= max(200, screen.width() // 8) + 12
    assert canvas.width() > win.width() * 0.3


def test_every_wire_label_has_the_same_compact_form(window):
    win = window
    a = drop_layer(win, "Input", (0, 0))
    b = drop_layer(win, "Dense", (900, 0))  # a long wire with room to spare
    connect(win, a, b)
    [item] = win.scene.edges.values()
    item.set_label("(None, 64)", "64")
    assert item.label == "64"
    assert item.toolTip() == "tensor shape (None, 64)"


def test_a_conv2d_made_in_the_app_reads_like_the_example():
    from netbuilder.engine.model.graph import Graph
    from netbuilder.ui.theme import node_summary

    g = Graph("faces")
    made = g.add_node("Conv2D", params={"filters": 32, "kernel_size": 3,
                                        "activation": "relu"})
    example = g.add_node("Conv2D", params={"filters": 32, "kernel_size": [3, 3],
                                           "activation": "relu"})
    spec = g.catalog.get("Conv2D")
    assert node_summary(made, spec) == node_summary(example, spec) == "32 · 3×3 · relu"
    conv1d = g.add_node("Conv1D", params={"filters": 8, "kernel_size": 5})
    assert node_summary(conv1d, g.catalog.get("Conv1D")) == "8 · 5"


def test_model_summary_counts_layers_not_inputs_and_outputs(window):
    from PySide6.QtWidgets import QHeaderView

    win = window
    ids = [drop_layer(win, t, (300 * i, 0)) for i, t in
           enumerate(["Input", "Dense", "Dense", "Output"])]
    win.summary.update_summary(win.editor.graph, {})
    total = win.summary.topLevelItem(win.summary.topLevelItemCount() - 1)
    assert total.text(1) == "2 layers"
    assert len(ids) == 4
    header = win.summary.header()
    assert not header.stretchLastSection()
    assert header.sectionResizeMode(2) == QHeaderView.Stretch
    win.summary.resize(1200, 200)
    assert win.summary.columnWidth(4) < 150


def test_inspector_folds_advanced_params_and_never_scrolls_sideways(window, qtbot):
    from PySide6.QtWidgets import QFormLayout

    win = window
    win.resize(1600, 1000)  # the default (first start) size
    nid = drop_layer(win, "Conv2D", (0, 0))
    select(win, nid)
    ins = win.inspector
    basic = [ins.form.itemAt(i, QFormLayout.FieldRole).widget().spec.name
             for i in range(ins.form.rowCount())]
    assert basic[:4] == ["filters", "kernel_size", "strides", "padding"]
    assert "activation" in basic and "use_bias" in basic
    assert "kernel_initializer" not in basic and "dtype" not in basic
    assert ins.advanced_form.rowCount() == 12
    assert not ins.advanced_host.isVisible()
    assert ins.advanced_button.text() == "Advanced (12)"
    ins.advanced_button.click()
    assert ins.advanced_host.isVisible()
    win.editor.set_param(nid, "dtype", "float16")
    assert ins.advanced_button.text() == "Advanced (12) · 1 changed"
    qtbot.wait(50)
    # everything fits the panel's width
    viewport = ins.scroll.viewport().width()
    assert ins.form_host.minimumSizeHint().width() <= viewport
    assert ins.form_host.width() <= viewport


def test_code_lines_and_the_not_runnable_reason_are_never_clipped(window, qtbot):
    win = window
    win.resize(1600, 1000)
    win.code_dock.raise_()
    a = drop_layer(win, "Input", (0, 0))
    drop_layer(win, "Dense", (300, 0))
    code = win.code_view
    code.regenerate()
    qtbot.waitUntil(code.is_idle, timeout=10_000)
    if not code.status.isVisible():  # (the generator may accept this graph)
        win.editor.delete([a])
        code.regenerate()
        qtbot.waitUntil(code.is_idle, timeout=10_000)
    status = code.status
    assert status.text().startswith("Not runnable yet")
    qtbot.waitUntil(status.isVisible, timeout=2000)
    assert status.wordWrap()
    assert status.width() <= code.width()
    assert status.height() >= status.heightForWidth(status.width())
    code.edit.setPlainText("x = " + " + ".join(["value"] * 80))
    qtbot.wait(50)
    assert code.edit.horizontalScrollBar().maximum() == 0
