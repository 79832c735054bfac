"""Seconds of work lost per crash: the real app (offscreen) makes an edit
every EDIT_EVERY seconds, is killed with SIGKILL after a chosen time, and the
recovery copy it left is compared with the edits it had made.

    PYTHONPATH=$PWD python bench/recovery_kill.py [SECONDS_BEFORE_KILL ...]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EDIT_EVERY = 0.5

CHILD = r"""
import sys, time
from PySide6.QtCore import QTimer
from netbuilder.ui.app import create_window, make_application

log = open(sys.argv[1], "a", buffering=1)
app = make_application()
win = create_window(None, load_tensorflow=False, offer_recovery=False)
win.show()
count = [0]

def edit():
    i = count[0]
    win.editor.add_node("Dense", (i * 10, 0))
    log.write(f"{i} {time.time()}\n")
    count[0] += 1

timer = QTimer()
timer.timeout.connect(edit)
QTimer.singleShot(1000, lambda: (edit(), timer.start(int(__EVERY__ * 1000))))
app.exec()
""".replace("__EVERY__", repr(EDIT_EVERY))


def trial(kill_after: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="nb-recovery-") as tmp:
        log = Path(tmp) / "edits.log"
        log.touch()
        env = dict(os.environ, NETBUILDER_CONFIG_DIR=str(Path(tmp) / "config"),
                   QT_QPA_PLATFORM="offscreen")
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(log)], env=env)
        while not log.read_text().strip():
            time.sleep(0.05)
        first = float(log.read_text().split()[1])
        time.sleep(max(0.0, first + kill_after - time.time()))
        killed_at = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        edits = [(int(i), float(t)) for i, t in
                 (line.split() for line in log.read_text().splitlines())]
        copies = list((Path(tmp) / "config" / "recovery").glob("*.nbproj"))
        saved = -1
        if copies:
            nodes = json.loads(copies[0].read_text())["nodes"]
            saved = max(int(round(n["position"][0] / 10)) for n in nodes)
        unsaved = [t for i, t in edits if i > saved]
        lost = killed_at - unsaved[0] if unsaved else 0.0
        return {"kill_after": kill_after, "edits": len(edits),
                "in_copy": saved + 1, "seconds_lost": round(lost, 2)}


def main(argv: list[str]) -> None:
    times = [float(a) for a in argv] or [3.0, 7.0, 12.5, 21.0, 34.0]
    results = [trial(t) for t in times]
    for r in results:
        print(json.dumps(r))
    worst = max(r["seconds_lost"] for r in results)
    mean = sum(r["seconds_lost"] for r in results) / len(results)
    print(f"seconds lost per crash: mean {mean:.2f}, worst {worst:.2f} "
          f"({len(results)} kills)")


if __name__ == "__main__":
    main(sys.argv[1:])
