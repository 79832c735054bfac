"""Keep Keras's automatic operation names clear of the model's layer names.

Generated code calls ``keras.ops.add(a, b)``, which takes no name: Keras names
the operation ``add``, ``add_1``, ... from a process-wide counter. A layer the
user named ``add_1`` would then clash ("the name is used 2 times"). Before
NetBuilder builds a graph it moves the counters of the operation classes the
graph uses past every layer name of that form (imports Keras)."""

from __future__ import annotations

import re

from netbuilder.engine.model.graph import Graph


def _all_nodes(graph: Graph, depth: int = 0) -> list:
    """The graph's nodes and those inside its groups (nested models)."""
    from netbuilder.engine.model.groups import GROUP, GroupError, inner_graph

    nodes = list(graph.nodes.values())
    for node in graph.nodes.values():
        if node.type == GROUP and depth < 20:
            try:
                nodes += _all_nodes(inner_graph(node, graph.catalog), depth + 1)
            except GroupError:
                continue  # reported by the checks; nothing to name
    return nodes


def reserve_layer_names(graph: Graph) -> None:
    from keras.src.backend.common import global_state
    from keras.src.utils.naming import to_snake_case

    nodes = _all_nodes(graph)
    prefixes = {to_snake_case(spec.op_class) for spec in
                (graph.catalog.get(n.type) for n in nodes)
                if spec is not None and spec.op_class}
    if not prefixes:
        return
    counters = global_state.get_global_attribute("object_name_uids")
    if counters is None:
        from collections import defaultdict

        counters = defaultdict(int)
        global_state.set_global_attribute("object_name_uids", counters)
    for prefix in prefixes:
        pattern = re.compile(rf"^{re.escape(prefix)}(?:_(\d+))?$")
        taken = [pattern.match(str(n.name)) for n in nodes]
        needed = [int(m.group(1) or 0) + 1 for m in taken if m]
        if needed:
            counters[prefix] = max(counters[prefix], *needed)
