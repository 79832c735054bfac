"""The lines that bring a project's custom code into its generated module.

The classes and functions stay in the user's module beside the project. The
generated code puts the project's folder (its absolute path when the code
was generated) on ``sys.path`` and imports them by name, so the file runs
from any folder; a module moved elsewhere needs that line changed. Code is
generated only for custom code the user has trusted.
"""

from __future__ import annotations

from pathlib import Path

from netbuilder.engine.codegen.literals import is_identifier, string_literal
from netbuilder.engine.model.custom_code import (
    code_of,
    is_trusted,
    untrusted_message,
)
from netbuilder.engine.model.errors import GraphError


def custom_import_lines(graph) -> list[str]:
    """``sys.path`` set-up and ``from <module> import <names>`` lines (empty
    without custom code); raises :class:`GraphError` for untrusted code."""
    code = code_of(graph.catalog)
    if code is None or not code.entries:
        return []
    for rel in code.modules:
        if not is_trusted(code.module_file(rel)):
            raise GraphError(untrusted_message(code, rel, code.describe(rel)))
    folder = str(Path(code.base or ".").resolve())
    lines = ["", "# Custom code from your own module(s) in the project's folder "
             "(trusted by you).",
             f"PROJECT_FOLDER = {string_literal(folder)}",
             "if PROJECT_FOLDER not in sys.path:",
             "    sys.path.insert(0, PROJECT_FOLDER)"]
    from netbuilder.engine.keras.custom_classes import module_name

    for rel in code.modules:
        names = sorted({e.get("function", n) if e["kind"] == "lambda" else n
                        for n, e in code.entries.items() if e["module"] == rel})
        module = module_name(rel)
        if not all(is_identifier(p) for p in module.split(".")) or \
                not all(is_identifier(n) for n in names):
            raise GraphError(f"{rel}: not an importable module name")
        lines.append(f"from {module} import {', '.join(names)}  # noqa: E402")
    return lines
