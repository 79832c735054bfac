"""Examples open as untitled copies: saving asks for a new place, nothing
is written under the installed resources/, and the runs of an unsaved
project move beside it with the first save."""

import hashlib
import json
from pathlib import Path

from netbuilder.ui.document.scratch import resources_dir
from netbuilder.ui.settings import examples_dir


def tree_state(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_example_opens_untitled_and_save_asks_for_a_new_place(window, tmp_path):
    before = tree_state(resources_dir())
    example = examples_dir() / "small_cnn.nbproj"
    assert window.open_example(str(example))
    assert window.document.path is None
    assert window.document.display_name() == "small_cnn (example)"
    assert "Conv2D" in {n.type for n in window.editor.graph.nodes.values()}
    asked = []
    target = tmp_path / "mine.nbproj"

    def ask_path(title, save, filters="", suggestion=""):
        asked.append(suggestion)
        return str(target)

    window.ask_path = ask_path
    assert window.save()
    assert asked == [str(Path.home() / "small_cnn.nbproj")]
    assert window.document.path == str(target.resolve())
    saved = json.loads(target.read_text())
    assert saved["training"]["data"] == "builtin:shapes32"
    # a second save goes to the same file without asking
    assert window.save() and len(asked) == 1
    assert tree_state(resources_dir()) == before


def test_make_run_path_also_opens_a_copy(qtbot, config_dir):
    from tests.ui.conftest import _make_window

    win = _make_window(qtbot, str(examples_dir() / "mlp_classifier.nbproj"))
    assert win.document.path is None and win.document.example
    assert win.document.work_dir() != examples_dir()
    assert not str(win.document.work_dir()).startswith(str(resources_dir()))


def test_saving_into_resources_is_refused(window):
    window.open_example(str(examples_dir() / "mlp_classifier.nbproj"))
    before = tree_state(resources_dir())
    ok, reason = window.document.save(str(examples_dir() / "mlp_classifier.nbproj"))
    assert not ok and "installed resources folder" in reason
    assert tree_state(resources_dir()) == before


def test_runs_of_an_unsaved_project_move_with_the_first_save(window, tmp_path):
    window.open_example(str(examples_dir() / "mlp_classifier.nbproj"))
    panel = window.training_panel
    scratch = window.document.work_dir()
    assert scratch.is_dir() and not str(scratch).startswith(str(resources_dir()))
    log_dir = scratch / "runs" / "untitled" / "run-1"
    assert panel._log_dir("run-1") == log_dir
    (log_dir / "train").mkdir(parents=True)
    (log_dir / "train" / "events.out").write_bytes(b"log")
    (scratch / "checkpoint.keras").write_bytes(b"ckpt")
    window.editor.graph.extra["runs"] = [{"id": "run-1", "log_dir": str(log_dir)}]
    window.ask_path = lambda *a, **k: str(tmp_path / "proj" / "mlp.nbproj")
    (tmp_path / "proj").mkdir()
    assert window.save()
    moved = tmp_path / "proj" / "runs" / "mlp" / "run-1" / "train" / "events.out"
    assert moved.read_bytes() == b"log"
    assert (tmp_path / "proj" / "checkpoint.keras").read_bytes() == b"ckpt"
    assert not scratch.exists()
    saved = json.loads((tmp_path / "proj" / "mlp.nbproj").read_text())
    assert saved["runs"][0]["log_dir"] == str(tmp_path / "proj" / "runs" / "mlp"
                                              / "run-1")
    assert window.document.work_dir() == tmp_path / "proj"
