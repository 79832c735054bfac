"""Problems on the canvas and in the panel; files: save, reopen, dirty
prompt, damaged files, recovery after a crash, 1,000 nodes."""

from __future__ import annotations

import json
import os

from uihelpers import connect, drop_layer, select

from netbuilder.engine.model.project import load_project, save_project
from netbuilder.ui.app import create_window
from netbuilder.ui.document import recovery


def test_wrong_rank_connection_shows_badge_and_problem(keras_window, qtbot):
    win = keras_window
    inp = drop_layer(win, "Input", (0, 0))
    conv = drop_layer(win, "Conv2D", (300, 0))
    out = drop_layer(win, "Output", (600, 0))
    select(win, inp)
    win.inspector.rows["shape"].editor.edit.setText("100")
    win.inspector.rows["shape"].editor.edit.editingFinished.emit()
    connect(win, inp, conv)
    connect(win, conv, out)
    win.analysis.wait_idle()
    qtbot.waitUntil(lambda: win.scene.nodes[conv].severity == "error", timeout=20_000)
    item = win.scene.nodes[conv]
    assert "4-D input" in item.problem_text and "Reshape" in item.problem_text
    assert "4-D input" in item.toolTip()
    entries = [e for e in win.problems.all_entries() if e[1] == conv]
    assert entries and entries[0][0] == "error" and entries[0][4]  # has a hint
    # Clicking the entry selects the node.
    from netbuilder.ui.panels.problems import NODE_ROLE

    problems = win.problems
    row = next(problems.topLevelItem(i) for i in range(problems.topLevelItemCount())
               if win.problems.topLevelItem(i).data(0, NODE_ROLE) == conv)
    win.problems.itemClicked.emit(row, 0)
    assert win.scene.selected_node_ids() == [conv]
    # Fix it: the badge goes away.
    select(win, inp)
    win.inspector.rows["shape"].editor.edit.setText("28, 28, 1")
    win.inspector.rows["shape"].editor.edit.editingFinished.emit()
    win.analysis.wait_idle()
    qtbot.waitUntil(lambda: win.scene.nodes[conv].severity is None, timeout=20_000)


def test_refused_connections_say_why(window):
    win = window
    a = drop_layer(win, "Dense", (0, 0))
    b = drop_layer(win, "Dense", (300, 0))
    c = drop_layer(win, "Dense", (300, 200))
    connect(win, a, b)
    assert len(win.editor.graph.edges) == 1
    connect(win, b, a)  # cycle
    assert len(win.editor.graph.edges) == 1
    assert "cycle" in win.statusBar().currentMessage()
    connect(win, c, b)  # occupied port
    assert len(win.editor.graph.edges) == 1
    assert "already connected" in win.statusBar().currentMessage()


def test_structural_problem_listed_without_keras(window):
    win = window
    drop_layer(win, "Dense", (0, 0))
    win.analysis.run_now()
    messages = [e[3] for e in win.problems.all_entries()]
    assert any("no Input" in m for m in messages)
    assert win.problems.counts()[0] >= 1


def test_save_close_reopen(window, tmp_path, qtbot):
    win = window
    ids = [drop_layer(win, t, (i * 300, 0))
           for i, t in enumerate(["Input", "Dense", "Output"])]
    connect(win, ids[0], ids[1])
    connect(win, ids[1], ids[2])
    assert win.document.is_modified()
    assert win.isWindowModified()
    path = tmp_path / "saved.nbproj"
    win.ask_path = lambda *a, **k: str(path)
    assert win.save()
    assert not win.document.is_modified() and "saved.nbproj" in win.windowTitle()
    before = json.loads(path.read_text())
    win.close()
    win2 = create_window(str(path), load_tensorflow=False, offer_recovery=False)
    qtbot.addWidget(win2)
    win2.ask_unsaved = lambda: "discard"
    g = win2.editor.graph
    assert [(n.type, n.name) for n in g.nodes.values()] == \
        [(n["type"], n["name"]) for n in before["nodes"]]
    assert len(g.edges) == 2 and len(win2.scene.edges) == 2
    assert not win2.document.is_modified()
    # Recent files know it.
    assert any(a.text() == "saved.nbproj" for a in win2.recent_menu.actions())


def test_dirty_prompt(window, tmp_path):
    win = window
    drop_layer(win, "Dense", (0, 0))
    answers = []
    win.ask_unsaved = lambda: answers.pop(0)
    answers.append("cancel")
    assert not win.new_document()
    assert len(win.editor.graph.nodes) == 1
    answers.append("discard")
    assert win.new_document()
    assert not win.editor.graph.nodes and not win.document.is_modified()
    drop_layer(win, "Dense", (0, 0))
    target = tmp_path / "prompted.nbproj"
    win.ask_path = lambda *a, **k: str(target)
    answers.append("save")
    assert win.open_path("resources/examples/mlp_classifier.nbproj")
    assert target.exists() and len(load_project(target).graph.nodes) == 1
    # an example opens as an untitled copy
    assert win.document.display_name() == "mlp_classifier (example)"


def test_damaged_file_opens_with_problems(window, tmp_path):
    doc = json.loads(open("resources/examples/small_cnn.nbproj").read())
    doc["nodes"][2]["params"]["filters"] = "many"  # conv1
    doc["nodes"].append({"id": "n99", "type": "NoSuchLayer", "name": "x", "params": {}})
    doc["edges"].append({"from": ["n1", 0], "to": ["nope", 0]})
    path = tmp_path / "damaged.nbproj"
    path.write_text(json.dumps(doc))
    win = window
    assert win.open_path(str(path))
    assert len(win.editor.graph.nodes) == 9
    where = [e[2] for e in win.problems.all_entries()]
    assert any("$.nodes[2].params.filters" in w for w in where)
    assert any("$.edges[7]" in w for w in where)
    win.analysis.run_now()
    assert win.scene.nodes["n99"].severity == "error"


def test_not_a_project_is_refused_plainly(window, tmp_path):
    path = tmp_path / "junk.nbproj"
    path.write_text("{not json")
    assert not window.open_path(str(path))
    assert "not valid JSON" in window.statusBar().currentMessage()


def test_recovery_after_crash(qtbot, config_dir, tmp_path):
    from uihelpers import drop_layer as drop

    from netbuilder.ui.app import create_window as make

    win = make(None, load_tensorflow=False, offer_recovery=False)
    qtbot.addWidget(win)
    win.ask_unsaved = lambda: "discard"
    win.show()
    drop(win, "Dense", (0, 0))
    drop(win, "Dropout", (300, 0))
    assert win.autosaver.save_now()
    # Simulate a crash: the process that wrote the copy is gone.
    meta = win.autosaver.path.with_suffix(".json")
    data = json.loads(meta.read_text())
    data["pid"] = 2**22 + 12345  # no such process
    meta.write_text(json.dumps(data))
    win.autosaver.timer.stop()
    # the dead process never cleans up
    win.autosaver.path = tmp_path / "elsewhere.nbproj"
    assert recovery.leftover_copies()
    win2 = make(None, load_tensorflow=False, offer_recovery=False)
    qtbot.addWidget(win2)
    win2.ask_unsaved = lambda: "discard"
    offered = []
    win2.ask_restore = lambda copy: offered.append(copy) or True
    assert win2.offer_recovery()
    assert offered
    types = sorted(n.type for n in win2.editor.graph.nodes.values())
    assert types == ["Dense", "Dropout"]
    assert win2.document.is_modified()
    assert not recovery.leftover_copies()


def test_clean_close_leaves_no_recovery_copy(qtbot, config_dir):
    win = create_window(None, load_tensorflow=False, offer_recovery=False)
    qtbot.addWidget(win)
    win.ask_unsaved = lambda: "discard"
    win.show()
    drop_layer(win, "Dense", (0, 0))
    assert win.autosaver.save_now() and win.autosaver.path.exists()
    win.close()
    assert not win.autosaver.path.exists()


def make_big_project(path, n=1000):
    from netbuilder.engine.model.graph import Graph

    g = Graph("big")
    prev = g.add_node("Input", "x", {"shape": [64]}, (0, 0)).id
    for i in range(n - 2):
        nid = g.add_node("Dense", f"d{i}", {"units": 64},
                         ((i + 1) * 220, (i % 7) * 90)).id
        g.connect(prev, 0, nid, 0)
        prev = nid
    out = g.add_node("Output", "y", {}, ((n - 1) * 220, 0)).id
    g.connect(prev, 0, out, 0)
    save_project(g, path)


def test_thousand_nodes_open(window, tmp_path):
    path = tmp_path / "big.nbproj"
    make_big_project(path)
    assert window.open_path(str(path))
    assert len(window.scene.nodes) == 1000 and len(window.scene.edges) == 999
    window.view.fit_graph()
    window.view.viewport().repaint()
    window.auto_arrange()
    window.editor.stack.undo()


def test_window_appears_before_tensorflow(tmp_path):
    import subprocess
    import sys

    script = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from netbuilder.ui.app import create_window, make_application
app = make_application()
win = create_window("resources/examples/small_cnn.nbproj", offer_recovery=False)
win.show()
app.processEvents()
shown_before_tf = win.isVisible() and "tensorflow" not in sys.modules
status = win.tf_label.text()
win.start_background_work()
from PySide6.QtCore import QDeadlineTimer
deadline = QDeadlineTimer(120000)
while not win.tf.ready and not win.tf.error and not deadline.hasExpired():
    app.processEvents()
print(shown_before_tf, status, "|", win.tf_label.text())
win.ask_unsaved = lambda: "discard"
win.close()
"""
    env = dict(os.environ, NETBUILDER_CONFIG_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    line = out.stdout.strip().splitlines()[-1]
    assert line.startswith("True Loading TensorFlow"), line
    assert "TensorFlow ready" in line and "CPU" in line


def test_render_command(tmp_path):
    import subprocess
    import sys

    for suffix in ("png", "svg"):
        target = tmp_path / f"out.{suffix}"
        out = subprocess.run([sys.executable, "-m", "netbuilder", "render",
                              "resources/examples/small_cnn.nbproj", "-o", str(target),
                              "--no-shapes"],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert target.stat().st_size > 1000
    bad = subprocess.run([sys.executable, "-m", "netbuilder", "render",
                          "resources/examples/small_cnn.nbproj", "-o", "x.gif"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "png or .svg" in bad.stderr
