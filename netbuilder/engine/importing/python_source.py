"""Get a model out of Python source by running it in a separate process.

Only called when the user asked to run the file. It is not a sandbox (see
:func:`model_file_from_python`). The source runs under ``sys.executable``
in its own process group with a time limit, a minimal environment, in the
file's folder, with
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

from netbuilder.engine.importing.params import SUBCLASSED, ImportFailure

FACTORIES = ("build_model", "create_model", "make_model", "get_model", "model_fn")

RUNNER = r'''
import json, os, runpy, sys, traceback
path, out = sys.argv[1], sys.argv[2]
FACTORIES = __FACTORIES__
SUBCLASSED = __SUBCLASSED__

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
functional = __import__("keras.src.models.functional", fromlist=["Functional"])
if not isinstance(model, (keras.Sequential, functional.Functional)):
    print(json.dumps({"error": SUBCLASSED.format(name=type(model).__name__),
                      "line": None, "stage": "find"}))
    sys.exit(3)
try:
    model.save(out)
except BaseException as exc:
    fail(exc, "save")
print(json.dumps({"ok": model.name}))
'''.replace("__FACTORIES__", repr(FACTORIES)).replace(
    "__SUBCLASSED__", repr(SUBCLASSED))


# Environment variables the child keeps; everything else (tokens, keys,
# passwords a user keeps in the environment) is left out.
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TEMP", "TMP",
                    "SYSTEMROOT", "PYTHONPATH", "LD_LIBRARY_PATH",
                    "CUDA_VISIBLE_DEVICES")


def child_environment(home: str) -> dict[str, str]:
    """A minimal environment: locale, paths, and a throw-away HOME."""
    env = {k: os.environ[k] for k in KEPT_ENVIRONMENT if k in os.environ}
    env.update(HOME=home, USERPROFILE=home, TF_CPP_MIN_LOG_LEVEL="3",
               KERAS_BACKEND="tensorflow", PYTHONNOUSERSITE="1")
    return env


@contextlib.contextmanager
def model_file_from_python(path: str | os.PathLike,
                           timeout: float = 60.0) -> Iterator[str]:
    """Run ``path`` in a subprocess and yield a temporary ``.keras`` file of
    its model (deleted afterwards).

    Not a sandbox: the code runs with the user's rights and can read and
    write their files. What is limited: it runs in its own process (group),
    which is killed with everything it started when ``timeout`` passes or
    when it finishes; it sees a minimal environment; and the model it saves
    is read back by the caller in safe mode unless the caller trusts it."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ImportFailure(f"{path}: no such file")
    with tempfile.TemporaryDirectory(prefix="netbuilder-import-") as tmp:
        out = os.path.join(tmp, "model.keras")
        home = os.path.join(tmp, "home")
        os.mkdir(home)
        code, stdout, stderr = _run_child(
            [sys.executable, "-c", RUNNER, str(path), out], str(path.parent),
            child_environment(home), timeout, tmp)
        if code is None:
            raise ImportFailure(f"{path.name} did not finish within {timeout:g} s "
                                "(is it training the model?); it was stopped with "
                                "every process it started")
        report = _last_json(stdout)
        if code != 0 or not os.path.isfile(out):
            if report and "error" in report:
                where = f"{path.name}, line {report['line']}" if report.get("line") \
                    else path.name
                raise ImportFailure(f"{where}: {report['error']}")
            tail = (stderr.strip().splitlines() or ["no output"])[-1]
            raise ImportFailure(f"{path.name} failed: {tail[:300]}")
        yield out


def _run_child(cmd: list[str], cwd: str, env: dict[str, str], timeout: float,
               tmp: str) -> tuple[int | None, str, str]:
    """Run ``cmd`` in a new process group with output to files (a process it
    leaves behind cannot hold a pipe open); kill the whole group when it
    ends or at the time-out. Returns (exit code or None on time-out, stdout,
    stderr)."""
    out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err,
                                start_new_session=os.name == "posix")
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _kill_group(proc)
    with open(out_path, encoding="utf-8", errors="replace") as fh:
        stdout = fh.read(1_000_000)
    with open(err_path, encoding="utf-8", errors="replace") as fh:
        stderr = fh.read(1_000_000)
    return code, stdout, stderr


def _kill_group(proc: subprocess.Popen) -> None:
    if os.name == "posix":
        import signal

        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:  # pragma: no cover - Windows: the child only
        with contextlib.suppress(OSError):
            proc.kill()
    proc.wait()


def _last_json(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None
