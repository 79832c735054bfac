"""Generate the Keras Functional API module a graph stands for.

:func:`generate` turns a :class:`~netbuilder.engine.model.graph.Graph` into a
self-contained Python module: a docstring naming the project, the imports it
needs, ``build_model()`` and a ``__main__`` block (plus, on request, a
training script section). It never imports Keras, and it refuses graphs that
cannot be turned into valid code (:class:`CodegenError` lists the problems)
rather than emitting anything from them.

Every value from the project file is validated against its parameter spec and
written as a literal (:mod:`codegen_literals`); layer names become Python
identifiers for the variables and escaped string literals for ``name=``.
"""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass, field

from netbuilder.engine.codegen.custom_imports import custom_import_lines
from netbuilder.engine.codegen.docstrings import docstring_lines as docstring_lines
from netbuilder.engine.codegen.docstrings import module_docstring
from netbuilder.engine.codegen.layout import (
    INDENT,
    LINE_LENGTH,
    Atom,
    Group,
    Item,
    render,
    render_layer_call,
)
from netbuilder.engine.codegen.literals import (
    constructor,
    layer_args,
    layer_imports,
    string_literal,
)
from netbuilder.engine.codegen.op_code import operation_lines
from netbuilder.engine.model import ports
from netbuilder.engine.model.catalog import Catalog
from netbuilder.engine.model.checks import check_node, unwired_inputs
from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.file_params import inline_file_params
from netbuilder.engine.model.graph import NAME_PATTERN, Graph, Node, sharing_problem
from netbuilder.engine.model.groups import GROUP, GroupError, inner_graph
from netbuilder.engine.model.ops import is_op

FLAVORS = ("tf-keras", "keras")
IMPORTS = {"tf-keras": "from tensorflow import keras", "keras": "import keras"}
# Identifiers a layer variable must not take inside build_model().
RESERVED = (set(keyword.kwlist) | set(dir(builtins))
            | {"keras", "tf", "np", "build_model", "self", "l", "O", "I"})
MAX_IDENTIFIER = 40


@dataclass
class CodeProblem:
    """Why a graph cannot be turned into code; ``node`` is a node id or None."""

    node: str | None
    message: str

    def __str__(self) -> str:
        return self.message


class CodegenError(GraphError):
    """The graph cannot be turned into code; ``problems`` says why."""

    def __init__(self, problems: list[CodeProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5])
                         + ("; ..." if len(self.problems) > 5 else ""))


@dataclass
class GeneratedCode:
    """A generated module and where each node's code is in it."""

    text: str
    flavor: str
    # node id -> (first line, last line), 1-based and inclusive.
    node_lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    # node id -> variable name of each output port.
    variables: dict[str, list[str]] = field(default_factory=dict)

    def node_at(self, lineno: int) -> str | None:
        for node_id, (first, last) in self.node_lines.items():
            if first <= lineno <= last:
                return node_id
        return None


# ----------------------------------------------------------------- checking
def live_nodes(graph: Graph) -> set[str]:
    """Nodes the model uses: everything upstream of an Output, and all Inputs."""
    live = graph.upstream([n.id for n in graph.output_nodes()])
    return live | {n.id for n in graph.input_nodes()}


def check_graph(graph: Graph) -> list[CodeProblem]:
    """Everything that keeps ``graph`` from becoming valid code."""
    problems: list[CodeProblem] = []
    catalog = graph.catalog
    if not graph.input_nodes():
        problems.append(CodeProblem(None, "the model has no Input"))
    if not graph.output_nodes():
        problems.append(CodeProblem(None, "the model has no Output"))
    seen_names: set[str] = set()
    for node in graph.nodes.values():
        label = f"{node.name!s:.80}"
        if not isinstance(node.name, str) or not NAME_PATTERN.match(node.name):
            problems.append(CodeProblem(node.id,
                                        f"{label!r} is not a valid layer name"))
        elif node.name in seen_names:
            problems.append(CodeProblem(node.id, f"two layers are named {label!r}"))
        seen_names.add(node.name)
        problems += [CodeProblem(node.id, f"{label}: {p.message}")
                     for p in check_node(graph, node, read_files=True)]
    for node in graph.nodes.values():
        if node.type == GROUP:
            problems += _check_group(graph, node)
        if node.shares is None:
            continue
        owner = graph.nodes.get(node.shares)
        problem = sharing_problem(node, owner, owner and owner.shares) or (
            owner.params != node.params and f"{node.name!r} shares a layer whose "
            f"parameters differ from its own")
        if problem:
            problems.append(CodeProblem(node.id, problem))
    problems += _check_wiring(graph, catalog)
    return problems


def _check_group(graph: Graph, node: Node, depth: int = 0) -> list[CodeProblem]:
    """A group's own graph must become code too, with one wire per input."""
    try:
        inner = inner_graph(node, graph.catalog)
    except GroupError as exc:
        return [CodeProblem(node.id, str(exc))]
    wanted = len(inner.input_nodes())
    got = len(graph.incoming(node.id))
    if wanted != got:
        return [CodeProblem(node.id, f"{node.name}: the group takes {wanted} "
                                     f"inputs, {got} are connected")]
    return [CodeProblem(node.id, f"inside group {node.name}: {p}")
            for p in check_graph(inner)]


def _check_wiring(graph: Graph, catalog: Catalog) -> list[CodeProblem]:
    problems: list[CodeProblem] = []
    order = graph.topological_order()
    position = {nid: i for i, nid in enumerate(order)}
    for edge in graph.edges:
        if edge.src not in graph.nodes or edge.dst not in graph.nodes:
            problems.append(CodeProblem(None, "a connection joins a missing node"))
            return problems
        if position[edge.src] >= position[edge.dst]:
            problems.append(CodeProblem(edge.dst, f"{graph.nodes[edge.dst].name}: "
                                        "is part of a cycle"))
            return problems
        if not 0 <= edge.src_port < graph.output_count(edge.src):
            problems.append(CodeProblem(edge.src, f"{graph.nodes[edge.src].name}: has "
                                        f"no output {edge.src_port}"))
    live = live_nodes(graph)
    for node in graph.nodes.values():
        spec = catalog.get(node.type)
        if node.id not in live or spec is None or node.type == "Input":
            continue
        wired = sorted(e.dst_port for e in graph.incoming(node.id))
        label = node.name
        if node.type == "Output":
            if wired != [0]:
                problems.append(CodeProblem(node.id,
                                            f"output {label} is not connected"))
            continue
        problems += _port_problems(graph, node, spec, wired)
        if not spec.variadic and len(wired) > len(spec.inputs):
            problems.append(CodeProblem(node.id, f"{label}: too many inputs"))
    return problems


def _port_problems(graph: Graph, node: Node, spec,
                   wired: list[int]) -> list[CodeProblem]:
    """Required ports left free, and gaps among the positional ones (keyword
    ports such as ``mask`` and an operation's constants may be left free)."""
    label = node.name
    problems = [CodeProblem(node.id, f"{label}: input "
                            f"{ports.input_name(spec, p)!r} is not connected")
                for p in unwired_inputs(graph, node)]
    positional = [p for p in wired if spec.keyword_from is None
                  or p < spec.keyword_from]
    if positional and positional != list(range(len(positional))) \
            and not is_op(node.type):
        problems.append(CodeProblem(node.id, f"{label}: inputs must be connected "
                                             "without gaps"))
    return problems


# ----------------------------------------------------------------- naming
def identifier(name: str, taken: set[str], limit: int = MAX_IDENTIFIER) -> str:
    """A valid, unused Python identifier derived from a layer name."""
    base = re.sub(r"\W", "_", str(name), flags=re.ASCII) or "layer"
    if base[0].isdigit():
        base = "_" + base
    base = base[:limit]
    if base in RESERVED or (base.startswith("__") and base.endswith("__")):
        base = base[: limit - 1] + "_"
    candidate, i = base, 1
    while candidate in taken or candidate in RESERVED:
        i += 1
        suffix = f"_{i}"
        candidate = base[: limit - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def _limit_for(type_name: str) -> int:
    """Longest variable that keeps ``    var = keras.layers.Type(`` in a line."""
    head = len(INDENT) + len(" = keras.layers.(") + len(type_name)
    return max(12, min(MAX_IDENTIFIER, LINE_LENGTH - head))


def model_name(graph: Graph) -> str:
    """The project name as a name Keras accepts for the model."""
    name = re.sub(r"[^A-Za-z0-9_.\-]", "_", str(graph.name or "model"))[:120]
    # TensorFlow refuses a root name scope that starts with "_" or "-"
    # ("_draft": "not a valid root scope name"), so start with a letter.
    return name if re.match(r"[A-Za-z]", name) else "model_" + name


# ----------------------------------------------------------------- module
def layer_call_items(graph: Graph, node: Node, variables: dict[str, list[str]]
                     ) -> Group:
    spec = graph.catalog.get(node.type)
    by_port = {e.dst_port: variables[e.src][e.src_port]
               for e in graph.incoming(node.id)}
    sources, keywords = ports.split_call(spec, by_port)
    if spec.call_style == "kwargs":
        items = [Item(Atom(var), ports.input_name(spec, i) + "=")
                 for i, var in enumerate(sources)]
    elif spec.call_style == "list":
        items = [Item(Group("", "[", [Item(Atom(v)) for v in sources], "]"))]
    else:
        items = [Item(Atom(sources[0]))]
    for name, value in keywords.items():
        node_ = (Group("", "[", [Item(Atom(v)) for v in value], "]")
                 if isinstance(value, list) else Atom(value))
        items.append(Item(node_, name + "="))
    for name, value in ports.call_flags(spec, node.params).items():
        items.append(Item(Atom(repr(bool(value))), name + "="))
    return Group("", "(", items, ")")


class _ModuleWriter:
    def __init__(self, graph: Graph, flavor: str) -> None:
        self.graph = graph
        self.flavor = flavor
        self.lines: list[str] = []
        self.node_lines: dict[str, tuple[int, int]] = {}
        self.variables: dict[str, list[str]] = {}

    def add(self, lines: list[str], node_id: str | None = None) -> None:
        first = len(self.lines) + 1
        self.lines += lines
        if node_id is not None:
            self.node_lines[node_id] = (first, len(self.lines))

    def build_function(self) -> None:
        self.function_names: set[str] = set(RESERVED)
        self.write_function(self.graph, "build_model", self.variables, top=True)

    def write_function(self, graph: Graph, fname: str,
                       variables: dict[str, list[str]], top: bool) -> None:
        """``def fname() -> keras.Model`` for ``graph``; the functions of its
        groups (nested models) come first."""
        live = live_nodes(graph)
        groups = self.write_group_functions(graph, live)
        record = self.add if top else (lambda lines, node_id=None: self.add(lines))
        taken: set[str] = set()
        # owner node id -> variable of the shared layer or sub-model
        shared: dict[str, str] = {}
        doc = ("Create the layers and connect them into a model." if top else
               f"The nested model {graph.name!r} (a group in NetBuilder).")
        self.add([f"def {fname}() -> keras.Model:", INDENT + f'"""{doc}"""'])
        for node_id in graph.topological_order():
            node = graph.nodes[node_id]
            if node_id not in live or node.type == "Output":
                continue
            if node.type == GROUP:
                self.write_group_call(graph, node_id, groups, variables, taken,
                                      shared, top)
                continue
            if is_op(node.type):
                var = identifier(node.name, taken, _limit_for(node.type))
                variables[node_id] = [var] + [
                    identifier(f"{var}_{k}", taken, MAX_IDENTIFIER)
                    for k in range(1, graph.output_count(node_id))]
                try:
                    lines = operation_lines(graph, node, variables[node_id],
                                            variables)
                except GraphError as exc:
                    raise CodegenError([CodeProblem(node_id, f"{node.name}: {exc}")]
                                       ) from exc
                record(lines, node_id)
                continue
            self.write_layer(graph, node, variables, taken, shared, top)
        self.add(render_return(graph, variables))

    def write_layer(self, graph: Graph, node: Node,
                    variables: dict[str, list[str]], taken: set[str],
                    shared: dict[str, str], top: bool) -> None:
        """``x = keras.layers.Dense(64, name="dense")(inputs)``, an Input, or
        the call of a shared layer created once (at its first site)."""
        node_id = node.id
        if node.type == "Input":
            var = identifier(node.name, taken, _limit_for("Input"))
            variables[node_id] = [var]
            lines = render(constructor_call(graph, node, "keras.Input"),
                           len(INDENT), f"{INDENT}{var} = ", "")
            self.add(lines, node_id if top else None)
            return
        var = identifier(node.name, taken, _limit_for(node.type))
        names = [var] + [identifier(f"{var}_state_{k}", taken, MAX_IDENTIFIER)
                         for k in range(graph.output_count(node_id) - 1)]
        ctor = constructor_call(graph, node)
        call = layer_call_items(graph, node, variables)
        variables[node_id] = names
        first = len(self.lines) + 1
        if len(graph.share_set(node_id)) > 1:
            # A shared layer: created once, called at every site.
            owner = graph.layer_owner(node_id)
            if owner not in shared:
                owner_node = graph.nodes[owner]
                shared[owner] = identifier(f"{owner_node.name}_layer", taken,
                                           _limit_for(node.type))
                self.add(render(constructor_call(graph, owner_node), len(INDENT),
                                f"{INDENT}{shared[owner]} = ", ""))
            ctor = Group(shared[owner], "", [], "")
        self.add(render_layer_call(names, ctor, call, len(INDENT)))
        if top:
            self.node_lines[node_id] = (first, len(self.lines))

    def write_group_functions(self, graph: Graph, live: set[str]) -> dict[str, str]:
        """Write ``def build_<name>()`` for each live group's sub-model, once
        per sub-model (a shared group's call sites use its owner's); returns
        group node id -> function name."""
        functions: dict[str, str] = {}  # owner id -> function name
        groups: dict[str, str] = {}
        for node_id in graph.topological_order():
            node = graph.nodes[node_id]
            if node.type != GROUP or node_id not in live:
                continue
            owner = graph.layer_owner(node_id)
            if owner not in functions:
                owner_node = graph.nodes[owner]
                inner = inner_graph(owner_node, graph.catalog)
                inner.name = owner_node.name
                functions[owner] = identifier(f"build_{owner_node.name}",
                                              self.function_names, MAX_IDENTIFIER + 6)
                self.write_function(inner, functions[owner], {}, top=False)
                self.add(["", ""])
            groups[node_id] = functions[owner]
        return groups

    def write_group_call(self, graph: Graph, node_id: str, groups: dict[str, str],
                         variables: dict[str, list[str]], taken: set[str],
                         shared: dict[str, str], top: bool) -> None:
        """``y = build_block()(x)``; a shared sub-model is built once
        (``tower_model = build_tower()``) and called at every site."""
        node = graph.nodes[node_id]
        var = identifier(node.name, taken, _limit_for("Group"))
        count = graph.output_count(node_id)
        names = [var] + [identifier(f"{var}_{k}", taken, MAX_IDENTIFIER)
                         for k in range(1, count)]
        sources = [variables[e.src][e.src_port] for e in graph.incoming(node_id)]
        arg = (Atom(sources[0]) if len(sources) == 1 else
               Group("", "[", [Item(Atom(v)) for v in sources], "]"))
        call = Group("", "(", [Item(arg)], ")")
        variables[node_id] = names
        first = len(self.lines) + 1
        if len(graph.share_set(node_id)) > 1:
            owner = graph.layer_owner(node_id)
            if owner not in shared:
                shared[owner] = identifier(f"{graph.nodes[owner].name}_model", taken,
                                           _limit_for("Group"))
                self.add([f"{INDENT}{shared[owner]} = {groups[node_id]}()"])
            model = Group(shared[owner], "", [], "")
        else:
            model = Group(groups[node_id], "(", [], ")")
        self.add(render_layer_call(names, model, call, len(INDENT)))
        if top:
            self.node_lines[node_id] = (first, len(self.lines))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def constructor_call(graph: Graph, node: Node, head: str | None = None) -> Group:
    """``keras.layers.Dense(64, name="dense")`` for a layer node (arguments
    by :func:`layer_args`, file params read and inlined)."""
    spec = graph.catalog.get(node.type)
    try:
        args = layer_args(spec, inline_file_params(node.type, node.params, graph),
                          graph.catalog)
    except GraphError as exc:
        raise CodegenError([CodeProblem(node.id, f"{node.name}: {exc}")]) from exc
    args.append(Item(Atom(string_literal(node.name)), "name="))
    return Group(head or constructor(spec), "(", args, ")")


def _tensor_list(names: list[str]) -> Atom | Group:
    if len(names) == 1:
        return Atom(names[0])
    return Group("", "[", [Item(Atom(n)) for n in names], "]")


def output_variables(graph: Graph, variables: dict[str, list[str]]) -> list[str]:
    out = []
    for node in graph.output_nodes():
        edge = graph.incoming(node.id)[0]
        out.append(variables[edge.src][edge.src_port])
    return out


def dict_keys(graph: Graph, side: str) -> list[str] | None:
    """The keys of a model whose inputs/outputs are a dict (imported so), in
    the order of its Input/Output nodes; None for a list. Raises
    :class:`CodegenError` when they no longer fit the nodes."""
    structure = graph.extra.get("structure")
    keys = structure.get(side) if isinstance(structure, dict) else None
    if keys is None:
        return None
    count = len(graph.input_nodes() if side == "inputs" else graph.output_nodes())
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys) \
            or len(set(keys)) != len(keys) or len(keys) != count:
        raise CodegenError([CodeProblem(None, f"the model's {side} are a dict with "
                                              f"keys {str(keys)[:80]}, which do not "
                                              f"fit its {count} {side[:-1]} nodes")])
    return keys


def _structured(graph: Graph, side: str, variables: list[str]) -> Atom | Group:
    """A list (or single tensor) of variables, or ``{"key": variable, ...}``."""
    keys = dict_keys(graph, side)
    if keys is None:
        return _tensor_list(variables)
    return Group("", "{", [Item(Atom(v), string_literal(k) + ": ")
                           for k, v in zip(keys, variables, strict=True)], "}")


def render_return(graph: Graph, variables: dict[str, list[str]]) -> list[str]:
    inputs = [variables[n.id][0] for n in graph.input_nodes()]
    outputs = output_variables(graph, variables)
    call = Group("keras.Model", "(", [
        Item(_structured(graph, "inputs", inputs), "inputs="),
        Item(_structured(graph, "outputs", outputs), "outputs="),
        Item(Atom(string_literal(model_name(graph))), "name="),
    ], ")")
    return render(call, len(INDENT), INDENT + "return ", "")


def generate(graph: Graph, flavor: str = "tf-keras",
             with_training: bool = False) -> GeneratedCode:
    """The module for ``graph``; raises :class:`CodegenError` when the graph
    cannot become valid code, ``ValueError`` for an unknown flavor."""
    if flavor not in FLAVORS:
        raise ValueError(f"unknown flavor {flavor!r}; use one of {', '.join(FLAVORS)}")
    problems = check_graph(graph)
    if problems:
        raise CodegenError(problems)
    training = None
    if with_training:
        from netbuilder.engine.codegen.training import training_section

        training = training_section(graph, flavor)
    writer = _ModuleWriter(graph, flavor)
    writer.add(module_docstring(graph) + [""])
    imports = [IMPORTS[flavor]] if training is None else list(training.imports)
    try:
        extra = layer_imports(graph)
        custom = custom_import_lines(graph)
    except GraphError as exc:
        raise CodegenError([CodeProblem(None, str(exc))]) from exc
    if extra:  # third-party imports are the last block: sort them together
        start = imports.index("") + 1 if "" in imports else 0
        imports = imports[:start] + sorted(imports[start:] + extra, key=lambda s: (
            s.startswith("from"), s))
    if custom:
        imports = ["import sys", "", *imports]
    writer.add(imports + custom + ["", ""])
    writer.build_function()
    if training is not None:
        writer.add(["", ""])
        writer.add(training.lines)
    else:
        writer.add(["", "", 'if __name__ == "__main__":',
                    INDENT + "model = build_model()",
                    INDENT + "model.summary()"])
    return GeneratedCode(writer.text(), flavor, writer.node_lines, writer.variables)


def generate_code(graph: Graph, flavor: str = "tf-keras",
                  with_training: bool = False) -> str:
    """The generated module as text (see :func:`generate`)."""
    return generate(graph, flavor, with_training).text
