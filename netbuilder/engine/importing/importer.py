"""Import existing models (``.keras``, ``.h5``, Python source) as projects.

:func:`import_model` reads the file, converts the model into an editable
graph (:mod:`importer_convert`), lays it out (:mod:`layout`) and collects the
model's weights (:mod:`importer_weights`). :func:`save_imported` writes the
project and, beside it, ``<project>.weights.h5``.

Files are loaded with ``safe_mode=True`` unless the caller trusts them: a
model with Lambda layers or custom objects is refused with a message naming
them. Python source runs only through :mod:`python_source`, in a separate
process group with a time limit and a minimal environment, and only when the
caller asks for it; the model it saves is read back in safe mode unless the
caller trusts it too.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.engine.importing.convert import LAMBDA_REFUSAL
from netbuilder.engine.importing.params import ImportFailure
from netbuilder.engine.model.catalog import get_catalog
from netbuilder.engine.model.graph import Graph

SUFFIXES = (".keras", ".h5", ".hdf5", ".py")
Progress = Callable[[int, int, str], None]

__all__ = ["ImportFailure", "ImportResult", "import_model", "import_keras_model",
           "save_imported"]


@dataclass
class ImportResult:
    graph: Graph
    # layer path -> weight arrays (empty when the file held none)
    weights: dict[str, list[Any]] = field(default_factory=dict)
    source: str = ""
    param_count: int = 0


def _read_config_text(path: Path) -> str:
    """The raw model config of a file, without deserializing anything."""
    if path.suffix == ".keras":
        try:
            with zipfile.ZipFile(path) as zf:
                return zf.read("config.json").decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError, OSError):
            return ""
    try:
        import h5py

        with h5py.File(path, "r") as fh:
            raw = fh.attrs.get("model_config")
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8", "replace")
            return raw or ""
    except Exception:  # not HDF5 or unreadable: the loader will say so
        return ""


LAMBDA_CLASSES = ("Lambda", "TFOpLambda", "SlicingOpLambda")


def _custom_class(value: dict) -> bool:
    """A class from outside Keras (registered by the user's code; its module
    is recorded, or None for a registered class)."""
    module, cls = value.get("module"), value.get("class_name")
    if isinstance(cls, str) and ">" in cls:
        return True  # a registered class in a legacy .h5 config
    return isinstance(cls, str) and bool(value.get("registered_name")) and \
        not (isinstance(module, str) and module.startswith("keras"))


def _custom_names(value: dict) -> tuple[str, str]:
    """(class name, where it comes from) of a custom class's config."""
    cls = value["class_name"]
    if ">" in cls:
        return cls.split(">")[-1], f"registered as {cls}"
    if value.get("module"):
        return cls, f"{value['module']}.{cls}"
    return cls, f"registered as {value.get('registered_name')}"


def code_refusals(doc: Any, known: frozenset[str] = frozenset()) -> list[str]:
    """Plain sentences naming each Lambda layer, custom layer and custom
    object (regularizer, initializer, constraint, activation) in a model
    config that is not defined in the user's modules (``known``: the names
    they define), with the layer and argument that holds it."""
    found: list[str] = []

    def walk(value: Any, layer: str | None, arg: str | None) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, layer, arg)
            return
        if not isinstance(value, dict):
            return
        cls = value.get("class_name")
        config = value.get("config") if isinstance(value.get("config"), dict) \
            else {}
        is_layer = "inbound_nodes" in value or "trainable" in config
        name = config.get("name") or value.get("name")
        if cls in LAMBDA_CLASSES:
            message = _lambda_refusal(name, config.get("function"), known)
            if message:
                found.append(message)
            return
        if cls == "__lambda__":
            found.append(f"layer {layer!r}: {arg} is an anonymous Python lambda, "
                         "which NetBuilder never imports (a project keeps no "
                         f"code); {NAMED_FUNCTION}")
            return
        if _custom_class(value):
            cls, where = _custom_names(value)
            if cls in known:
                pass
            elif is_layer:
                found.append(f"layer {name!r} is the custom layer {cls} from your "
                             f"own code ({where}); {GIVE_MODULE}")
                return
            else:
                found.append(f"layer {layer!r}: {arg} is the custom {cls} from "
                             f"your own code ({where}); {GIVE_MODULE}")
                return
        if is_layer and isinstance(name, str):
            layer, arg = name, None
        for key, item in value.items():
            walk(item, layer, key if isinstance(item, (dict, list)) and key not in (
                "config", "layers", "inbound_nodes") else arg)

    walk(doc, None, None)
    return list(dict.fromkeys(found))


GIVE_MODULE = ("NetBuilder imports it when you give the Python module that "
               "defines it and trust it: --custom-module FILE.py --trust (in the "
               "app, Import asks for that file). The code stays in that file, "
               "beside the project, never in the project")
PY_TRUST = ("add --trust to import the classes and functions {name} defines "
            "(they then run inside NetBuilder too; {name} is copied beside the "
            "project, which keeps only its name and hash)")
NAMED_FUNCTION = ("define it as a named top-level function (def) in your module "
                  "and give that module with --custom-module FILE.py --trust")


def _lambda_refusal(name: Any, function: Any, known: frozenset[str]) -> str | None:
    """Why a Lambda layer's function cannot be imported, or None when it is a
    named function of the user's modules."""
    if isinstance(function, dict) and function.get("class_name") == "function" \
            and isinstance(function.get("config"), str):
        fname = function["config"]
        if fname in known:
            return None
        return (f"layer {name!r} is a Lambda calling {fname}(), a function from "
                f"your own code; {GIVE_MODULE}")
    return f"layer {name!r} {LAMBDA_REFUSAL}"


def check_code_parts(path: str | os.PathLike,
                     known: frozenset[str] = frozenset()) -> None:
    """Refuse a model file holding code NetBuilder cannot import (see
    :func:`code_refusals`), before anything of it is loaded."""
    path = Path(path)
    text = _read_config_text(path)
    try:
        doc = json.loads(text) if text else None
    except ValueError:
        return
    refusals = code_refusals(doc, known)
    if refusals:
        more = f" (and {len(refusals) - 1} more like it)" if len(refusals) > 1 else ""
        raise ImportFailure(f"{path.name}: {refusals[0]}{more}")


def unsafe_parts(path: Path) -> list[str]:
    """Names of Lambda layers and custom (non-Keras) classes in the config."""
    text = _read_config_text(path)
    if not text:
        return []
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            cls = value.get("class_name")
            config = value.get("config") if isinstance(value.get("config"),
                                                      dict) else {}
            name = config.get("name") or value.get("name") or "?"
            if cls in LAMBDA_CLASSES:
                found.append(f"Lambda layer {name!r}")
            elif _custom_class(value):
                found.append(f"custom {cls} {name!r}")
            elif isinstance(cls, str) and cls == "__lambda__":
                found.append("a Python lambda")
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(doc)
    return list(dict.fromkeys(found))


def load_keras_file(path: str | os.PathLike, trust: bool = False,
                    modules: Any = None) -> Any:
    """``keras.saving.load_model`` with plain-words errors; ``modules``: the
    user's trusted modules (custom_import.Modules) whose classes and
    functions the file may use."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailure(f"{path}: no such file")
    if path.suffix not in (".keras", ".h5", ".hdf5"):
        raise ImportFailure(f"{path.name}: not a .keras or .h5 model file")
    objects = modules.objects if modules is not None else {}
    check_code_parts(path, frozenset(objects))
    risky = unsafe_parts(path)
    if objects:
        pass  # every custom part is defined in the user's trusted modules
    elif risky and not trust:
        raise ImportFailure(
            f"{path.name} contains code that would run when it is loaded: "
            f"{', '.join(risky[:6])}. Open it only if you trust where it came from "
            "(--trust / 'Trust this file').")
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    try:
        with keras.saving.custom_object_scope(objects):
            return keras.saving.load_model(str(path), compile=False,
                                           safe_mode=not trust or bool(objects))
    except Exception as exc:  # Keras raises many kinds for bad files
        raise ImportFailure(f"{path.name}: {_load_message(exc)}") from None


def _is_operation(class_name: str) -> bool:
    """Whether a name Keras could not find is one of its own operations."""
    return any(spec.op_class == class_name for spec in get_catalog().specs())


def _load_message(exc: BaseException) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip() or type(exc).__name__
    unknown = re.search(r"Could not locate (?:class|function) '([^']+)'", text) or \
        re.search(r"Unknown [a-z ]+: '([^']+)'", text)
    if unknown and _is_operation(unknown.group(1)):
        return (f"it uses the keras.ops operation {unknown.group(1)}, which Keras "
                "cannot load back from the legacy HDF5 (.h5) format; save the model "
                "as .keras (model.save('model.keras')) and import that")
    if unknown:
        return (f"it uses {unknown.group(1)!r}, which is not part of Keras but "
                f"comes from your own code; {GIVE_MODULE}")
    if "safe_mode" in text or "lambda" in text.lower():
        return ("it contains a Lambda layer or Python code; open it only if you "
                "trust where it came from (--trust)")
    if "file signature not found" in text or "not a zip file" in text.lower():
        return "not a valid model file (damaged or of another kind)"
    return f"Keras cannot load it: {text[:300]}"


def import_keras_model(model: Any, progress: Progress | None = None,
                       with_weights: bool = True, source: str = "",
                       modules: Any = None) -> ImportResult:
    """Convert a built ``keras.Model`` into a laid-out graph (and weights)."""
    from netbuilder.engine.importing.convert import model_to_graph
    from netbuilder.engine.importing.weights import collect_weights, fingerprints
    from netbuilder.engine.model.layout import (
        best_direction,
        layout_graph,
        set_direction,
    )

    graph = model_to_graph(model, progress=progress, modules=modules)
    set_direction(graph, best_direction(graph))
    layout_graph(graph)
    weights = collect_weights(model, graph) if with_weights else {}
    if weights:
        graph.extra["weights"] = {"file": None, "layers": fingerprints(graph)}
    return ImportResult(graph, weights, source, int(model.count_params()))


def _load_python_model(saved: str, name: str, trust: bool,
                       modules: Any = None) -> Any:
    try:
        return load_keras_file(saved, trust=trust, modules=modules)
    except ImportFailure as exc:
        saved_name = Path(saved).name
        text = str(exc).removeprefix(f"{saved_name}: ").removeprefix(f"{saved_name} ")
        # The user's classes live in the module runpy gave their file.
        text = re.sub(r"\(__netbuilder_import__\.\w+\)", f"(defined in {name})", text)
        if text.startswith("layer "):
            # For a .py model the module is the file itself: --trust is all.
            text = text.replace(GIVE_MODULE, PY_TRUST.format(name=name))
            raise ImportFailure(f"{name}: in the model it builds, {text}") from None
        if text.startswith("contains"):
            text = (text.split(". Open it only")[0] + ". NetBuilder did not load "
                    f"it: add --trust to import classes and functions defined in "
                    f"{name} (its code then runs inside NetBuilder too)")
        else:
            text = f"cannot be read back: {text}"
        raise ImportFailure(f"{name}: the model it builds {text}") from None


def import_model(path: str | os.PathLike, trust: bool = False,
                 progress: Progress | None = None, run_python: bool = False,
                 timeout: float = 60.0,
                 custom_modules: list[str] | None = None) -> ImportResult:
    """Import a ``.keras``/``.h5`` file, or (with ``run_python``) a ``.py``
    file that builds a model. Raises :class:`ImportFailure`.

    With ``trust``, classes and functions of the user's own code become
    custom nodes: those defined in ``custom_modules`` (``.py`` files), and
    for a ``.py`` model those defined in the file itself. The modules are
    run in this process; the project references them (see
    :func:`save_imported`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFailure(f"{path.name}: cannot import this kind of file; use a "
                            ".keras, .h5 or .py file")
    if suffix == ".py":
        if not run_python:
            raise ImportFailure(f"{path.name} is Python code: importing it runs it; "
                                "confirm that you want to run it")
        from netbuilder.engine.importing.python_source import model_file_from_python

        with model_file_from_python(path, timeout) as saved:
            # Read back in safe mode: a Lambda or custom object in the model
            # would run its code here, in NetBuilder's own process, unless
            # the user trusted the file (then its classes are used).
            modules = _user_modules([str(path), *(custom_modules or [])], trust) \
                if trust or custom_modules else None
            model = _load_python_model(saved, path.name, trust, modules)
            result = import_keras_model(model, progress, source=str(path),
                                        modules=modules)
        return result
    modules = _user_modules(custom_modules or [], trust)
    model = load_keras_file(path, trust, modules)
    return import_keras_model(model, progress, source=str(path), modules=modules)


def _user_modules(paths: list[str], trust: bool) -> Any:
    """The user's modules, run (only with ``trust``), or None."""
    if not paths:
        return None
    if not trust:
        names = ", ".join(Path(p).name for p in paths)
        raise ImportFailure(f"importing with your own code runs {names}: add "
                            "--trust if you trust it")
    from netbuilder.engine.importing.custom_import import load_modules

    return load_modules(paths)


def save_imported(result: ImportResult, project_path: str | os.PathLike) -> list[str]:
    """Write the project and, when there are weights, ``<stem>.weights.h5``
    beside it. Returns the paths written."""
    from netbuilder.engine.importing.weights import save_weights
    from netbuilder.engine.model.project import save_project

    project_path = Path(project_path)
    written = place_modules(result.graph, project_path.parent)
    if result.weights:
        weights_path = project_path.with_name(project_path.stem + ".weights.h5")
        save_weights(result.weights, weights_path)
        result.graph.extra["weights"]["file"] = weights_path.name
        written.append(str(weights_path))
    save_project(result.graph, project_path)
    result.graph.path = str(project_path)
    return [str(project_path)] + written


def place_modules(graph: Graph, folder: Path) -> list[str]:
    """Copy the custom-code modules the graph references beside the project
    (unless they are there already); the project then finds them there.
    Returns the files written."""
    import shutil

    from netbuilder.engine.model.custom_code import (
        KEY,
        code_of,
        file_hash,
        is_trusted,
        trust_file,
    )

    code = code_of(graph.catalog)
    if code is None:
        return []
    written = []
    folder = folder.resolve()
    for rel in code.modules:
        src, dst = code.module_file(rel).resolve(), folder / rel
        if src == dst.resolve():
            continue
        if dst.exists() and file_hash(dst) != file_hash(src):
            raise ImportFailure(f"a different {rel} already exists beside the "
                                f"project in {folder}; rename one of them")
        trusted = is_trusted(src)
        if not dst.exists():
            shutil.copyfile(src, dst)
            written.append(str(dst))
        if trusted:
            trust_file(dst)
    code.base = str(folder)
    graph.extra[KEY] = code.to_json()
    return written
