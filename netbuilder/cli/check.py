"""``netbuilder check FILE [--json]``: diagnostics and per-node shapes.

Exit 0 without errors, 1 with errors, 2 when FILE is not a readable project.
"""

from __future__ import annotations

import json

from netbuilder.cli.common import add_trust_option, read_project


def register(sub) -> None:
    p = sub.add_parser("check", help="check a project: problems, shapes, params",
                       description="Report problems, output shapes, parameter "
                                   "counts and FLOPs of every node. Exit status 1 "
                                   "when the graph has errors, 2 when the file "
                                   "cannot be read as a project.")
    p.add_argument("file", help="a .nbproj project file")
    add_trust_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _fresh_weights(graph) -> list[str]:
    """Imported layers edited since import: the next build starts them from
    fresh weights instead of the kept ones."""
    if "weights" not in graph.extra:
        return []
    from netbuilder.engine.importing.weights import edited_layers

    return sorted(edited_layers(graph).values())


def run(args) -> int:
    from netbuilder.engine.analysis.diagnostics import ERROR, Diagnostic, fmt_shape
    from netbuilder.engine.analysis.shapes import analyze

    graph, load_problems = read_project(args.file, getattr(args, "trust", False))
    report = analyze(graph)
    problems = [Diagnostic(p.severity, None, None, f"{p.path}: {p.message}")
                for p in load_problems] + report.diagnostics
    problems += _beyond_the_graph(graph, problems)
    problems += _too_big_to_build(report.totals()[0])
    has_errors = any(p.severity == ERROR for p in problems)
    fresh = _fresh_weights(graph)
    if args.json:
        print(json.dumps({
            "ok": not has_errors,
            "problems": [{"severity": p.severity, "node": p.node, "port": p.port,
                          "message": p.message, "hint": p.hint} for p in problems],
            "nodes": {nid: report.info[nid].to_json() for nid in graph.nodes
                      if nid in report.info},
            "fresh_weights": fresh,
        }, indent=1))
        return 1 if has_errors else 0
    rows = [("node", "name", "type", "output shape", "params", "FLOPs")]
    for nid in graph.topological_order():
        node = graph.nodes[nid]
        info = report.info.get(nid)
        shape = ", ".join(fmt_shape(s) for s in info.output_shapes) if info else "?"
        rows.append((nid, node.name, node.type, shape,
                     f"{info.params:,}" if info else "?",
                     f"{info.flops:,}" if info else "?"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = zip(r, widths, strict=True)
        print("  ".join(c.ljust(w) if i < 4 else c.rjust(w)
                        for i, (c, w) in enumerate(cells)).rstrip())
    params, flops = report.totals()
    print(f"total: {params:,} params, {flops:,} FLOPs (multiply-adds per sample)")
    for p in problems:
        where = f" [{graph.nodes[p.node].name}]" if p.node in graph.nodes else ""
        print(f"{p.severity}{where}: {p.message}")
        if p.hint:
            print(f"    hint: {p.hint}")
    if fresh:
        from netbuilder.engine.importing.weights import fresh_weights_line

        print(f"weights: {fresh_weights_line(fresh)}")
    errors = sum(p.severity == ERROR for p in problems)
    print("ok" if not errors else f"{errors} error(s)")
    return 1 if errors else 0


def _beyond_the_graph(graph, problems: list) -> list:
    """What else keeps the project from training or exporting: its training
    settings, and anything code generation refuses that the diagnostics did
    not already report (so exit status 0 means export can build the model)."""
    from netbuilder.engine.analysis.diagnostics import ERROR, Diagnostic
    from netbuilder.engine.codegen.module import check_graph
    from netbuilder.engine.model.training_config import (
        TrainingConfigError,
        training_config_of,
    )

    out = []
    try:
        training_config_of(graph)
    except TrainingConfigError as exc:
        out += [Diagnostic(ERROR, None, None, f"$.training: {p}")
                for p in exc.problems]
    if not any(p.severity == ERROR for p in problems):
        out += [Diagnostic(ERROR, p.node, None, f"cannot generate code: {p.message}")
                for p in check_graph(graph)]
    return out


def _too_big_to_build(weights: int) -> list:
    """Shape inference makes no weights, so ``Dense(10**12)`` checks fine and
    then fails to build: refuse a model whose float32 weights alone exceed
    this machine's memory."""
    import os

    from netbuilder.engine.analysis.diagnostics import ERROR, Diagnostic

    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return []
    need = 4 * weights
    if need <= memory:
        return []
    return [Diagnostic(ERROR, None, None,
                       f"the model has {weights:,} weights: {need / 2**30:,.1f} GB "
                       f"as float32, more than this machine's "
                       f"{memory / 2**30:,.1f} GB of memory, so it cannot be built",
                       "Use fewer units, filters or a smaller vocabulary.")]
