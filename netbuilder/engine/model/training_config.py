"""The training configuration a project stores under ``"training"``.

Plain data with :meth:`TrainingConfig.from_dict` / :meth:`to_dict` and
validation that explains every problem in plain words. The code generator
writes a training script from it and the training session runs it.

Data sources are spec strings:

- ``builtin:NAME`` — a dataset bundled with NetBuilder (``.npz``, see below)
- ``npz:PATH`` — a NumPy archive with ``x``, ``y`` and, for the test split,
  ``x_test`` and ``y_test`` (see :mod:`datasets`)
- ``csv:PATH#target=COL`` — a numeric CSV file with a header row; column COL
  is the label, every other column a feature
- ``folder:PATH`` — one sub-folder of images per class
- ``keras:NAME`` — a ``keras.datasets`` dataset (downloads on first use)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any

from netbuilder.engine.model.data_spec import DataError, DataSpec, parse_spec
from netbuilder.engine.model.numeric import is_bounded_int, is_finite_number

# tf.distribute strategies a training configuration may name.
STRATEGIES = ("default", "mirrored", "multi-worker")

OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw")
LOSSES = (
    "sparse_categorical_crossentropy", "categorical_crossentropy",
    "binary_crossentropy", "binary_focal_crossentropy", "mean_squared_error",
    "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "kl_divergence",
    "poisson", "hinge", "squared_hinge", "categorical_hinge", "cosine_similarity",
    "mse", "mae",
)
METRICS = (
    "accuracy", "sparse_categorical_accuracy", "categorical_accuracy",
    "binary_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "mean_squared_error",
    "mean_absolute_error", "root_mean_squared_error", "mse", "mae", "auc",
    "precision", "recall",
)
MONITORS = ("val_loss", "loss", "val_accuracy", "accuracy")
EXPORT_FORMATS = ("savedmodel", "keras", "tflite")


class TrainingConfigError(ValueError):
    """A training configuration that cannot be used; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("training configuration: " + "; ".join(self.problems))


def parse_data_spec(spec: Any) -> DataSpec:
    """``"csv:data.csv#target=label"`` -> DataSpec; ValueError in plain words
    (:class:`~netbuilder.engine.model.data_spec.DataError` is one)."""
    parsed = parse_spec(spec)
    if parsed.kind == "csv" and not parsed.column:
        raise DataError("a CSV source needs its label column: "
                        "csv:PATH#target=COLUMN")
    return parsed


@dataclass
class EarlyStopping:
    monitor: str = "val_loss"
    patience: int = 3
    restore_best_weights: bool = True


@dataclass
class ReduceLROnPlateau:
    monitor: str = "val_loss"
    factor: float = 0.1
    patience: int = 2
    min_lr: float = 0.0


@dataclass
class Checkpoint:
    path: str = "checkpoint.keras"
    monitor: str = "val_loss"
    save_best_only: bool = True


CALLBACKS = {"early_stopping": EarlyStopping,
             "reduce_lr_on_plateau": ReduceLROnPlateau,
             "checkpoint": Checkpoint}


@dataclass
class TrainingConfig:
    """Defaults follow the seed models (Adam, sparse categorical
    cross-entropy, accuracy, 10 epochs, batch 32, validation split 0.2)."""

    data: str = ""
    validation_split: float = 0.2
    optimizer: str = "adam"
    learning_rate: float = 0.001
    momentum: float = 0.0  # sgd and rmsprop
    weight_decay: float = 0.004  # adamw
    # One loss for every output, or {Output name: loss}.
    loss: str | dict[str, str] = "sparse_categorical_crossentropy"
    metrics: list[str] = field(default_factory=lambda: ["accuracy"])
    batch_size: int = 32
    epochs: int = 10
    seed: int | None = None
    early_stopping: EarlyStopping | None = None
    reduce_lr_on_plateau: ReduceLROnPlateau | None = None
    checkpoint: Checkpoint | None = None
    # Export after training: {"format": "savedmodel", "path": "..."} or None.
    export: dict[str, str] | None = None
    # tf.distribute: "default", "mirrored" or "multi-worker"; batch_size is per
    # replica. devices: for mirrored, e.g. ["/gpu:0", "/gpu:1"] (None = all).
    strategy: str = "default"
    devices: list[str] | None = None

    # -------------------------------------------------------------- json
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        callbacks = {k: data.pop(k) for k in CALLBACKS}
        data["callbacks"] = {k: v for k, v in callbacks.items() if v is not None}
        return data

    @classmethod
    def from_dict(cls, data: Any) -> TrainingConfig:
        """Read a project's ``"training"`` object; raises
        :class:`TrainingConfigError` listing every problem."""
        if not isinstance(data, dict):
            raise TrainingConfigError(["the training configuration must be an "
                                       "object"])
        problems: list[str] = []
        config = cls()
        known = set(cls.__dataclass_fields__) - set(CALLBACKS) | {"callbacks"}
        for key, value in data.items():
            if key not in known:
                problems.append(f"unknown setting {key!r}")
            elif key != "callbacks":
                setattr(config, key, value)
        callbacks = data.get("callbacks", {})
        if not isinstance(callbacks, dict):
            problems.append("callbacks must be an object")
            callbacks = {}
        for key, value in callbacks.items():
            kind = CALLBACKS.get(key)
            if kind is None:
                problems.append(f"unknown callback {key!r}; use "
                                f"{', '.join(CALLBACKS)}")
            elif not isinstance(value, dict) or set(value) - set(
                    kind.__dataclass_fields__):
                problems.append(f"{key} takes {', '.join(kind.__dataclass_fields__)}")
            else:
                setattr(config, key, kind(**value))
        problems += config.problems()
        if problems:
            raise TrainingConfigError(problems)
        return config

    # -------------------------------------------------------------- checks
    def problems(self, output_names: list[str] | None = None) -> list[str]:
        """Everything wrong with this configuration, in plain words;
        ``output_names`` (the model's Output names) checks per-output losses."""
        out: list[str] = []
        try:
            parse_data_spec(self.data)
        except ValueError as exc:
            out.append(str(exc))
        if not _number(self.validation_split) or not 0 <= self.validation_split < 1:
            out.append("validation_split must be a number from 0 up to (not "
                       "including) 1")
        if self.optimizer not in OPTIMIZERS:
            out.append(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
        for key in ("learning_rate", "momentum", "weight_decay"):
            value = getattr(self, key)
            if not _number(value) or value < 0 or (key == "learning_rate"
                                                   and value == 0):
                out.append(f"{key} must be a positive number")
        out += self._loss_problems(output_names)
        if not isinstance(self.metrics, list) or any(
                m not in METRICS for m in self.metrics):
            out.append(f"metrics must be a list of {', '.join(METRICS[:5])}, ...")
        for key in ("batch_size", "epochs"):
            value = getattr(self, key)
            if not _integer(value) or value < 1:
                out.append(f"{key} must be a whole number of at least 1")
        if self.seed is not None and (not _integer(self.seed) or self.seed < 0):
            out.append("seed must be a whole number of at least 0, or null")
        for key in ("early_stopping", "reduce_lr_on_plateau", "checkpoint"):
            callback = getattr(self, key)
            if callback is not None:
                out += _callback_problems(key, callback)
        if self.strategy not in STRATEGIES:
            out.append(f"strategy must be one of {', '.join(STRATEGIES)}")
        if self.devices is not None and (
                not isinstance(self.devices, list) or not self.devices
                or not all(isinstance(d, str) and d for d in self.devices)):
            out.append('devices must be a list of device names such as "/gpu:0"')
        if self.export is not None:
            fmt = self.export.get("format") if isinstance(self.export, dict) else None
            path = self.export.get("path") if isinstance(self.export, dict) else None
            if fmt not in EXPORT_FORMATS or not isinstance(path, str) or not path:
                out.append('export must be {"format": "savedmodel", "keras" or '
                           '"tflite", "path": "..."}')
            elif fmt == "keras" and not path.endswith(".keras"):
                out.append("a .keras export needs a path ending in .keras")
            elif not inside_project(path):
                out.append(f"export.path {path[:80]!r} must be a path inside the "
                           "project's folder (relative, without '..')")
        return out

    def _loss_problems(self, output_names: list[str] | None) -> list[str]:
        if isinstance(self.loss, str):
            return [] if self.loss in LOSSES else [
                f"loss {self.loss!r:.60} is not a Keras loss (for example "
                "sparse_categorical_crossentropy or mean_squared_error)"]
        if not isinstance(self.loss, dict) or not self.loss:
            return ["loss must be a loss name or {output name: loss name}"]
        out = [f"loss {v!r:.60} for {k!r:.60} is not a Keras loss"
               for k, v in self.loss.items() if v not in LOSSES]
        if output_names is not None:
            missing = [n for n in output_names if n not in self.loss]
            extra = [n for n in self.loss if n not in output_names]
            if missing:
                out.append(f"no loss for output {missing[0]!r}")
            if extra:
                out.append(f"a loss is given for {extra[0]!r:.60}, which is not an "
                           "Output of the model")
        return out

    def loss_for(self, output_name: str) -> str:
        return self.loss if isinstance(self.loss, str) else self.loss[output_name]

    @property
    def data_spec(self) -> DataSpec:
        return parse_data_spec(self.data)


def _number(value: Any) -> bool:
    return is_finite_number(value)


def _integer(value: Any) -> bool:
    # Counts and seeds fit 32 bits (NumPy seeds, TensorFlow batch sizes).
    return is_bounded_int(value, 2**32 - 1)


def _callback_problems(key: str, callback: Any) -> list[str]:
    out = []
    if getattr(callback, "monitor", None) not in MONITORS:
        out.append(f"{key}.monitor must be one of {', '.join(MONITORS)}")
    for name in ("patience",):
        if hasattr(callback, name) and (not _integer(getattr(callback, name))
                                        or getattr(callback, name) < 0):
            out.append(f"{key}.{name} must be a whole number of at least 0")
    for name in ("factor", "min_lr"):
        if hasattr(callback, name) and (not _number(getattr(callback, name))
                                        or getattr(callback, name) < 0):
            out.append(f"{key}.{name} must be a number of at least 0")
    for name in ("restore_best_weights", "save_best_only"):
        if hasattr(callback, name) and not isinstance(getattr(callback, name), bool):
            out.append(f"{key}.{name} must be true or false")
    if isinstance(callback, Checkpoint) and (
            not isinstance(callback.path, str)
            or not callback.path.endswith((".keras", ".weights.h5"))):
        out.append(f"{key}.path must end in .keras or .weights.h5")
    elif isinstance(callback, Checkpoint) and not inside_project(callback.path):
        out.append(f"{key}.path {callback.path[:80]!r} must be a path inside the "
                   "project's folder (relative, without '..')")
    return out


def inside_project(path: str) -> bool:
    """A file a project may name for writing: relative to its folder and not
    climbing out of it (a project file cannot write elsewhere)."""
    parts = PurePath(path.replace("\\", "/")).parts
    return bool(parts) and "\x00" not in path and not path.startswith(("/", "~")) \
        and ".." not in parts and not PurePath(path).is_absolute()


def training_config_of(graph) -> TrainingConfig | None:
    """The graph's training configuration (None when it has none); raises
    :class:`TrainingConfigError` for an invalid one."""
    data = graph.extra.get("training")
    if data is None:
        return None
    config = TrainingConfig.from_dict(data)
    problems = config.problems([n.name for n in graph.output_nodes()])
    if problems:
        raise TrainingConfigError(problems)
    return config
