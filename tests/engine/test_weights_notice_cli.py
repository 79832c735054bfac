"""Issue 15: weights the user can trust. After an imported layer is edited,
``check`` and ``export`` say which layers start from fresh weights, and the
verified export holds the kept weights for every other layer."""

import json

import numpy as np

from netbuilder.cli import main
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model.project import load_project, save_project


def _imported(tmp_path):
    keras = load_keras()
    keras.backend.clear_session()
    x = keras.Input((4,), name="x")
    h = keras.layers.Dense(5, activation="relu", name="hidden")(x)
    model = keras.Model(x, keras.layers.Dense(2, name="head")(h))
    src = tmp_path / "m.keras"
    model.save(src)
    project = tmp_path / "m.nbproj"
    assert main(["import", str(src), "-o", str(project)]) == 0
    return model, project


def test_edited_layer_is_named_by_check_and_export(tmp_path, capsys):
    model, project = _imported(tmp_path)
    assert main(["check", str(project)]) == 0
    assert "weights:" not in capsys.readouterr().out  # nothing edited yet
    loaded = load_project(project).graph
    hidden = loaded.node_by_name("hidden")
    loaded.set_params(hidden.id, {**hidden.params, "activation": "tanh"})
    save_project(loaded, project)
    capsys.readouterr()

    assert main(["check", str(project)]) == 0
    out = capsys.readouterr().out
    assert "weights: fresh weights (edited since import) for 1 layer: hidden" in out
    assert main(["check", "--json", str(project)]) == 0
    assert json.loads(capsys.readouterr().out)["fresh_weights"] == ["hidden"]

    target = tmp_path / "out.keras"
    assert main(["export", str(project), "--format", "keras", "-o",
                 str(target)]) == 0
    out = capsys.readouterr().out
    assert "verified" in out
    assert "weights: weights loaded for 1 layers" in out
    assert "weights: fresh weights (edited since import) for 1 layer: hidden" in out
    again = load_keras().saving.load_model(target)
    # the kept layer has the original's weights, the edited one does not
    for a, b in zip(again.get_layer("head").get_weights(),
                    model.get_layer("head").get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(again.get_layer("hidden").get_weights()[0],
                              model.get_layer("hidden").get_weights()[0])
