"""Data sources for training: bundled, synthetic, files and keras.datasets.

A data spec string names the source (the command line's ``--data``):

- ``builtin:NAME`` — ``digits`` (shipped 8×8 handwritten digits), the
  examples' generated sets ``shapes32``, ``features100``, ``reviews80``,
  ``glyphs28``, ``shapes_meta`` (see :mod:`synthetic_sets`), ``spirals``,
  ``moons``, ``regression`` (a noisy function), ``sequence`` (a sequence task
  for RNNs);
- ``npz:PATH`` — keys ``x``, ``y`` and optionally ``x_val``/``y_val``,
  ``x_test``/``y_test``; for several inputs or outputs, keys named after the
  Input/Output nodes (``x_<input>``/``y_<output>`` or the bare names);
- ``csv:PATH#target=COL[&features=A,B,...]`` — numeric feature columns, a
  target column (non-numeric targets are mapped to integers, mapping kept);
- ``folder:PATH[#size=H,W]`` — one sub-folder per class of images, read at
  the model Input's size and channels unless ``#size`` is given;
- ``keras:NAME`` — mnist, fashion_mnist, cifar10, cifar100 with Keras's own
  loaders (needs the network unless already cached).

Everything returns a :class:`Dataset` of NumPy arrays (or, for image
folders, a lazily read ``tf.data`` pipeline). Problems raise
:class:`DataError` with a message that names what is wrong and where.
"""

from __future__ import annotations

import csv
import math
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from netbuilder.engine.model.data_spec import (  # noqa: E402 - re-exported names
    BUILTINS,
    KERAS_IMAGE_DATASETS,
    RESOURCES,
    DataError,
    parse_spec,
)
from netbuilder.engine.training.synthetic_sets import CLASS_NAMES

KERAS_CACHE_FILES = {"mnist": "mnist.npz", "fashion_mnist": "fashion-mnist",
                     "cifar10": "cifar-10-batches-py", "cifar100": "cifar-100-python"}


@dataclass
class Split:
    x: list[np.ndarray]  # one array per model input
    y: list[np.ndarray]  # one array per model output

    def __len__(self) -> int:
        return len(self.x[0]) if self.x else 0


@dataclass
class Dataset:
    name: str
    train: Split
    validation: Split | None = None
    test: Split | None = None
    class_names: list[str] | None = None
    task: str = "classification"  # or "regression"
    label_mapping: dict[str, int] = field(default_factory=dict)
    description: str = ""
    # For image folders: tf.data pipelines instead of arrays.
    pipelines: dict[str, Any] = field(default_factory=dict)
    source_folder: Path | None = None  # the image folder they read

    def summary(self) -> str:
        if self.pipelines.get("train") is not None and not self.train.x:
            return self._pipeline_summary()
        parts = [f"{self.name}: {len(self.train)} training samples"]
        if self.validation is not None:
            parts.append(f"{len(self.validation)} validation")
        if self.test is not None:
            parts.append(f"{len(self.test)} test")
        shapes = ", ".join(str(tuple(a.shape[1:])) for a in self.train.x)
        labels = ", ".join(str(tuple(a.shape[1:])) for a in self.train.y)
        return ", ".join(parts) + f"; inputs {shapes}; labels {labels}"

    def _pipeline_summary(self) -> str:
        parts = []
        for name in ("train", "validation", "test"):
            pipeline = self.pipelines.get(name)
            if pipeline is not None:
                parts.append(f"{int(pipeline.cardinality())} "
                             f"{'training' if name == 'train' else name}")
        x_spec, _ = self.pipelines["train"].element_spec
        return (f"{self.name}: {', '.join(parts)} images; inputs "
                f"{tuple(x_spec.shape)}; {self.description}")


def load_data(spec: str, base_dir: str | Path | None = None, seed: int = 0,
              validation_split: float = 0.0, test_split: float = 0.0,
              input_names: list[str] | None = None,
              output_names: list[str] | None = None,
              timeout: float = 30.0,
              image_shape: list | tuple | None = None) -> Dataset:
    """Load a data spec and split it with ``seed``.

    Fractions split what the source does not already provide: a source with
    its own test set keeps it; ``validation_split`` comes out of training.
    Relative paths are resolved against ``base_dir`` (the project's folder).
    ``image_shape`` (the model Input's ``[height, width, channels]``) sets
    the size and colour mode image folders are read at.
    """
    parsed = parse_spec(spec)
    for name, frac in (("validation_split", validation_split),
                       ("test_split", test_split)):
        if not (0.0 <= frac < 1.0):
            raise DataError(f"{name} must be between 0 and 1, got {frac}")
    if validation_split + test_split >= 1.0:
        raise DataError("validation_split + test_split leaves no training data")
    base = Path(base_dir) if base_dir else Path.cwd()
    if parsed.kind == "builtin":
        data = load_builtin(parsed.target, seed, input_names, output_names)
    elif parsed.kind == "npz":
        data = load_npz(_resolve(base, parsed.target), input_names or [],
                        output_names or [])
    elif parsed.kind == "csv":
        data = load_csv(_resolve(base, parsed.target), parsed.options)
    elif parsed.kind == "folder":
        return load_folder(_resolve(base, parsed.target, folder=True),
                           parsed.options, seed, validation_split, image_shape)
    else:
        data = load_keras_dataset(parsed.target, timeout)
    return split_dataset(data, seed, validation_split, test_split)


def _resolve(base: Path, target: str, folder: bool = False) -> Path:
    """The file (or with ``folder`` the folder) a data spec names. Devices,
    FIFOs and sockets are refused before they are opened (a FIFO hangs a
    reader, /dev/zero fills memory); a missing path is left to the loader."""
    path = Path(target).expanduser()
    path = path if path.is_absolute() else base / path
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return path
    if not (stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode)):
        kind = "a folder" if folder else "a regular file"
        raise DataError(f"{target[:80]!r} is not {kind}: devices, pipes and "
                        "sockets are never read as data")
    return path


# ------------------------------------------------------------------ splits
def _take(split: Split, idx: np.ndarray) -> Split:
    return Split([a[idx] for a in split.x], [a[idx] for a in split.y])


def split_dataset(data: Dataset, seed: int, validation_split: float,
                  test_split: float) -> Dataset:
    n = len(data.train)
    if n == 0:
        raise DataError(f"{data.name} has no samples")
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_split)) if data.test is None else 0
    n_val = int(round(n * validation_split)) if data.validation is None else 0
    if n - n_test - n_val < 1:
        raise DataError(f"{data.name} has only {n} samples: too few to split")
    test_idx, val_idx = order[:n_test], order[n_test:n_test + n_val]
    train_idx = order[n_test + n_val:]
    if n_test:
        data.test = _take(data.train, test_idx)
    if n_val:
        data.validation = _take(data.train, val_idx)
    data.train = _take(data.train, train_idx)
    return data


# ------------------------------------------------------------------ builtin
BUILTIN_INFO = {
    "digits": ("8×8 handwritten digits (UCI, CC BY 4.0), pixels 0–16",
               [str(i) for i in range(10)]),
    "shapes32": ("32×32 colour images of 10 drawn shapes and textures, "
                 "pixels 0–255", CLASS_NAMES["shapes32"]),
    "features100": ("100 features of 10 classes", CLASS_NAMES["features100"]),
    "reviews80": ("token-id reviews (80 ids, vocabulary 10,000), positive or "
                  "negative", CLASS_NAMES["reviews80"]),
    "glyphs28": ("28×28 grey shapes, pixels 0–255; the target is the image "
                 "itself (for autoencoders)", None),
    "shapes_meta": ("28×28 grey shapes plus 8 measurements -> shape class and "
                    "a score", CLASS_NAMES["shapes_meta"]),
    "spirals": ("two interleaved spirals", ["a", "b"]),
    "moons": ("two moons", ["upper", "lower"]),
    "regression": ("y = sin(x) + 0.1·x² + noise", None),
    "sequence": ("is the sum of a 20-step sequence positive?",
                 ["negative", "positive"]),
}


def load_builtin(name: str, seed: int = 0, input_names: list[str] | None = None,
                 output_names: list[str] | None = None) -> Dataset:
    """A dataset shipped in resources/datasets as NAME.npz (keys x and y, or
    x_<input>/y_<output> for several inputs or outputs).

    The generated ones are written by :func:`write_synthetic` and
    :mod:`~netbuilder.engine.training.synthetic_sets`, so a training script
    exported from NetBuilder loads exactly the same arrays."""
    if name not in BUILTIN_INFO:
        raise DataError(f"unknown built-in dataset {name!r}: choose one of "
                        f"{', '.join(BUILTINS)}")
    path = RESOURCES / f"{name}.npz"
    try:
        data = load_npz(path, input_names or [], output_names or [])
    except DataError as exc:
        raise DataError(f"the bundled dataset {name!r} at {path} cannot be used: "
                        f"{exc}") from None
    description, classes = BUILTIN_INFO[name]
    data.name, data.class_names, data.description = name, classes, description
    data.task = "regression" if classes is None else "classification"
    return data


def synthetic_arrays(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The generators behind the synthetic built-in datasets."""
    rng = np.random.default_rng(seed)
    if name == "spirals":
        n = 400
        t = np.sqrt(rng.uniform(0.05, 1, n)) * 3 * math.pi
        labels = rng.integers(0, 2, n)
        sign = np.where(labels == 0, 1.0, -1.0)
        x = np.stack([sign * t * np.cos(t), sign * t * np.sin(t)], axis=1) / 10
        x += rng.normal(0, 0.03, x.shape)
        return x.astype("float32"), labels.astype("int64")
    if name == "moons":
        n = 400
        labels = rng.integers(0, 2, n)
        angle = rng.uniform(0, math.pi, n)
        x = np.where(labels[:, None] == 0,
                     np.stack([np.cos(angle), np.sin(angle)], 1),
                     np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], 1))
        x += rng.normal(0, 0.1, x.shape)
        return x.astype("float32"), labels.astype("int64")
    if name == "regression":
        n = 500
        x = rng.uniform(-3, 3, (n, 1)).astype("float32")
        y = np.sin(x) + 0.1 * x ** 2 + rng.normal(0, 0.1, x.shape)
        return x, y.astype("float32")
    if name == "sequence":
        n, steps = 600, 20
        x = rng.normal(0, 1, (n, steps, 1)).astype("float32")
        return x, (x[:, :, 0].sum(axis=1) > 0).astype("int64")
    raise DataError(f"no generator for {name!r}")


def write_synthetic(folder: Path = RESOURCES) -> None:
    """Write every generated built-in set (the small 2-D ones here, the
    examples' sets from :mod:`synthetic_sets`)."""
    from netbuilder.engine.training.synthetic_sets import write_sets

    for name in ("spirals", "moons", "regression", "sequence"):
        x, y = synthetic_arrays(name)
        np.savez_compressed(folder / f"{name}.npz", x=x, y=y)
    write_sets(folder)


# ------------------------------------------------------------------ npz
def load_npz(path: Path, input_names: list[str], output_names: list[str]) -> Dataset:
    if not path.is_file():
        raise DataError(f"no such file: {path}")
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path.name} is not a readable .npz file: {exc}") from None
    with archive as f:
        keys = set(f.files)

        def read(key: str) -> np.ndarray:
            try:
                return f[key]
            except ValueError as exc:  # object arrays need pickle: refused
                if "allow_pickle" not in str(exc):
                    raise DataError(f"{path.name}: the array {key!r} cannot be "
                                    f"read: {exc}") from None
                raise DataError(
                    f"{path.name}: the array {key!r} holds Python objects (dtype "
                    "object, e.g. lists of different lengths or strings); "
                    "NetBuilder reads only numeric arrays. Save it with a number "
                    "dtype (pad ragged sequences to one length)") from None
            except (OSError, EOFError) as exc:
                raise DataError(f"{path.name}: the array {key!r} cannot be read "
                                f"(damaged file?): {exc}") from None

        def pick(prefix: str, names: list[str], suffix: str = "") -> list[np.ndarray]:
            plain = prefix + suffix
            if plain in keys:
                return [read(plain)]
            found = []
            for name in names:
                for key in (f"{prefix}_{name}{suffix}", f"{name}{suffix}"):
                    if key in keys:
                        found.append(read(key))
                        break
                else:
                    return []
            return found

        x = pick("x", input_names) or pick("x", input_names, "_train")
        y = pick("y", output_names) or pick("y", output_names, "_train")
        if not x or not y:
            want = "x and y" if len(input_names) <= 1 else (
                ", ".join(f"x_{n}" for n in input_names) + " and y…")
            raise DataError(f"{path.name} has keys {sorted(keys)}; expected {want}")
        val = Split(pick("x", input_names, "_val"), pick("y", output_names, "_val"))
        test = Split(pick("x", input_names, "_test"), pick("y", output_names, "_test"))
    _same_length(path.name, x + y)
    data = Dataset(path.stem, Split(x, y))
    if val.x and val.y:
        data.validation = val
    if test.x and test.y:
        data.test = test
    data.task = _guess_task(y[0])
    return data


def _same_length(where: str, arrays: list[np.ndarray]) -> None:
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise DataError(f"{where}: inputs and labels have different numbers of "
                        f"samples ({sorted(lengths)})")


def _guess_task(y: np.ndarray) -> str:
    return "classification" if np.issubdtype(y.dtype, np.integer) or \
        y.dtype == bool else "regression"


# ------------------------------------------------------------------ csv
def load_csv(path: Path, options: dict[str, str]) -> Dataset:
    if not path.is_file():
        raise DataError(f"no such file: {path}")
    target = options.get("target")
    if not target:
        raise DataError(f"say which column of {path.name} is the target, e.g. "
                        f"csv:{path.name}#target=label")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path.name} cannot be read as CSV: {exc}") from None
    if len(rows) < 2:
        raise DataError(f"{path.name} needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    if target not in header:
        raise DataError(f"{path.name} has no column {target!r}; columns are "
                        f"{', '.join(header)}")
    wanted = options.get("features")
    features = [c.strip() for c in wanted.split(",")] if wanted else \
        [h for h in header if h != target]
    for col in features:
        if col not in header:
            raise DataError(f"{path.name} has no feature column {col!r}")
    fidx = [header.index(c) for c in features]
    tidx = header.index(target)
    x = np.zeros((len(rows) - 1, len(fidx)), dtype="float32")
    raw_target = []
    for r, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"{path.name}, line {r}: {len(row)} values, the header "
                            f"has {len(header)}")
        for j, i in enumerate(fidx):
            try:
                x[r - 2, j] = float(row[i])
            except ValueError:
                raise DataError(f"{path.name}, line {r}, column {header[i]!r}: "
                                f"{row[i]!r} is not a number") from None
        raw_target.append(row[tidx].strip())
    mapping: dict[str, int] = {}
    try:
        values = np.array([float(v) for v in raw_target], dtype="float32")
        if np.all(values == np.round(values)) and len(set(raw_target)) <= 50:
            y, task = values.astype("int64"), "classification"
        else:
            y, task = values[:, None], "regression"
    except ValueError:
        for v in sorted(set(raw_target)):
            mapping[v] = len(mapping)
        y, task = np.array([mapping[v] for v in raw_target], dtype="int64"), \
            "classification"
    names = list(mapping) if mapping else None
    return Dataset(path.stem, Split([x], [y]), class_names=names, task=task,
                   label_mapping=mapping,
                   description=f"{len(features)} features, target {target!r}")


# ------------------------------------------------------------------ folders
IMAGE_SIGNATURES = {".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8",),
                    ".jpeg": (b"\xff\xd8",), ".gif": (b"GIF8",), ".bmp": (b"BM",)}
COLOR_MODES = {1: "grayscale", 3: "rgb", 4: "rgba"}


def load_folder(path: Path, options: dict[str, str], seed: int,
                validation_split: float,
                image_shape: list | tuple | None = None) -> Dataset:
    """Image folders via keras.utils.image_dataset_from_directory (lazy),
    at ``#size`` or else the Input's size (``image_shape``), else 64×64."""
    if not path.is_dir():
        raise DataError(f"no such folder: {path}")
    classes = sorted(p.name for p in path.iterdir() if p.is_dir())
    if len(classes) < 2:
        raise DataError(f"{path} needs one sub-folder per class (found "
                        f"{len(classes)})")
    height, width, mode = _image_size(options, image_shape)
    bad = first_bad_image(path, full=False)
    if bad:
        raise DataError(bad)
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    kwargs = dict(image_size=(height, width), seed=seed, batch_size=None,
                  label_mode="int", color_mode=mode)
    try:
        if validation_split:
            train, val = keras.utils.image_dataset_from_directory(
                str(path), validation_split=validation_split, subset="both",
                **kwargs)
        else:
            train, val = keras.utils.image_dataset_from_directory(str(path),
                                                                  **kwargs), None
    except (ValueError, OSError) as exc:
        raise DataError(f"{path}: {exc}") from None
    data = Dataset(path.name, Split([], []), class_names=classes,
                   description=f"images resized to {height}×{width} ({mode})")
    data.pipelines = {"train": train, "validation": val}
    data.source_folder = path
    return data


def _image_size(options: dict[str, str],
                image_shape: list | tuple | None) -> tuple[int, int, str]:
    shape = list(image_shape) if image_shape is not None else []
    known = len(shape) == 3 and all(isinstance(v, int) and v > 0 for v in shape)
    mode = COLOR_MODES.get(shape[2], "rgb") if known else "rgb"
    if "size" not in options and known:
        return shape[0], shape[1], mode
    size = options.get("size", "64,64")
    try:
        height, width = (int(v) for v in size.split(","))
    except ValueError:
        raise DataError(f"size must be HEIGHT,WIDTH, got {size!r}") from None
    if height < 1 or width < 1:
        raise DataError(f"size must be positive, got {size!r}")
    return height, width, mode


def image_files(folder: Path) -> list[Path]:
    """The files image_dataset_from_directory reads (by suffix)."""
    return sorted(p for p in folder.rglob("*")
                  if p.suffix.lower() in IMAGE_SIGNATURES and p.is_file())


def first_bad_image(folder: Path, full: bool = True) -> str | None:
    """A message naming the first image that cannot be read, or None. Quick
    check: the file's signature; ``full``: decode every image (to find a
    truncated one after TensorFlow failed on it)."""
    for file in image_files(folder):
        name = file.relative_to(folder.parent)
        try:
            head = file.read_bytes()[:8] if not full else file.read_bytes()
        except OSError as exc:
            return f"the image {name} cannot be read: {exc.strerror or exc}"
        if not head.startswith(IMAGE_SIGNATURES[file.suffix.lower()]):
            return (f"the image {name} is not a valid "
                    f"{file.suffix.lstrip('.').upper()} file (empty or damaged)")
        if full:
            import tensorflow as tf

            try:
                tf.io.decode_image(head, expand_animations=False)
            except Exception:  # noqa: BLE001 - any decoding failure
                return f"the image {name} is damaged and cannot be decoded"
    return None


# ------------------------------------------------------------------ keras
def keras_dataset_cached(name: str) -> bool:
    cache = Path.home() / ".keras" / "datasets"
    target = KERAS_CACHE_FILES.get(name)
    return bool(target) and (cache / target).exists()


def load_keras_dataset(name: str, timeout: float = 30.0) -> Dataset:
    if name not in KERAS_IMAGE_DATASETS:
        raise DataError(f"keras:{name} is for exported training scripts (its "
                        "preparation depends on the model); inside NetBuilder use "
                        f"{', '.join(KERAS_IMAGE_DATASETS)} or an npz/csv file")
    from netbuilder.engine.keras.process_state import socket_timeout
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    loader = getattr(keras.datasets, name).load_data
    try:
        with socket_timeout(timeout):  # urllib inside Keras has none of its own
            (x, y), (x_test, y_test) = loader()
    except Exception as exc:  # urllib, OSError, HTTP errors, corrupt cache
        cached = keras_dataset_cached(name)
        why = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        if not cached:
            raise DataError(
                f"keras:{name} is not cached on this machine and could not be "
                f"downloaded (offline? {why}). Use builtin:digits, or an npz/csv "
                "file, or copy the dataset into ~/.keras/datasets") from None
        raise DataError(f"keras:{name} could not be loaded: {why}") from None
    x = x.astype("float32") / 255.0
    x_test = x_test.astype("float32") / 255.0
    if x.ndim == 3:
        x, x_test = x[..., None], x_test[..., None]
    y, y_test = y.reshape(-1).astype("int64"), y_test.reshape(-1).astype("int64")
    classes = int(max(y.max(), y_test.max())) + 1
    return Dataset(name, Split([x], [y]), test=Split([x_test], [y_test]),
                   class_names=[str(i) for i in range(classes)],
                   description=f"keras.datasets.{name}, pixels scaled to 0–1")
