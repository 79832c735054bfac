"""The ``netbuilder`` command: ``netbuilder [FILE]`` opens the app; headless
verbs (``layers``, ``check``, ``codegen``, ...) live in
:mod:`netbuilder.cli`, one module per verb.

Every verb exits 0 on success and non-zero with a one-line reason on
failure; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from netbuilder.cli.common import CommandError

# Verb name -> module in netbuilder.cli that defines register(subparsers).
VERBS = {
    "layers": "layers",
    "check": "check",
    "codegen": "codegen",
    "export": "export",
    "render": "render",
    "train": "train",
    "import": "import_model",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netbuilder",
        description="Build, check, train and export Keras neural networks visually. "
                    "Without a verb, opens the app (on FILE if given).")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for module_name in VERBS.values():
        try:
            module = importlib.import_module(f"netbuilder.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"netbuilder.cli.{module_name}":
                raise
            continue  # verb not available in this build
        module.register(sub)
    return parser


def quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    quiet_tensorflow()
    if not argv or (argv[0] not in VERBS and not argv[0].startswith("-")):
        return open_app(argv[0] if argv else None)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help()
        return 0
    tolerant_output()
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return reader_went_away()
    except CommandError as exc:
        print(f"netbuilder {args.verb}: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print(f"netbuilder {args.verb}: interrupted", file=sys.stderr)
        return 130


def tolerant_output() -> None:
    """Text from a file (ids, names) may hold characters the terminal cannot
    encode, such as a lone surrogate: print them as escapes, never crash."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass  # not a text stream we can reconfigure (a test's capture)


def reader_went_away() -> int:
    """``netbuilder check --json | head``: the reader closed the pipe. Stop
    quietly, like a command killed by SIGPIPE (status 128 + 13); point stdout
    at /dev/null so the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return 141


def open_app(path: str | None) -> int:
    from netbuilder.cli.preflight import run_preflight

    reason = run_preflight()  # before any Qt import: Qt aborts without a display
    if reason:
        print(f"netbuilder: {reason}", file=sys.stderr)
        return 2
    try:
        from netbuilder.ui.app import run_app
    except ImportError as exc:
        print(f"netbuilder: the desktop app is not available ({exc})", file=sys.stderr)
        return 2
    return run_app(path)


if __name__ == "__main__":
    raise SystemExit(main())
