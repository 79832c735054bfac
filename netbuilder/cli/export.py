"""``netbuilder export FILE --format savedmodel|keras|tflite|python -o PATH``.

``python`` writes the generated module (the same as ``codegen``). The other
formats build the model by executing that same generated code and save it:
a SavedModel directory (``model.export``), a ``.keras`` file
(``model.save``) or a TFLite flatbuffer. Exit 0 on success, 1 when the graph
has errors or the export fails, 2 when FILE cannot be read.
"""

from __future__ import annotations

import os

from netbuilder.cli.codegen import checked_graph, module_text, write_text
from netbuilder.cli.common import CommandError, add_trust_option

FORMATS = ("savedmodel", "keras", "tflite", "python")


def register(sub) -> None:
    p = sub.add_parser("export", help="export a project's model",
                       description="Export the model of a project: a SavedModel "
                                   "directory, a .keras file, a .tflite file, or "
                                   "the generated Python module.")
    p.add_argument("file", help="a .nbproj project file")
    add_trust_option(p)
    p.add_argument("--format", required=True, choices=FORMATS,
                   help="what to write")
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="where to write it")
    p.add_argument("--flavor", choices=["tf-keras", "keras"], default="tf-keras",
                   help="code flavor for --format python")
    p.add_argument("--with-training", action="store_true",
                   help="for --format python: add the training section")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.format == "keras" and not args.output.endswith(".keras"):
        raise CommandError("a .keras export needs a path ending in .keras", 2)
    graph = checked_graph(args.file, args.trust)
    if args.format == "python":
        write_text(args.output, module_text(graph, args.flavor, args.with_training))
        print(f"wrote {args.output}")
        return 0
    from netbuilder.engine.codegen.execute import BuildError, build
    from netbuilder.engine.codegen.module import CodegenError

    try:
        built = build(graph)
        model = built.model
    except (CodegenError, BuildError) as exc:
        raise CommandError(f"cannot build the model: {exc}", 1) from None
    parent = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(parent):
        raise CommandError(f"cannot write {args.output}: no folder {parent}", 2)
    from netbuilder.engine.keras.export import ExportError, export_verified

    try:
        result = export_verified(model, args.format, args.output)
    except ExportError as exc:
        raise CommandError(str(exc), 1) from None
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}",
                           2) from None
    except Exception as exc:  # converters raise many types; report one line
        from netbuilder.engine.keras.messages import clean_keras_message

        raise CommandError(f"{args.format} export failed: {clean_keras_message(exc)}",
                           1) from None
    print(result)
    # What the verified model holds: the project's current graph with the
    # weights kept since import, and fresh weights where a layer was edited.
    for note in built.weights_notes:
        print(f"weights: {note}")
    return 0
