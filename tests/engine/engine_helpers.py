"""Small builders shared by the engine tests."""

from pathlib import Path

from netbuilder.engine.model.graph import Graph

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.nbproj"))


def chain(graph: Graph, specs, x0=0.0, y=0.0):
    """Add nodes [(type, params), ...] wired one after another."""
    nodes, prev = [], None
    for i, (type_name, params) in enumerate(specs):
        node = graph.add_node(type_name, params=params, position=(x0 + 200 * i, y))
        if prev is not None:
            graph.connect(prev.id, 0, node.id, 0)
        nodes.append(node)
        prev = node
    return nodes


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1 (for multi-worker tests)."""
    import socket

    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()
