"""Code generation time for a 1,000-node graph against building the model.

Budget: generating the code takes well under a tenth of the time Keras
needs to build the same model (by executing that code). Prints the times
measured in one run and their ratio; it asserts nothing about wall-clock
time.

    .venv/bin/python bench/bench_codegen.py [--nodes 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from netbuilder.engine.codegen.module import generate  # noqa: E402
from netbuilder.engine.model.graph import Graph  # noqa: E402


def residual_mlp(nodes: int) -> Graph:
    """Input -> blocks of Dense, BatchNormalization, Dropout, Add (a skip
    connection around each block) -> Output: ``nodes`` nodes in all."""
    graph = Graph("bench_1000")
    x = graph.add_node("Input", params={"shape": [32]})
    skip = x
    i = 0
    while len(graph.nodes) < nodes - 1:
        kind = ("Dense", "BatchNormalization", "Dropout", "Add")[i % 4]
        params = {"Dense": {"units": 32, "activation": "relu"},
                  "Dropout": {"rate": 0.1}}.get(kind, {})
        node = graph.add_node(kind, params=params, position=(200.0 * i, 0.0))
        graph.connect(x.id, 0, node.id, 0)
        if kind == "Add":
            graph.connect(skip.id, 0, node.id, 1)
            skip = node
        x = node
        i += 1
    out = graph.add_node("Output", position=(200.0 * i, 0.0))
    graph.connect(x.id, 0, out.id, 0)
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    graph = residual_mlp(args.nodes)

    from netbuilder.engine.codegen.execute import execute
    from netbuilder.engine.keras.runtime import load_keras

    load_keras()  # TensorFlow's import is not part of either measurement
    gen_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        code = generate(graph)
        gen_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    model = execute(code, graph)
    build_time = time.perf_counter() - start
    gen = statistics.median(gen_times)
    print(f"graph: {len(graph.nodes)} nodes, {len(graph.edges)} edges; "
          f"code: {len(code.text.splitlines())} lines; "
          f"model: {len(model.layers)} layers, {model.count_params():,} params")
    print(f"codegen (median of {args.repeat}): {gen * 1000:.1f} ms")
    print(f"keras build of the generated code: {build_time * 1000:.1f} ms")
    ratio = gen / build_time
    print(f"codegen / build = {ratio:.4f} (budget: well under 0.1) -> "
          f"{'within budget' if ratio < 0.1 else 'OVER BUDGET'}")


if __name__ == "__main__":
    main()
