"""The details of a training failure: the plain-words message is the
status line; Keras's own message stays one click away."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QToolButton, QVBoxLayout, QWidget


class FailureDetails(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton(self)
        self.toggle.setText("Show details")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self._toggled)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setMaximumHeight(120)
        self.text.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.text)
        self.hide()

    def show_details(self, details: str) -> None:
        """Offer ``details`` (hidden until asked for); empty clears."""
        self.text.setPlainText(details)
        self.toggle.setChecked(False)
        self.setVisible(bool(details))

    def _toggled(self, on: bool) -> None:
        self.text.setVisible(on)
        self.toggle.setText("Hide details" if on else "Show details")
