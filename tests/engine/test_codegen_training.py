"""Training configuration and the generated training script."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import ruff_problems
from engine_helpers import EXAMPLES

from netbuilder.engine.codegen.module import generate_code
from netbuilder.engine.model.project import load_project
from netbuilder.engine.model.training_config import (
    TrainingConfig,
    TrainingConfigError,
    parse_data_spec,
)

BY_NAME = {p.stem: p for p in EXAMPLES}


def graph_with(name: str, training: dict):
    graph = load_project(BY_NAME[name]).graph
    graph.extra["training"] = training
    return graph


def test_defaults_follow_the_seed_models_and_round_trip():
    config = TrainingConfig.from_dict({"data": "npz:d.npz"})
    assert (config.optimizer, config.learning_rate, config.batch_size,
            config.epochs, config.validation_split) == ("adam", 0.001, 32, 10, 0.2)
    assert config.loss == "sparse_categorical_crossentropy"
    assert config.metrics == ["accuracy"]
    full = {"data": "csv:a.csv#target=y", "optimizer": "sgd", "momentum": 0.9,
            "loss": {"out": "mse"}, "seed": 3,
            "callbacks": {"early_stopping": {"monitor": "val_loss", "patience": 1,
                                             "restore_best_weights": False},
                          "checkpoint": {"path": "best.keras"}},
            "export": {"format": "savedmodel", "path": "exported"}}
    again = TrainingConfig.from_dict(TrainingConfig.from_dict(full).to_dict())
    assert again == TrainingConfig.from_dict(full)
    assert again.to_dict()["callbacks"]["early_stopping"]["patience"] == 1


def test_data_specs():
    assert parse_data_spec("csv:dir/x.csv#target=label").column == "label"
    assert parse_data_spec("keras:mnist").target == "mnist"
    assert parse_data_spec("builtin:moons").path.endswith("datasets/moons.npz")
    for bad, words in [("mnist", "KIND:VALUE"), ("ftp:x", "unknown data source"),
                       ("csv:x.csv", "label column"),
                       ("keras:nope", "unknown keras dataset"),
                       ("npz:", "names no dataset or file"),
                       ("builtin:../x", "unknown built-in dataset")]:
        with pytest.raises(ValueError, match=words):
            parse_data_spec(bad)


def test_problems_in_plain_words():
    with pytest.raises(TrainingConfigError) as info:
        TrainingConfig.from_dict({"data": "npz:x", "optimizer": "adagrad",
                                  "epochs": 0, "learning_rate": "fast",
                                  "loss": "made_up", "metrics": ["f1"],
                                  "callbacks": {"early_stopping": {"monitor": "x"},
                                                "bogus": {}},
                                  "export": {"format": "onnx", "path": "m"},
                                  "colour": "red"})
    text = "\n".join(info.value.problems)
    for words in ["unknown setting 'colour'", "optimizer must be one of",
                  "epochs must be a whole number", "learning_rate must be a positive",
                  "'made_up' is not a Keras loss", "metrics must be a list",
                  "unknown callback 'bogus'", "early_stopping.monitor must be",
                  "export must be"]:
        assert words in text


def test_per_output_losses_must_name_outputs():
    graph = graph_with("two_inputs_two_outputs", {
        "data": "npz:x.npz", "loss": {"category": "mse", "nope": "mse"}})
    with pytest.raises(TrainingConfigError, match="no loss for output 'score'"):
        generate_code(graph, with_training=True)


def test_missing_configuration_and_unsupported_combinations():
    untrained = load_project(BY_NAME["small_cnn"]).graph
    untrained.extra.pop("training")  # the examples carry settings; this has none
    with pytest.raises(TrainingConfigError, match="no training configuration"):
        generate_code(untrained, with_training=True)
    with pytest.raises(TrainingConfigError, match="one Input and one Output"):
        generate_code(graph_with("two_inputs_two_outputs",
                                 {"data": "csv:a.csv#target=y"}), with_training=True)
    with pytest.raises(TrainingConfigError, match="tf-keras flavor"):
        generate_code(graph_with("small_cnn", {
            "data": "npz:a.npz", "export": {"format": "tflite", "path": "m.tflite"}}),
            "keras", with_training=True)


SCRIPTS = {
    "npz_cnn": ("small_cnn", {"data": "npz:data/cifar.npz", "seed": 42,
                              "export": {"format": "savedmodel", "path": "out"}}),
    "csv_mlp": ("mlp_classifier", {
        "data": "csv:table with spaces.csv#target=label", "optimizer": "sgd",
        "momentum": 0.9, "callbacks": {"reduce_lr_on_plateau": {},
                                       "checkpoint": {"path": "best.keras"}},
        "export": {"format": "tflite", "path": "m.tflite"}}),
    "folder": ("small_cnn", {"data": "folder:images", "optimizer": "adamw",
                             "export": {"format": "keras", "path": "m.keras"}}),
    "keras_cifar": ("small_cnn", {"data": "keras:cifar10", "optimizer": "rmsprop",
                                  "callbacks": {"early_stopping": {}}}),
    "keras_imdb": ("lstm_text_classifier", {"data": "keras:imdb",
                                            "loss": "binary_crossentropy"}),
    "multi_npz": ("two_inputs_two_outputs", {
        "data": "npz:two.npz",
        "loss": {"category": "sparse_categorical_crossentropy", "score": "mse"}}),
}


@pytest.mark.slow
def test_builtin_dataset_script_runs(tmp_path, monkeypatch):
    graph = load_project(BY_NAME["mlp_classifier"]).graph
    graph.nodes["n1"].params["shape"] = [2]  # spirals: 2 features, 2 classes
    graph.extra["training"] = {"data": "builtin:spirals", "epochs": 1}
    namespace = run_script(generate_code(graph, with_training=True), tmp_path,
                           monkeypatch)
    assert namespace["model"].optimizer.iterations.numpy() > 0


def test_training_scripts_are_ruff_clean_in_both_flavors(tmp_path):
    sources = {}
    for key, (name, training) in SCRIPTS.items():
        for flavor in ("tf-keras", "keras"):
            if flavor == "keras" and "tflite" in str(training):
                continue
            text = generate_code(graph_with(name, training), flavor,
                                 with_training=True)
            compile(text, key, "exec")
            sources[f"{key}_{flavor.replace('-', '_')}"] = text
    assert ruff_problems(sources, tmp_path) == ""
    cifar = sources["keras_cifar_keras"]
    assert "keras.datasets.cifar10.load_data()" in cifar
    assert 'x_train.reshape((-1, 32, 32, 3)).astype("float32") / 255' in cifar
    assert "load_data(num_words=10000)" in sources[
        "keras_imdb_tf_keras"]
    assert "maxlen=80" in sources["keras_imdb_tf_keras"]


def run_script(text: str, folder, monkeypatch) -> dict:
    """Run a generated script as __main__ inside ``folder``."""
    monkeypatch.chdir(folder)
    monkeypatch.setattr("sys.argv", ["train.py"])
    namespace = {"__name__": "__main__"}
    exec(compile(text, "train.py", "exec"), namespace)
    return namespace


@pytest.mark.slow
def test_npz_script_trains_evaluates_and_exports(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    (tmp_path / "data").mkdir()
    np.savez(tmp_path / "data" / "mlp.npz",
             x=rng.normal(size=(40, 100)).astype("float32"),
             y=rng.integers(0, 10, 40), x_test=rng.normal(size=(8, 100)),
             y_test=rng.integers(0, 10, 8))
    graph = graph_with("mlp_classifier", {
        "data": "npz:data/mlp.npz", "epochs": 2, "batch_size": 16, "seed": 1,
        "callbacks": {"early_stopping": {"patience": 1},
                      "checkpoint": {"path": "best.keras"}},
        "export": {"format": "keras", "path": "trained.keras"}})
    run_script(generate_code(graph, with_training=True), tmp_path, monkeypatch)
    import keras

    restored = keras.saving.load_model(tmp_path / "trained.keras")
    assert restored.count_params() == 7114
    assert (tmp_path / "best.keras").exists()


@pytest.mark.slow
def test_csv_and_multi_output_scripts_run(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    rows = ["label," + ",".join(f"f{i}" for i in range(100))]
    rows += [f"{rng.integers(0, 10)}," + ",".join(f"{v:.3f}" for v in
                                                  rng.normal(size=100))
             for _ in range(30)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    graph = graph_with("mlp_classifier", {"data": "csv:t.csv#target=label",
                                          "epochs": 1, "validation_split": 0.0,
                                          "export": {"format": "tflite",
                                                     "path": "m.tflite"}})
    run_script(generate_code(graph, with_training=True), tmp_path, monkeypatch)
    assert (tmp_path / "m.tflite").stat().st_size > 1000

    np.savez(tmp_path / "two.npz",
             x_image=rng.normal(size=(12, 28, 28, 1)),
             x_metadata=rng.normal(size=(12, 8)),
             y_category=rng.integers(0, 5, 12),
             y_score=rng.normal(size=(12, 1)))
    graph = graph_with("two_inputs_two_outputs", {
        "data": "npz:two.npz", "epochs": 1, "metrics": [],
        "loss": {"category": "sparse_categorical_crossentropy", "score": "mse"}})
    namespace = run_script(generate_code(graph, "keras", with_training=True),
                           tmp_path, monkeypatch)
    assert namespace["model"].optimizer.iterations.numpy() > 0


@pytest.mark.slow
def test_exported_script_trains_mirrored_without_netbuilder(tmp_path):
    """The standalone script takes --strategy and runs with plain TensorFlow."""
    import subprocess
    import sys

    rng = np.random.default_rng(0)
    np.savez(tmp_path / "mlp.npz", x=rng.normal(size=(64, 100)).astype("float32"),
             y=rng.integers(0, 10, 64))
    graph = graph_with("mlp_classifier", {
        "data": "npz:mlp.npz", "epochs": 1, "batch_size": 8, "strategy": "mirrored",
        "export": {"format": "keras", "path": "trained.keras"}})
    script = generate_code(graph, with_training=True)
    assert "import netbuilder" not in script and 'STRATEGY = "mirrored"' in script
    (tmp_path / "train.py").write_text(script)
    env = {"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": ""}
    proc = subprocess.run([sys.executable, "-I", "train.py", "--cpu-replicas", "2"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "trained.keras").exists()
    # The strategy those options make really has two replicas.
    (tmp_path / "replicas.py").write_text(
        "import sys\n"
        "sys.argv = ['train.py', '--cpu-replicas', '2']\n"
        "import train\n"
        "strategy = train.make_strategy(train.parse_args())\n"
        "print(type(strategy).__name__, strategy.num_replicas_in_sync)\n")
    replicas = subprocess.run([sys.executable, "-I", "-c",
                               "import sys; sys.path.insert(0, '.'); "
                               "import runpy; runpy.run_path('replicas.py')"],
                              cwd=tmp_path, capture_output=True, text=True,
                              timeout=300, env=env)
    assert replicas.stdout.split()[-2:] == ["MirroredStrategy", "2"], \
        replicas.stderr[-2000:]
    help_text = subprocess.run([sys.executable, "-I", "train.py", "--help"],
                               cwd=tmp_path, capture_output=True, text=True,
                               timeout=120, env=env).stdout
    for option in ("--strategy", "--devices", "--cluster", "--task-index",
                   "--cpu-replicas", "--backup-dir"):
        assert option in help_text


@pytest.mark.slow
def test_exported_script_trains_on_two_workers(tmp_path):
    import subprocess
    import sys

    from engine_helpers import free_ports

    rng = np.random.default_rng(0)
    np.savez(tmp_path / "mlp.npz", x=rng.normal(size=(64, 100)).astype("float32"),
             y=rng.integers(0, 10, 64))
    graph = graph_with("mlp_classifier", {
        "data": "npz:mlp.npz", "epochs": 2, "batch_size": 8,
        "export": {"format": "keras", "path": "trained.keras"}})
    (tmp_path / "train.py").write_text(generate_code(graph, with_training=True))
    cluster = ",".join(f"127.0.0.1:{p}" for p in free_ports(2))
    env = {"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}
    procs = [subprocess.Popen([sys.executable, "-I", "train.py", "--strategy",
                               "multi-worker", "--cluster", cluster, "--task-index",
                               str(i)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for i in range(2)]
    try:
        outputs = [p.communicate(timeout=240)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0, 0], outputs[0][-2000:]
    assert (tmp_path / "trained.keras").exists()  # written by the chief only
    # each worker kept its own backup, removed after the finished run
    assert list((tmp_path / "backup").rglob("*.h5")) == []
