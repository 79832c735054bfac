"""Training sessions on tiny data: real numbers, stop/resume, NaN, checks."""

import numpy as np
import pytest
from engine_helpers import chain

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.training_config import TrainingConfig
from netbuilder.engine.training import session as tr
from netbuilder.engine.training.data_check import check_data
from netbuilder.engine.training.datasets import Dataset, Split, load_data
from netbuilder.engine.training.session import (
    TrainingError,
    TrainingSession,
    record_run,
)


def digits_graph():
    g = Graph("digits")
    chain(g, [("Input", {"shape": [8, 8, 1]}), ("Flatten", {}),
              ("Dense", {"units": 16, "activation": "relu"}),
              ("Dense", {"units": 10, "activation": "softmax"}), ("Output", {})])
    return g


def small_digits():
    data = load_data("builtin:digits", seed=0, validation_split=0.2, test_split=0.1)
    data.train = Split([data.train.x[0][:320]], [data.train.y[0][:320]])
    return data


def test_two_epochs_real_history_and_evaluation():
    events = []
    config = TrainingConfig(data="builtin:digits", epochs=2, batch_size=32, seed=1)
    session = TrainingSession(digits_graph(), config, dataset=small_digits(),
                              listener=events.append)
    session.run()
    kinds = [e.kind for e in events]
    assert kinds[0] == tr.PREPARED and kinds[-1] == tr.FINISHED
    assert kinds.count(tr.EPOCH) == 2
    # Batch hooks may run on Keras's thread pool: every one is still counted,
    # as many as the optimizer took steps.
    assert session.batches_run == int(session.model.optimizer.iterations) == 2 * 10
    # batch reports are throttled, but each epoch's last batch is reported
    last_batches = [e for e in events if e.kind == tr.BATCH and e.step == 9]
    assert [e.epoch for e in last_batches] == [0, 1]
    assert set(session.history) >= {"loss", "accuracy", "val_loss", "val_accuracy",
                                    "learning_rate"}
    assert all(len(v) == 2 for v in session.history.values())
    assert session.history["loss"][1] < session.history["loss"][0]
    batch = next(e for e in events if e.kind == tr.BATCH)
    assert batch.steps == 10 and batch.logs["samples_per_second"] > 0
    result = session.evaluate()
    assert result["split"] == "test" and result["samples"] == 180
    matrix = np.array(result["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 180
    assert abs(np.trace(matrix) / 180 - result["metrics"]["accuracy"]) < 1e-6
    assert len(result["per_class_accuracy"]) == 10
    graph = digits_graph()
    run_id = record_run(graph, session.record(result))
    assert run_id == "run-1" and graph.extra["runs"][0]["epochs"] == 2
    assert graph.extra["runs"][0]["history"]["loss"] == session.history["loss"]


def test_stop_within_one_batch_keeps_weights_then_resume_continues():
    seen = []
    config = TrainingConfig(data="builtin:digits", epochs=5, batch_size=16, seed=2)
    session = TrainingSession(digits_graph(), config, dataset=small_digits())

    def listener(event):
        seen.append(event)
        if event.kind == tr.BATCH and event.epoch == 0 and event.step == 0:
            session.stop()

    session.listener = listener
    session.prepare()
    initial = [w.copy() for w in session.model.get_weights()]
    session.run()
    # the stop, asked at the end of the first batch, ends the run at once
    # Batch hooks may run on Keras's own thread, so the stop lands at the
    # next batch boundary or the one after: within one batch of being seen.
    assert 2 <= session.batches_run <= 3
    assert seen[-1].kind == tr.STOPPED and "stopped by the user" in seen[-1].message
    assert seen[-1].stop == tr.STOP_USER
    assert session.completed_epochs == 1
    trained = session.model.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(initial, trained, strict=False))
    iterations = int(session.model.optimizer.iterations.numpy())
    session.resume(1)
    session.wait()
    assert session.completed_epochs == 2 and len(session.history["loss"]) == 2
    assert int(session.model.optimizer.iterations.numpy()) == iterations + 20
    assert seen[-1].kind == tr.FINISHED


def test_nan_loss_stops_with_a_message(tmp_path):
    g = Graph("reg")
    chain(g, [("Input", {"shape": [1]}), ("Dense", {"units": 1}), ("Output", {})])
    x = np.ones((64, 1), dtype="float32")
    y = np.full((64, 1), 3e38, dtype="float32")
    data = Dataset("huge", Split([x], [y]), task="regression")
    events = []
    config = TrainingConfig(data="npz:unused.npz", epochs=3, batch_size=16,
                            loss="mean_squared_error", metrics=["mae"])
    session = TrainingSession(g, config, dataset=data, listener=events.append)
    session.run()
    assert events[-1].kind == tr.STOPPED and events[-1].stop == tr.STOP_DIVERGED
    assert "loss became" in events[-1].message and "learning rate" in events[-1].message
    assert session.completed_epochs == 1


def test_worker_exception_becomes_an_error_event(monkeypatch):
    events = []
    config = TrainingConfig(data="builtin:digits", epochs=1, batch_size=64)
    session = TrainingSession(digits_graph(), config, dataset=small_digits(),
                              listener=events.append)
    session.prepare()

    def boom(*args, **kwargs):
        raise RuntimeError("device lost")

    monkeypatch.setattr(session.model, "fit", boom)
    session.run()
    assert events[-1].kind == tr.FAILED and "device lost" in events[-1].message
    assert not session.running


def test_mismatched_data_is_refused_before_training():
    config = TrainingConfig(data="builtin:spirals", epochs=1)
    session = TrainingSession(digits_graph(), config)
    with pytest.raises(TrainingError, match=r"expects samples of shape \(8, 8, 1\) "
                                            r"but the data has samples of shape"):
        session.prepare()
    bad = TrainingConfig(data="builtin:digits", epochs=0)
    with pytest.raises(TrainingError, match="epochs must be"):
        TrainingSession(digits_graph(), bad).prepare()


def test_check_data_suggests_sparse_loss_for_integer_labels():
    g = digits_graph()
    data = small_digits()
    [problem] = check_data(g, {"output": (None, 10)}, data,
                           {"output": "categorical_crossentropy"})
    assert "integer class ids" in problem.message and "(n, 10)" in problem.message
    assert problem.fix == ("loss", "output", "sparse_categorical_crossentropy")
    assert check_data(g, {"output": (None, 10)}, data,
                      {"output": "sparse_categorical_crossentropy"}) == []
    [few] = check_data(g, {"output": (None, 5)}, data,
                       {"output": "sparse_categorical_crossentropy"})
    assert "5 units" in few.message and "10 units" in few.suggestion


def test_exported_keras_model_after_training_gives_the_same_outputs(tmp_path):
    import keras

    config = TrainingConfig(data="builtin:digits", epochs=1, batch_size=64, seed=0)
    session = TrainingSession(digits_graph(), config, dataset=small_digits())
    session.run()
    path = tmp_path / "m.keras"
    session.model.save(path)
    again = keras.saving.load_model(path)
    x = session.dataset.test.x[0][:7]
    np.testing.assert_allclose(session.model.predict(x, verbose=0),
                               again.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_tensorboard_logs_are_written_per_run(tmp_path):
    config = TrainingConfig(data="builtin:digits", epochs=1, batch_size=64)
    session = TrainingSession(digits_graph(), config, dataset=small_digits(),
                              log_dir=tmp_path / "run-1")
    session.run()
    events = list((tmp_path / "run-1").rglob("events.out.tfevents*"))
    assert events, "no TensorBoard event files were written"
    assert session.record()["log_dir"] == str(tmp_path / "run-1")
