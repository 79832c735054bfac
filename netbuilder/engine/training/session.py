"""Training sessions: build by executing the generated code, compile, fit in
a worker thread, report plain events, stop/resume, evaluate, record the run.

Events reach ``listener`` on the worker thread as :class:`TrainingEvent`;
a UI forwards them to its own thread. Nothing here raises into the caller
once the worker runs: failures become an ``error`` event with a message.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.training_config import TrainingConfig
from netbuilder.engine.training.datasets import Dataset, Split, load_data
from netbuilder.engine.training.errors import TrainingError
from netbuilder.engine.training.runs import (  # noqa: F401 - re-exported
    add_run,
    keep_weights,
    next_run_id,
    record_run,
    record_run_in_file,
    with_run,
)

# Event kinds
PREPARED = "prepared"
BATCH = "batch"
EPOCH = "epoch"
FINISHED = "finished"
STOPPED = "stopped"
FAILED = "error"

# Why a run stopped before its last epoch (``TrainingEvent.stop``).
STOP_USER = "user"
STOP_DIVERGED = "diverged"  # the loss became NaN or infinite


@dataclass
class TrainingEvent:
    kind: str
    epoch: int | None = None  # 0-based epoch the event belongs to
    step: int | None = None  # 0-based batch within the epoch
    steps: int | None = None  # batches per epoch
    logs: dict[str, float] = field(default_factory=dict)
    message: str = ""
    stop: str | None = None  # STOPPED events: STOP_USER or STOP_DIVERGED
    details: str = ""  # for failures: the original (Keras) message


Listener = Callable[[TrainingEvent], None]
# Seconds between batch reports (reading the logs waits for the device).
REPORT_INTERVAL = 0.1


def _clean_logs(logs: dict | None) -> dict[str, float]:
    out = {}
    for key, value in (logs or {}).items():
        try:
            out[key] = float(np.asarray(value))
        except (TypeError, ValueError):
            continue
    return out


def make_optimizer(config: TrainingConfig):
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    lr = config.learning_rate
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=config.momentum)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr, momentum=config.momentum)
    if config.optimizer == "adamw":
        return keras.optimizers.AdamW(learning_rate=lr,
                                      weight_decay=config.weight_decay)
    return keras.optimizers.Adam(learning_rate=lr)


def to_tf_dataset(split: Split, batch_size: int, shuffle: bool, seed: int | None):
    """A batched, prefetched tf.data pipeline over the split's arrays."""
    import tensorflow as tf

    x = split.x[0] if len(split.x) == 1 else tuple(split.x)
    y = split.y[0] if len(split.y) == 1 else tuple(split.y)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(min(len(split), 10_000), seed=seed,
                        reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


class TrainingSession:
    """One model being trained; see the module docstring."""

    def __init__(self, graph: Graph, config: TrainingConfig,
                 dataset: Dataset | None = None, base_dir: str | Path | None = None,
                 listener: Listener | None = None, log_dir: str | Path | None = None,
                 test_split: float = 0.0,
                 backup_dir: str | Path | None = None) -> None:
        self.graph = graph.copy()  # the run does not follow later edits
        self.config = config
        self.dataset = dataset
        self.base_dir = Path(base_dir) if base_dir else Path.cwd()
        self.listener = listener or (lambda event: None)
        self.log_dir = Path(log_dir) if log_dir else None
        self.test_split = test_split
        self.backup_dir = Path(backup_dir) if backup_dir else None
        self.strategy = None
        self.strategy_info = None
        self.model = None
        self.code = None
        # What happened to weights carried with the project (kept or imported)
        self.weights_notes: list[str] = []
        self.history: dict[str, list[float]] = {}
        self.completed_epochs = 0
        self.stop_reason = ""
        self.stop_kind: str | None = None  # STOP_USER or STOP_DIVERGED
        self.started_at: str | None = None
        self.train_seconds = 0.0
        self.samples_per_second = 0.0
        self.batches_run = 0
        # One entry per start/resume: {"from", "to" (epochs), "stopped"}
        self.segments: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ preparing
    def prepare(self) -> list[str]:
        """Load data, check it against the model, build and compile.

        Returns warnings; raises :class:`TrainingError` when training cannot
        start (bad config, unloadable data, data that does not fit)."""
        from netbuilder.engine.analysis.shapes import analyze
        from netbuilder.engine.keras.runtime import load_keras

        outputs = [n.name for n in self.graph.output_nodes()]
        problems = self.config.problems(outputs)
        if problems:
            raise TrainingError("; ".join(problems))
        report = analyze(self.graph)
        if report.has_errors:
            first = next(d for d in report.diagnostics if d.severity == "error")
            raise TrainingError(f"the graph has errors: {first.message}")
        keras = load_keras()
        if self.config.seed is not None:
            keras.utils.set_random_seed(self.config.seed)
        if self.dataset is None:
            self.dataset = self._load_data(outputs)
        losses = {name: self.config.loss_for(name) for name in outputs}
        self._check_fit(report, losses)
        self._build_and_compile([losses[name] for name in outputs], len(outputs))
        if self.strategy_info.replicas > 1 or self.config.strategy == "multi-worker":
            from netbuilder.engine.training.distribute import prebuild_for_replicas

            prebuild_for_replicas(self.model, self.strategy, self._sample_batch())
        notes = "".join(f"; {note}" for note in self.weights_notes)
        self.listener(TrainingEvent(PREPARED, message=self.dataset.summary() + "; "
                                    + self.strategy_info.describe(
                                        self.config.batch_size) + notes))
        return []

    def _load_data(self, outputs: list[str]):
        from netbuilder.engine.training.datasets import DataError

        try:
            return load_data(
                self.config.data, self.base_dir, seed=self.config.seed or 0,
                validation_split=self.config.validation_split,
                test_split=self.test_split,
                input_names=[n.name for n in self.graph.input_nodes()],
                output_names=outputs, image_shape=image_shape(self.graph))
        except DataError as exc:
            raise TrainingError(str(exc)) from None

    def _check_fit(self, report, losses: dict[str, str]) -> None:
        """The data's shapes and values must fit the model's outputs."""
        from netbuilder.engine.training.data_check import check_data

        out_shapes = {}
        for node in self.graph.output_nodes():
            info = report.info.get(node.id)
            if info is not None:
                out_shapes[node.name] = info.output_shapes[0]
        mismatches = check_data(self.graph, out_shapes, self.dataset, losses)
        if mismatches:
            text = "; ".join(p.message + (f" ({p.suggestion})" if p.suggestion
                                          else "") for p in mismatches)
            raise TrainingError(f"the data does not fit the model: {text}")

    def _build_and_compile(self, loss: list, outputs: int) -> None:
        """Make the strategy, then build and compile the model in its scope."""
        from netbuilder.engine.codegen.execute import BuildError, build
        from netbuilder.engine.codegen.module import CodegenError
        from netbuilder.engine.training.distribute import DistributeError, make_strategy

        try:
            self.strategy, self.strategy_info = make_strategy(self.config.strategy,
                                                              self.config.devices)
        except DistributeError as exc:
            raise TrainingError(str(exc)) from None
        metrics = [list(self.config.metrics) for _ in range(outputs)]
        with self.strategy.scope():
            try:
                built = build(self.graph)
            except (BuildError, CodegenError) as exc:
                raise TrainingError(f"the model cannot be built: {exc}") from None
            self.model, self.code = built.model, built.code
            self.weights_notes = list(built.weights_notes)
            self.model.compile(optimizer=make_optimizer(self.config),
                               loss=loss if len(loss) > 1 else loss[0],
                               metrics=metrics if len(metrics) > 1 else metrics[0])

    @property
    def diverged(self) -> bool:
        """The last fit stopped because the loss became NaN or infinite."""
        return self.stop_kind == STOP_DIVERGED

    @property
    def global_batch_size(self) -> int:
        replicas = self.strategy_info.replicas if self.strategy_info else 1
        return self.config.batch_size * replicas

    @property
    def is_chief(self) -> bool:
        return self.strategy_info is None or self.strategy_info.is_chief

    def _sample_batch(self):
        import tensorflow as tf

        n = self.global_batch_size
        pipeline = self.dataset.pipelines.get("train")
        if pipeline is not None and not self.dataset.train.x:
            return next(iter(pipeline.batch(n)))
        x = [tf.constant(a[:n]) for a in self.dataset.train.x]
        y = [tf.constant(a[:n]) for a in self.dataset.train.y]
        return (x[0] if len(x) == 1 else tuple(x), y[0] if len(y) == 1 else tuple(y))

    # ------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, epochs: int | None = None) -> None:
        """Train (in a worker thread) until ``epochs`` in total are done."""
        if self.running:
            raise TrainingError("training is already running")
        if self.model is None:
            self.prepare()
        target = epochs if epochs is not None else self.config.epochs
        if self.started_at is None:
            self.started_at = _dt.datetime.now(_dt.timezone.utc).isoformat(
                timespec="seconds")
        self._stop.clear()
        self.stop_reason, self.stop_kind = "", None
        self._thread = threading.Thread(target=self._fit, args=(target,),
                                        name="netbuilder-training", daemon=True)
        self._thread.start()

    def resume_target(self) -> int:
        """The total epochs a resume trains to: the configured epochs when the
        run stopped before them, else that many more."""
        if self.completed_epochs < self.config.epochs:
            return self.config.epochs
        return self.completed_epochs + self.config.epochs

    def resume(self, extra_epochs: int | None = None) -> None:
        """Continue from the last completed epoch, same optimizer state: the
        remaining epochs (see :meth:`resume_target`) unless told how many."""
        target = (self.completed_epochs + extra_epochs if extra_epochs is not None
                  else self.resume_target())
        self.start(target)

    def stop(self) -> None:
        """Ask the worker to stop at the end of the current batch."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def run(self, epochs: int | None = None) -> None:
        """Synchronous convenience: start and wait."""
        self.start(epochs)
        self.wait()

    def _fit(self, target_epochs: int) -> None:
        keras_callbacks = self._callbacks()
        dataset = self.dataset
        train = self._pipeline("train", dataset.train, shuffle=True)
        val = (self._pipeline("validation", dataset.validation, shuffle=False)
               if dataset.validation is not None or dataset.pipelines.get(
                   "validation") is not None else None)
        t0 = time.perf_counter()
        segment = {"from": self.completed_epochs, "to": self.completed_epochs,
                   "stopped": None}
        self.segments.append(segment)
        try:
            self.model.fit(train, validation_data=val, epochs=target_epochs,
                           initial_epoch=self.completed_epochs, verbose=0,
                           shuffle=False,  # the pipeline shuffles
                           callbacks=keras_callbacks)
        except Exception as exc:  # never let the worker die silently
            from netbuilder.engine.training.failures import explain_failure

            self.train_seconds += time.perf_counter() - t0
            segment.update(to=self.completed_epochs, stopped="failed")
            failure = explain_failure(exc, self.graph)
            fault = self._data_fault()
            self.listener(TrainingEvent(FAILED, message=(
                f"training failed: {fault}" if fault else failure.message),
                details=failure.details))
            return
        self.train_seconds += time.perf_counter() - t0
        segment.update(to=self.completed_epochs, stopped=self.stop_reason or None)
        if self.stop_reason:
            self.listener(TrainingEvent(
                STOPPED, self.completed_epochs - 1, message=self.stop_reason,
                stop=self.stop_kind))
        else:
            self.listener(TrainingEvent(FINISHED, self.completed_epochs - 1,
                                        message=f"trained {self.completed_epochs} "
                                                "epoch(s)"))

    def _data_fault(self) -> str | None:
        """After a failure reading an image folder: which image is bad."""
        folder = self.dataset.source_folder if self.dataset else None
        if folder is None:
            return None
        from netbuilder.engine.training.datasets import first_bad_image

        return first_bad_image(folder)

    def _pipeline(self, name: str, split: Split | None, shuffle: bool):
        pipeline = self.dataset.pipelines.get(name)
        if pipeline is not None:
            return pipeline.batch(self.global_batch_size)
        return to_tf_dataset(split, self.global_batch_size, shuffle, self.config.seed)

    def _callbacks(self) -> list:
        from netbuilder.engine.keras.runtime import load_keras

        keras = load_keras()
        callbacks = [self._reporter(keras)]
        cfg = self.config
        if cfg.early_stopping is not None:
            callbacks.append(keras.callbacks.EarlyStopping(
                monitor=cfg.early_stopping.monitor,
                patience=cfg.early_stopping.patience,
                restore_best_weights=cfg.early_stopping.restore_best_weights))
        if cfg.reduce_lr_on_plateau is not None:
            r = cfg.reduce_lr_on_plateau
            callbacks.append(keras.callbacks.ReduceLROnPlateau(
                monitor=r.monitor, factor=r.factor, patience=r.patience,
                min_lr=r.min_lr))
        if cfg.checkpoint is not None:
            path = Path(cfg.checkpoint.path)
            path = path if path.is_absolute() else self.base_dir / path
            callbacks.append(keras.callbacks.ModelCheckpoint(
                str(self._writable(path)), monitor=cfg.checkpoint.monitor,
                save_best_only=cfg.checkpoint.save_best_only,
                save_weights_only=str(path).endswith(".weights.h5")))
        if self.log_dir is not None and _tensorboard_available():
            callbacks.append(keras.callbacks.TensorBoard(
                log_dir=str(self._writable(self.log_dir)), update_freq="epoch"))
        if self.backup_dir is not None or cfg.strategy == "multi-worker":
            # A restarted worker resumes from the last epoch, not from 0.
            folder = self.backup_dir or self.base_dir / ".netbuilder-backup"
            task = self.strategy_info.task.replace(" ", "-") \
                if cfg.strategy == "multi-worker" else "local"
            callbacks.append(keras.callbacks.BackupAndRestore(str(folder / task)))
        return callbacks

    def _reporter(self, keras):
        """The callback that counts batches, honours Stop, stops a diverging
        run and reports progress to the listener."""
        session, batch_size = self, self.global_batch_size
        steps = (math.ceil(len(self.dataset.train) / batch_size)
                 if self.dataset.train.x else None)

        class Reporter(keras.callbacks.Callback):
            # Keras may run batch hooks on its own thread so that the training
            # loop never waits for them; everything below tolerates that.
            async_safe = True

            def on_epoch_begin(self, epoch, logs=None):
                self._epoch = epoch
                self._t0 = time.perf_counter()
                self._seen = 0
                self._last_report = 0.0

            def on_train_batch_end(self, batch, logs=None):
                # Cheap on every batch: count it and honour Stop at once. Keras
                # may run several of these hooks at once on its thread pool,
                # so the counters change under the session's lock.
                with session._lock:
                    session.batches_run += 1
                    self._seen += batch_size
                    seen = self._seen
                if session._stop.is_set():
                    session.stop_reason = "stopped by the user"
                    session.stop_kind = STOP_USER
                    self.model.stop_training = True
                # Reading the logs waits for the device, so only a few times a
                # second (and at each epoch's last batch): a running-mean loss
                # that became NaN stays NaN, so it is still caught.
                now = time.perf_counter()
                last = steps is not None and batch + 1 >= steps
                if now - self._last_report < REPORT_INTERVAL and not last \
                        and not session._stop.is_set():
                    return
                self._last_report = now
                logs = _clean_logs(logs)
                elapsed = max(now - self._t0, 1e-9)
                session.samples_per_second = seen / elapsed
                logs["samples_per_second"] = session.samples_per_second
                if session._diverges(logs.get("loss"), self._epoch, batch):
                    self.model.stop_training = True
                session.listener(TrainingEvent(BATCH, self._epoch, batch, steps, logs))

            def on_epoch_end(self, epoch, logs=None):
                logs = _clean_logs(logs)
                try:
                    logs["learning_rate"] = float(np.asarray(
                        self.model.optimizer.learning_rate))
                except (TypeError, ValueError, AttributeError):
                    pass
                logs["samples_per_second"] = session.samples_per_second
                with session._lock:
                    for key, value in logs.items():
                        session.history.setdefault(key, []).append(value)
                    session.completed_epochs = epoch + 1
                session.listener(TrainingEvent(EPOCH, epoch, None, steps, logs))

        return Reporter()

    def _diverges(self, loss: float | None, epoch: int, batch: int) -> bool:
        """Whether ``loss`` is NaN or infinite; then the run stops with a
        reason in plain words and the typed :data:`STOP_DIVERGED`."""
        if loss is None or math.isfinite(loss):
            return False
        self.stop_kind = STOP_DIVERGED
        self.stop_reason = (
            f"the loss became {loss} in epoch {epoch + 1}, by batch {batch + 1}: "
            "training stopped. Try a lower learning rate or check the data for "
            "NaN or huge values.")
        return True

    def _writable(self, path: Path) -> Path:
        """The chief writes to ``path``; other workers to a temporary place
        (as the TensorFlow docs recommend: all workers must write)."""
        if self.is_chief:
            return path
        import tempfile

        return Path(tempfile.mkdtemp(prefix="netbuilder-worker-")) / path.name

    # ------------------------------------------------------------ results
    def evaluate(self) -> dict[str, Any]:
        """Metrics on the test split (else validation); for classification a
        confusion matrix and per-class accuracy of the first output."""
        if self.model is None:
            raise TrainingError("nothing has been trained yet")
        which, ds = self._evaluation_data()
        try:
            metrics = self.model.evaluate(ds, verbose=0, return_dict=True)
            first, labels = self._predict(ds)
        except Exception as exc:  # a damaged image, a data fault
            fault = self._data_fault()
            if fault is None:
                raise
            raise TrainingError(f"evaluation failed: {fault}") from exc
        result: dict[str, Any] = {"split": which, "samples": len(labels),
                                  "metrics": _clean_logs(metrics)}
        if self.dataset.task == "classification" and first.ndim == 2:
            if first.shape[1] == 1:
                predicted = (first[:, 0] > 0.5).astype(int)
                classes = 2
            else:
                predicted = first.argmax(axis=1)
                classes = first.shape[1]
            truth = labels.argmax(axis=1) if labels.ndim == 2 and labels.shape[1] > 1 \
                else labels.reshape(-1).astype(int)
            matrix = confusion_matrix(truth, predicted, classes)
            result["confusion_matrix"] = matrix.tolist()
            totals = matrix.sum(axis=1)
            result["per_class_accuracy"] = [
                float(matrix[i, i] / totals[i]) if totals[i] else None
                for i in range(classes)]
            result["class_names"] = self.dataset.class_names or [
                str(i) for i in range(classes)]
        return result

    def _evaluation_data(self):
        """(split name, batched tf.data) for evaluate: the test split, else
        validation, else training; arrays or an image folder's pipelines."""
        for which in ("test", "validation", "train"):
            split = getattr(self.dataset, which)
            name = "training" if which == "train" else which
            if split is not None and split.x:
                return name, to_tf_dataset(split, self.global_batch_size, False,
                                           None)
            pipeline = self.dataset.pipelines.get(which)
            if pipeline is not None:
                return name, pipeline.batch(self.global_batch_size)
        raise TrainingError("there is no data to evaluate on")

    def _predict(self, ds) -> tuple[np.ndarray, np.ndarray]:
        """Predictions of the first output, and its labels."""
        preds = self.model.predict(ds, verbose=0)
        first = preds[0] if isinstance(preds, (list, tuple)) else preds
        labels = [np.asarray(y[0] if isinstance(y, (list, tuple)) else y)
                  for _, y in ds]
        return first, np.concatenate(labels)

    def record(self, evaluation: dict[str, Any] | None = None) -> dict[str, Any]:
        """This run as plain JSON, for the project's list of runs."""
        final = {k: v[-1] for k, v in self.history.items() if v}
        return _json_safe({
            "started": self.started_at,
            "seconds": round(self.train_seconds, 3),
            "epochs": self.completed_epochs,
            "stopped": self.stop_reason or None,
            "status": "failed" if self.diverged else (
                "stopped" if self.stop_reason else "finished"),
            "config": self.config.to_dict(),
            "data": self.dataset.summary() if self.dataset else "",
            "history": {k: list(v) for k, v in self.history.items()},
            "final": final,
            "evaluation": evaluation,
            "segments": [dict(s) for s in self.segments],
            "log_dir": str(self.log_dir) if self.log_dir else None,
        })


def _json_safe(value: Any) -> Any:
    """NaN and infinities (a diverged run's losses) become null: a project
    file holds standard JSON only."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def image_shape(graph: Graph) -> list | None:
    """The first Input's shape: image folders are read at that size."""
    inputs = graph.input_nodes()
    shape = inputs[0].params.get("shape") if inputs else None
    return list(shape) if isinstance(shape, (list, tuple)) else None


def _tensorboard_available() -> bool:
    """TensorBoard logs need the tensorboard package (a project dependency);
    without it training goes on without logs instead of failing."""
    import importlib.util

    return importlib.util.find_spec("tensorboard") is not None


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray,
                     classes: int) -> np.ndarray:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    valid = (truth >= 0) & (truth < classes) & (predicted >= 0) & (predicted < classes)
    np.add.at(matrix, (truth[valid], predicted[valid]), 1)
    return matrix
