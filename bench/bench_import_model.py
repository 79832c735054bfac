"""Import + layout time of real models against Keras's own
``keras.Model.from_config`` for the same config.

Models: DenseNet121 and NASNetLarge (the largest keras.applications model
that builds offline with weights=None and imports). Prints seconds and the
ratio import / from_config (import includes checking every layer rebuilds
with the same config, and the layout).
"""

import copy
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from netbuilder.engine.importing.convert import model_to_graph  # noqa: E402
from netbuilder.engine.keras.runtime import load_keras  # noqa: E402
from netbuilder.engine.model.layout import layout_graph  # noqa: E402


def best(fn, repeats=3):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    keras = load_keras()
    for name in ("DenseNet121", "NASNetLarge"):
        model = getattr(keras.applications, name)(weights=None)
        config = model.get_config()
        # from_config consumes its argument: give it a fresh copy each time
        t_keras = best(lambda c=config: keras.Model.from_config(copy.deepcopy(c)))
        graph = model_to_graph(model)
        t_import = best(lambda m=model: model_to_graph(m))
        t_layout = best(lambda g=graph: layout_graph(g))
        total = t_import + t_layout
        print(f"{name}: {len(model.layers)} layers, {len(graph.nodes)} nodes")
        print(f"  keras.Model.from_config: {t_keras * 1000:8.0f} ms")
        print(f"  import (config -> graph): {t_import * 1000:7.0f} ms")
        print(f"  layout:                  {t_layout * 1000:8.0f} ms")
        print(f"  ratio (import + layout) / from_config: {total / t_keras:.2f}")
        keras.backend.clear_session()


if __name__ == "__main__":
    main()
