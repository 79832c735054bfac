"""``netbuilder codegen FILE [-o model.py] [--flavor tf-keras|keras]
[--with-training]``: the Python module a project stands for.

Exit 0 on success, 1 when the graph has errors (they are listed on stderr,
one per line), 2 when FILE is not a readable project.
"""

from __future__ import annotations

import sys

from netbuilder.cli.common import CommandError, add_trust_option, read_project


def register(sub) -> None:
    p = sub.add_parser("codegen", help="write the Keras Python code of a project",
                       description="Write the tf.keras Functional API module the "
                                   "project stands for (to stdout without -o). Exit "
                                   "status 1 when the graph has errors, 2 when the "
                                   "file cannot be read as a project.")
    add_code_arguments(p)
    p.set_defaults(func=run)


def add_code_arguments(p) -> None:
    p.add_argument("file", help="a .nbproj project file")
    add_trust_option(p)
    p.add_argument("-o", "--output", metavar="PATH",
                   help="write the module here instead of to stdout")
    p.add_argument("--flavor", choices=["tf-keras", "keras"], default="tf-keras",
                   help="tf-keras (default): from tensorflow import keras; keras: "
                        "plain Keras 3, runs under any backend")
    p.add_argument("--with-training", action="store_true",
                   help="add the project's training run (data, compile, fit, "
                        "evaluate, export) as a script section")


def checked_graph(path: str, trust: bool = False):
    """Load a project and refuse it (exit 1, problems on stderr) when it has
    errors; return the graph."""
    from netbuilder.engine.analysis.diagnostics import ERROR
    from netbuilder.engine.analysis.shapes import analyze

    graph, load_problems = read_project(path, trust)
    errors = [f"error: {p.path}: {p.message}" for p in load_problems
              if p.severity == ERROR]
    if not errors:
        report = analyze(graph)
        for d in report.diagnostics:
            if d.severity != ERROR:
                continue
            where = f" [{graph.nodes[d.node].name}]" if d.node in graph.nodes else ""
            errors.append(f"error{where}: {d.message}")
    fail_with(errors)
    return graph


def fail_with(errors: list[str]) -> None:
    if errors:
        for line in errors:
            print(line, file=sys.stderr)
        raise CommandError(f"the graph has {len(errors)} error(s); nothing written", 1)


def module_text(graph, flavor: str, with_training: bool) -> str:
    from netbuilder.engine.codegen.module import CodegenError, generate

    try:
        return generate(graph, flavor, with_training).text
    except CodegenError as exc:
        fail_with([f"error: {p}" for p in exc.problems])
        raise  # (fail_with raises for any non-empty list)
    except ValueError as exc:  # e.g. a missing or invalid training configuration
        raise CommandError(str(exc), 1) from None


def write_text(path: str, text: str) -> None:
    from netbuilder.engine.model.project import atomic_write_text

    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}", 2) from None


def run(args) -> int:
    graph = checked_graph(args.file, args.trust)
    text = module_text(graph, args.flavor, args.with_training)
    if args.output:
        write_text(args.output, text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0
