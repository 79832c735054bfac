"""Run the user's trusted custom-code modules and find their classes.

The only place NetBuilder executes a project's custom module (see
:mod:`netbuilder.engine.model.custom_code`), and only after the user trusted
that file as it is now. The module is loaded under its own name (its file
stem) and put in ``sys.modules``, so the generated code's
``from <module> import <Class>`` gets the same, trusted, current module.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any

from netbuilder.engine.model.catalog import Catalog
from netbuilder.engine.model.custom_code import (
    CustomCode,
    code_of,
    entry_name,
    file_hash,
    is_trusted,
    untrusted_message,
)
from netbuilder.engine.model.errors import GraphError

# (absolute path, sha256) -> the module loaded from that content
_loaded: dict[tuple[str, str], Any] = {}
# Names NetBuilder itself needs: a user module may not take them.
RESERVED_MODULES = {"keras", "tensorflow", "numpy", "netbuilder", "h5py", "PySide6",
                    "ml_dtypes", "google", "absl", "scipy", "jax", "torch"}


class CustomCodeNotTrusted(GraphError):
    """The project's custom code was needed but is not trusted (plain words)."""


class CustomCodeFailed(GraphError):
    """Running the user's module failed (names the file and line)."""


def module_name(rel: str) -> str:
    return ".".join(Path(rel).with_suffix("").parts)


def name_problem(rel: str) -> str | None:
    """Why a module cannot be imported under its own name, or None."""
    name = module_name(rel)
    top = name.split(".")[0]
    if top in RESERVED_MODULES or top in sys.stdlib_module_names:
        return (f"{rel} has the name of a module Python or NetBuilder uses "
                f"({top}); rename the file and import again")
    return None


def load_module(code: CustomCode, rel: str) -> Any:
    """The user's module ``rel`` (runs it the first time for this content)."""
    path = code.module_file(rel)
    if not is_trusted(path):
        names = ", ".join(code.entries_of(rel)[:4]) or "custom code"
        raise CustomCodeNotTrusted(untrusted_message(code, rel, names))
    problem = name_problem(rel)
    if problem:
        raise CustomCodeFailed(problem)
    key = (str(path.resolve()), file_hash(path) or "")
    if key in _loaded:
        sys.modules[module_name(rel)] = _loaded[key]
        return _loaded[key]
    name = module_name(rel)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    old = sys.modules.get(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # the user's code can raise anything
        if old is not None:
            sys.modules[name] = old
        else:
            sys.modules.pop(name, None)
        raise CustomCodeFailed(run_error(exc, path)) from None
    _loaded[key] = module
    return module


def run_error(exc: BaseException, path: Path) -> str:
    """``layers.py, line 12: NameError: name 'x' is not defined``."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = frame.lineno
    if isinstance(exc, SyntaxError) and exc.filename and \
            Path(exc.filename).resolve() == path.resolve():
        line = exc.lineno
    where = f"{path.name}, line {line}" if line else path.name
    text = " ".join(str(exc).split())[:300] or type(exc).__name__
    return f"{where}: {type(exc).__name__}: {text}"


def resolve(catalog: Catalog, name: str) -> Any:
    """The class or function ``name`` of the project's custom code."""
    code = code_of(catalog)
    entry = code.entries.get(name) if code is not None else None
    if entry is None:
        raise CustomCodeFailed(f"{name} is not in the project's custom code")
    module = load_module(code, entry["module"])
    attr = entry.get("function", name) if entry["kind"] == "lambda" else name
    obj = getattr(module, attr, None)
    if obj is None:
        raise CustomCodeFailed(f"{entry['module']} no longer defines {attr}; put it "
                               "back or import the model again")
    return obj


def known_objects() -> dict[str, Any]:
    """Every class and function of the trusted modules loaded so far, by name
    (an export made in this process reloads with them)."""
    out: dict[str, Any] = {}
    for module in _loaded.values():
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) == module.__name__ and \
                    callable(obj) and not name.startswith("_"):
                out[name] = obj
    return out


def custom_layer_class(type_name: str, catalog: Catalog) -> Any:
    """What to call with a node's keyword arguments to make its layer: the
    user's class, or for a Lambda ``keras.layers.Lambda`` with the function."""
    name = entry_name(type_name)
    obj = resolve(catalog, name)
    if code_of(catalog).entries[name]["kind"] == "lambda":
        import functools

        import keras

        return functools.partial(keras.layers.Lambda, obj)
    return obj


def custom_objects(catalog: Catalog) -> dict[str, Any]:
    """Every class and function of the project's custom code by the name a
    saved model records (for loading and reloading ``.keras`` files)."""
    code = code_of(catalog)
    if code is None:
        return {}
    out = {}
    for name, entry in code.entries.items():
        obj = resolve(catalog, name)
        out[entry.get("function", name) if entry["kind"] == "lambda" else name] = obj
    return out


def load_all(catalog: Catalog) -> None:
    """Load every module of the project (before its generated code runs)."""
    code = code_of(catalog)
    if code is not None:
        for rel in code.modules:
            load_module(code, rel)
