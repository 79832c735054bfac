"""The ``train`` verb: trains, evaluates, exports, records; clear failures."""

import json

import numpy as np
from engine_helpers import chain

from netbuilder.cli import main
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import load_project, save_project


def digits_project(tmp_path, **training):
    g = Graph("digits_mlp")
    chain(g, [("Input", {"shape": [8, 8, 1]}), ("Flatten", {}),
              ("Dense", {"units": 16, "activation": "relu"}),
              ("Dense", {"units": 10, "activation": "softmax"}), ("Output", {})])
    if training:
        g.extra["training"] = training
    path = tmp_path / "digits.nbproj"
    save_project(g, path)
    return path


def test_train_export_and_record(tmp_path, capsys):
    import keras

    path = digits_project(tmp_path, data="builtin:digits", epochs=1, batch_size=64,
                          seed=0)
    out = tmp_path / "model.keras"
    status = main(["train", str(path), "--epochs", "2", "--test-split", "0.1",
                   "--export", "keras", str(out), "--save-run"])
    stdout = capsys.readouterr().out
    assert status == 0
    assert "epoch 1/2" in stdout and "epoch 2/2" in stdout
    assert "evaluation on the test split (180 samples)" in stdout
    model = keras.saving.load_model(out)
    assert model.count_params() == 8 * 8 * 16 + 16 + 16 * 10 + 10
    graph = load_project(path).graph
    [run] = graph.extra["runs"]
    assert run["epochs"] == 2 and len(run["history"]["loss"]) == 2
    assert np.array(run["evaluation"]["confusion_matrix"]).sum() == 180
    assert run["config"]["epochs"] == 2
    json.dumps(run)  # the record is plain JSON


def test_command_line_overrides_and_history_files(tmp_path, capsys):
    path = digits_project(tmp_path, data="builtin:digits", epochs=3)
    hist_json, hist_csv = tmp_path / "h.json", tmp_path / "h.csv"
    assert main(["train", str(path), "--epochs", "2", "--optimizer", "sgd",
                 "--lr", "0.05", "--loss", "sparse_categorical_crossentropy",
                 "--metrics", "accuracy,sparse_top_k_categorical_accuracy",
                 "--batch-size", "128", "--history", str(hist_json)]) == 0
    history = json.loads(hist_json.read_text())
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history)
    assert all(len(v) == 2 for v in history.values())
    assert abs(history["learning_rate"][0] - 0.05) < 1e-6
    assert main(["train", str(path), "--epochs", "1", "--history",
                 str(hist_csv)]) == 0
    rows = hist_csv.read_text().splitlines()
    assert rows[0].startswith("epoch,") and len(rows) == 2
    capsys.readouterr()
    assert main(["train", str(path), "--optimizer", "adagrad"]) == 1
    assert "optimizer must be one of" in capsys.readouterr().err


def test_train_failures_are_one_line(tmp_path, capsys):
    path = digits_project(tmp_path)
    assert main(["train", str(path)]) == 2
    assert "no data" in capsys.readouterr().err
    assert main(["train", str(path), "--data", "builtin:spirals"]) == 1
    err = capsys.readouterr().err
    assert "does not fit the model" in err and len(err.strip().splitlines()) == 1
    assert main(["train", str(path), "--data", "keras:cifar100"]) == 1
    assert "keras:cifar100" in capsys.readouterr().err
    assert main(["train", str(path), "--data", "builtin:digits", "--epochs",
                 "0"]) == 1
    assert "epochs must be" in capsys.readouterr().err


def test_kept_weights_make_the_export_the_trained_model(tmp_path, capsys):
    import keras

    path = digits_project(tmp_path, data="builtin:digits", epochs=1, batch_size=64,
                          seed=0)
    trained = tmp_path / "trained.keras"
    assert main(["train", str(path), "--keep-weights", "--export", "keras",
                 str(trained)]) == 0
    assert (tmp_path / "digits.weights.h5").exists()
    exported = tmp_path / "exported.keras"
    assert main(["export", str(path), "--format", "keras", "-o", str(exported)]) == 0
    x = np.random.default_rng(0).random((5, 8, 8, 1)).astype("float32")
    a = keras.saving.load_model(trained).predict(x, verbose=0)
    b = keras.saving.load_model(exported).predict(x, verbose=0)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_diverging_run_keeps_the_previous_weights_and_is_recorded_failed(
        tmp_path, capsys):
    path = digits_project(tmp_path, data="builtin:digits", epochs=1, batch_size=64,
                          seed=0)
    assert main(["train", str(path), "--keep-weights"]) == 0
    weights = tmp_path / "digits.weights.h5"
    before = weights.read_bytes()
    capsys.readouterr()
    status = main(["train", str(path), "--keep-weights", "--save-run", "--lr",
                   "1e30", "--epochs", "2"])
    out, err = capsys.readouterr()
    assert status == 1
    assert "weights not kept" in err and "diverged" in err
    assert weights.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "digits.nbproj", "digits.weights.h5"]
    [run] = load_project(path).graph.extra["runs"]
    assert run["status"] == "failed" and "loss became" in run["stopped"]
    assert "failed" in out


def test_an_edit_saved_while_training_is_kept_with_the_run(tmp_path, monkeypatch):
    from netbuilder.engine.training.session import TrainingSession

    path = digits_project(tmp_path, data="builtin:digits", epochs=1, batch_size=64,
                          seed=0)
    evaluate = TrainingSession.evaluate

    def edit_then_evaluate(session):
        graph = load_project(path).graph  # the user edits and saves meanwhile
        graph.extra["note"] = "saved in the app"
        dense = next(n for n in graph.nodes.values() if n.name == "dense")
        graph.rename(dense.id, "hidden")
        save_project(graph, path)
        return evaluate(session)

    monkeypatch.setattr(TrainingSession, "evaluate", edit_then_evaluate)
    assert main(["train", str(path), "--save-run", "--keep-weights"]) == 0
    graph = load_project(path).graph
    assert graph.extra["note"] == "saved in the app"
    assert "hidden" in {n.name for n in graph.nodes.values()}
    assert [r["id"] for r in graph.extra["runs"]] == ["run-1"]
    assert graph.extra["weights"]["file"] == "digits.weights.h5"
