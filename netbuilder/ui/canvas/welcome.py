"""The welcome state: an empty canvas shows how to start (drag from the
Palette, Tab to add by name) and one clickable card per bundled example."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

HINT = ("Drag a layer from the Palette onto the canvas, or click the canvas and "
        "press Tab to add one by name. Or start from an example — each trains "
        "with F5 on data that comes with NetBuilder:")
STYLE = """
#welcome { background: rgba(33, 36, 40, 235); border: 1px solid #3d434c;
           border-radius: 10px; }
#welcome QLabel { color: #e6e9ee; }
#welcomeTitle { font-size: 18px; font-weight: 600; }
#exampleCard { text-align: left; padding: 8px 10px; border: 1px solid #4a515c;
               border-radius: 6px; background: #2b2f35; color: #e6e9ee; }
#exampleCard:hover { border-color: #6fb3ff; background: #323740; }
"""


LINE = 46  # characters of description on a card


def example_summary(path: Path) -> tuple[str, str]:
    """(title, one line) for an example's card, read without loading it."""
    title = path.stem.replace("_", " ")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return title, ""
    text = str(data.get("description", "")).split(";")[0].split(": trains")[0]
    if len(text) > LINE:
        text = text[:LINE - 1].rsplit(" ", 1)[0] + "…"
    spec = (data.get("training") or {}).get("data", "")
    if spec:
        text += f"\nTrains on {spec}"
    return title, text


class WelcomeOverlay(QWidget):
    """Shown over the view's viewport while the graph has no nodes."""

    def __init__(self, window) -> None:
        super().__init__(window.view.viewport())
        self.window = window
        self.setObjectName("welcome")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        title = QLabel("Build a model")
        title.setObjectName("welcomeTitle")
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(hint)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.cards: dict[str, QPushButton] = {}
        for i, path in enumerate(window.examples()):
            name, text = example_summary(path)
            card = QPushButton(f"{name}\n{text}" if text else name)
            card.setObjectName("exampleCard")
            card.setCursor(Qt.PointingHandCursor)
            card.setToolTip(f"Open the {name} example as an untitled copy")
            card.clicked.connect(lambda _=False, p=str(path): window.open_example(p))
            grid.addWidget(card, i // 2, i % 2)
            self.cards[path.stem] = card
        layout.addLayout(grid)
        window.view.viewport().installEventFilter(self)
        window.editor.stack.indexChanged.connect(self.refresh)
        window.editor.graphReplaced.connect(self.refresh)
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Resize:
            self._place()
        return False

    def refresh(self, *_args) -> None:
        empty = not self.window.editor.graph.nodes
        self.setVisible(empty)
        if empty:
            self._place()
            self.raise_()

    def _place(self) -> None:
        area = self.parentWidget().rect()
        width = min(720, max(360, area.width() - 40))
        self.setFixedWidth(width)
        self.adjustSize()
        self.move(area.center().x() - width // 2,
                  max(10, area.center().y() - self.height() // 2))
