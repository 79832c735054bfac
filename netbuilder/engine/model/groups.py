"""Groups: nested models as one node holding its own graph.

A ``Group`` node's ``graph`` param is a project document (nodes and edges
with their own Input and Output nodes). Its input ports are the inner Inputs
in order, its output ports the inner Outputs in order. Code generation builds
it as a sub-model (``build_<name>()``) called like a layer; shape inference
and diagnostics look inside it. :func:`group_nodes` makes a group from a
selection and :func:`flatten_group` puts a group's layers back inline; both
are ordinary graph edits that emit events.
"""

from __future__ import annotations

from typing import Any

from netbuilder.engine.model.errors import GraphError
from netbuilder.engine.model.graph import Graph, Node
from netbuilder.engine.model.ops import is_op
from netbuilder.engine.model.ports import group_io  # noqa: F401  (re-exported)

GROUP = "Group"


class GroupError(GraphError):
    """A group cannot be made, read or flattened; the message says why."""


def group_params(inner: Graph) -> dict[str, Any]:
    from netbuilder.engine.model.project import graph_to_dict

    doc = graph_to_dict(inner)
    return {"graph": doc}


def inner_graph(node: Node, catalog=None) -> Graph:
    """The group's graph; raises :class:`GroupError` when it is damaged."""
    from netbuilder.engine.model.project import from_dict

    doc = node.params.get("graph")
    result = from_dict(doc, catalog)
    if result.graph is None:
        raise GroupError(f"group {node.name!r}: {result.fatal_reason}")
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        raise GroupError(f"group {node.name!r}: {errors[0]}")
    if not result.graph.name:
        result.graph.name = node.name
    return result.graph


def _boundary(graph: Graph, ids: set[str]):
    """Edges entering and leaving a selection."""
    entering = [e for e in graph.edges if e.dst in ids and e.src not in ids]
    leaving = [e for e in graph.edges if e.src in ids and e.dst not in ids]
    return entering, leaving


def group_nodes(graph: Graph, node_ids, name: str | None = None,
                shapes: dict[str, list] | None = None) -> Node:
    """Replace the selected nodes by one Group node holding them.

    Each distinct tensor entering the selection becomes an inner Input, whose
    shape (without the batch axis) comes from ``shapes`` — the per-node
    output shapes shape inference reported (``{node_id: [shape, ...]}``).
    Each distinct tensor leaving it becomes an inner Output.
    """
    ids = set(node_ids)
    if not ids:
        raise GroupError("select the layers to group first")
    for nid in ids:
        node = graph.node(nid)
        if node.type in ("Input", "Output"):
            raise GroupError(f"{node.name!r} is a model {node.type}: it cannot go "
                             "inside a group")
        if node.shares is not None and node.shares not in ids or any(
                n.shares == nid and n.id not in ids for n in graph.nodes.values()):
            what = "sub-model" if node.type == GROUP else "layer"
            raise GroupError(f"{node.name!r} shares its {what} with a node outside "
                             "the selection; select all its call sites")
    if graph.upstream(ids) & graph.downstream(ids) - ids:
        raise GroupError("the selection is not a closed block: a path leaves it and "
                         "comes back")
    entering, leaving = _boundary(graph, ids)
    sources: list[tuple[str, int]] = []
    for e in sorted(entering, key=lambda e: (e.dst, e.dst_port)):
        if (e.src, e.src_port) not in sources:
            sources.append((e.src, e.src_port))
    results: list[tuple[str, int]] = []
    for e in leaving:
        if (e.src, e.src_port) not in results:
            results.append((e.src, e.src_port))
    if not sources or not results:
        raise GroupError("a group needs at least one wire coming in and one going "
                         "out")
    inner = _inner_graph_of(graph, ids, sources, results, name, shapes)
    xs = [graph.nodes[n].position[0] for n in ids]
    ys = [graph.nodes[n].position[1] for n in ids]
    position = (sum(xs) / len(xs), sum(ys) / len(ys))
    for nid in ids:
        graph.remove_node(nid)
    group = graph.add_node(GROUP, name=graph.unique_name(name or "block"),
                           params=group_params(inner), position=position)
    for k, (src, port) in enumerate(sources):
        graph.connect(src, port, group.id, k)
    for e in leaving:
        graph.connect(group.id, results.index((e.src, e.src_port)), e.dst,
                      e.dst_port)
    return group


def _inner_graph_of(graph: Graph, ids: set[str], sources: list[tuple[str, int]],
                    results: list[tuple[str, int]], name: str | None,
                    shapes: dict[str, list] | None) -> Graph:
    """The group's own graph: an Input per entering tensor, copies of the
    selected nodes and their wires, an Output per leaving tensor."""
    inner = Graph(name or "block", graph.catalog)
    for src, port in sources:
        shape = (shapes or {}).get(src)
        if not shape or port >= len(shape) or shape[port] is None:
            raise GroupError(f"the shape of the tensor from {graph.node(src).name!r} "
                             "is not known yet; fix the errors before grouping")
        inner.add_node("Input", name=inner.unique_name(f"{graph.node(src).name}_in"),
                       params={"shape": list(shape[port])[1:]},
                       node_id=f"in{len(inner.nodes)}")
    for nid in [n for n in graph.nodes if n in ids]:
        node = graph.nodes[nid]
        inner.add_node(node.type, name=node.name, params=node.params,
                       position=node.position, node_id=nid)
    for nid in ids:
        if graph.nodes[nid].shares is not None:
            inner.set_shares(nid, graph.nodes[nid].shares)
    input_ids = [n.id for n in inner.input_nodes()]
    for e in graph.edges:
        if e.dst in ids and e.src in ids:
            inner.connect(e.src, e.src_port, e.dst, e.dst_port)
        elif e.dst in ids:
            k = sources.index((e.src, e.src_port))
            inner.connect(input_ids[k], 0, e.dst, e.dst_port)
    for k, (src, port) in enumerate(results):
        out = inner.add_node("Output", name=inner.unique_name(
            f"{graph.node(src).name}_out"), node_id=f"out{k}")
        inner.connect(src, port, out.id, 0)
    return inner


def flatten_group(graph: Graph, node_id: str) -> list[str]:
    """Put a group's layers back into ``graph`` in its place (inline); returns
    the new node ids. Layer names that clash get a suffix.

    A shared sub-model (groups sharing one definition) is flattened at every
    call site at once: the first site's layers own their weights and the
    other sites' layers share them, so the model stays the same (one set of
    weights) and editing a layer edits every call site."""
    group = graph.node(node_id)
    if group.type != GROUP:
        raise GroupError(f"{group.name!r} is not a group")
    sites = graph.share_set(node_id)
    inner = inner_graph(graph.nodes[sites[0]], graph.catalog)
    for site in sites:  # every site can be flattened before any is changed
        _feeding(graph, site, len(inner.input_nodes()))
    owners: dict[str, str] | None = None
    added: list[str] = []
    for site in sites:
        mapping = _inline(graph, site, inner, owners)
        if owners is None:
            owners = mapping
        added += mapping.values()
    return added


def _feeding(graph: Graph, node_id: str, n_inputs: int) -> dict[int, tuple]:
    """Group input port -> the (node, port) wired into it; every port must be."""
    feeding = {e.dst_port: (e.src, e.src_port) for e in graph.incoming(node_id)}
    missing = [k for k in range(n_inputs) if k not in feeding]
    if missing:
        raise GroupError(f"input {missing[0]} of group {graph.node(node_id).name!r} "
                         "is not connected")
    return feeding


def _inline(graph: Graph, node_id: str, inner: Graph,
            owners: dict[str, str] | None) -> dict[str, str]:
    """Replace group ``node_id`` by copies of ``inner``'s layers; returns inner
    id -> new id. ``owners`` (inner id -> new id of an earlier copy): the
    copies share those layers instead of owning their own."""
    group = graph.node(node_id)
    inputs = [n.id for n in inner.input_nodes()]
    outputs = [n.id for n in inner.output_nodes()]
    feeding = _feeding(graph, node_id, len(inputs))
    consumers = graph.outgoing(node_id)
    gx, gy = group.position
    ix = [n.position[0] for n in inner.nodes.values()] or [0.0]
    iy = [n.position[1] for n in inner.nodes.values()] or [0.0]
    cx, cy = (min(ix) + max(ix)) / 2, (min(iy) + max(iy)) / 2
    graph.remove_node(node_id)
    mapping: dict[str, str] = {}
    taken = graph.names()
    for nid, node in inner.nodes.items():
        if node.type in ("Input", "Output"):
            continue
        new_name = node.name if node.name not in taken else graph.unique_name(
            node.name, taken)
        taken.add(new_name)
        added = graph.add_node(node.type, name=new_name, params=node.params,
                               position=(gx + node.position[0] - cx,
                                         gy + node.position[1] - cy))
        mapping[nid] = added.id
    for nid, node in inner.nodes.items():
        if nid not in mapping:
            continue
        if owners is not None and not is_op(node.type):
            graph.set_shares(mapping[nid], owners[inner.layer_owner(nid)])
        elif owners is None and node.shares in mapping:
            graph.set_shares(mapping[nid], mapping[node.shares])

    def source(src: str, port: int) -> tuple[str, int]:
        if src in inputs:
            return feeding[inputs.index(src)]
        return mapping[src], port

    for e in inner.edges:
        if e.dst in outputs:
            continue
        graph.connect(*source(e.src, e.src_port), mapping[e.dst], e.dst_port)
    for e in consumers:
        out_id = outputs[e.src_port]
        inner_edge = inner.incoming(out_id)[0]
        graph.connect(*source(inner_edge.src, inner_edge.src_port), e.dst,
                      e.dst_port)
    return mapping
