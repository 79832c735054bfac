"""File → Import model…: pick a .keras/.h5/.py file, confirm trust when it
holds code, import with a progress dialog, save the project (and its
weights) beside the model, then open it.

``window`` must offer ``maybe_save()``, ``open_path(path, ask=False)``,
``show_message(text)`` and the replaceable prompts ``ask_path``, ``confirm``
and ``warn`` (FileActionsMixin does; tests replace the prompts).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog

MODEL_FILTER = ("Keras models (*.keras *.h5 *.hdf5 *.py);;Keras files (*.keras *.h5);;"
                "Python (*.py);;All files (*)")


def run_python_warning(name: str) -> str:
    """What protects the user when a .py file is run, and what does not."""
    return (f"Importing {name} runs its Python code. This is not a sandbox: the "
            "code runs with your rights and can read, change or send any of your "
            "files.\n\nWhat NetBuilder does: it runs the file in a separate "
            "process that is stopped, with everything it started, after 60 s or "
            "when it is done; hides your environment variables from it; and reads "
            "the model it builds in safe mode (a Lambda layer in it is refused).\n\n"
            f"Run {name} only if you trust where it came from. Run it?")


def import_model_dialog(window, path: str | None = None,
                        target: str | None = None) -> bool:
    """Run the whole import gesture; returns True when a project was opened."""
    from netbuilder.engine.importing.importer import (
        ImportFailure,
        check_code_parts,
        import_model,
        save_imported,
        unsafe_parts,
    )

    if path is None:
        path = window.ask_path("Import model", save=False, filters=MODEL_FILTER)
        if not path:
            return False
    if not window.maybe_save():
        return False
    source = Path(path)
    run_python = source.suffix == ".py"
    if run_python and not window.confirm("Run Python code?",
                                         run_python_warning(source.name)):
        return False
    trust = False
    modules: list[str] = []
    try:
        if not run_python:
            check_code_parts(source)  # Lambda/custom classes: refused outright
        risky = [] if run_python else unsafe_parts(source)
    except ImportFailure as exc:
        modules = ask_custom_module(window, source, str(exc))
        if not modules:
            return False
        trust, risky = True, []
    except (OSError, ValueError) as exc:
        window.warn("Cannot import model", f"{source.name}: {exc}")
        return False
    if risky:
        if not window.confirm(
                "Trust this file?",
                f"{source.name} contains code that runs when it is loaded: "
                f"{', '.join(risky[:6])}. Trust this file?"):
            return False
        trust = True
    progress = QProgressDialog(f"Importing {source.name}…", "", 0, 0, window)
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModal)
    progress.setMinimumDuration(300)

    def step(done: int, total: int, message: str) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        progress.setLabelText(f"Importing {source.name}: {message}")
        QApplication.processEvents()

    try:
        try:
            result = import_model(source, trust=trust, progress=step,
                                  run_python=run_python, custom_modules=modules)
        except ImportFailure as exc:
            # A .py model with its own classes: they run in NetBuilder only
            # when the user says so.
            if not (run_python and not trust and "--trust" in str(exc)) or \
                    not window.confirm("Run your classes in NetBuilder?",
                                       trust_module_question([str(source)])):
                raise
            result = import_model(source, trust=True, progress=step,
                                  run_python=True)
    except Exception as exc:  # ImportFailure, or anything Keras raises
        progress.close()
        if not isinstance(exc, ImportFailure):
            exc = f"{type(exc).__name__}: {exc}"
        window.warn("Cannot import model", str(exc))
        window.show_message(f"Cannot import {source.name}: {exc}")
        return False
    progress.close()
    if target is None:
        suggestion = str(source.with_suffix(".nbproj"))
        target = window.ask_path("Save imported project", save=True,
                                 suggestion=suggestion)
        if not target:
            return False
    if not target.endswith(".nbproj"):
        target += ".nbproj"
    try:
        save_imported(result, target)
    except OSError as exc:
        window.warn("Cannot save project", f"{target}: {exc.strerror or exc}")
        return False
    opened = window.open_path(target, ask=False)
    if opened and result.weights:
        window.show_message(f"Imported {source.name} with its weights; editing a "
                            "layer gives that layer fresh weights")
    if opened:
        offer_block_groups(window)
    return opened


def trust_module_question(paths: list[str]) -> str:
    files = "\n".join(f"  • {p}" for p in paths)
    return ("The model uses classes or functions from your own code. To import "
            f"them NetBuilder runs this file inside the app:\n\n{files}\n\nIt "
            "runs with your rights and can read, change or send your files; it is "
            "copied beside the project, which keeps only its name and hash. Run "
            "it?")


def ask_custom_module(window, source: Path, refusal: str) -> list[str]:
    """The model names classes of the user's code: ask for the module that
    defines them, then whether to run it. Returns [] when the user stops
    (or the refusal is not about a module, e.g. an anonymous lambda)."""
    if "--custom-module" not in refusal:
        window.warn("Cannot import model", refusal)
        return []
    if not window.confirm("Model uses your own code", refusal.split(";")[0] +
                          ".\n\nChoose the Python file that defines it?"):
        return []
    module = window.ask_path("Python module with the custom code", save=False,
                             filters="Python (*.py)",
                             suggestion=str(source.parent))
    if not module or not window.confirm("Run this code?",
                                        trust_module_question([module])):
        return []
    return [module]


def offer_block_groups(window) -> list[str]:
    """A real model repeats blocks named by prefix: offer to fold each into
    a group (one undo step; the saved file keeps the layers until saved)."""
    from netbuilder.engine.model.blocks import find_blocks

    graph = window.editor.graph
    blocks = find_blocks(graph)
    if len(blocks) < 2:
        return []
    names = ", ".join(key for key, _ids in blocks[:4])
    more = f" and {len(blocks) - 4} more" if len(blocks) > 4 else ""
    if not window.confirm(
            "Fold blocks into groups?",
            f"This model repeats {len(blocks)} named blocks ({names}{more}). Fold "
            "each into a group so the graph reads block by block? The model stays "
            "the same; Undo or Flatten Group puts the layers back."):
        return []
    try:
        from netbuilder.engine.analysis.shapes import analyze

        shapes = {nid: i.output_shapes for nid, i in analyze(graph).info.items()}
    except Exception as exc:  # shape inference needs Keras
        window.show_message(f"Cannot fold blocks yet ({exc}); use Edit → Group "
                            "Blocks when TensorFlow is ready")
        return []
    return window.group_blocks(shapes)
