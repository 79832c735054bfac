"""Custom code a project references: classes and functions from the user's
own Python module(s), and whether the user has trusted them. Pure Python:
never imports Keras and never runs the modules.

A project keeps no code. It records, under the top-level key
``"custom_code"``::

    {"modules": [{"path": "layers.py", "sha256": "..."}],
     "entries": {"Sampling": {"module": "layers.py", "kind": "layer",
                              "inputs": ["input_0", "input_1"],
                              "call_style": "list",
                              "params": [{"name": "rate", "kind": "float",
                                          "default": 0.1}]}, ...},
     "shapes": {"n7": [[null, 2]]}}

``path`` is relative to the project's folder and must stay inside it (the
module is kept beside the project). A custom layer's node has the type
``custom.<ClassName>``; a ``Lambda`` whose function is a named top-level
function of the module has the type ``custom.<function_name>`` (kind
``"lambda"``); custom regularizers, initializers, constraints and
activations are entries of those kinds, used by name in a layer's params.
``shapes`` holds, by node id, the output shapes seen at import, so a project
whose code is not trusted still shows them.

Nothing in a module runs until the user trusts it: :func:`trust` records
(absolute path, SHA-256 of the current content); a changed module is no
longer trusted.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.engine.model.catalog import Catalog, LayerSpec, ParamSpec

PREFIX = "custom."
KEY = "custom_code"
LAYER_KINDS = ("layer", "lambda")
OBJECT_KINDS = ("regularizer", "initializer", "constraint", "activation")
MAX_MODULE_BYTES = 4 * 1024 * 1024
MAX_ENTRIES = 500
PARAM_KINDS = ("int", "float", "bool", "string", "other")

_lock = threading.Lock()
_trusted: set[tuple[str, str]] = set()


class CustomCodeError(ValueError):
    """A custom-code record that cannot be used (plain words)."""


def is_custom(type_name: Any) -> bool:
    return isinstance(type_name, str) and type_name.startswith(PREFIX)


def entry_name(type_name: str) -> str:
    return type_name[len(PREFIX):]


def _identifier(text: Any) -> bool:
    import keyword

    return isinstance(text, str) and text.isidentifier() and \
        not keyword.iskeyword(text)


def check_module_path(rel: Any) -> str:
    """A module path relative to the project: a ``.py`` file inside its
    folder whose stem is a Python identifier (it is imported by name)."""
    if not isinstance(rel, str) or not rel.endswith(".py") or len(rel) > 200:
        raise CustomCodeError(f"module {str(rel)[:80]!r} is not a .py file name")
    parts = Path(rel).parts
    if Path(rel).is_absolute() or ".." in parts or not parts:
        raise CustomCodeError(f"module {rel!r} must be a file beside the project "
                              "(a path inside the project's folder)")
    if not all(_identifier(p) for p in parts[:-1]) or \
            not _identifier(Path(rel).stem):
        raise CustomCodeError(f"module {rel!r}: its name must be a Python "
                              "identifier so that code can import it")
    return rel


def file_hash(path: str | os.PathLike) -> str | None:
    """SHA-256 of a regular file (None when missing, not a regular file or
    larger than a module can be)."""
    try:
        st = os.stat(path)
        import stat

        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_MODULE_BYTES:
            return None
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


@dataclass
class CustomCode:
    """A project's custom-code record (see the module docstring)."""

    modules: dict[str, str] = field(default_factory=dict)  # rel path -> sha256
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    shapes: dict[str, list] = field(default_factory=dict)
    base: str | None = None  # the project's folder

    # ----------------------------------------------------------- files
    def module_file(self, rel: str) -> Path:
        base = Path(self.base) if self.base else Path.cwd()
        return base / rel

    def entries_of(self, rel: str) -> list[str]:
        return [n for n, e in self.entries.items() if e.get("module") == rel]

    def untrusted(self) -> list[str]:
        """Module paths (relative) that are not trusted as they are now."""
        return [rel for rel in self.modules if not is_trusted(self.module_file(rel))]

    def changed(self) -> list[str]:
        """Modules whose content differs from the hash recorded at import."""
        return [rel for rel, sha in self.modules.items()
                if file_hash(self.module_file(rel)) not in (sha, None)]

    def missing(self) -> list[str]:
        return [rel for rel in self.modules if file_hash(self.module_file(rel)) is None]

    def describe(self, rel: str) -> str:
        names = self.entries_of(rel)
        more = f" and {len(names) - 4} more" if len(names) > 4 else ""
        return f"{rel} ({', '.join(names[:4])}{more})"

    # ----------------------------------------------------------- json
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "modules": [{"path": p, "sha256": s} for p, s in self.modules.items()],
            "entries": self.entries,
        }
        if self.shapes:
            out["shapes"] = self.shapes
        return out

    @classmethod
    def from_json(cls, doc: Any) -> CustomCode:
        if not isinstance(doc, dict):
            raise CustomCodeError("custom_code must be an object")
        modules: dict[str, str] = {}
        for item in doc.get("modules") or []:
            if not isinstance(item, dict):
                raise CustomCodeError("custom_code.modules holds a non-object")
            rel = check_module_path(item.get("path"))
            sha = item.get("sha256")
            modules[rel] = sha if isinstance(sha, str) else ""
        entries = doc.get("entries") or {}
        if not isinstance(entries, dict) or len(entries) > MAX_ENTRIES:
            raise CustomCodeError("custom_code.entries must be an object of at most "
                                  f"{MAX_ENTRIES} entries")
        for name, entry in entries.items():
            _check_entry(name, entry, modules)
        shapes = doc.get("shapes") or {}
        if not isinstance(shapes, dict):
            raise CustomCodeError("custom_code.shapes must be an object")
        return cls(modules, dict(entries), dict(shapes))


def _check_entry(name: Any, entry: Any, modules: dict[str, str]) -> None:
    if not _identifier(name):
        raise CustomCodeError(f"custom entry {str(name)[:60]!r} is not a Python name")
    if not isinstance(entry, dict):
        raise CustomCodeError(f"custom entry {name!r} must be an object")
    if entry.get("module") not in modules:
        raise CustomCodeError(f"custom entry {name!r} names a module the project "
                              "does not list")
    kind = entry.get("kind")
    if kind not in LAYER_KINDS + OBJECT_KINDS:
        raise CustomCodeError(f"custom entry {name!r} has an unknown kind {kind!r}")
    if kind in LAYER_KINDS:
        inputs = entry.get("inputs")
        if not isinstance(inputs, list) or not 1 <= len(inputs) <= 64 or \
                not all(isinstance(i, str) and len(i) < 64 for i in inputs):
            raise CustomCodeError(f"custom layer {name!r}: inputs must be 1 to 64 "
                                  "port names")
        if entry.get("call_style", "single") not in ("single", "list"):
            raise CustomCodeError(f"custom layer {name!r}: unknown call style")
        if kind == "lambda" and not _identifier(entry.get("function")):
            raise CustomCodeError(f"Lambda {name!r}: its function must be a name")
    params = entry.get("params") or []
    if not isinstance(params, list) or not all(
            isinstance(p, dict) and _identifier(p.get("name"))
            and p.get("kind", "other") in PARAM_KINDS for p in params):
        raise CustomCodeError(f"custom entry {name!r}: bad parameter list")


# --------------------------------------------------------------- catalog
def layer_spec(name: str, entry: dict[str, Any]) -> LayerSpec:
    """The catalog entry of a custom layer or Lambda (built from the record,
    so an untrusted project still has its ports and params)."""
    params = [ParamSpec(p["name"], p.get("kind", "other"), default=p.get("default"),
                        required=bool(p.get("required")),
                        nullable=p.get("default") is None,
                        doc=str(p.get("doc", ""))[:200])
              for p in entry.get("params") or []]
    inputs = list(entry["inputs"])
    what = (f"Lambda calling {entry.get('function')}()" if entry["kind"] == "lambda"
            else f"custom layer {name}")
    # A Lambda's function name is its spec's ``signature`` (code writes
    # ``keras.layers.Lambda(function, ...)``).
    return LayerSpec(type=PREFIX + name, category="custom",
                     doc=f"{what} from your module {entry['module']}.",
                     params=params, inputs=inputs, min_inputs=len(inputs),
                     call_style=entry.get("call_style", "single"),
                     module=entry["module"],
                     signature=[entry["function"]] if entry["kind"] == "lambda"
                     else [])


def custom_catalog(base: Catalog, code: CustomCode) -> Catalog:
    """``base`` plus the project's custom layers and objects."""
    specs = [layer_spec(n, e) for n, e in code.entries.items()
             if e["kind"] in LAYER_KINDS]
    objects = {kind: dict(value) for kind, value in base.objects.items()}
    for name, entry in code.entries.items():
        if entry["kind"] in OBJECT_KINDS:
            kind = objects.setdefault(entry["kind"], {})
            kind["classes"] = {**kind.get("classes", {}), name: {
                p["name"]: p.get("default") for p in entry.get("params") or []}}
            kind["names"] = [*kind.get("names", []), name]
    return base.extended(specs, objects, code)


def code_of(catalog: Catalog) -> CustomCode | None:
    code = getattr(catalog, "custom", None)
    return code if isinstance(code, CustomCode) else None


def attach(graph: Any, code: CustomCode | None) -> None:
    """Give ``graph`` (and its record in ``extra``) the custom code."""
    if code is None:
        return
    base = graph.catalog
    while code_of(base) is not None:
        base = base.parent
    graph.catalog = custom_catalog(base, code)
    graph.extra[KEY] = code.to_json()


def load_record(doc: Any, catalog: Catalog) -> tuple[Catalog, str | None]:
    """The catalog for a project document holding ``custom_code``, and a
    problem sentence when the record is unusable (the nodes then show as
    unknown types)."""
    if not isinstance(doc, dict) or KEY not in doc:
        return catalog, None
    try:
        code = CustomCode.from_json(doc[KEY])
    except CustomCodeError as exc:
        return catalog, str(exc)
    return custom_catalog(catalog, code), None


def set_base(catalog: Catalog, folder: str | os.PathLike) -> None:
    code = code_of(catalog)
    if code is not None:
        code.base = str(Path(folder).resolve())


# ----------------------------------------------------------------- trust
def trust_key(path: str | os.PathLike) -> tuple[str, str] | None:
    sha = file_hash(path)
    return None if sha is None else (str(Path(path).resolve()), sha)


def is_trusted(path: str | os.PathLike) -> bool:
    key = trust_key(path)
    with _lock:
        return key is not None and key in _trusted


def trust_file(path: str | os.PathLike) -> bool:
    """Trust the module as it is now (False when it cannot be read)."""
    key = trust_key(path)
    if key is None:
        return False
    with _lock:
        _trusted.add(key)
    return True


def untrust_file(path: str | os.PathLike) -> None:
    resolved = str(Path(path).resolve())
    with _lock:
        for key in [k for k in _trusted if k[0] == resolved]:
            _trusted.discard(key)


def trust_project(catalog: Catalog) -> list[str]:
    """Trust every module of the project; returns the ones that cannot be
    read (missing or too large)."""
    code = code_of(catalog)
    if code is None:
        return []
    return [rel for rel in code.modules if not trust_file(code.module_file(rel))]


def untrust_project(catalog: Catalog) -> None:
    code = code_of(catalog)
    if code is not None:
        for rel in code.modules:
            untrust_file(code.module_file(rel))


def untrusted_message(code: CustomCode, rel: str, what: str) -> str:
    """The sentence for a node or object whose module is not trusted."""
    if file_hash(code.module_file(rel)) is None:
        return (f"{what} comes from {rel}, which is missing beside the project; "
                f"put {rel} back next to the project file")
    return (f"{what} comes from your module {rel}, which has not been trusted: "
            "NetBuilder shows its saved settings but runs none of its code. "
            "Trust it (File > Trust Custom Code in the app, --trust on the "
            "command line) to check, generate code, train or export")
