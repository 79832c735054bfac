"""Crash recovery: a copy soon after the first edit and then at most a few
seconds behind; every copy left by a crashed window is offered, and none is
deleted unless the user discarded or restored it."""

from __future__ import annotations

import json
import time

from uihelpers import drop_layer

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import dumps
from netbuilder.ui.document import recovery

DEAD_PID = 2**22 + 12345  # no such process


def leave_copy(name: str, layers: list[str], saved_at: float, original=None):
    """A recovery copy as a crashed NetBuilder leaves it."""
    g = Graph(name)
    for i, layer in enumerate(layers):
        g.add_node(layer, position=(i * 200, 0))
    path = recovery.recovery_dir() / f"session-{DEAD_PID}-{name}.nbproj"
    path.write_text(dumps(g))
    path.with_suffix(".json").write_text(json.dumps(
        {"pid": DEAD_PID, "original": original, "saved_at": saved_at}))
    return path


def test_a_copy_is_written_soon_after_the_first_edit(window, qtbot):
    saver = window.autosaver
    assert not saver.timer.isActive()  # nothing to save before an edit
    drop_layer(window, "Dense", (0, 0))
    assert saver.timer.isActive()
    assert saver.timer.interval() == recovery.FIRST_DELAY_MS <= 2_000
    qtbot.waitUntil(saver.path.exists, timeout=30_000)
    saved = json.loads(saver.path.read_text())
    assert [n["type"] for n in saved["nodes"]] == ["Dense"]
    # The next edit is saved no later than MIN_GAP_MS after that copy.
    drop_layer(window, "Dropout", (300, 0))
    assert saver.timer.isActive()
    assert recovery.FIRST_DELAY_MS <= saver.timer.interval() <= recovery.MIN_GAP_MS
    assert recovery.MIN_GAP_MS <= 10_000
    qtbot.waitUntil(lambda: len(json.loads(saver.path.read_text())["nodes"]) == 2,
                    timeout=30_000)
    # Saving the project removes the copy.
    assert window.document.save(str(recovery.recovery_dir().parent / "p.nbproj"))[0]
    saver.save_now()
    assert not saver.path.exists()


def test_every_leftover_copy_is_offered_and_kept_unless_discarded(window, qtbot):
    now = time.time()
    older = leave_copy("older", ["Dense"], now - 60)
    newer = leave_copy("newer", ["Conv2D", "Flatten"], now - 5)
    shown = []

    def answer(copy, replies):
        shown.append(copy.path.name)
        return replies[copy.path]

    window.ask_restore = lambda copy: answer(copy, {newer: "keep", older: "discard"})
    assert not window.offer_recovery()
    assert shown == [newer.name, older.name]  # both shown, newest first
    assert newer.exists() and not older.exists()
    assert not window.document.is_modified()

    # Next start: the kept copy is offered again.
    shown.clear()
    older = leave_copy("older", ["Dense"], now - 60)
    window.ask_restore = lambda copy: answer(copy, {newer: "restore",
                                                    older: "restore"})
    assert window.offer_recovery()
    assert shown == [newer.name, older.name]
    types = sorted(n.type for n in window.editor.graph.nodes.values())
    assert types == ["Conv2D", "Flatten"] and window.document.is_modified()
    [second] = window.recovered_windows
    qtbot.addWidget(second)
    second.ask_unsaved = lambda: "discard"
    assert [n.type for n in second.editor.graph.nodes.values()] == ["Dense"]
    # Each restored copy now lives on as its new window's own copy.
    assert not newer.exists() and not older.exists()
    assert window.autosaver.path.exists() and second.autosaver.path.exists()
    assert recovery.leftover_copies() == []
    second.close()
