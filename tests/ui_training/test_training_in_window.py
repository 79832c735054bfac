"""The Training dock inside the main window: Run menu, F5, settings saved with
the project."""

import json

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import save_project


def test_training_dock_trains_the_open_project_and_saves_the_run(qtbot, tmp_path):
    from netbuilder.ui.app import create_window, make_application

    g = Graph("digits_mlp")
    prev = None
    for i, (t, params) in enumerate([
            ("Input", {"shape": [8, 8, 1]}), ("Flatten", {}),
            ("Dense", {"units": 10, "activation": "softmax"}), ("Output", {})]):
        node = g.add_node(t, params=params, position=(300 * i, 0))
        if prev is not None:
            g.connect(prev.id, 0, node.id, 0)
        prev = node
    g.extra["training"] = {"data": "builtin:digits", "epochs": 1, "batch_size": 64}
    path = tmp_path / "digits.nbproj"
    save_project(g, path)

    make_application()
    win = create_window(str(path), load_tensorflow=False, offer_recovery=False)
    win.ask_unsaved = lambda: "discard"
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    panel = win.training_panel
    assert panel.form.epochs.value() == 1
    menus = [a.text().replace("&", "") for a in win.menuBar().actions()]
    assert "Run" in menus and menus.index("File") < menus.index("Run")
    assert menus[-1] == "Help"
    run_menu = next(a.menu() for a in win.menuBar().actions()
                    if a.text().replace("&", "") == "Run")
    train = next(a for a in run_menu.actions() if a.text().replace("&", "") == "Train")
    assert train.shortcut().toString() == "F5"
    train.trigger()
    qtbot.waitUntil(lambda: panel.state == "stopped", timeout=120_000)
    assert panel.plot.point_count() == 1
    assert win.document.is_modified()  # the recorded run is a project change
    panel.keep_button.click()
    qtbot.waitUntil(lambda: "weights" in panel.graph.extra, timeout=30_000)
    assert (tmp_path / "digits.weights.h5").exists()
    win.document.save()
    saved = json.loads(path.read_text())
    assert saved["weights"]["file"] == "digits.weights.h5"
    assert saved["runs"][0]["epochs"] == 1
    assert saved["training"]["data"] == "builtin:digits"
