"""Find layer on the canvas (Ctrl+K or Ctrl+Shift+F): a small bar over the
canvas. Typing selects the layers whose name or type contains the text;
Enter / F3 steps to the next match (Shift for the previous one) and centres
it; Escape closes the bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton

READABLE = 0.75  # zoom a found layer is shown at when the view is smaller


def matches(graph, text: str) -> list[str]:
    """Node ids whose name or type contains ``text`` (case-insensitive), in
    graph order; names that start with it first."""
    text = text.strip().lower()
    if not text:
        return []
    order = graph.topological_order()
    hits = [n for n in order if text in graph.nodes[n].name.lower()
            or text in graph.nodes[n].type.lower()]
    return sorted(hits, key=lambda n: not graph.nodes[n].name.lower().startswith(text))


class FindBar(QFrame):
    def __init__(self, window, view) -> None:
        # A child of the window, floating over the canvas: not of the canvas,
        # whose shortcuts (Delete, Enter, ...) must not act while typing here.
        super().__init__(window)
        self.window, self.view = window, view
        self.setObjectName("findBar")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find layer by name or type")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(220)
        self.count = QLabel("", self)
        self.count.setMinimumWidth(64)
        layout.addWidget(self.edit)
        layout.addWidget(self.count)
        for text, tip, slot in (("▲", "Previous match (Shift+F3)", self.previous),
                                ("▼", "Next match (Enter, F3)", self.next),
                                ("✕", "Close (Esc)", self.close_bar)):
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            layout.addWidget(button)
        self.edit.textChanged.connect(self._search)
        self.edit.installEventFilter(self)
        self.hits: list[str] = []
        self.current = -1
        self.hide()

    # ------------------------------------------------------------ showing
    def open_bar(self) -> None:
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self.edit.setFocus()
        self.edit.selectAll()

    def _place(self) -> None:
        viewport = self.view.viewport()
        top_right = viewport.mapTo(self.window, viewport.rect().topRight())
        self.move(top_right.x() - self.width() - 12, top_right.y() + 10)

    def close_bar(self) -> None:
        self.hide()
        self.view.setFocus()

    # ------------------------------------------------------------ searching
    def _search(self, text: str) -> None:
        self.hits = matches(self.window.editor.graph, text)
        self.current = -1
        self.window.scene.select_nodes(self.hits)
        if self.hits:
            self.step(1)
        else:
            self.count.setText("no match" if text.strip() else "")

    def next(self) -> None:
        self.step(1)

    def previous(self) -> None:
        self.step(-1)

    def step(self, delta: int) -> str | None:
        if not self.hits:
            text = self.edit.text()
            if text.strip():
                self._search(text)
            return None
        self.current = (self.current + delta) % len(self.hits)
        nid = self.hits[self.current]
        self.count.setText(f"{self.current + 1} of {len(self.hits)}")
        self.centre_on(nid)
        return nid

    def centre_on(self, node_id: str) -> None:
        item = self.window.scene.nodes.get(node_id)
        if item is None:
            return
        if self.view.zoom() < READABLE:
            self.view.set_zoom(READABLE)
        self.view.centerOn(item.sceneBoundingRect().center())

    def eventFilter(self, obj, event) -> bool:
        if obj is self.edit and event.type() == event.Type.ShortcutOverride and \
                event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_F3, Qt.Key_Escape):
            event.accept()  # these keys are the bar's, not a menu shortcut's
            return True
        if obj is self.edit and event.type() == event.Type.KeyPress:
            key, shift = event.key(), bool(event.modifiers() & Qt.ShiftModifier)
            if key in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_F3):
                self.step(-1 if shift else 1)
                return True
            if key == Qt.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(obj, event)
