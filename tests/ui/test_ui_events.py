"""Views follow the typed graph events: only model changes re-run code
generation and analysis."""

from __future__ import annotations


def _settle(win, qtbot) -> None:
    qtbot.waitUntil(lambda: not win.code_view.timer.isActive()
                    and not win.analysis.timer.isActive(), timeout=5000)
    assert win.analysis.wait_idle()


def test_recording_a_run_regenerates_no_code_and_no_analysis(window, qtbot):
    win = window
    g = win.editor.graph
    g.add_node("Input", params={"shape": [4]})
    _settle(win, qtbot)
    g.set_extra("runs", [{"epochs": 2, "history": {"loss": [1.0, 0.5]}}])
    assert not win.code_view.timer.isActive()
    assert not win.analysis.timer.isActive()
    g.set_extra("description", "a tiny model")  # written into the code
    assert win.code_view.timer.isActive()
    _settle(win, qtbot)
    g.move(next(iter(g.nodes)), (80.0, 40.0))  # orders the generated code
    assert win.code_view.timer.isActive() and win.analysis.timer.isActive()


def test_an_edit_is_validated_once_and_a_refused_one_never_reaches_the_stack(
        window, monkeypatch):
    import netbuilder.engine.model.graph as graph_module
    import netbuilder.ui.document.editor as editor_module

    win = window
    editor, g = win.editor, win.editor.graph
    dense = g.add_node("Dense", params={"units": 4}).id
    other = g.add_node("Dense", name="taken", params={"units": 4}).id
    messages = []
    editor.message.connect(messages.append)
    calls = []
    real = graph_module.validate_value
    for module in (graph_module, editor_module):  # the graph's rule, anywhere
        monkeypatch.setattr(module, "validate_value",
                            lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    assert editor.set_param(dense, "units", 9)
    assert calls == [9] and g.nodes[dense].params["units"] == 9
    assert editor.stack.count() == 1
    assert not editor.set_param(dense, "units", "many")
    assert not editor.rename(other, "dense")  # the other layer's name
    assert not editor.connect(dense, 0, dense, 0)
    assert editor.stack.count() == 1  # refused edits leave no (obsolete) step
    assert "already exists" in messages[1]
    assert messages[2].startswith("Not connected: ") and "cycle" in messages[2]
    editor.stack.undo()
    assert g.nodes[dense].params["units"] == 4
    editor.stack.redo()
    assert g.nodes[dense].params["units"] == 9 and calls == [9, "many", 9]


def test_code_arriving_after_its_view_was_closed_is_dropped(qtbot, monkeypatch):
    """A background result must not touch widgets deleted meanwhile (this
    crashed a later test with "Internal C++ object already deleted")."""
    import threading

    import shiboken6
    from PySide6.QtCore import QCoreApplication

    from netbuilder.ui.document.editor import Editor
    from netbuilder.ui.panels import code_view

    release, delivered = threading.Event(), []
    monkeypatch.setattr(code_view, "generate",
                        lambda graph, flavor: release.wait(10) and ("x = 1\n", {}))
    real = code_view.CodeView._generated
    mine = []  # only this view counts: a code view left by an earlier test in
    # the same process (pytest-xdist runs them in other orders) may deliver

    def generated(self, *args):
        if self in mine:
            delivered.append(args)
        return real(self, *args)

    monkeypatch.setattr(code_view.CodeView, "_generated", generated)
    view = code_view.CodeView(Editor())  # starts generating at once
    mine.append(view)
    shiboken6.delete(view)
    release.set()
    for thread in threading.enumerate():
        if thread.name == "netbuilder-worker":
            thread.join(10)
    for _ in range(5):
        QCoreApplication.processEvents()
    assert delivered == []
