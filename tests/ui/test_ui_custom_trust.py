"""Issue 15: a project with custom layers from the user's own module asks
once whether to run that module (naming the file), remembers the answer per
project and module content, and infers shapes only once trusted."""

import importlib.util
import sys

from netbuilder.engine.analysis.diagnostics import ERROR
from netbuilder.engine.importing.importer import import_model, save_imported
from netbuilder.engine.keras.runtime import load_keras
from netbuilder.engine.model.custom_code import untrust_file
from tests.engine.custom_models import MODEL_FUNCTIONS, MODULE

MODULE_NAME = "nb_ui_user_layers"


def _project(tmp_path):
    src_dir = tmp_path / "src"
    src_dir.mkdir()
    src = src_dir / f"{MODULE_NAME}.py"
    src.write_text(MODULE + MODEL_FUNCTIONS)
    load_keras()
    spec = importlib.util.spec_from_file_location(MODULE_NAME, src)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    saved = src_dir / "vae.keras"
    module.vae_encoder().save(saved)
    proj = tmp_path / "proj"
    proj.mkdir()
    path = proj / "vae.nbproj"
    save_imported(import_model(saved, trust=True, custom_modules=[str(src)]), path)
    untrust_file(proj / f"{MODULE_NAME}.py")
    (proj / "module_ran.marker").unlink(missing_ok=True)
    return path, proj


def _errors(win):
    return [d.message for d in win.analysis.diagnostics if d.severity == ERROR]


def test_trust_dialog_once_per_project(keras_window, qtbot, tmp_path):
    win = keras_window
    path, proj = _project(tmp_path)
    asked = []
    win.confirm = lambda title, text: asked.append(text) or False
    assert win.open_path(str(path), ask=False)
    assert len(asked) == 1 and str(proj / f"{MODULE_NAME}.py") in asked[0]
    assert "Sampling" in asked[0]
    win.analysis.wait_idle()
    sampling = next(n for n in win.editor.graph.nodes.values()
                    if n.type == "custom.Sampling")
    # Declined: the node shows its saved shape and says it is untrusted.
    assert win.analysis.info[sampling.id].output_shapes == [(None, 2)]
    assert any("not been trusted" in m and f"{MODULE_NAME}.py" in m
               for m in _errors(win))
    assert not (proj / "module_ran.marker").exists()
    # Opening again does not ask again: the answer is remembered.
    assert win.open_path(str(path), ask=False)
    assert len(asked) == 1
    # The menu action asks and, accepted, runs the module and infers shapes.
    win.confirm = lambda title, text: asked.append(text) or True
    win.trust_action.trigger()
    win.analysis.wait_idle()
    assert len(asked) == 2
    assert not _errors(win)
    assert (proj / "module_ran.marker").exists()
    sampling = next(n for n in win.editor.graph.nodes.values()
                    if n.type == "custom.Sampling")
    assert win.analysis.info[sampling.id].output_shapes == [(None, 2)]


def test_changed_module_asks_again(keras_window, qtbot, tmp_path):
    win = keras_window
    path, proj = _project(tmp_path)
    asked = []
    win.confirm = lambda title, text: asked.append(text) or True
    assert win.open_path(str(path), ask=False)
    win.analysis.wait_idle()
    assert len(asked) == 1 and not _errors(win)
    assert win.open_path(str(path), ask=False)
    assert len(asked) == 1  # remembered, trusted
    module = proj / f"{MODULE_NAME}.py"
    module.write_text(module.read_text() + "\n# changed\n")
    assert win.open_path(str(path), ask=False)
    assert len(asked) == 2


def test_save_as_elsewhere_takes_the_module_along(keras_window, qtbot, tmp_path):
    win = keras_window
    path, proj = _project(tmp_path)
    win.confirm = lambda title, text: True
    assert win.open_path(str(path), ask=False)
    other = tmp_path / "elsewhere"
    other.mkdir()
    win.ask_path = lambda *a, **k: str(other / "copy.nbproj")
    assert win.save_as()
    copied = other / f"{MODULE_NAME}.py"
    assert copied.read_text() == (proj / f"{MODULE_NAME}.py").read_text()
    win.analysis.wait_idle()
    assert not _errors(win)  # the same content: still trusted
