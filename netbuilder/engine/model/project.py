"""Project files (``.nbproj``): JSON in and out, atomically, never trusting.

Loading never executes anything from the file and never raises for bad
content: every problem comes back as a :class:`Problem` with the JSON path
of the offending entry, and the graph is loaded as far as it can be. Only a
file that is not a NetBuilder project at all is refused (``graph is None``).
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.engine.model.catalog import Catalog, get_catalog
from netbuilder.engine.model.custom_code import load_record, set_base
from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.graph import (
    NAME_PATTERN,
    Edge,
    Graph,
    Node,
    sharing_problem,
)
from netbuilder.engine.model.numeric import is_finite_number
from netbuilder.engine.model.safe_files import (
    atomic_write_text,
    folder_lock,
    remove_stale_temps,
)

FORMAT = "netbuilder-project"
SCHEMA_VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024
# Layers that groups sharing a sub-model may add (each call site of a shared
# sub-model holds its definition in memory): a small file cannot make a huge
# model.
MAX_SHARED_EXPANSION = 500_000
CORE_KEYS = {"format", "schema_version", "name", "nodes", "edges"}


@dataclass
class Problem:
    severity: str  # "error" or "warning"
    path: str  # JSON path, e.g. "$.nodes[2].params.units"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class LoadResult:
    graph: Graph | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.graph is not None

    @property
    def fatal_reason(self) -> str:
        return self.problems[0].message if self.problems else ""


# Migrations: MIGRATIONS[v] turns a schema-v document into schema v+1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(doc: dict[str, Any], version: int) -> dict[str, Any]:
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ValueError(f"no migration from schema_version {version}")
        doc = step(doc)
        version += 1
        doc["schema_version"] = version
    return doc


# ----------------------------------------------------------------- saving
def graph_to_dict(graph: Graph) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "name": graph.name,
        "nodes": [_node_dict(n, graph) for n in graph.nodes.values()],
        "edges": [e.to_json() for e in graph.edges],
    }
    for key, value in graph.extra.items():
        if key not in CORE_KEYS:
            doc[key] = value
    return doc


def _node_dict(n, graph: Graph) -> dict[str, Any]:
    # A group that shares another group's sub-model is saved without the
    # sub-model's graph: the owner holds the one definition, and loading
    # gives the sharer the owner's (one source of truth in the file).
    definition_elsewhere = n.type == "Group" and n.shares in graph.nodes
    out = {
        "id": n.id,
        "type": n.type,
        "name": n.name,
        "params": {} if definition_elsewhere else n.params,
        "position": [round(n.position[0], 2), round(n.position[1], 2)],
    }
    if n.shares is not None:
        out["shares"] = n.shares  # added field: calls another node's layer
    return out


def _number(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def dumps(graph: Graph) -> str:
    """Readable, diff-friendly JSON: one line per node and per edge."""
    doc = graph_to_dict(graph)
    for node in doc["nodes"]:
        node["position"] = [_number(v) for v in node["position"]]
    return dumps_doc(doc)


def dumps_doc(doc: dict[str, Any]) -> str:
    """A project document as text, in the layout of :func:`dumps`."""
    parts = []
    for key, value in doc.items():
        if key in ("nodes", "edges") and value:
            items = ",\n".join("    " + json.dumps(item, ensure_ascii=False)
                               for item in value)
            parts.append(f'  "{key}": [\n{items}\n  ]')
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False)
            text = text.replace("\n", "\n  ")
            parts.append(f"  {json.dumps(key)}: {text}")
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    # A lone surrogate (read from a "\\ud800" escape) cannot be written as
    # UTF-8: keep it as the same JSON escape, which reads back identically.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def update_project_file(path: str | os.PathLike,
                        change: Callable[[dict[str, Any]], Any]) -> Any:
    """Read the project at ``path``, let ``change`` edit its JSON document
    and write it back, all under the folder's lock: whatever another writer
    (the app, a second run) saved meanwhile is kept. Returns what ``change``
    returned. Raises ``OSError`` or ``ValueError`` (not a project)."""
    with folder_lock(path):
        text = Path(path).read_bytes().decode("utf-8-sig")
        doc = json.loads(text, parse_constant=_reject_constant,
                         parse_float=_finite_float)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f"{Path(path).name} is not a NetBuilder project")
        result = change(doc)
        atomic_write_text(path, dumps_doc(doc))
    return result


def save_project(graph: Graph, path: str | os.PathLike) -> None:
    text = dumps(graph)
    with folder_lock(path):
        atomic_write_text(path, text)
    graph.path = str(path)


# ----------------------------------------------------------------- loading
def load_project(path: str | os.PathLike, catalog: Catalog | None = None) -> LoadResult:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _fatal(f"{path.name} is {size // (1024 * 1024)} MB: too large "
                          "for a project file")
        raw = path.read_bytes()
        with folder_lock(path):  # temps left by saves that were killed
            remove_stale_temps(path)
            remove_stale_temps(path.with_name(f"{path.stem}.weights.h5"))
    except OSError as exc:
        return _fatal(f"{exc.strerror or exc}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _fatal(f"{path.name} is not UTF-8 text (byte {exc.start})")
    result = loads(text, catalog)
    if result.graph is not None:
        result.graph.path = str(path)
        set_base(result.graph.catalog, path.parent)
        if not result.graph.name:
            result.graph.name = path.stem
    return result


def _fatal(message: str) -> LoadResult:
    return LoadResult(None, [Problem("error", "$", message)])


def loads(text: str, catalog: Catalog | None = None) -> LoadResult:
    """Parse project JSON text; see the module docstring."""
    try:
        doc = json.loads(text, parse_constant=_reject_constant,
                         parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        return _fatal(f"not valid JSON: {exc.msg} at line {exc.lineno}, "
                      f"column {exc.colno}")
    except (ValueError, RecursionError) as exc:
        return _fatal(f"not valid JSON: {exc}" if isinstance(exc, ValueError)
                      else "not valid JSON: nested too deeply")
    return from_dict(doc, catalog)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a project file")


def from_dict(doc: Any, catalog: Catalog | None = None) -> LoadResult:
    catalog = catalog or get_catalog()
    if not isinstance(doc, dict):
        return _fatal("not a NetBuilder project: the file must hold a JSON object")
    if doc.get("format") != FORMAT:
        return _fatal(f'not a NetBuilder project: "format" must be "{FORMAT}"')
    problems: list[Problem] = []
    version = doc.get("schema_version")
    if version is None:
        problems.append(Problem("warning", "$.schema_version",
                                "missing schema_version; read as version 1"))
        version = SCHEMA_VERSION
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return _fatal(f"schema_version must be a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        return _fatal(f"made by a newer NetBuilder (schema_version {version}; this "
                      f"version reads up to {SCHEMA_VERSION})")
    try:
        doc = migrate(dict(doc), version)
    except ValueError as exc:
        return _fatal(str(exc))
    shared = _expanded_size(doc, {}, True) - _expanded_size(doc, {}, False)
    if shared > MAX_SHARED_EXPANSION:
        return _fatal(f"its shared sub-models add {shared:,} layers once each call "
                      f"is counted; NetBuilder opens up to "
                      f"{MAX_SHARED_EXPANSION:,}")

    name = doc.get("name", "")
    if not isinstance(name, str):
        problems.append(Problem("error", "$.name", "name must be text"))
        name = ""
    catalog, custom_problem = load_record(doc, catalog)
    if custom_problem:
        problems.append(Problem("error", "$.custom_code", custom_problem))
    graph = Graph(name, catalog)
    graph.extra = {k: v for k, v in doc.items() if k not in CORE_KEYS}
    _load_nodes(graph, doc.get("nodes", []), problems)
    _load_edges(graph, doc.get("edges", []), problems)
    # New ids continue after the file's: an id freed by an edit (a group
    # replacing its layers) is never given out again, which undo relies on.
    numbers = [int(nid[1:]) for nid in graph.nodes
               if nid[:1] == "n" and nid[1:].isdigit()]
    graph._id_counter = max(numbers, default=0)
    return LoadResult(graph, problems)


def _expanded_size(doc: Any, memo: dict[int, int], shared: bool) -> int:
    """Nodes of a project document, nested groups' graphs included; with
    ``shared``, a group that shares another's sub-model counts that
    sub-model again (what loading gives it). Linear: each graph document
    is counted once."""
    nodes = doc.get("nodes") if isinstance(doc, dict) else None
    if not isinstance(nodes, list):
        return 0
    if id(doc) in memo:
        return memo[id(doc)]
    by_id = {n.get("id"): n for n in nodes if isinstance(n, dict)
             and isinstance(n.get("id"), str)}
    total = 0
    for node in nodes:
        if not isinstance(node, dict):
            continue
        total += 1
        if node.get("type") != "Group":
            continue
        owner = by_id.get(node.get("shares")) if shared and isinstance(
            node.get("shares"), str) else None
        source = owner if isinstance(owner, dict) and owner.get("type") == \
            "Group" else node  # loading gives a sharer its owner's graph
        params = source.get("params")
        inner = params.get("graph") if isinstance(params, dict) else None
        total += _expanded_size(inner, memo, shared)
    memo[id(doc)] = total
    return total


def _load_nodes(graph: Graph, nodes: Any, problems: list[Problem]) -> None:
    if not isinstance(nodes, list):
        problems.append(Problem("error", "$.nodes", "nodes must be a list"))
        return
    pending_names: list[tuple[int, str, Any]] = []
    pending_shares: list[tuple[int, str, Any]] = []
    for i, raw in enumerate(nodes):
        where = f"$.nodes[{i}]"
        identity = _node_identity(graph, raw, where, problems)
        if identity is None:
            continue
        node_id, type_name = identity
        spec = graph.catalog.get(type_name)
        if spec is None:
            problems.append(Problem("error", f"{where}.type",
                                    f"unknown layer type {type_name[:80]!r}"))
        params = raw.get("params", {})
        if not isinstance(params, dict):
            problems.append(Problem("error", f"{where}.params",
                                    "params must be an object; ignored"))
            params = {}
        if spec is not None:
            _check_params(graph, spec, params, where, problems)
        position = _position(raw, where, problems)
        graph.add_loaded_node(Node(
            node_id, spec.type if spec is not None else type_name,
            f"__pending_{i}", dict(params), position))
        pending_names.append((i, node_id, raw.get("name")))
        if "shares" in raw:
            pending_shares.append((i, node_id, raw["shares"]))
    _assign_names(graph, pending_names, problems)
    _link_shares(graph, pending_shares, problems)


def _node_identity(graph: Graph, raw: Any, where: str,
                   problems: list[Problem]) -> tuple[str, str] | None:
    """(id, type) of a node entry, or None (with the problem) to skip it."""
    if not isinstance(raw, dict):
        problems.append(Problem("error", where, "a node must be an object; skipped"))
        return None
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not node_id or len(node_id) > 200:
        problems.append(Problem("error", f"{where}.id",
                                "missing or invalid id; node skipped"))
        return None
    if node_id in graph.nodes:
        problems.append(Problem("error", f"{where}.id",
                                f"duplicate id {node_id!r}; node skipped"))
        return None
    type_name = raw.get("type")
    if not isinstance(type_name, str) or not type_name:
        problems.append(Problem("error", f"{where}.type",
                                "missing layer type; node skipped"))
        return None
    return node_id, type_name


def _check_params(graph: Graph, spec, params: dict, where: str,
                  problems: list[Problem]) -> None:
    """A problem for each param the layer does not have or does not accept."""
    from netbuilder.engine.model.params import validate_value

    for key, value in params.items():
        pspec = spec.param(key)
        if pspec is None:
            problems.append(Problem("error", f"{where}.params.{key}",
                                    f"{spec.type} has no parameter {key!r}"))
            continue
        try:
            validate_value(pspec, value, graph.catalog)
        except GraphError as exc:
            problems.append(Problem("error", f"{where}.params.{key}", str(exc)))


def _position(raw: dict, where: str, problems: list[Problem]) -> tuple[float, float]:
    position = raw.get("position", [0, 0])
    if not (isinstance(position, list) and len(position) == 2
            and all(is_finite_number(v) for v in position)):
        problems.append(Problem("warning", f"{where}.position",
                                "position must be [x, y] (two numbers within "
                                "float range); placed at the origin"))
        position = [0, 0]
    return (float(position[0]), float(position[1]))


def _assign_names(graph: Graph, pending: list[tuple[int, str, Any]],
                  problems: list[Problem]) -> None:
    """Names are assigned after all nodes exist so that renaming a clash never
    steals a name a later node legitimately carries."""
    taken: set[str] = set()
    for i, node_id, name in pending:
        where = f"$.nodes[{i}].name"
        node = graph.nodes[node_id]
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            new = graph.unique_name(name if isinstance(name, str) else node.type,
                                    taken)
            problems.append(Problem("error", where,
                                    f"invalid layer name {str(name)[:80]!r}; "
                                    f"renamed to {new!r}"))
            name = new
        elif name in taken:
            new = graph.unique_name(name, taken)
            problems.append(Problem(
                "error", where,
                f"duplicate layer name {name!r}; renamed to {new!r}"))
            name = new
        taken.add(name)
        node.name = name


def _link_shares(graph: Graph, pending: list, problems: list[Problem]) -> None:
    """Shared layers: ``shares`` names the node whose layer is called again
    (for a group: whose sub-model; the sharer takes the owner's params)."""
    owner_shares = {nid: target for _, nid, target in pending}
    for i, node_id, owner_id in pending:
        where = f"$.nodes[{i}].shares"
        node = graph.nodes[node_id]
        if owner_id is None:
            continue
        owner = graph.nodes.get(owner_id) if isinstance(owner_id, str) else None
        if owner is None:
            what = "sub-model" if node.type == "Group" else "layer"
            problems.append(Problem("error", where,
                                    f"shares a {what} of a node that does not exist "
                                    f"({str(owner_id)[:80]!r}); not shared"))
            continue
        problem = sharing_problem(node, owner, owner_shares.get(owner_id))
        if problem:
            problems.append(Problem("error", where, f"{problem}; not shared"))
            continue
        if node.type == "Group" and not node.params:
            pass  # saved without its sub-model: the owner's is the definition
        elif node.params != owner.params:
            what = "sub-model of" if node.type == "Group" else "shared layer"
            problems.append(Problem("warning", f"$.nodes[{i}].params",
                                    f"differs from the {what} {owner.name!r}; "
                                    "its parameters are used"))
        node.params = copy.deepcopy(owner.params)
        node.shares = owner_id


def _load_edges(graph: Graph, edges: Any, problems: list[Problem]) -> None:
    """Edges in file order. Cycles are looked for once at the end (a search
    per edge made loading quadratic); merge inputs are renumbered without
    gaps."""
    if not isinstance(edges, list):
        problems.append(Problem("error", "$.edges", "edges must be a list"))
        return
    where_of: dict[Edge, str] = {}
    for i, raw in enumerate(edges):
        where = f"$.edges[{i}]"
        ends = _edge_ends(raw)
        if ends is None:
            problems.append(Problem(
                "error", where,
                'an edge must look like {"from": [node_id, port], '
                '"to": [node_id, port]}; skipped'))
            continue
        (src, sp), (dst, dp) = ends
        missing = [n for n in (src, dst) if n not in graph.nodes]
        if missing:
            problems.append(Problem("error", where,
                                    f"connects a node that does not exist "
                                    f"({missing[0][:80]!r}); skipped"))
            continue
        try:
            where_of[graph.connect(src, sp, dst, dp, check_cycle=False)] = where
        except GraphError as exc:
            problems.append(Problem("error", where, f"{exc}; skipped"))
    _drop_cycles(graph, where_of, problems)
    _close_port_gaps(graph, where_of, problems)


def _drop_cycles(graph: Graph, where_of: dict[Edge, str],
                 problems: list[Problem]) -> None:
    """Remove the edges that close a cycle: the back edges of a depth-first
    search over the nodes on or after a cycle, from the first in file order,
    out-edges in file order (for a cycle written in order, its last edge).
    Linear in nodes and edges."""
    indegree = {nid: len(graph.incoming(nid)) for nid in graph.nodes}
    ready = [nid for nid, d in indegree.items() if d == 0]
    while ready:
        for edge in graph.outgoing(ready.pop()):
            indegree[edge.dst] -= 1
            if indegree[edge.dst] == 0:
                ready.append(edge.dst)
    state: dict[str, int] = {}  # 1 on the search path, 2 finished
    for root in graph.nodes:
        if root in state or indegree[root] == 0:
            continue
        state[root] = 1
        stack = [(root, iter(graph.outgoing(root)))]
        while stack:
            node_id, out = stack[-1]
            edge = next(out, None)
            if edge is None:
                state[node_id] = 2
                stack.pop()
            elif state.get(edge.dst) == 1:
                graph.disconnect(edge)
                names = (graph.nodes[edge.src].name, graph.nodes[edge.dst].name)
                problems.append(Problem(
                    "error", where_of.get(edge, "$.edges"),
                    f"connecting {names[0]!r} to {names[1]!r} would create a "
                    "cycle; skipped"))
            elif edge.dst not in state:
                state[edge.dst] = 1
                stack.append((edge.dst, iter(graph.outgoing(edge.dst))))


def _close_port_gaps(graph: Graph, where_of: dict[Edge, str],
                     problems: list[Problem]) -> None:
    """A merge layer takes its inputs as a list: ports 0 and 2 become 0 and 1
    (same order, so the same model), with a warning."""
    from netbuilder.engine.model import ports

    for node in graph.nodes.values():
        spec = graph.catalog.get(node.type)
        incoming = graph.incoming(node.id)
        # A group's ports are its inner Inputs, in order: never renumbered.
        if spec is None or not spec.variadic or spec.type == "Group" \
                or not ports.gaps([e.dst_port for e in incoming]):
            continue
        for edge in incoming:
            graph.disconnect(edge)
        for new_port, edge in enumerate(incoming):
            graph.connect(edge.src, edge.src_port, node.id, new_port,
                          check_cycle=False)
            if new_port != edge.dst_port:
                problems.append(Problem(
                    "warning", where_of.get(edge, "$.edges"),
                    f"input {edge.dst_port} of {node.name!r} renumbered to "
                    f"{new_port}: a {spec.type}'s inputs are numbered without "
                    "gaps"))


def _edge_ends(raw: Any):
    if not isinstance(raw, dict):
        return None
    ends = []
    for key in ("from", "to"):
        end = raw.get(key)
        if not (isinstance(end, list) and len(end) == 2 and isinstance(end[0], str)
                and isinstance(end[1], int) and not isinstance(end[1], bool)):
            return None
        ends.append((end[0], end[1]))
    return ends
