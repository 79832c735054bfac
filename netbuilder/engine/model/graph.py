"""The graph model: nodes (layers) and edges (tensors), with validated edits.

Every successful change emits a :class:`GraphEvent` through ``graph.events``
so views can follow. Violations raise typed :mod:`errors` with plain-words
messages and leave the graph unchanged.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from netbuilder.engine.model import ports
from netbuilder.engine.model.catalog import Catalog, LayerSpec, get_catalog
from netbuilder.engine.model.errors import (
    CycleError,
    DuplicateIdError,
    DuplicateNameError,
    EdgeNotFoundError,
    GraphError,
    InvalidNameError,
    ParamError,
    PortError,
    UnknownLayerTypeError,
    UnknownNodeError,
)
from netbuilder.engine.model.events import (
    EdgeAdded,
    EdgeRemoved,
    ExtraChanged,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    Observable,
    ParamChanged,
    SharesChanged,
)
from netbuilder.engine.model.numeric import is_finite_number
from netbuilder.engine.model.params import validate_params, validate_value

# Names Keras accepts for layers (no "/" and nothing that needs quoting);
# the first character is a letter because TensorFlow names the weights
# "<layer>/kernel" and refuses a root scope that starts with "_" or "-".
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,127}$")


@dataclass
class Node:
    id: str
    type: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    # Id of the node whose Keras layer object this node calls again (a shared
    # layer): same type and params, weights counted and created once.
    shares: str | None = None

    def copy(self) -> Node:
        return Node(self.id, self.type, self.name, copy.deepcopy(self.params),
                    tuple(self.position), self.shares)


@dataclass(frozen=True)
class Edge:
    src: str
    src_port: int
    dst: str
    dst_port: int

    def to_json(self) -> dict[str, list]:
        return {"from": [self.src, self.src_port], "to": [self.dst, self.dst_port]}


def snake_case(type_name: str) -> str:
    """Keras's own default-name rule: ``MaxPooling2D`` -> ``max_pooling2d``;
    an operation is named after its function (``ops.add`` -> ``add``)."""
    type_name = type_name.rsplit(".", 1)[-1]
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", type_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def check_name(name: Any) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise InvalidNameError(
            f"{name!r} is not a valid layer name: start with a letter, "
            "then use letters, digits, '_', '.' or '-' (at most 128 characters)")


class GraphSharingError(ParamError):
    """A shared-layer link that cannot be made."""


def sharing_problem(node: Node, owner: Node | None,
                    owner_shares: str | None) -> str | None:
    """Why ``node`` cannot call the layer of ``owner`` (whose own link is
    ``owner_shares``), in plain words; None when it can. A Group shares
    another Group's sub-model (one nested model, several call sites). The
    one sharing rule of the graph, the project loader and the code
    generator."""
    what = "sub-model" if node.type == "Group" else "layer"
    if owner is None:
        return f"{node.name!r} shares the {what} of a node that does not exist"
    if owner.id == node.id:
        return f"{node.name!r} cannot share its own {what}"
    if owner.type in ("Input", "Output") or node.type != owner.type:
        groups = "Group" in (node.type, owner.type)
        return (f"{node.name!r} ({node.type}) cannot share the {what} of "
                f"{owner.name!r} ({owner.type}): only layers of one type share"
                + (" (a group shares only another group's sub-model)"
                   if groups else ""))
    if owner_shares is not None:
        return f"{owner.name!r} itself shares another {what}"
    return None


class Graph:
    """Nodes in file order, edges, and the operations that change them."""

    def __init__(self, name: str = "model", catalog: Catalog | None = None) -> None:
        self.name = name
        self.catalog = catalog or get_catalog()
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.events = Observable()
        # Top-level project fields NetBuilder does not interpret itself
        # (kept verbatim so that saving never drops them).
        self.extra: dict[str, Any] = {}
        # Where the project was loaded from or saved to (not saved in it):
        # files the project references (carried weights) are beside it.
        self.path: str | None = None
        self._incoming: dict[tuple[str, int], Edge] = {}
        self._in_edges: dict[str, list[Edge]] = {}
        self._out_edges: dict[str, list[Edge]] = {}
        self._id_counter = 0

    # ----------------------------------------------------------------- queries
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"there is no node {node_id!r}") from None

    def spec(self, node_id: str) -> LayerSpec | None:
        return self.catalog.get(self.node(node_id).type)

    def node_by_name(self, name: str) -> Node | None:
        for node in self.nodes.values():
            if node.name == name:
                return node
        return None

    def names(self) -> set[str]:
        return {n.name for n in self.nodes.values()}

    def incoming(self, node_id: str) -> list[Edge]:
        """Edges into ``node_id`` sorted by input port."""
        return sorted(self._in_edges.get(node_id, ()), key=lambda e: e.dst_port)

    def outgoing(self, node_id: str) -> list[Edge]:
        return list(self._out_edges.get(node_id, ()))

    def edge_into(self, node_id: str, port: int) -> Edge | None:
        return self._incoming.get((node_id, port))

    def predecessors(self, node_id: str) -> list[str]:
        return [e.src for e in self.incoming(node_id)]

    def successors(self, node_id: str) -> list[str]:
        seen: list[str] = []
        for e in self._out_edges.get(node_id, ()):
            if e.dst not in seen:
                seen.append(e.dst)
        return seen

    def input_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.type == "Input"]

    def output_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.type == "Output"]

    def output_count(self, node_id: str) -> int:
        node = self.node(node_id)
        spec = self.catalog.get(node.type)
        if spec is None:
            return 1
        wired = len(self.incoming(node_id)) if spec.variadic else 0
        return ports.output_count(spec, node.params, self.catalog, wired)

    def input_count(self, node_id: str) -> int:
        """Input ports to show for the node (variadic layers get one spare)."""
        node = self.node(node_id)
        spec = self.catalog.get(node.type)
        connected = [e.dst_port for e in self.incoming(node_id)]
        if spec is None:
            return max(connected, default=-1) + 1
        return ports.input_count(spec, max(connected, default=-1) + 1)

    def downstream(self, node_ids) -> set[str]:
        """The nodes reachable from ``node_ids`` (including them)."""
        return self._reach(node_ids, lambda nid: (e.dst for e in
                                                  self._out_edges.get(nid, ())))

    def upstream(self, node_ids) -> set[str]:
        """The nodes ``node_ids`` depend on (including them)."""
        return self._reach(node_ids, lambda nid: (e.src for e in
                                                  self._in_edges.get(nid, ())))

    def _reach(self, node_ids, neighbours) -> set[str]:
        seen: set[str] = set()
        stack = [n for n in node_ids if n in self.nodes]
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            stack.extend(neighbours(nid))
        return seen

    def topological_order(self) -> list[str]:
        """Node ids in dependency order; ties broken by canvas position, then
        file order. Nodes on a cycle (only possible in a damaged file that was
        loaded leniently) come last in file order."""
        order_index = {nid: i for i, nid in enumerate(self.nodes)}
        indegree = {nid: 0 for nid in self.nodes}
        out_map: dict[str, list[str]] = {nid: [] for nid in self.nodes}
        for e in self.edges:
            indegree[e.dst] += 1
            out_map[e.src].append(e.dst)

        def key(nid: str):
            x, y = self.nodes[nid].position
            return (x, y, order_index[nid])

        import heapq

        heap = [(key(n), n) for n, d in indegree.items() if d == 0]
        heapq.heapify(heap)
        result = []
        while heap:
            _, nid = heapq.heappop(heap)
            result.append(nid)
            for nxt in out_map[nid]:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    heapq.heappush(heap, (key(nxt), nxt))
        if len(result) < len(self.nodes):
            done = set(result)
            result += [n for n in self.nodes if n not in done]
        return result

    def would_create_cycle(self, src: str, dst: str) -> bool:
        return src == dst or src in self.downstream([dst])

    # ----------------------------------------------------------------- naming
    def new_id(self) -> str:
        while True:
            self._id_counter += 1
            candidate = f"n{self._id_counter}"
            if candidate not in self.nodes:
                return candidate

    def unique_name(self, base: str, taken: set[str] | None = None) -> str:
        taken = self.names() if taken is None else taken
        base = re.sub(r"[^A-Za-z0-9_.\-]", "_", base or "layer")
        if not re.match(r"[A-Za-z]", base):
            base = "layer_" + base
        base = base[:120]
        if base not in taken:
            return base
        stem = re.sub(r"_\d+$", "", base)
        i = 1
        while f"{stem}_{i}" in taken:
            i += 1
        return f"{stem}_{i}"

    # ----------------------------------------------------------------- edits
    def add_node(self, type_name: str, name: str | None = None,
                 params: dict[str, Any] | None = None,
                 position: tuple[float, float] = (0.0, 0.0),
                 node_id: str | None = None, validate: bool = True,
                 index: int | None = None) -> Node:
        """Add a node. With ``validate=False`` (used when loading a damaged
        file) unknown types and bad params are kept for diagnostics to report.
        ``index`` puts the node at that position in file order (undo of a
        delete; Input/Output order is the model's input/output order);
        ``None`` appends it."""
        spec = self.catalog.get(type_name)
        if spec is None and validate:
            raise UnknownLayerTypeError(f"{type_name!r} is not a known layer type")
        if spec is not None:
            type_name = spec.type
        params = dict(params or {})
        if validate:
            params = validate_params(type_name, params, self.catalog)
        if node_id is None:
            node_id = self.new_id()
        elif node_id in self.nodes:
            raise DuplicateIdError(f"a node with id {node_id!r} already exists")
        if name is None:
            name = self.unique_name(snake_case(type_name))
        check_name(name)
        if name in self.names():
            raise DuplicateNameError(f"a layer named {name!r} already exists")
        if not all(is_finite_number(v) for v in position):
            raise GraphError(f"position {position!r:.60} is not two finite numbers")
        node = Node(node_id, type_name, name, params,
                    (float(position[0]), float(position[1])))
        if index is not None and (not isinstance(index, int) or index < 0):
            raise GraphError(f"node position {index!r} is not a valid index")
        return self._insert(node, index)

    def add_loaded_node(self, node: Node) -> Node:
        """Append a node read from a file as it is: the loader has checked
        its id and position and gives every node a unique name itself once
        all are in (so loading stays linear in the number of nodes)."""
        if node.id in self.nodes:
            raise DuplicateIdError(f"a node with id {node.id!r} already exists")
        return self._insert(node, None)

    def _insert(self, node: Node, index: int | None) -> Node:
        node_id = node.id
        if index is None or index >= len(self.nodes):
            self.nodes[node_id] = node
        else:
            items = list(self.nodes.items())
            items.insert(index, (node_id, node))
            self.nodes.clear()
            self.nodes.update(items)
        self.events.emit(NodeAdded(node_id))
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its edges; returns both for undo."""
        node = self.node(node_id)
        removed = self.incoming(node_id) + self.outgoing(node_id)
        for e in removed:
            self.disconnect(e)
        del self.nodes[node_id]
        self.events.emit(NodeRemoved(node_id, node=node))
        # Nodes that shared this node's layer now share the first of them
        # (which now owns the layer and its weights).
        heirs = [n for n in self.nodes.values() if n.shares == node_id]
        for i, heir in enumerate(heirs):
            heir.shares = heirs[0].id if i else None
            self.events.emit(SharesChanged(heir.id, old=node_id, new=heir.shares))
        return node, removed

    def check_connection(self, src: str, src_port: int, dst: str,
                         dst_port: int, check_cycle: bool = True) -> None:
        """Raise the error :meth:`connect` would raise, without changing anything.
        ``check_cycle=False`` skips the (linear) cycle search: for loaders that
        look for cycles once, after all edges are in."""
        src_node, dst_node = self.node(src), self.node(dst)
        if dst_node.type == "Input":
            raise PortError(f"{dst_node.name!r} is an Input: it takes no inputs")
        if src_node.type == "Output":
            raise PortError(f"{src_node.name!r} is an Output: it has no outputs")
        n_out = self.output_count(src)
        if not (isinstance(src_port, int) and 0 <= src_port < n_out):
            raise PortError(f"{src_node.name!r} has no output port "
                            f"{str(src_port)[:40]} (it has {n_out})")
        spec = self.catalog.get(dst_node.type)
        if spec is not None and not (isinstance(dst_port, int)
                                     and ports.accepts_input_port(spec, dst_port)):
            raise PortError(f"{dst_node.name!r} has no input port {str(dst_port)[:40]} "
                            f"({ports.input_limit_words(spec)})")
        if not isinstance(dst_port, int) or dst_port < 0:
            raise PortError(f"input port {dst_port!r} is not a port number")
        if (dst, dst_port) in self._incoming:
            port_name = ports.input_name(spec, dst_port) if spec else str(dst_port)
            raise PortError(f"input {port_name!r} of {dst_node.name!r} is already "
                            "connected; disconnect it first")
        if check_cycle and self.would_create_cycle(src, dst):
            raise CycleError(f"connecting {src_node.name!r} to {dst_node.name!r} "
                             "would create a cycle")

    def connect(self, src: str, src_port: int, dst: str, dst_port: int,
                check_cycle: bool = True) -> Edge:
        self.check_connection(src, src_port, dst, dst_port, check_cycle)
        edge = Edge(src, src_port, dst, dst_port)
        self._index_edge(edge)
        self.events.emit(EdgeAdded(dst, edge=edge))
        return edge

    def disconnect(self, edge: Edge) -> None:
        if edge not in self.edges:
            raise EdgeNotFoundError("that connection does not exist")
        self.edges.remove(edge)
        self._incoming.pop((edge.dst, edge.dst_port), None)
        self._in_edges[edge.dst].remove(edge)
        self._out_edges[edge.src].remove(edge)
        self.events.emit(EdgeRemoved(edge.dst, edge=edge))

    def set_param(self, node_id: str, key: str, value: Any) -> list[Edge]:
        """Set (or, with the default value, clear) one parameter.

        Returns the edges that were removed because the node lost output
        ports (e.g. ``return_state`` switched off), so undo can restore them.
        """
        node = self.node(node_id)
        spec = self.catalog.get(node.type)
        if spec is None:
            raise UnknownLayerTypeError(f"{node.type!r} is not a known layer type")
        pspec = spec.param(key)
        if pspec is None:
            raise ParamError(f"{spec.type} has no parameter {key!r}", key)
        value = validate_value(pspec, value, self.catalog)
        old = copy.deepcopy(node.params.get(key, pspec.default))
        removed = []
        # A shared layer is one Keras object: all its call sites change together.
        for member in self.share_set(node_id):
            target = self.nodes[member]
            if not pspec.required and value == pspec.default:
                target.params.pop(key, None)
            else:
                target.params[key] = copy.deepcopy(value)
            n_out = self.output_count(member)
            for e in self.outgoing(member):
                if e.src_port >= n_out:
                    self.disconnect(e)
                    removed.append(e)
            self.events.emit(ParamChanged(member, key=key, old=old, new=value))
        return removed

    def set_params(self, node_id: str, params: dict[str, Any]) -> None:
        """Replace all params at once (used by undo of damaged-file edits)."""
        for member in self.share_set(node_id):
            node = self.nodes[member]
            old = node.params
            node.params = copy.deepcopy(params)
            self.events.emit(ParamChanged(member, key=None, old=old,
                                          new=node.params))

    # ----------------------------------------------------------- shared layers
    def layer_owner(self, node_id: str) -> str:
        """The node that creates the Keras layer ``node_id`` calls."""
        node = self.node(node_id)
        owner = node.shares
        return owner if owner is not None and owner in self.nodes else node_id

    def share_set(self, node_id: str) -> list[str]:
        """All call sites of the layer ``node_id`` calls (owner first)."""
        owner = self.layer_owner(node_id)
        return [owner] + [n.id for n in self.nodes.values()
                          if n.shares == owner and n.id != owner]

    def set_shares(self, node_id: str, owner_id: str | None) -> str | None:
        """Make ``node_id`` call the layer of ``owner_id`` (None: its own layer
        again). The node takes the owner's type and params. Returns the old
        owner for undo."""
        node = self.node(node_id)
        old = node.shares
        if owner_id is not None:
            owner_id = self.layer_owner(owner_id)
            owner = self.node(owner_id)
            problem = sharing_problem(node, owner, owner.shares)
            if problem:
                raise GraphSharingError(problem)
            if any(n.shares == node_id for n in self.nodes.values()):
                raise GraphSharingError(
                    f"other nodes share the layer of {node.name!r}; unshare them "
                    "first")
            node.params = copy.deepcopy(owner.params)
        node.shares = owner_id
        self.events.emit(SharesChanged(node_id, old=old, new=owner_id))
        return old

    def check_rename(self, node_id: str, new_name: Any) -> None:
        """Raise the error :meth:`rename` would raise, without renaming."""
        node = self.node(node_id)
        check_name(new_name)
        if new_name != node.name and new_name in self.names():
            raise DuplicateNameError(f"a layer named {new_name!r} already exists")

    def rename(self, node_id: str, new_name: str) -> str:
        self.check_rename(node_id, new_name)
        node = self.node(node_id)
        old = node.name
        node.name = new_name
        self.events.emit(NodeRenamed(node_id, old=old, new=new_name))
        return old

    def move(self, node_id: str, position: tuple[float, float]) -> tuple[float, float]:
        node = self.node(node_id)
        old = node.position
        node.position = (float(position[0]), float(position[1]))
        self.events.emit(NodeMoved(node_id, old=old, new=node.position))
        return old

    def set_extra(self, key: str, value: Any) -> Any:
        """Set (or with ``None`` remove) a top-level project field such as
        ``"training"`` or ``"runs"``; returns the old value for undo."""
        if not isinstance(key, str) or key in ("format", "schema_version", "name",
                                                "nodes", "edges"):
            raise GraphError(f"{key!r} is not a project field that can be set")
        old = copy.deepcopy(self.extra.get(key))
        if value is None:
            self.extra.pop(key, None)
        else:
            self.extra[key] = copy.deepcopy(value)
        self.events.emit(ExtraChanged(None, key=key, old=old, new=value))
        return old

    def _index_edge(self, edge: Edge) -> None:
        self.edges.append(edge)
        self._incoming[(edge.dst, edge.dst_port)] = edge
        self._in_edges.setdefault(edge.dst, []).append(edge)
        self._out_edges.setdefault(edge.src, []).append(edge)

    def copy(self) -> Graph:
        """An independent copy (no listeners)."""
        g = Graph(self.name, self.catalog)
        g.nodes = {nid: n.copy() for nid, n in self.nodes.items()}
        for edge in self.edges:
            g._index_edge(edge)
        g._id_counter = self._id_counter
        g.extra = copy.deepcopy(self.extra)
        g.path = self.path
        return g
