"""Layout benchmark (figures from one run; never thresholds).

For DenseNet121 and NASNetLarge (keras.applications, weights=None: nothing
is downloaded) and a 1,000-node residual graph: time of the layered layout
plus wire routing against ``keras.Model.from_config`` of the same model (the
ratio), wire crossings (exact, between consecutive layers, virtual points
included), wires drawn over a node they do not connect (must be 0) and
drawing area per node, top to bottom."""

from __future__ import annotations

import copy
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def lay_out_and_route(graph, direction: str):
    from netbuilder.engine.model.layout import layout_positions, node_size
    from netbuilder.engine.model.layout.metrics import anchors
    from netbuilder.engine.model.layout.routing import route_all

    positions = layout_positions(graph, direction=direction)
    sizes = {n: node_size(graph, n, direction) for n in graph.nodes}
    rects = {n: (*positions[n], *sizes[n]) for n in positions}
    wires = anchors(graph, positions, sizes, direction == "TB")
    route_all(rects, wires, direction == "TB")
    return positions, sizes, rects, wires


def report(name: str, graph, from_config_s: float | None) -> None:
    from netbuilder.engine.model.layout.layering import build_layers, crossings
    from netbuilder.engine.model.layout.metrics import measure

    direction = "TB"
    t = best(lambda: lay_out_and_route(graph, direction))
    _pos, _sizes, rects, wires = lay_out_and_route(graph, direction)
    lay = build_layers(graph)
    stats = measure(rects, wires, True)
    virtual = sum(1 for col in lay.layers for k in col if lay.is_virtual(k))
    ratio = f"{t / from_config_s:.2f}" if from_config_s else "n/a"
    config = f"{from_config_s * 1000:.0f} ms" if from_config_s else "n/a"
    print(f"{name}: {len(graph.nodes)} nodes, {len(graph.edges)} wires, "
          f"{len(lay.layers)} layers, {virtual} virtual points; layout+routing "
          f"{t * 1000:.0f} ms vs from_config {config} (ratio {ratio}); crossings "
          f"{crossings(lay.layers, lay.succs)}; wires through nodes "
          f"{stats['wires_through_nodes']}; area per node "
          f"{stats['area_per_node']:.0f} px² ({stats['width']:.0f} × "
          f"{stats['height']:.0f})")


def keras_case(name: str, shape) -> None:
    from netbuilder.engine.importing.importer import import_keras_model
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    model = getattr(keras.applications, name)(weights=None, input_shape=shape)
    config = model.get_config()
    from_config = best(lambda: keras.Model.from_config(copy.deepcopy(config)),
                       repeat=2)  # from_config consumes its argument
    graph = import_keras_model(model, with_weights=False).graph
    report(name, graph, from_config)


def main() -> None:
    from synthetic_graphs import residual_mlp

    from netbuilder.engine.codegen.execute import build_model
    from netbuilder.engine.keras.runtime import load_keras

    keras = load_keras()
    sys.setrecursionlimit(20000)  # Keras walks a 1,000-layer chain recursively
    graph = residual_mlp(1000)
    config = build_model(graph).get_config()
    from_config = best(lambda: keras.Model.from_config(copy.deepcopy(config)),
                       repeat=2)
    report("1,000-node residual graph", graph, from_config)
    keras_case("DenseNet121", (224, 224, 3))
    keras_case("NASNetLarge", (331, 331, 3))


if __name__ == "__main__":
    main()
