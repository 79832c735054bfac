"""tf.distribute on one CPU-only machine: mirrored over two logical CPUs,
two multi-worker processes on 127.0.0.1, and resuming from a backup."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from engine_helpers import EXAMPLES, free_ports

from netbuilder.engine.model.training_config import TrainingConfig
from netbuilder.engine.training.distribute import (
    DistributeError,
    StrategyInfo,
    is_chief,
    read_tf_config,
    tf_config,
)

WORKER = Path(__file__).with_name("distributed_worker.py")
MLP = next(p for p in EXAMPLES if p.stem == "mlp_classifier")
CNN = next(p for p in EXAMPLES if p.stem == "small_cnn")
TIMEOUT = 240


def npz(tmp_path, x_shape, n=256):
    rng = np.random.default_rng(0)
    path = tmp_path / "data.npz"
    np.savez(path, x=rng.normal(size=(n, *x_shape)).astype("float32"),
             y=rng.integers(0, 10, n))
    return f"npz:{path}"


def start(tmp_path, name, **spec):
    spec.setdefault("out", str(tmp_path / f"{name}.json"))
    spec_path = tmp_path / f"{name}.spec.json"
    spec_path.write_text(json.dumps(spec))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    log = open(tmp_path / f"{name}.log", "w")
    proc = subprocess.Popen([sys.executable, str(WORKER), str(spec_path)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    return proc, Path(spec["out"]), tmp_path / f"{name}.log"


def finish(procs):
    """Wait for all, killing every process on a time-out or failure."""
    try:
        for proc, _, _ in procs:
            proc.wait(timeout=TIMEOUT)
    finally:
        for proc, _, _ in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    results = []
    for proc, out, log in procs:
        assert proc.returncode == 0, log.read_text()[-3000:]
        results.append(json.loads(out.read_text()))
    return results


def test_tf_config_and_chief():
    text = tf_config(["127.0.0.1:1000", "127.0.0.1:1001"], 1)
    data = json.loads(text)
    assert data["task"] == {"type": "worker", "index": 1}
    assert not is_chief(data) and is_chief({**data, "task": {"type": "worker",
                                                             "index": 0}})
    assert is_chief({"cluster": {"chief": ["a:1"], "worker": ["b:2"]},
                     "task": {"type": "chief", "index": 0}})
    with pytest.raises(DistributeError, match="host:port"):
        tf_config(["nohost"], 0)
    with pytest.raises(DistributeError, match="task-index"):
        tf_config(["a:1"], 3)
    os.environ.pop("TF_CONFIG", None)
    with pytest.raises(DistributeError, match="needs TF_CONFIG"):
        read_tf_config()
    info = StrategyInfo("mirrored", 2, ["/cpu:0", "/cpu:1"], True, "")
    assert "global batch 64 (32 per replica)" in info.describe(32)
    assert TrainingConfig(data="builtin:digits", strategy="ring").problems()
    assert not TrainingConfig(data="builtin:digits", strategy="mirrored",
                              devices=["/cpu:0"]).problems()


@pytest.mark.slow
def test_mirrored_on_two_logical_cpus_trains_the_cnn(tmp_path):
    [result] = finish([start(tmp_path, "mirrored", project=str(CNN),
                             data=npz(tmp_path, (32, 32, 3), n=128), epochs=1,
                             strategy="mirrored", cpu_replicas=2)])
    assert result["replicas"] == 2 and result["last"] == "finished"
    assert result["changed"]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(result["history"])
    assert all(len(v) == 1 for v in result["history"].values())


@pytest.mark.slow
def test_two_workers_on_localhost_train_and_the_chief_exports(tmp_path):
    import keras

    ports = free_ports(2)
    cluster = [f"127.0.0.1:{p}" for p in ports]
    data = npz(tmp_path, (100,))
    export = tmp_path / "chief.keras"
    procs = [start(tmp_path, f"worker{i}", project=str(MLP), data=data, epochs=1,
                   strategy="multi-worker", tf_config=tf_config(cluster, i),
                   export=str(export))
             for i in range(2)]
    chief, other = finish(procs)
    assert chief["chief"] and not other["chief"]
    assert chief["replicas"] == other["replicas"] == 2
    assert chief["last"] == other["last"] == "finished"
    # synchronous training: both workers see the same aggregated numbers
    assert chief["history"]["loss"] == pytest.approx(other["history"]["loss"])
    assert chief["export_diff"] < 1e-5
    assert keras.saving.load_model(export).count_params() == 100 * 64 + 64 + 650


@pytest.mark.slow
def test_a_failed_multi_worker_run_resumes_from_its_backup(tmp_path):
    ports = free_ports(2)
    cluster = [f"127.0.0.1:{p}" for p in ports]
    data = npz(tmp_path, (100,))
    backup = tmp_path / "backup"

    def run(name, fail):
        return finish([start(tmp_path, f"{name}{i}", project=str(MLP), data=data,
                             epochs=4, strategy="multi-worker",
                             tf_config=tf_config(cluster, i), backup_dir=str(backup),
                             fail_after_epoch=fail) for i in range(2)])

    first = run("first", 1)
    assert [r["last"] for r in first] == ["error", "error"]
    assert "simulated worker failure" in first[0]["message"]
    assert first[0]["epochs_seen"] == [0, 1]
    second = run("second", None)
    assert [r["last"] for r in second] == ["finished", "finished"]
    # The failure struck while epoch 1 was ending, before its backup was
    # written: the restart resumes after the last backed-up epoch (0), not
    # from the start.
    assert second[0]["epochs_seen"] == second[1]["epochs_seen"] == [1, 2, 3]
    assert len(second[0]["history"]["loss"]) == 3


def uneven_project(tmp_path):
    """256 samples, 20% validation (205 / 51), batch 32 per replica: on two
    replicas neither the last training batch (13) nor the validation batch
    (51) splits evenly."""
    from engine_helpers import chain

    from netbuilder.engine.model.graph import Graph
    from netbuilder.engine.model.project import save_project

    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", x=rng.normal(size=(256, 10)).astype("float32"),
             y=rng.integers(0, 6, 256))
    g = Graph("uneven")
    chain(g, [("Input", {"shape": [10]}),
              ("Dense", {"units": 16, "activation": "relu"}),
              ("Dense", {"units": 6, "activation": "softmax"}), ("Output", {})])
    g.extra["training"] = {"data": "npz:d.npz", "epochs": 2, "batch_size": 32,
                           "seed": 0, "validation_split": 0.2,
                           "export": {"format": "keras", "path": "trained.keras"}}
    path = tmp_path / "uneven.nbproj"
    save_project(g, path)
    return path


@pytest.mark.slow
def test_mirrored_training_with_uneven_batches_from_the_cli(tmp_path):
    path = uneven_project(tmp_path)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-m", "netbuilder.cli.main", "train",
                           str(path), "--strategy", "mirrored", "--cpu-replicas",
                           "2", "--save-run"],
                          capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "205 training samples, 51 validation" in proc.stdout
    assert "2 replica(s)" in proc.stdout and "epoch 2/2" in proc.stdout
    assert "evaluation on the validation split (51 samples)" in proc.stdout


@pytest.mark.slow
def test_exported_script_trains_mirrored_with_uneven_batches(tmp_path):
    from netbuilder.engine.codegen.module import generate_code
    from netbuilder.engine.model.project import load_project

    path = uneven_project(tmp_path)
    script = generate_code(load_project(path).graph, with_training=True)
    (tmp_path / "train.py").write_text(script)
    env = {"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""}
    proc = subprocess.run([sys.executable, "-I", "train.py", "--strategy", "mirrored",
                           "--cpu-replicas", "2"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=TIMEOUT, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "trained.keras").exists()
