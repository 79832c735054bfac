"""Training past one device with TensorFlow's own ``tf.distribute``.

Strategies: ``default`` (one device), ``mirrored`` (all local GPUs, or the
chosen devices) and ``multi-worker`` (several machines; each worker's
``TF_CONFIG`` comes from the environment or from ``--cluster`` and
``--task-index``). The model is built and compiled inside
``strategy.scope()``; the batch size in the configuration is per replica, so
the global batch is ``batch_size × replicas``.

Keras 3.15 with TensorFlow 2.21 cannot ``fit`` under
``MultiWorkerMirroredStrategy`` out of the box (keras-team/keras#20585): its
symbolic build averages a per-replica data batch (which also breaks
mirrored training when the first batch of a fit or an evaluation does not
split evenly across replicas), and its multi-worker metric reduction asks
for axis 0 of scalars. :func:`prebuild_for_replicas` (any strategy with
several replicas) and :func:`multi_worker_fixes` (multi-worker only) work
around them narrowly; the exported training script carries the same lines.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from netbuilder.engine.model.training_config import STRATEGIES


class DistributeError(Exception):
    """A strategy that cannot be set up, in plain words."""


@dataclass
class StrategyInfo:
    name: str
    replicas: int
    devices: list[str]
    is_chief: bool
    task: str

    def describe(self, per_replica_batch: int) -> str:
        where = ", ".join(self.devices) if self.devices else "default device"
        text = (f"strategy {self.name}: {self.replicas} replica(s) on {where}; "
                f"global batch {per_replica_batch * self.replicas} "
                f"({per_replica_batch} per replica)")
        if self.name == "multi-worker":
            text += f"; this process is {self.task}" + (" (chief)" if self.is_chief
                                                        else "")
        return text


def tf_config(cluster: list[str], task_index: int) -> str:
    """The TF_CONFIG JSON for worker ``task_index`` of ``cluster``."""
    if not cluster:
        raise DistributeError("--cluster needs at least one host:port")
    for address in cluster:
        host, sep, port = address.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise DistributeError(f"cluster address {address!r} must be host:port")
    if not 0 <= task_index < len(cluster):
        raise DistributeError(f"--task-index must be from 0 to {len(cluster) - 1}")
    return json.dumps({"cluster": {"worker": list(cluster)},
                       "task": {"type": "worker", "index": task_index}})


def read_tf_config() -> dict[str, Any]:
    raw = os.environ.get("TF_CONFIG", "")
    if not raw:
        raise DistributeError("multi-worker training needs TF_CONFIG in the "
                              "environment, or --cluster host:port,... with "
                              "--task-index N")
    try:
        data = json.loads(raw)
        data["cluster"], data["task"]["type"], int(data["task"]["index"])
    except (ValueError, KeyError, TypeError):
        raise DistributeError("TF_CONFIG must be JSON like {\"cluster\": {\"worker\": "
                              "[...]}, \"task\": {\"type\": \"worker\", \"index\": "
                              "0}}") from None
    return data


def is_chief(config: dict[str, Any] | None) -> bool:
    """The chief writes history, checkpoints and exports: the ``chief`` task,
    or worker 0 when the cluster has no chief."""
    if not config:
        return True
    task = config["task"]
    if task["type"] == "chief":
        return True
    return task["type"] == "worker" and int(task["index"]) == 0 and \
        "chief" not in config["cluster"]


def split_cpu(count: int) -> None:
    """Split the first CPU into ``count`` logical devices (must run before
    TensorFlow initialises its devices), to try mirrored training without
    GPUs."""
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
    except RuntimeError:
        raise DistributeError("the CPU can only be split before TensorFlow has "
                              "started; pass the option when training starts"
                              ) from None


def make_strategy(name: str, devices: list[str] | None = None):
    """Create the strategy; returns (strategy, StrategyInfo)."""
    from netbuilder.engine.keras.runtime import load_keras

    load_keras()
    import tensorflow as tf

    if name not in STRATEGIES:
        raise DistributeError(f"strategy must be one of {', '.join(STRATEGIES)}, "
                              f"got {name!r}")
    if name == "default":
        strategy = tf.distribute.get_strategy()
        return strategy, StrategyInfo(name, 1, [], True, "single process")
    if name == "mirrored":
        try:
            strategy = tf.distribute.MirroredStrategy(devices=devices or None)
        except (ValueError, RuntimeError) as exc:
            raise DistributeError(f"mirrored strategy: {exc}") from None
        used = list(strategy.extended.worker_devices)
        return strategy, StrategyInfo(name, strategy.num_replicas_in_sync, used,
                                      True, "single process")
    config = read_tf_config()
    multi_worker_fixes()
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    task = f"{config['task']['type']} {config['task']['index']}"
    return strategy, StrategyInfo(name, strategy.num_replicas_in_sync,
                                  list(strategy.extended.worker_devices),
                                  is_chief(config), task)


_FIXED = False


def multi_worker_fixes() -> None:
    """Patch Keras's multi-worker metric reduction (see module docstring)."""
    global _FIXED
    if _FIXED:
        return
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer as tf_trainer

    original = tf_trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and \
                tf_trainer._collective_all_reduce_multi_worker(strategy):
            def mean(value):
                if isinstance(value, (tf.Tensor, tf.distribute.DistributedValues)):
                    return strategy.reduce("MEAN", value, axis=None)
                return value

            return tf.nest.map_structure(mean, values)
        return original(values, strategy, reduction)

    tf_trainer.reduce_per_replica = reduce_per_replica
    _FIXED = True


def prebuild_for_replicas(model, strategy, sample_batch) -> None:
    """Build the compiled model's state from one local (non-distributed)
    batch inside the strategy, and skip Keras's own build, which averages
    the first distributed batch (keras-team/keras#20585): that fails for
    multi-worker, and for mirrored whenever that batch does not split evenly
    across the replicas (a 51-sample validation set on two replicas: AddN
    [26, n] != [25, n]). Needed for every strategy with several replicas."""
    with strategy.scope():
        model._symbolic_build(data_batch=sample_batch)
    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None
