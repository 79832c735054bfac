"""Trusting a project's custom code (the user's own Python modules beside
the project): the app asks once per project, saying exactly which files
will run, and remembers the answer keyed by the project's path and the
modules' content hashes (a changed module asks again). File → Trust Custom
Code toggles it.
"""

from __future__ import annotations

import hashlib

from netbuilder.engine.model.custom_code import (
    code_of,
    file_hash,
    trust_project,
    untrust_project,
)

SETTINGS_GROUP = "custom_trust"


def answer_key(graph) -> str | None:
    """The key the answer is remembered under (None: no custom code)."""
    code = code_of(graph.catalog)
    if code is None or not code.modules or not graph.path:
        return None
    parts = [str(graph.path)] + [f"{rel}={file_hash(code.module_file(rel))}"
                                 for rel in sorted(code.modules)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def trust_question(graph) -> str:
    code = code_of(graph.catalog)
    files = "\n".join(f"  • {code.module_file(rel)} — defines "
                      f"{', '.join(code.entries_of(rel)[:6])}"
                      for rel in code.modules)
    return ("This project uses custom layers from your own Python code. To show "
            "their shapes, generate code, train and export, NetBuilder must run "
            f"this file inside the app:\n\n{files}\n\nIt runs with your rights "
            "and can read, change or send your files. Until you trust it, the "
            "layers show their saved settings only.\n\nRun this code?")


def _remembered(key: str) -> str | None:
    from netbuilder.ui.settings import settings

    value = settings().value(f"{SETTINGS_GROUP}/{key}")
    return value if value in ("yes", "no") else None


def _remember(key: str, answer: str) -> None:
    from netbuilder.ui.settings import settings

    store = settings()
    store.setValue(f"{SETTINGS_GROUP}/{key}", answer)
    store.sync()


def offer_trust(window) -> bool | None:
    """After a project opened: trust its custom code if the user says so (or
    said so before for these files). None when it has no custom code."""
    graph = window.editor.graph
    code = code_of(graph.catalog)
    if code is None or not code.modules:
        return None
    key = answer_key(graph)
    if not code.untrusted():
        if key:  # trusted while importing: remember it for this project
            _remember(key, "yes")
        return True
    answer = _remembered(key) if key else None
    if answer is None:
        answer = "yes" if window.confirm("Run this project's custom code?",
                                         trust_question(graph)) else "no"
        if key:
            _remember(key, answer)
    return set_trusted(window, answer == "yes")


def set_trusted(window, on: bool) -> bool:
    """Trust (or stop trusting) the project's modules and infer again."""
    graph = window.editor.graph
    if on:
        missing = trust_project(graph.catalog)
        if missing:
            window.warn("Cannot trust custom code",
                        f"{', '.join(missing)} is missing beside the project")
            on = False
    else:
        untrust_project(graph.catalog)
    key = answer_key(graph)
    if key:
        _remember(key, "yes" if on else "no")
    window.analysis.invalidate()
    window.show_message("Custom code trusted: its layers are checked and built"
                        if on else "Custom code not trusted: NetBuilder runs none "
                        "of it; its layers show their saved settings")
    return on


def toggle_trust(window) -> bool:
    """File → Trust Custom Code…: ask (saying which files run) or stop."""
    graph = window.editor.graph
    code = code_of(graph.catalog)
    if code is None or not code.modules:
        window.show_message("This project uses no custom code")
        return False
    if code.untrusted():
        if not window.confirm("Run this project's custom code?",
                              trust_question(graph)):
            return False
        return set_trusted(window, True)
    set_trusted(window, False)
    return False
