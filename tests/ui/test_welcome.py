"""The welcome state: an empty canvas shows a hint and example cards; a card
opens its example; Help links to the README."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netbuilder.ui.window_menus import readme_path


def test_empty_canvas_shows_hint_and_cards_that_open_examples(window, qtbot):
    welcome = window.welcome
    assert welcome.isVisible()
    assert set(welcome.cards) == {p.stem for p in window.examples()}
    card = welcome.cards["small_cnn"]
    assert "Trains on builtin:shapes32" in card.text()
    QTest.mouseClick(card, Qt.LeftButton)
    assert window.document.example.endswith("small_cnn.nbproj")
    assert window.document.path is None
    assert len(window.editor.graph.nodes) == 8
    qtbot.waitUntil(lambda: not welcome.isVisible())
    window.new_document()
    qtbot.waitUntil(welcome.isVisible)


def test_adding_a_layer_hides_the_welcome(window, qtbot):
    from tests.ui.uihelpers import drop_layer

    drop_layer(window, "Dense", (0, 0))
    assert not window.welcome.isVisible()
    window.editor.stack.undo()
    assert window.welcome.isVisible()


def test_help_opens_the_readme(window, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    window.readme_action.trigger()
    assert opened == [str(readme_path())]
    assert readme_path().name == "README.md" and readme_path().exists()
