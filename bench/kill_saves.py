"""Temp files left by killed saves: a process saves a big project over and
over and is killed with SIGKILL at random moments; then one normal save (or
open) of the project removes what the killed saves left.

    PYTHONPATH=$PWD python bench/kill_saves.py [KILLS]
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import sys
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import save_project

g = Graph("big")
for i in range(4000):
    g.add_node("Dense", f"d{i}", {"units": 64}, (i * 10.5, 0))
print("ready", flush=True)
while True:
    save_project(g, sys.argv[1])
"""


def main(kills: int) -> None:
    from netbuilder.engine.model.project import load_project

    rng = random.Random(0)
    with tempfile.TemporaryDirectory(prefix="nb-kill-saves-") as tmp:
        path = Path(tmp) / "big.nbproj"
        for _ in range(kills):
            proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path)],
                                    stdout=subprocess.PIPE, text=True)
            proc.stdout.readline()
            time.sleep(rng.uniform(0.05, 0.6))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        temps = list(Path(tmp).glob(".big.nbproj.*.tmp"))
        size = sum(t.stat().st_size for t in temps)
        ok = load_project(path).ok
        left = list(Path(tmp).glob(".big.nbproj.*.tmp"))
        print(f"{kills} kills: {len(temps)} temp files ({size / 1e6:.1f} MB) left "
              f"by killed saves; project readable: {ok}; after opening it: "
              f"{len(left)} temp files")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
