"""Import models that use the user's own code (custom layers, Lambda layers
calling a named function, custom regularizers/initializers/constraints/
activations), once the user has trusted the module(s) that define them.

:func:`user_objects` runs the trusted modules and lists what they define;
:func:`describe_model` walks a loaded model and records, for each custom
class or function it uses, an entry of the project's custom code (see
:mod:`netbuilder.engine.model.custom_code`): its ports, its parameters (from
the constructor's signature and ``get_config``), and the output shapes seen
now, so the project shows them while its code is not trusted.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from netbuilder.engine.importing.params import ImportFailure, jsonable
from netbuilder.engine.model.custom_code import (
    PREFIX,
    CustomCode,
    check_module_path,
    file_hash,
    trust_file,
)

# Keyword arguments every Keras layer takes; a custom layer's node keeps them
# only when they differ from these defaults.
BASE_LAYER_DEFAULTS = {"trainable": True, "dtype": None, "autocast": True,
                       "activity_regularizer": None, "input_dim": None,
                       "input_shape": None}
LAMBDA_DEFAULTS = {"output_shape": None, "mask": None, "arguments": {}}


class Modules:
    """The user's trusted modules and the classes/functions they define."""

    def __init__(self, paths: list[Path]) -> None:
        self.code = CustomCode()
        self.paths = paths
        self.objects: dict[str, Any] = {}  # name -> class or function
        self.module_of: dict[str, str] = {}  # name -> module file (relative)
        self.modules: dict[str, Any] = {}  # Python module name -> module

    def load(self) -> None:
        from netbuilder.engine.keras.custom_classes import (
            CustomCodeFailed,
            load_module,
            module_name,
            name_problem,
        )

        for path in self.paths:
            rel = path.name
            try:
                check_module_path(rel)
            except ValueError as exc:
                raise ImportFailure(str(exc)) from None
            problem = name_problem(rel)
            if problem:
                raise ImportFailure(problem)
            if file_hash(path) is None:
                raise ImportFailure(f"{path}: cannot read this module (missing, "
                                    "not a regular file or over 4 MB)")
            self.code.base = str(path.parent.resolve())
            self.code.modules[rel] = file_hash(path) or ""
            trust_file(path)  # the caller asked to run it (--trust / the dialog)
            try:
                module = load_module(self.code, rel)
            except CustomCodeFailed as exc:
                raise ImportFailure(str(exc)) from None
            self.modules[module_name(rel)] = module
            for name, obj in vars(module).items():
                if getattr(obj, "__module__", None) == module.__name__ and \
                        (inspect.isclass(obj) or inspect.isfunction(obj)):
                    self.objects[name] = obj
                    self.module_of[name] = rel

    def owns(self, obj: Any) -> str | None:
        """The name under which ``obj`` (a class or function) is defined in
        one of the modules, else None."""
        name = getattr(obj, "__name__", None)
        return name if name is not None and self.objects.get(name) is obj else None


def load_modules(paths: list[str]) -> Modules:
    modules = Modules([Path(p).resolve() for p in paths])
    names = [p.name for p in modules.paths]
    if len(set(names)) != len(names):
        raise ImportFailure("two custom modules have the same file name; rename one")
    modules.load()
    return modules


def _signature_defaults(cls: Any) -> tuple[dict[str, Any], set[str]]:
    """Defaults of the constructor's named arguments, and the required ones."""
    defaults: dict[str, Any] = {}
    required: set[str] = set()
    try:
        params = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return defaults, required
    for p in params:
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is inspect.Parameter.empty:
            required.add(p.name)
        else:
            try:
                defaults[p.name] = jsonable(p.default)
            except Exception:  # a default that is no JSON value
                defaults[p.name] = None
    return defaults, required


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def param_specs(cls: Any, config: dict[str, Any], base: dict[str, Any]
                ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(parameter records, node params): every key of ``config`` that the
    constructor takes, with its default; params hold non-defaults."""
    defaults, required = _signature_defaults(cls)
    defaults = {**base, **defaults}
    specs, params = [], {}
    for key, value in config.items():
        if key in ("name", "build_config", "compile_config"):
            continue
        value = jsonable(value)
        if key == "dtype" and _plain_float32(value):
            continue
        default = defaults.get(key)
        kind = _kind(value if value is not None else default)
        if kind == "int" and isinstance(default, float):
            kind = "float"
        specs.append({"name": key, "kind": kind, "default": default,
                      "required": key in required})
        if key in required or value != default:
            params[key] = value
    return specs, params


def _plain_float32(value: Any) -> bool:
    if value in (None, "float32"):
        return True
    config = value.get("config") if isinstance(value, dict) else None
    return isinstance(config, dict) and config.get("name") == "float32"


def call_inputs(layer: Any) -> tuple[list[str], str]:
    """(port names, call style) from how the model calls the layer."""
    nodes = getattr(layer, "_inbound_nodes", None) or []
    first = None
    if nodes:
        args = getattr(getattr(nodes[0], "arguments", None), "args", None) or ()
        first = args[0] if args else None
    if isinstance(first, (list, tuple)):
        return [f"input_{i}" for i in range(len(first))], "list"
    return ["input"], "single"


def seen_shapes(layer: Any) -> list | None:
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if not nodes:
        return None
    outs = getattr(nodes[0], "output_tensors", None) or []
    return [[None if d is None else int(d) for d in t.shape] for t in outs]


def layer_entry(layer: Any, modules: Modules) -> tuple[str, dict] | None:
    """(node type, node params) for a custom layer or a Lambda calling a
    named function of the user's modules; records its entry. None for any
    other layer. Raises for what cannot be represented."""
    code = modules.code
    if type(layer).__name__ == "Lambda" and type(layer).__module__.startswith("keras"):
        return _lambda_entry(layer, modules)
    name = modules.owns(type(layer))
    if name is None:
        return None
    outputs = seen_shapes(layer)
    if outputs is not None and len(outputs) != 1:
        raise ImportFailure(f"{layer.name}: the custom layer {name} returns "
                            f"{len(outputs)} tensors; NetBuilder imports custom "
                            "layers with one output")
    inputs, style = call_inputs(layer)
    specs, params = param_specs(type(layer), jsonable(layer.get_config()),
                                BASE_LAYER_DEFAULTS)
    code.entries[name] = {"module": modules.module_of[name], "kind": "layer",
                          "inputs": inputs, "call_style": style, "params": specs}
    return PREFIX + name, params


def _lambda_entry(layer: Any, modules: Modules) -> tuple[str, dict]:
    function = layer.function
    fname = getattr(function, "__name__", "")
    where = f"layer {layer.name!r}"
    if fname == "<lambda>":
        raise ImportFailure(
            f"{where} is a Lambda holding an anonymous Python lambda; NetBuilder "
            "imports a Lambda only when it calls a named top-level function of "
            "a module you give (--custom-module FILE with --trust; the code stays "
            "in that file, never in the project). Define the function with def "
            "in your module and use Lambda(that_function)")
    if modules.owns(function) is None:
        raise ImportFailure(
            f"{where} is a Lambda calling {fname or 'a function'}(), which is not a "
            "top-level function of the module(s) you gave; give the module that "
            "defines it with --custom-module FILE (and --trust)")
    config = jsonable(layer.get_config())
    config.pop("function", None)
    config.pop("function_type", None)
    specs, params = param_specs(type(layer), config, {**BASE_LAYER_DEFAULTS,
                                                      **LAMBDA_DEFAULTS})
    inputs, style = call_inputs(layer)
    modules.code.entries[fname] = {
        "module": modules.module_of[fname], "kind": "lambda", "function": fname,
        "inputs": inputs, "call_style": style, "params": specs}
    return PREFIX + fname, params


def object_entries(doc: Any, modules: Modules) -> None:
    """Entries for the user's regularizers, initializers, constraints and
    activations named anywhere in a model config."""
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    bases = {"regularizer": keras.regularizers.Regularizer,
             "initializer": keras.initializers.Initializer,
             "constraint": keras.constraints.Constraint}

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
            return
        if not isinstance(value, dict):
            return
        cls_name = value.get("class_name")
        obj = modules.objects.get(cls_name) if isinstance(cls_name, str) else None
        if obj is not None and inspect.isclass(obj):
            kind = next((k for k, b in bases.items() if issubclass(obj, b)), None)
            if kind is not None:
                config = value.get("config") if isinstance(value.get("config"),
                                                           dict) else {}
                specs, _ = param_specs(obj, config, {})
                modules.code.entries[cls_name] = {
                    "module": modules.module_of[cls_name], "kind": kind,
                    "params": specs}
        for item in value.values():
            walk(item)

    walk(doc)


def prune(code: CustomCode) -> None:
    """Keep only modules that define something the model uses."""
    used = {e["module"] for e in code.entries.values()}
    code.modules = {rel: sha for rel, sha in code.modules.items() if rel in used}
