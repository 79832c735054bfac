"""Blocks of a real model, found by layer-name prefix, folded into groups.

Keras applications name the layers of each repeated block with a common
prefix: ``block_3_expand``, ``block_3_depthwise``, … in MobileNetV2;
``conv2_block1_1_conv``, ``conv2_block1_add`` in ResNet and DenseNet;
``block1a_expand_conv`` in EfficientNet. :func:`find_blocks` collects those
runs; :func:`group_blocks` folds each into a Group node (an ordinary graph
edit, so code generation and training see the same model)."""

from __future__ import annotations

import re

from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.groups import GroupError, group_nodes, inner_graph

PATTERNS = (
    re.compile(r"^(.*?block_?\d+[a-z]?)[_/]"),  # block_3_, conv2_block1_, block1a_
    re.compile(r"^(expanded_conv)_"),            # MobileNetV2's first block
    re.compile(r"^(stage\d+_unit\d+)_"),         # ResNeXt-style
)
MIN_LAYERS = 3


def block_key(name: str) -> str | None:
    for pattern in PATTERNS:
        match = pattern.match(name)
        if match:
            return match.group(1)
    return None


def find_blocks(graph: Graph) -> list[tuple[str, list[str]]]:
    """(prefix, node ids in graph order) for every prefix shared by at least
    :data:`MIN_LAYERS` layers, in the order the blocks first appear."""
    runs: dict[str, list[str]] = {}
    for nid in graph.topological_order():
        node = graph.nodes[nid]
        if node.type in ("Input", "Output", "Group"):
            continue
        key = block_key(node.name)
        if key is not None:
            runs.setdefault(key, []).append(nid)
    return [(key, ids) for key, ids in runs.items() if len(ids) >= MIN_LAYERS]


def group_blocks(graph: Graph, shapes: dict) -> tuple[list[str], list[str]]:
    """Fold each block into a Group named after its prefix. ``shapes`` are
    the output shapes per node id (from shape inference). Returns the new
    group ids and, for blocks that cannot be folded, why (plain words)."""
    shapes = dict(shapes)
    made, skipped = [], []
    for key, ids in find_blocks(graph):
        try:
            name = key if key not in graph.names() else graph.unique_name(key)
            group = group_nodes(graph, ids, name, shapes=shapes)
        except GroupError as exc:
            skipped.append(f"{key}: {exc}")
            continue
        made.append(group.id)
        # The group's outputs are its inner Outputs' tensors: later blocks
        # read their shapes (and a removed node's id may be given out again).
        inner = inner_graph(group, graph.catalog)
        outs = []
        for out in inner.output_nodes():
            edge = inner.incoming(out.id)[0]
            known = shapes.get(edge.src) or []
            outs.append(known[edge.src_port] if edge.src_port < len(known) else None)
        for nid in ids:
            shapes.pop(nid, None)
        shapes[group.id] = outs
    return made, skipped
