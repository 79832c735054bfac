"""`import netbuilder.engine` (all modules) against `import tensorflow`.

Each import runs in a fresh interpreter; prints seconds and the ratio.
Budget: the engine imports in under a tenth of TensorFlow's time.
"""

import subprocess
import sys

ENGINE = ("import importlib, pkgutil, netbuilder.engine as e\n"
          "for m in pkgutil.walk_packages(e.__path__, 'netbuilder.engine.'):\n"
          "    importlib.import_module(m.name)\n"
          "from netbuilder.engine.model.catalog import get_catalog; get_catalog()\n")
TF = "import tensorflow\n"


def timed(code, repeats=3):
    script = ("import time; t = time.perf_counter()\n" + code +
              "print(time.perf_counter() - t)")
    best = float("inf")
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True,
                             text=True, check=True, env={"TF_CPP_MIN_LOG_LEVEL": "3",
                                                         "PATH": "/usr/bin:/bin"})
        best = min(best, float(out.stdout.strip().splitlines()[-1]))
    return best


def main():
    engine = timed(ENGINE)
    tf = timed(TF)
    print(f"import netbuilder.engine (+ catalog snapshot): {engine * 1000:.0f} ms")
    print(f"import tensorflow:                             {tf * 1000:.0f} ms")
    print(f"ratio engine / tensorflow: {engine / tf:.3f} (budget < 0.1)")


if __name__ == "__main__":
    main()
