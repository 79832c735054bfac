"""Get a model out of Python source by running it in a separate process.

Only called when the user asked to run the file. The source runs under
``sys.executable`` with a time limit, in the file's folder, with
``__name__`` set to something other than ``"__main__"`` (so a training block
under ``if __name__ == "__main__":`` does not run). The model is a
module-level ``keras.Model`` or what a zero-argument ``build_model()`` (or
``create_model``/``make_model``/``get_model``) returns; it is saved to a
temporary ``.keras`` file that the importer then reads. An error in the
user's code comes back as one line naming the file and line.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from netbuilder.engine.importing.params import ImportFailure

FACTORIES = ("build_model", "create_model", "make_model", "get_model", "model_fn")

RUNNER = r'''
import json, os, runpy, sys, traceback
path, out = sys.argv[1], sys.argv[2]
FACTORIES = __FACTORIES__

def fail(exc, stage):
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename) == os.path.abspath(path):
            line = frame.lineno
    if isinstance(exc, SyntaxError) and exc.filename and \
            os.path.abspath(exc.filename) == os.path.abspath(path):
        line = exc.lineno
    text = " ".join(str(exc).split()) or type(exc).__name__
    print(json.dumps({"error": f"{type(exc).__name__}: {text[:300]}",
                      "line": line, "stage": stage}))
    sys.exit(3)

try:
    ns = runpy.run_path(path, run_name="__netbuilder_import__")
except SystemExit as exc:
    print(json.dumps({"error": f"the file called exit({exc.code})", "line": None,
                      "stage": "run"}))
    sys.exit(3)
except BaseException as exc:
    fail(exc, "run")
# Keras is needed only here, in the child process, after the user's file ran.
keras = __import__("keras")
models = [(k, v) for k, v in ns.items() if isinstance(v, keras.Model)
          and not k.startswith("_")]
model = None
if len(models) == 1:
    model = models[0][1]
elif len(models) > 1:
    print(json.dumps({"error": "the file defines several models (" +
                      ", ".join(k for k, _ in models[:5]) +
                      "); keep one at module level or a build_model() function",
                      "line": None, "stage": "find"}))
    sys.exit(3)
else:
    for name in FACTORIES:
        fn = ns.get(name)
        if callable(fn):
            try:
                model = fn()
            except BaseException as exc:
                fail(exc, "call")
            break
if not isinstance(model, keras.Model):
    print(json.dumps({"error": "no model found: define a keras.Model at module "
                      "level or a build_model() function that returns one",
                      "line": None, "stage": "find"}))
    sys.exit(3)
try:
    model.save(out)
except BaseException as exc:
    fail(exc, "save")
print(json.dumps({"ok": model.name}))
'''.replace("__FACTORIES__", repr(FACTORIES))


@contextlib.contextmanager
def model_file_from_python(path: str | os.PathLike,
                           timeout: float = 60.0) -> Iterator[str]:
    """Run ``path`` in a subprocess and yield a temporary ``.keras`` file of
    its model (deleted afterwards)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ImportFailure(f"{path}: no such file")
    with tempfile.TemporaryDirectory(prefix="netbuilder-import-") as tmp:
        out = os.path.join(tmp, "model.keras")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
        try:
            proc = subprocess.run([sys.executable, "-c", RUNNER, str(path), out],
                                  cwd=str(path.parent), env=env, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ImportFailure(f"{path.name} did not finish within {timeout:g} s "
                                "(is it training the model?)") from None
        report = _last_json(proc.stdout)
        if proc.returncode != 0 or not os.path.isfile(out):
            if report and "error" in report:
                where = f"{path.name}, line {report['line']}" if report.get("line") \
                    else path.name
                raise ImportFailure(f"{where}: {report['error']}")
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise ImportFailure(f"{path.name} failed: {tail[:300]}")
        yield out


def _last_json(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None
