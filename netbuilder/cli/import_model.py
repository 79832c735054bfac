"""``netbuilder import MODEL -o FILE [--trust] [--run-python]``.

Imports a ``.keras`` or ``.h5`` model file (or a ``.py`` file that builds a
model, which is run in a separate process only with ``--run-python``; that
is not a sandbox, see the option's help) into
an editable project. Weights in the file are written to
``<FILE stem>.weights.h5`` beside the project. Exit 0 on success, 1 when the
model cannot be represented, 2 when the file cannot be read.
"""

from __future__ import annotations

import os
import sys

from netbuilder.cli.common import CommandError


def register(sub) -> None:
    p = sub.add_parser("import", help="import a .keras, .h5 or .py model as a project",
                       description="Import an existing Keras model into an editable "
                                   "NetBuilder project (layers, wiring, shared "
                                   "layers, nested models, and the weights).")
    p.add_argument("model", help="a .keras or .h5 model file, or a .py file that "
                                 "builds a model")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the .nbproj project to write")
    p.add_argument("--trust", action="store_true",
                   help="run your own code that the model uses, in NetBuilder's "
                        "process (only for code you trust): the classes and "
                        "functions defined in a .py MODEL itself or in the "
                        "--custom-module files. Custom layers, Lambda layers that "
                        "call a named top-level function (not an anonymous "
                        "lambda), and custom regularizers, initializers and "
                        "constraints defined there are imported as custom nodes; "
                        "the module is copied beside the project (the project "
                        "keeps its name and hash, never its code). Anonymous "
                        "lambdas are refused, with or without --trust. Layers "
                        "Keras itself ships (e.g. ConvNeXt's LayerScale) need no "
                        "--trust")
    p.add_argument("--custom-module", action="append", default=[], metavar="FILE",
                   help="a .py file defining the custom layers, Lambda functions "
                        "or regularizers a .keras/.h5 model uses (repeat for "
                        "several; needs --trust, as it runs)")
    p.add_argument("--run-python", action="store_true",
                   help="for a .py MODEL: run it to get its model. This is NOT a "
                        "sandbox: the code runs with your rights and can read, "
                        "change or send your files. What is limited: it runs in "
                        "its own process group, killed with everything it started "
                        "at --timeout or when it ends; it sees a minimal "
                        "environment (no secrets kept in environment variables); "
                        "and the model it builds is read back in safe mode. Its "
                        "own classes (custom layers) are imported only with "
                        "--trust. Run only code you trust.")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="time limit for running a .py MODEL (default 60); at the "
                        "limit it is killed with every process it started")
    p.add_argument("--no-weights", action="store_true",
                   help="import the architecture only")
    p.set_defaults(func=run)


def run(args) -> int:
    if not args.output.endswith(".nbproj"):
        raise CommandError("the project file must end in .nbproj", 2)
    parent = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(parent):
        raise CommandError(f"cannot write {args.output}: no folder {parent}", 2)
    if not os.path.isfile(args.model):
        raise CommandError(f"cannot read {args.model}: no such file", 2)
    if args.model.endswith(".py") and not args.run_python:
        raise CommandError(f"{args.model} is Python code and importing it runs it; "
                           "add --run-python if you trust it", 2)
    from netbuilder.engine.importing.importer import (
        ImportFailure,
        import_model,
        save_imported,
    )

    def progress(done: int, total: int, message: str) -> None:
        if sys.stderr.isatty() and (done % 25 == 0 or done == total):
            print(f"\rimporting: {done}/{total} layers", end="", file=sys.stderr)

    try:
        result = import_model(args.model, trust=args.trust, progress=progress,
                              run_python=args.run_python, timeout=args.timeout,
                              custom_modules=args.custom_module)
    except ImportFailure as exc:
        status = 2 if "no such file" in str(exc) or "cannot import this kind" \
            in str(exc) else 1
        raise CommandError(str(exc), status) from None
    finally:
        if sys.stderr.isatty():
            print(file=sys.stderr)
    if args.no_weights:
        result.weights = {}
        result.graph.extra.pop("weights", None)
    try:
        written = save_imported(result, args.output)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}",
                           2) from None
    graph = result.graph
    custom = sum(1 for n in graph.nodes.values() if n.type.startswith("custom."))
    layers = sum(1 for n in graph.nodes.values() if n.type not in ("Input", "Output"))
    nodes = graph.nodes.values()
    shared = sum(1 for n in nodes if n.shares and n.type != "Group")
    groups = sum(1 for n in nodes if n.type == "Group" and not n.shares)
    group_calls = sum(1 for n in nodes if n.type == "Group" and n.shares)
    extra = []
    if shared:
        extra.append(f"{shared} shared-layer calls")
    if groups:
        extra.append(f"{groups} nested models")
    if group_calls:
        extra.append(f"{group_calls} more calls of shared nested models")
    if custom:
        extra.append(f"{custom} custom-code nodes")
    print(f"imported {graph.name}: {layers} layers, {result.param_count:,} "
          f"parameters{'; ' + ', '.join(extra) if extra else ''}")
    for path in written:
        print(f"wrote {path}")
    return 0
