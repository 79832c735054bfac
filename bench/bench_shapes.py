"""Shape inference: full run vs. incremental re-inference after one edit.

Prints figures measured in one run (ratios, not thresholds).
"""

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from synthetic_graphs import densenet121, residual_mlp  # noqa: E402

from netbuilder.engine.analysis.shapes import ShapeInference  # noqa: E402
from netbuilder.engine.keras.runtime import load_keras  # noqa: E402


def measure(name, graph, edit_node, key, values):
    inference = ShapeInference(graph)
    t0 = time.perf_counter()
    report = inference.run()
    full = time.perf_counter() - t0
    assert not report.has_errors, report.diagnostics[:3]
    times, counts = [], []
    for value in values:
        graph.set_param(edit_node, key, value)
        t0 = time.perf_counter()
        r = inference.run()
        times.append(time.perf_counter() - t0)
        counts.append(len(r.recomputed))
    inc = statistics.median(times)
    params, _ = report.totals()
    print(f"{name}: {len(graph.nodes)} nodes, {params:,} params")
    print(f"  full inference      {full * 1000:8.1f} ms")
    print(f"  incremental (1 edit){inc * 1000:8.2f} ms  (median of {len(times)}, "
          f"{statistics.median(counts):.0f} nodes re-inferred)")
    print(f"  incremental / full  {inc / full:8.4f}")
    print(f"  one frame at 60 Hz is 16.7 ms: incremental = {inc / (1 / 60):.2f} frame")


def main():
    t0 = time.perf_counter()
    load_keras()
    print(f"(TensorFlow/Keras import: {time.perf_counter() - t0:.2f} s, not counted)")
    g = densenet121()
    topo = g.topological_order()
    last_conv = [n for n in topo if g.nodes[n].type == "Conv2D"][-1]
    measure("DenseNet121-sized graph, edit filters of the last Conv2D", g,
            last_conv, "filters", [16, 24, 40, 32, 48])
    g = residual_mlp(1000)
    topo = g.topological_order()
    near_end = [n for n in topo if g.nodes[n].type == "Dense"][-1]
    measure("1,000-node residual MLP, edit units of the last Dense", g,
            near_end, "units", [16, 24, 48, 32, 64])


if __name__ == "__main__":
    main()
