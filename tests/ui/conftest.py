"""UI test configuration: offscreen Qt, settings and recovery files in a
temporary folder (never the real home), and helpers that drive the app the
way a user does (drag from the palette, drag wires between ports)."""

from __future__ import annotations

import os
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["NETBUILDER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="netbuilder-test-config-")

import pytest  # noqa: E402


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    path = tmp_path / "config"
    path.mkdir()
    monkeypatch.setenv("NETBUILDER_CONFIG_DIR", str(path))
    return path


def _make_window(qtbot, path=None, keras=False):
    from netbuilder.ui.app import create_window, make_application

    make_application()
    win = create_window(path, load_tensorflow=False, offer_recovery=False)
    # pytest-qt closes the window at teardown: never block on a prompt.
    win.ask_unsaved = lambda: "discard"
    win.warned = []
    win.warn = lambda title, text: win.warned.append((title, text))
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    qtbot.waitExposed(win)
    if keras:
        win.tf.start()
        qtbot.waitUntil(lambda: win.tf.ready or bool(win.tf.error), timeout=120_000)
        assert win.tf.ready, win.tf.error
    return win


@pytest.fixture
def window(qtbot, config_dir):
    win = _make_window(qtbot)
    yield win
    win.ask_unsaved = lambda: "discard"
    win.close()


@pytest.fixture
def keras_window(qtbot, config_dir):
    win = _make_window(qtbot, keras=True)
    yield win
    win.ask_unsaved = lambda: "discard"
    win.close()


