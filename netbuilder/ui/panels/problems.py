"""The Problems panel: every diagnostic and project-file problem; clicking
one selects its node on the canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

NODE_ROLE = Qt.UserRole + 1


class ProblemsPanel(QTreeWidget):
    nodeActivated = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setColumnCount(4)
        self.setHeaderLabels(["", "Layer", "Problem", "How to fix it"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setWordWrap(False)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Interactive)
        header.setSectionResizeMode(2, QHeaderView.Interactive)
        header.setStretchLastSection(True)
        self.setColumnWidth(1, 140)
        self.setColumnWidth(2, 420)
        self.file_problems: list = []
        self.diagnostics: list = []
        self.names: dict[str, str] = {}
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def set_file_problems(self, problems) -> None:
        self.file_problems = list(problems)
        self._rebuild()

    def set_diagnostics(self, diagnostics, names: dict[str, str]) -> None:
        self.diagnostics = list(diagnostics)
        self.names = names
        self._rebuild()

    def counts(self) -> tuple[int, int]:
        errors = sum(1 for d in self.all_entries() if d[0] == "error")
        return errors, len(self.all_entries()) - errors

    def all_entries(self) -> list[tuple]:
        out = []
        for p in self.file_problems:
            out.append((p.severity, None, f"project file {p.path}", p.message, ""))
        for d in self.diagnostics:
            name = self.names.get(d.node, "") if d.node else "(graph)"
            out.append((d.severity, d.node, name, d.message, d.hint))
        # errors first, then warnings, each in the order they were found
        return sorted(out, key=lambda entry: entry[0] != "error")

    def _rebuild(self) -> None:
        self.setUpdatesEnabled(False)
        self.clear()
        items = []
        for severity, node, where, message, hint in self.all_entries():
            item = QTreeWidgetItem(["●", where, message, hint])
            colour = QColor("#e5484d" if severity == "error" else "#f0a030")
            item.setForeground(0, QBrush(colour))
            item.setToolTip(0, severity)
            item.setToolTip(2, message)
            item.setToolTip(3, hint)
            item.setData(0, NODE_ROLE, node)
            items.append(item)
        self.addTopLevelItems(items)
        self.setUpdatesEnabled(True)

    def _clicked(self, item, _column=0) -> None:
        node = item.data(0, NODE_ROLE)
        if node:
            self.nodeActivated.emit(node)

    def find_rows(self, text: str) -> list[QTreeWidgetItem]:
        return [self.topLevelItem(i) for i in range(self.topLevelItemCount())
                if text in self.topLevelItem(i).text(2)]
