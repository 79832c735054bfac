"""Data spec strings, one parser for the whole project (command line,
training configuration, data loading and generated scripts).

``builtin:NAME`` (a dataset shipped in resources/datasets), ``npz:PATH``,
``csv:PATH#target=COL[&features=A,B]``, ``folder:PATH[#size=H,W]`` and
``keras:NAME`` (a ``keras.datasets`` loader).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "datasets"


def is_bundled_resource(path: str | Path) -> bool:
    """True for files inside NetBuilder's installed resources/ folder
    (examples, data sets), which NetBuilder never writes to."""
    try:
        Path(path).resolve().relative_to(RESOURCES.parent.resolve())
    except ValueError:
        return False
    return True
KINDS = ("builtin", "npz", "csv", "folder", "keras")
BUILTINS = ("digits", "shapes32", "features100", "reviews80", "glyphs28",
            "shapes_meta", "spirals", "moons", "regression", "sequence")
# The image sets load inside NetBuilder too; the others only in exported
# scripts (their preparation depends on the model: vocabulary, padding).
KERAS_IMAGE_DATASETS = ("mnist", "fashion_mnist", "cifar10", "cifar100")
KERAS_DATASETS = KERAS_IMAGE_DATASETS + ("imdb", "reuters", "boston_housing",
                                         "california_housing")


class DataError(ValueError):
    """Data that cannot be named, loaded or used, in plain words."""


@dataclass
class DataSpec:
    kind: str
    target: str  # a path or a dataset name
    options: dict[str, str] = field(default_factory=dict)

    @property
    def column(self) -> str | None:
        """The label column of a CSV source."""
        return self.options.get("target")

    @property
    def path(self) -> str:
        """The file or folder to read (builtin datasets resolve to theirs)."""
        if self.kind == "builtin":
            return str(RESOURCES / f"{self.target}.npz")
        return self.target

    def __str__(self) -> str:
        opts = "&".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.kind}:{self.target}" + (f"#{opts}" if opts else "")


def parse_spec(spec: object) -> DataSpec:
    """Parse and check a data spec; raises :class:`DataError`."""
    if not isinstance(spec, str) or ":" not in spec:
        raise DataError(f"data spec {spec!r} must look like KIND:VALUE, e.g. "
                        "builtin:digits, npz:data.npz, csv:data.csv#target=label, "
                        "folder:images/, keras:mnist")
    kind, _, rest = spec.partition(":")
    target, _, opts = rest.partition("#")
    options: dict[str, str] = {}
    for part in filter(None, opts.split("&")):
        key, eq, value = part.partition("=")
        if not eq:
            raise DataError(f"option {part!r} in {spec!r} must be KEY=VALUE")
        options[key.strip()] = value.strip()
    kind, target = kind.strip().lower(), target.strip()
    if kind not in KINDS:
        raise DataError(f"unknown data source {kind!r} in {spec!r}: use builtin, "
                        "npz, csv, folder or keras")
    if not target or "\x00" in target:
        raise DataError(f"data spec {spec!r} names no dataset or file")
    if kind == "builtin" and target not in BUILTINS:
        raise DataError(f"unknown built-in dataset {target!r}: choose one of "
                        f"{', '.join(BUILTINS)}")
    if kind == "keras" and target not in KERAS_DATASETS:
        raise DataError(f"unknown keras dataset {target!r}: choose one of "
                        f"{', '.join(KERAS_DATASETS)}")
    if kind == "csv" and "target" in options and not options["target"]:
        raise DataError("a CSV source names its label column: "
                        "csv:PATH#target=COLUMN")
    return DataSpec(kind, target, options)
