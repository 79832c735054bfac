"""The Training panel driven as a user would: settings, Train, live curves,
Stop, Resume, evaluation, recorded runs, undo."""

import numpy as np
import pytest

from netbuilder.engine.model.graph import Graph


def digits_graph():
    g = Graph("digits")
    prev = None
    for i, (t, params) in enumerate([
            ("Input", {"shape": [8, 8, 1]}), ("Flatten", {}),
            ("Dense", {"units": 16, "activation": "relu"}),
            ("Dense", {"units": 10, "activation": "softmax"}), ("Output", {})]):
        node = g.add_node(t, params=params, position=(200 * i, 0))
        if prev is not None:
            g.connect(prev.id, 0, node.id, 0)
        prev = node
    return g


@pytest.fixture
def panel(qtbot):
    from PySide6.QtWidgets import QApplication

    from netbuilder.ui.document.editor import Editor
    from netbuilder.ui.training.panel import TrainingPanel

    QApplication.instance() or QApplication([])
    editor = Editor(digits_graph())
    widget = TrainingPanel(editor)
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_settings_edits_are_undoable_and_validated(panel, qtbot):
    form = panel.form
    form.epochs.setValue(3)
    form.batch.setValue(64)
    assert panel.graph.extra["training"]["epochs"] == 3
    assert panel.graph.extra["training"]["batch_size"] == 64
    # consecutive settings edits merge into one undo step
    assert panel.editor.stack.count() == 1
    panel.editor.stack.undo()
    assert "training" not in panel.graph.extra
    assert form.epochs.value() == 3  # the form keeps what was typed
    form.metrics.setText("accuracy, no_such_metric")
    form.metrics.editingFinished.emit()
    assert "metrics must be" in form.problem.text()


def test_train_from_the_panel_shows_curves_evaluation_and_records_the_run(
        panel, qtbot):
    form = panel.form
    form.kind.setCurrentText("builtin")
    form.source.setEditText("digits")
    form.epochs.setValue(2)
    form.batch.setValue(64)
    form.seed.setValue(1)
    qtbot.mouseClick(panel.train_button, __import__("PySide6.QtCore").QtCore.Qt
                     .LeftButton)
    qtbot.waitUntil(lambda: panel.state == "stopped", timeout=120_000)
    assert panel.plot.point_count() == 2, panel.status.text()
    run = panel.plot._current()
    assert len(run["history"]["loss"]) == 2 and len(run["history"]["val_loss"]) == 2
    assert len(run["batches"]) > 0
    assert panel.plot.redraws >= 1
    assert panel.evaluation.result is not None
    matrix = np.array(panel.evaluation.result["confusion_matrix"])
    assert matrix.shape == (10, 10)
    [recorded] = panel.graph.extra["runs"]
    assert recorded["id"] == "run-1" and recorded["epochs"] == 2
    assert panel.runs_list.count() == 1
    assert panel.status.text().startswith("Finished run-1: 2/2 epochs. On the "
                                          "validation split: ")
    assert "replica" in panel.strategy_label.text()

    # Resume after the last epoch trains as many more, in the same run
    panel.resume_button.click()
    qtbot.waitUntil(lambda: panel.state == "stopped" and
                    panel.graph.extra["runs"][0]["epochs"] == 4, timeout=120_000)
    assert panel.session.completed_epochs == 4
    [run] = panel.graph.extra["runs"]
    assert [(s["from"], s["to"]) for s in run["segments"]] == [(0, 2), (2, 4)]
    # recording a run is one undo step
    panel.editor.stack.undo()
    [run] = panel.graph.extra["runs"]
    assert run["epochs"] == 2 and len(run["segments"]) == 1


def test_stop_keeps_the_weights_and_a_bad_source_is_reported(panel, qtbot):
    form = panel.form
    form.source.setEditText("digits")
    form.epochs.setValue(50)
    form.batch.setValue(8)
    panel.train()
    qtbot.waitUntil(lambda: panel.state == "running" and
                    panel.session.completed_epochs >= 1, timeout=120_000)
    panel.stop()
    qtbot.waitUntil(lambda: panel.state == "stopped", timeout=120_000)
    assert panel.session.stop_reason == "stopped by the user"
    assert panel.session.completed_epochs < 50
    assert panel.resume_button.isEnabled()

    form.kind.setCurrentText("keras")
    form.source.setEditText("cifar100")
    panel.train()
    qtbot.waitUntil(lambda: panel.state in ("idle", "stopped") and
                    "keras:cifar100" in panel.status.text(), timeout=120_000)
    assert panel.train_button.isEnabled()


def test_history_csv_export(panel, tmp_path):
    from netbuilder.ui.training.live_plot import LivePlot

    path = tmp_path / "h.csv"
    LivePlot.export_csv(str(path), {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    assert path.read_text().splitlines() == ["epoch,loss,val_loss", "1,1.0,1.1",
                                             "2,0.5,0.7"]


def test_export_from_the_panel_is_verified(panel, qtbot, tmp_path):
    import keras

    target = tmp_path / "digits.keras"
    panel.ask_export_path = lambda: ("keras", str(target))
    panel.export_button.click()  # before training: the model as built
    qtbot.waitUntil(lambda: "verified" in panel.status.text()
                    or "failed" in panel.status.text(), timeout=120_000)
    assert "verified: max |difference|" in panel.status.text()
    assert keras.saving.load_model(target).count_params() == 8 * 8 * 16 + 16 + 170
    panel.ask_export_path = lambda: ("tflite", str(tmp_path / "bad" / "x"))
    panel.export_button.click()
    qtbot.waitUntil(lambda: "failed" in panel.status.text()
                    or "No such file" in panel.status.text(), timeout=120_000)


def test_data_preview_shows_shapes_labels_and_sample_images(panel, qtbot):
    panel.form.kind.setCurrentText("builtin")
    panel.form.source.setEditText("digits")
    panel.form.preview_button.click()
    qtbot.waitUntil(lambda: "training samples" in panel.preview.text(),
                    timeout=60_000)
    text = panel.preview.text()
    assert "(8, 8, 1)" in text and "first labels" in text
    qtbot.waitUntil(lambda: panel.samples.pixmap() is not None
                    and not panel.samples.pixmap().isNull(), timeout=10_000)
    assert panel.samples.pixmap().width() == 7 * 40 + 6 * 4  # fits the column
    panel.form.source.setEditText("moons")
    panel.form.preview_button.click()
    qtbot.waitUntil(lambda: panel.preview.text().startswith("moons:"),
                    timeout=60_000)
    assert "(2,)" in panel.preview.text()
