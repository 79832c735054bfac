"""The Training dock never acts on the wrong model: one state machine guards
its buttons and the Run menu alike, another project lets the session go,
and a run has one name from its first epoch to its resumed last."""

from pathlib import Path

import pytest

from netbuilder.engine.model.graph import Graph

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def chain(name, layers, training=None):
    g = Graph(name)
    prev = None
    for i, (t, params) in enumerate(layers):
        node = g.add_node(t, params=params, position=(220 * i, 0))
        if prev is not None:
            g.connect(prev.id, 0, node.id, 0)
        prev = node
    if training:
        g.extra["training"] = training
    return g


def digits(units=10, epochs=1):
    return chain("digits", [
        ("Input", {"shape": [8, 8, 1]}), ("Flatten", {}),
        ("Dense", {"units": units, "activation": "softmax"}), ("Output", {})],
        {"data": "builtin:digits", "epochs": epochs, "batch_size": 64, "seed": 1,
         "validation_split": 0.2})


@pytest.fixture
def win(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NETBUILDER_CONFIG_DIR", str(tmp_path / "config"))
    from netbuilder.ui.app import create_window, make_application

    make_application()
    window = create_window(None, load_tensorflow=False, offer_recovery=False)
    window.ask_unsaved = lambda: "discard"
    window.warn = lambda *a: None
    qtbot.addWidget(window)
    window.resize(1300, 850)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.ask_unsaved = lambda: "discard"


def run_action(win, name):
    return win.run_actions[name]


def train_and_wait(qtbot, win):
    run_action(win, "train").trigger()
    qtbot.waitUntil(lambda: win.training_panel.state == "stopped", timeout=120_000)


def test_opening_an_example_lets_the_trained_model_go(win, qtbot, tmp_path):
    panel = win.training_panel
    win.editor.set_graph(digits())
    train_and_wait(qtbot, win)
    assert panel.session.model is not None
    assert run_action(win, "resume").isEnabled()
    assert panel.evaluation.result is not None

    assert win.open_example(str(EXAMPLES / "mlp_classifier.nbproj"))
    assert panel.session is None
    assert panel.state == "idle"
    for name, enabled in (("train", True), ("stop", False), ("resume", False),
                          ("keep", False), ("export", True)):
        assert run_action(win, name).isEnabled() is enabled, name
    assert not panel.resume_button.isEnabled() and not panel.keep_button.isEnabled()
    assert panel.evaluation.result is None
    assert panel.plot._current() is None  # no curves of the digits run
    assert panel.status.text() == "Ready."

    # Export now writes the example's model, not the trained digits model
    import keras

    from netbuilder.engine.codegen.execute import build_model

    want = build_model(win.editor.graph).count_params()
    target = tmp_path / "mlp.keras"
    panel.ask_export_path = lambda: ("keras", str(target))
    run_action(win, "export").trigger()
    qtbot.waitUntil(lambda: panel.state == "idle" and "xport" in panel.status.text()
                    and "…" not in panel.status.text(), timeout=120_000)
    assert "verified" in panel.status.text(), panel.status.text()
    assert keras.saving.load_model(target).count_params() == want != 8 * 8 * 10 + 10


def test_a_graph_edited_after_training_is_not_exported_as_the_old_model(
        win, qtbot, tmp_path):
    panel = win.training_panel
    win.editor.set_graph(digits())
    train_and_wait(qtbot, win)
    dense = next(n for n in win.editor.graph.nodes.values() if n.type == "Dense")
    win.editor.set_param(dense.id, "units", 12)
    target = tmp_path / "edited.keras"
    panel.export_model("keras", str(target))
    qtbot.waitUntil(lambda: panel.state == "stopped", timeout=120_000)
    text = panel.status.text()
    assert "not the current project's model" in text, text
    assert "650 parameters, the project 780" in text
    assert not target.exists()


@pytest.mark.parametrize("state", ["idle", "preparing", "running", "evaluating",
                                   "stopped", "exporting", "keeping"])
def test_menu_actions_and_buttons_obey_one_state_machine(win, qtbot, state):
    from netbuilder.ui.training import state as st

    panel = win.training_panel
    buttons = {"train": panel.train_button, "stop": panel.stop_button,
               "resume": panel.resume_button, "keep": panel.keep_button,
               "export": panel.export_button}
    panel.machine.set(state)
    asked = []
    panel.ask_export_path = lambda: asked.append(1)
    for name in st.ACTIONS:
        allowed = name in st.ALLOWED[state]
        assert run_action(win, name).isEnabled() is allowed, (state, name)
        assert buttons[name].isEnabled() is allowed, (state, name)
    # A shortcut that reaches the slot anyway (a race with the state) is
    # refused by the same rule: nothing starts, nothing is exported.
    if state != "idle" and state != "stopped":
        panel.train()
        panel.export_dialog()
        panel.resume()
        assert panel.session is None and not asked
        assert panel.state == state


def test_f5_during_evaluation_neither_trains_nor_records(win, qtbot):
    panel = win.training_panel
    win.editor.set_graph(digits())
    evaluations = []
    original = panel._evaluate_in_background

    def evaluate_later():
        evaluations.append(panel.session)  # hold the evaluation back

    panel._evaluate_in_background = evaluate_later
    run_action(win, "train").trigger()
    qtbot.waitUntil(lambda: panel.state == "evaluating", timeout=120_000)
    session = panel.session
    for name in ("train", "resume", "export", "keep"):
        run_action(win, name).trigger()
    panel.train()  # even when called directly
    assert panel.session is session and panel.state == "evaluating"
    panel._evaluate_in_background = original
    original()
    qtbot.waitUntil(lambda: panel.state == "stopped", timeout=60_000)
    assert [r["id"] for r in win.editor.graph.extra["runs"]] == ["run-1"]


def test_a_failed_data_check_leaves_no_run_and_names_stay_unique(win, qtbot):
    panel = win.training_panel
    win.editor.set_graph(digits(units=3))  # 3 outputs for 10 classes
    run_action(win, "train").trigger()
    qtbot.waitUntil(lambda: "does not fit" in panel.status.text(), timeout=120_000)
    assert panel.state == "idle"
    assert panel.plot.runs == []  # no empty run on the plot
    assert "runs" not in win.editor.graph.extra

    # the fix makes the stale message go
    dense = next(n for n in win.editor.graph.nodes.values() if n.type == "Dense")
    win.editor.set_param(dense.id, "units", 10)
    assert "does not fit" not in panel.status.text()

    win.editor.graph.extra["runs"] = [{"id": "run-1"}, {"id": "run-4"}]
    train_and_wait(qtbot, win)
    ids = [r["id"] for r in win.editor.graph.extra["runs"]]
    assert ids == ["run-1", "run-4", "run-5"]
    assert [r["label"] for r in panel.plot.runs] == ["run-1", "run-4", "run-5"]


def test_stop_then_resume_continues_the_same_run(win, qtbot):
    panel = win.training_panel
    win.editor.set_graph(digits(epochs=40))
    win.editor.graph.extra["training"]["batch_size"] = 8
    run_action(win, "train").trigger()
    qtbot.waitUntil(lambda: panel.state == "running"
                    and panel.session.completed_epochs >= 1, timeout=120_000)
    run_action(win, "stop").trigger()
    qtbot.waitUntil(lambda: panel.state == "stopped", timeout=120_000)
    done = panel.session.completed_epochs
    assert 1 <= done < 40
    text = panel.status.text()
    step, steps = panel.batch_bar.value(), panel.batch_bar.maximum()
    where = (f"in epoch {done}/40, at batch {step}/{steps}." if step < steps
             else f"after epoch {done}/40.")
    assert text.startswith(f"Stopped run-1 by the user {where}"), text
    assert "On the validation split" in text
    assert panel.epoch_bar.value() == done and panel.epoch_bar.maximum() == 40

    # Resume trains the remaining epochs, not 40 more
    panel.form.epochs.setValue(3)  # the settings changed since: the run keeps its own
    run_action(win, "resume").trigger()
    assert panel.epoch_bar.maximum() == 40
    qtbot.waitUntil(lambda: panel.state == "running"
                    and panel.session.completed_epochs >= done + 1, timeout=120_000)
    run_action(win, "stop").trigger()
    qtbot.waitUntil(lambda: panel.state == "stopped", timeout=120_000)
    total = panel.session.completed_epochs
    [run] = win.editor.graph.extra["runs"]
    assert run["id"] == "run-1" and run["epochs"] == total
    assert [(s["from"], s["to"]) for s in run["segments"]] == [(0, done),
                                                                (done, total)]
    assert len(run["history"]["loss"]) == total
    assert panel.runs_list.count() == 1
    assert panel.runs_list.item(0).text().startswith(
        f"run-1 · {total} epochs in 2 parts")
    current = panel.plot._current()
    assert current["label"] == "run-1" and len(current["history"]["loss"]) == total
    assert [r["label"] for r in panel.plot.runs] == ["run-1"]
    assert panel.status.text().startswith("Stopped run-1 by the user ")
    assert f" epoch {total}/40" in panel.status.text()


def test_the_export_dialog_names_the_file_after_the_chosen_format(win, qtbot,
                                                                  tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QComboBox

    from netbuilder.ui.training.exporting import ExportFileDialog

    dialog = ExportFileDialog(win, tmp_path, "small_cnn")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.current_name() == "small_cnn.keras"
    combo = dialog.findChild(QComboBox, "fileTypeCombo")
    # the name field has the keyboard focus, as when the dialog opens
    dialog.activateWindow()
    dialog._name_edit().setFocus()
    qtbot.waitUntil(dialog._name_edit().hasFocus, timeout=2000)
    QTest.keyClick(combo, Qt.Key_Down)  # Keras -> SavedModel folder
    assert dialog.selectedNameFilter() == "SavedModel folder (*)"
    assert dialog.current_name() == "small_cnn"  # a folder: no .keras
    assert dialog.choice() == ("savedmodel", str(tmp_path / "small_cnn"))
    QTest.keyClick(combo, Qt.Key_Down)
    assert dialog.choice() == ("tflite", str(tmp_path / "small_cnn.tflite"))
    QTest.keyClick(combo, Qt.Key_Up)
    QTest.keyClick(combo, Qt.Key_Up)
    assert dialog.choice() == ("keras", str(tmp_path / "small_cnn.keras"))


def test_curves_have_a_placeholder_and_one_legend_entry_per_run(win, qtbot):
    from PySide6.QtCore import Qt

    panel = win.training_panel
    win.training_dock.show()
    win.training_dock.raise_()
    win.resizeDocks([win.training_dock], [460], Qt.Vertical)
    plot = panel.plot
    panel.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: plot.isVisible() and plot.height() > 200, timeout=5000)
    plot.redraw()
    assert plot.stack.currentWidget() is plot.placeholder
    assert "Press Train (F5)" in plot.placeholder.text()
    # run-1 finished (still the current run on the plot), then recorded:
    # starting run-2 must not list run-1 twice
    plot.start_run("run-1", ["loss"])
    for loss in (1.0, 0.5):
        plot.add_epoch({"loss": loss})
    plot.set_previous_runs([{"id": "run-1", "history": {"loss": [1.0, 0.5]}}])
    plot.start_run("run-2", ["loss"])
    plot.add_epoch({"loss": 0.9})
    plot.redraw()
    assert plot.stack.currentWidget() is plot.canvas
    [legend] = plot.figure.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["run-1", "run-2", "training", "validation"]
    # the legend is outside the axes: it covers no data
    plot.canvas.draw()
    renderer = plot.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    for ax in plot.figure.axes:
        assert not box.overlaps(ax.get_window_extent(renderer))


def test_the_confusion_matrix_is_dark_where_it_is_empty(win):
    from matplotlib.colors import to_hex

    from netbuilder.ui.training.evaluation_view import dark_blues
    from netbuilder.ui.training.plot_style import AXES

    assert to_hex(dark_blues()(0.0)) == AXES
    view = win.training_panel.evaluation
    view.show_result({"split": "test", "samples": 4, "metrics": {"accuracy": 0.5},
                      "confusion_matrix": [[2, 0], [2, 0]],
                      "per_class_accuracy": [1.0, 0.0], "class_names": ["a", "b"]})
    image = view.figure.axes[0].images[0]
    assert to_hex(image.cmap(image.norm(0))) == AXES


def test_training_settings_fit_their_column_without_a_sideways_scroll(win, qtbot):
    from PySide6.QtCore import Qt

    panel = win.training_panel
    win.training_dock.show()
    win.training_dock.raise_()
    win.resizeDocks([win.training_dock], [460], Qt.Vertical)
    split = panel.settings_scroll.parentWidget()
    split.setSizes([1, 2000])  # the settings column at its narrowest
    qtbot.waitUntil(lambda: panel.settings_scroll.isVisible(), timeout=5000)
    qtbot.wait(50)
    scroll = panel.settings_scroll
    assert scroll.width() <= 400
    content = scroll.widget()
    assert content.minimumSizeHint().width() <= scroll.viewport().width()
    assert content.width() <= scroll.viewport().width()
    # the sample strip fits too
    import numpy as np

    from netbuilder.ui.training.panel import sample_strip

    strip = sample_strip(np.zeros((10, 8, 8, 1)))
    assert strip.shape[1] <= scroll.viewport().width() - 20


def test_escape_in_a_training_setting_restores_the_projects_value(win, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    win.editor.set_graph(digits(epochs=7))
    form = win.training_panel.form
    form.metrics.setFocus()
    form.metrics.selectAll()
    QTest.keyClicks(form.metrics, "nonsense")
    QTest.keyClick(form.metrics, Qt.Key_Escape)
    assert form.metrics.text() == "accuracy"
    form.epochs.lineEdit().selectAll()
    QTest.keyClicks(form.epochs, "99")
    QTest.keyClick(form.epochs, Qt.Key_Escape)
    assert form.epochs.value() == 7
    form.metrics.editingFinished.emit()
    training = win.editor.graph.extra["training"]
    assert training["epochs"] == 7 and training["metrics"] == ["accuracy"]


def test_export_of_an_edited_import_names_the_layers_with_fresh_weights(
        win, qtbot, tmp_path):
    """Issue 15: the export dialog's result says which imported layers start
    from fresh weights; the others keep the imported ones."""
    from netbuilder.cli import main
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    x = keras.Input((4,), name="x")
    h = keras.layers.Dense(5, activation="relu", name="hidden")(x)
    model = keras.Model(x, keras.layers.Dense(2, name="head")(h))
    model.save(tmp_path / "m.keras")
    assert main(["import", str(tmp_path / "m.keras"), "-o",
                 str(tmp_path / "m.nbproj")]) == 0
    assert win.open_path(str(tmp_path / "m.nbproj"), ask=False)
    hidden = win.editor.graph.node_by_name("hidden")
    win.editor.set_param(hidden.id, "activation", "tanh")
    panel = win.training_panel
    target = tmp_path / "edited.keras"
    panel.export_model("keras", str(target))
    qtbot.waitUntil(lambda: "…" not in panel.status.text(), timeout=120_000)
    text = panel.status.text()
    assert "verified" in text, text
    assert "Fresh weights (edited since import) for 1 layer: hidden." in text
    again = keras.saving.load_model(target)
    for a, b in zip(again.get_layer("head").get_weights(),
                    model.get_layer("head").get_weights(), strict=True):
        assert (a == b).all()
