"""The ``tf.distribute`` part of a generated training script (tf-keras flavor).

Fixed text (nothing from the project goes into it): command-line options
``--strategy default|mirrored|multi-worker``, ``--devices``, ``--cluster``,
``--task-index``, ``--cpu-replicas`` and ``--backup-dir``; a function that
makes the strategy; the chief test; and the same narrow Keras 3 multi-worker
fixes as :mod:`netbuilder.engine.training.distribute`, so the script runs on a
cluster with plain TensorFlow and no NetBuilder installed.
"""

from __future__ import annotations

IMPORTS_STDLIB = ["import argparse", "import json", "import os", "import tempfile"]

HELPERS = '''
def parse_args() -> argparse.Namespace:
    """Command-line options for where and how to train."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--strategy",
        choices=["default", "mirrored", "multi-worker"],
        default=STRATEGY,
        help="tf.distribute strategy; the batch size is per replica",
    )
    parser.add_argument("--devices", help="mirrored: devices, e.g. /gpu:0,/gpu:1")
    parser.add_argument("--cluster", help="multi-worker: host:port,host:port,...")
    parser.add_argument("--task-index", type=int, help="multi-worker: this worker")
    parser.add_argument(
        "--cpu-replicas", type=int, help="split the CPU into N logical devices"
    )
    parser.add_argument(
        "--backup-dir", default="backup", help="multi-worker: state to resume from"
    )
    return parser.parse_args()


def make_strategy(args: argparse.Namespace) -> tf.distribute.Strategy:
    """The tf.distribute strategy chosen on the command line."""
    if args.cluster:
        workers = args.cluster.split(",")
        task = {"type": "worker", "index": args.task_index or 0}
        os.environ["TF_CONFIG"] = json.dumps(
            {"cluster": {"worker": workers}, "task": task}
        )
    if args.cpu_replicas:
        cpu = tf.config.list_physical_devices("CPU")[0]
        devices = [tf.config.LogicalDeviceConfiguration()] * args.cpu_replicas
        tf.config.set_logical_device_configuration(cpu, devices)
    if args.strategy == "mirrored":
        devices = args.devices.split(",") if args.devices else None
        return tf.distribute.MirroredStrategy(devices=devices)
    if args.strategy == "multi-worker":
        keras_multi_worker_fixes()
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def is_chief() -> bool:
    """The chief (worker 0 without a chief task) writes the real outputs."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = config.get("task", {"type": "chief"})
    if task["type"] == "chief":
        return True
    return task["index"] == 0 and "chief" not in config.get("cluster", {})


def task_id() -> str:
    """This process's task in the cluster, e.g. worker-1."""
    task = json.loads(os.environ.get("TF_CONFIG") or "{}").get("task", {})
    return f"{task.get('type', 'chief')}-{task.get('index', 0)}"


def keras_multi_worker_fixes() -> None:
    """Keras 3 cannot fit under MultiWorkerMirroredStrategy as released
    (keras-team/keras#20585): average its metrics without an axis."""
    from keras.src.backend.tensorflow import trainer

    original = trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and (
            trainer._collective_all_reduce_multi_worker(strategy)
        ):
            return tf.nest.map_structure(
                lambda v: (
                    strategy.reduce("MEAN", v, axis=None) if tf.is_tensor(v) else v
                ),
                values,
            )
        return original(values, strategy, reduction)

    trainer.reduce_per_replica = reduce_per_replica


def prebuild(model: keras.Model, strategy, x, y) -> None:
    """Build the compiled model from one local batch, then skip Keras's own
    build, which averages the first distributed batch: that fails for
    multi-worker, and for mirrored when that batch does not split evenly."""
    with strategy.scope():
        model._symbolic_build(data_batch=(x, y))
    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None


def output_path(path: str) -> str:
    """The chief writes to ``path``; other workers to a temporary folder."""
    if is_chief():
        return path
    return os.path.join(tempfile.mkdtemp(), os.path.basename(path))
'''


def helper_lines(strategy: str) -> list[str]:
    """The helper functions, preceded by the configured default strategy."""
    assert strategy in ("default", "mirrored", "multi-worker")
    lines = [f'STRATEGY = "{strategy}"  # --strategy overrides it', "", ""]
    return lines + HELPERS.strip("\n").splitlines()
