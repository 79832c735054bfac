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
