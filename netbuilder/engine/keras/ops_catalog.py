"""Build the catalog entries of ``keras.ops`` operations (imports Keras).

An operation NetBuilder offers is a public ``keras.ops`` function that, on
symbolic tensors, records an ``Operation`` subclass in the model (that class
is what a saved model's config names, e.g. ``keras.src.ops.numpy.Add``).
Everything is read from Keras: the class from the function's source, the
arguments from the signatures of the function, the class's constructor
(non-tensor arguments: parameters) and the class's ``call`` (tensor arguments:
ports). Nothing here lists operations by hand; operations NetBuilder cannot
represent are left out with a reason computed from the same signatures.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from netbuilder.engine.keras.arg_kinds import (
    classify_param,
    first_sentence,
    parse_arg_docs,
    to_json_value,
)
from netbuilder.engine.model.catalog import OPS_PREFIX, LayerSpec, ParamSpec

# A function's argument is a list of tensors when its documentation says so.
LIST_OF_TENSORS = re.compile(r"\b(sequence|list|tuple)s? of (\w+ ){0,2}"
                             r"(tensors|arrays)", re.I)
# ... and a Python function when its documentation says that.
CALLABLE_ARG = re.compile(r"^(an? |the )?(\w+ )?(callable|function)s?\b", re.I)
# Integer-looking arguments that also take a tuple or list (axis=(1, 2)).
SEQUENCE_WORDS = re.compile(r"\b(tuple|list|sequence)s?\b", re.I)
CLASS_CALL = re.compile(r"\b([A-Z]\w*)\(")
ALIAS_CALL = re.compile(r"^\s*return (\w+)\(", re.M)


def _operation_base():
    from keras.src.ops.operation import Operation

    return Operation


def _code_of(func) -> str:
    """The function's source without its docstring."""
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return ""
    doc = func.__doc__ or ""
    return source.replace(doc, "") if doc else source


def operation_class(func) -> type | None:
    """The Operation subclass ``func`` records on symbolic tensors, if any."""
    base = _operation_base()
    scope = getattr(inspect.unwrap(func), "__globals__", {})
    for name in CLASS_CALL.findall(_code_of(func)):
        obj = scope.get(name)
        if inspect.isclass(obj) and issubclass(obj, base) and obj is not base:
            return obj
    return None


# Submodules of keras.ops whose functions are not also at its top level
# (``keras.ops.image.extract_patches``): named ``image.extract_patches``.
OPS_SUBMODULES = ("image",)


def _public_functions(module, prefix: str = "") -> dict[str, Any]:
    out = {}
    for name in sorted(dir(module)):
        obj = getattr(module, name)
        if name.startswith("_") or inspect.ismodule(obj) or inspect.isclass(obj) \
                or not callable(obj):
            continue
        out[prefix + name] = obj
    return out


def public_op_functions() -> dict[str, Any]:
    """The keras.ops functions by the name code calls them with (after
    ``keras.ops.``)."""
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    out = _public_functions(keras.ops)
    for sub in OPS_SUBMODULES:
        module = getattr(keras.ops, sub, None)
        if module is not None:
            extra = _public_functions(module, f"{sub}.")
            out.update({k: v for k, v in extra.items()
                        if k.split(".", 1)[1] not in out})
    return out


def _arg_names(func) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(func).parameters.values()
            if p.name != "self"]


def _json_default(p: inspect.Parameter) -> tuple[bool, Any]:
    if p.default is inspect.Parameter.empty:
        return True, None
    try:
        return False, to_json_value(p.default)
    except TypeError:
        return False, None


def _param(p: inspect.Parameter, doc: str) -> ParamSpec:
    required, default = _json_default(p)
    spec = classify_param(p.name, default, required, doc, None)
    if spec.kind in ("int", "int_tuple", "shape", "float", "choice") and \
            SEQUENCE_WORDS.search(doc):
        spec.kind, spec.choices, spec.length = "other", None, None
    if spec.kind == "other" and not required:
        spec.nullable = True
    spec.doc = first_sentence(doc)
    return spec


def build_op_spec(fname: str, func, cls: type) -> tuple[LayerSpec | None, str]:
    """The spec of one operation, or None and the reason it is left out."""
    doc = inspect.getdoc(func) or ""
    arg_docs = parse_arg_docs(doc)
    init = {p.name for p in _arg_names(cls.__init__)
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    call_params = [p for p in _arg_names(cls.call) if p.kind != p.VAR_KEYWORD]
    call = {p.name for p in call_params}
    params: list[ParamSpec] = []
    inputs: list[str] = []
    signature: list[str] = []
    lists = 0
    variadic = ""
    for p in _arg_names(func):
        text = arg_docs.get(p.name, "")
        if p.kind == p.VAR_KEYWORD:
            continue
        if CALLABLE_ARG.search(text) or p.name in ("f", "fun", "body_fun",
                                                   "function"):
            return None, f"takes a Python function ({p.name}), which a project " \
                         "file must never carry"
        if p.kind == p.VAR_POSITIONAL:
            variadic, signature = "varargs", signature + [f"*{p.name}"]
            continue
        if p.name in call:
            if LIST_OF_TENSORS.search(text):
                lists += 1
                variadic = "list"
                signature.append(f"[{p.name}]")
                continue
            inputs.append(p.name)
            spec = _param(p, text)
            spec.kind, spec.choices, spec.length = "other", None, None
            spec.tensor, spec.required, spec.nullable = True, False, True
            spec.doc = ("A constant used when no tensor is wired into this port. "
                        + spec.doc).strip()
            params.append(spec)
        elif p.name in init:
            params.append(_param(p, text))
        else:
            return None, f"its argument {p.name} is not recorded by {cls.__name__}"
        signature.append(p.name if p.kind != p.KEYWORD_ONLY else f"{p.name}=")
    missing = [n for n in call if n not in {s.strip("[]*=") for s in signature}]
    if missing:
        return None, f"{cls.__name__} takes {', '.join(missing)}, which " \
                     f"keras.ops.{fname} does not"
    if lists > 1 or (variadic and inputs):
        return None, "takes tensors in several lists"
    spec = LayerSpec(type=OPS_PREFIX + fname, category="operations",
                     doc=first_sentence(doc), params=params, module=cls.__module__,
                     signature=signature, op_class=cls.__name__)
    if variadic:
        spec.inputs, spec.variadic, spec.min_inputs = ["input_0"], True, 1
        spec.call_style = variadic
    else:
        spec.inputs = inputs
        required = [p.name for p in call_params
                    if p.default is inspect.Parameter.empty
                    and p.kind != p.VAR_POSITIONAL]
        spec.min_inputs = len(required)
        spec.call_style = "op"
    if not spec.inputs:
        return None, "takes no tensor"
    return spec, ""


# Shapes tried when probing an operation's results: a square matrix suits the
# linear-algebra ops (qr, eig, svd), a vector the rest.
PROBE_SHAPES = ((8, 8), (2, 8, 8), (8,))


def probe_results(fname: str, func, spec: LayerSpec) -> int:
    """How many tensors the operation returns at its default params, found by
    calling it on symbolic tensors (1 when no probe shape suits it)."""
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    required = {p.name: 2 for p in spec.params if p.required and not p.tensor
                and p.kind in ("int", "other")}
    for shape in PROBE_SHAPES:
        count = 2 if spec.variadic else max(spec.min_inputs, 1)
        tensors = [keras.KerasTensor(shape) for _ in range(count)]
        try:
            result = (func(tensors, **required) if spec.call_style == "list"
                      else func(*tensors, **required))
        except Exception:  # noqa: BLE001 - this shape does not suit the op
            continue
        return len(result) if isinstance(result, (list, tuple)) else 1
    return 1


def build_op_specs() -> tuple[list[LayerSpec], dict[str, str]]:
    """Specs of every operation, and the left-out ones with their reasons."""
    functions = public_op_functions()
    by_class: dict[type, list[str]] = {}
    excluded: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for fname, func in functions.items():
        cls = operation_class(func)
        if cls is not None:
            by_class.setdefault(cls, []).append(fname)
            continue
        target = ALIAS_CALL.findall(_code_of(func))
        if len(target) == 1 and target[0] in functions and target[0] != fname:
            aliases[fname] = target[0]
        else:
            excluded[OPS_PREFIX + fname] = "computes on concrete values only " \
                                           "(Keras records no operation for it)"
    specs: dict[str, LayerSpec] = {}
    for cls, names in by_class.items():
        camel = [n for n in names if n.replace("_", "").lower()
                 == cls.__name__.lower()]
        canonical = camel[0] if camel else sorted(names)[0]
        spec, reason = build_op_spec(canonical, functions[canonical], cls)
        if spec is None:
            excluded[OPS_PREFIX + canonical] = reason
            continue
        spec.aliases = sorted(OPS_PREFIX + n for n in names if n != canonical)
        spec.results = probe_results(canonical, functions[canonical], spec)
        specs[canonical] = spec
    for alias, target in aliases.items():
        if target in specs:
            specs[target].aliases = sorted(specs[target].aliases
                                           + [OPS_PREFIX + alias])
        else:
            excluded[OPS_PREFIX + alias] = f"an alias of keras.ops.{target}, " \
                                           "which NetBuilder leaves out"
    return [specs[n] for n in sorted(specs)], excluded
