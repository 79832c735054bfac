"""Editors generated from a ParamSpec: spin boxes, check boxes, combo boxes,
tuple editors and JSON fields. Each emits ``committed(value)``; the
inspector validates and refuses bad values in the field with the reason."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from netbuilder.engine.model.numeric import is_finite_number

INT_MAX = 2**31 - 1
NONE_TEXT = "None"


def shown_int(value: Any) -> int:
    """What a spin box can show of a value read from a file: a number clamped
    to its range (10**400 would overflow Qt's int), anything else as 0."""
    if not is_finite_number(value):
        return 0
    return max(-INT_MAX, min(INT_MAX, int(value)))


def parse_text(text: str) -> Any:
    """Lenient parsing of what people type: JSON, Python-ish literals, bare
    tuples like ``3, 3``; anything else is kept as text."""
    t = text.strip()
    if t in ("", NONE_TEXT, "null"):
        return None
    swaps = {"True": "true", "False": "false", "None": "null"}
    candidate = t
    if candidate[0] in "([" and candidate[-1] in ")]":
        candidate = "[" + candidate[1:-1] + "]"
    elif "," in candidate and not candidate.startswith("{"):
        candidate = "[" + candidate + "]"
    for a, b in swaps.items():
        candidate = candidate.replace(a, b)
    candidate = candidate.replace("(", "[").replace(")", "]").replace("'", '"')
    candidate = candidate.replace(",]", "]")
    try:
        return json.loads(candidate)
    except (ValueError, RecursionError):
        return t


def to_text(value: Any) -> str:
    if value is None:
        return NONE_TEXT
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, (int, float)) or v is None
                                       for v in value):
        return ", ".join(NONE_TEXT if v is None else str(v) for v in value)
    return json.dumps(value)


def may_be_none(spec) -> bool:
    return bool(spec.nullable or (spec.default is None and not spec.required))


class ParamEditor(QWidget):
    committed = Signal(object)

    def __init__(self, spec, parent=None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(3)
        self._setting = False
        self.shown: Any = None

    def restore(self) -> None:
        """Show the stored value again (Escape), committing nothing."""
        self.set_value(self.shown)

    def set_value(self, value: Any) -> None:
        self.shown = value
        self._setting = True
        try:
            self._show(value)
        finally:
            self._setting = False

    def _emit(self, value: Any) -> None:
        if not self._setting:
            self.committed.emit(value)

    def _show(self, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def set_invalid(self, invalid: bool) -> None:
        self.setStyleSheet("QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox "
                           "{ border: 1px solid #e5484d; }" if invalid else "")


class BoolEditor(ParamEditor):
    def __init__(self, spec, parent=None) -> None:
        super().__init__(spec, parent)
        self.box = QCheckBox(self)
        self.layout_.addWidget(self.box)
        self.box.toggled.connect(self._emit)

    def _show(self, value) -> None:
        self.box.setChecked(bool(value))


class IntEditor(ParamEditor):
    def __init__(self, spec, parent=None) -> None:
        super().__init__(spec, parent)
        self.box = QSpinBox(self)
        self.box.setRange(-INT_MAX, INT_MAX)
        self.box.setKeyboardTracking(False)
        self.layout_.addWidget(self.box)
        self.box.valueChanged.connect(self._emit)

    def _show(self, value) -> None:
        self.box.setValue(shown_int(value))


class FloatEditor(ParamEditor):
    def __init__(self, spec, parent=None) -> None:
        super().__init__(spec, parent)
        self.box = QDoubleSpinBox(self)
        self.box.setDecimals(6)
        self.box.setRange(-1e12, 1e12)
        self.box.setSingleStep(0.1)
        self.box.setKeyboardTracking(False)
        self.layout_.addWidget(self.box)
        self.box.valueChanged.connect(self._emit)

    def _show(self, value) -> None:
        self.box.setValue(max(-1e12, min(1e12, float(value)))
                          if is_finite_number(value) else 0.0)


class ChoiceEditor(ParamEditor):
    def __init__(self, spec, parent=None) -> None:
        super().__init__(spec, parent)
        self.box = QComboBox(self)
        self.values = list(spec.choices or [])
        if may_be_none(spec) and None not in self.values:
            self.values.insert(0, None)
        for v in self.values:
            self.box.addItem(to_text(v))
        self.layout_.addWidget(self.box)
        self.box.activated.connect(lambda i: self._emit(self.values[i]))

    def _show(self, value) -> None:
        if value not in self.values:
            self.values.append(value)
            self.box.addItem(to_text(value))
        self.box.setCurrentIndex(self.values.index(value))


class ObjectEditor(ParamEditor):
    """Activations, initializers, regularizers, constraints: a name from the
    list, or a JSON object {"class_name": ..., "config": {...}}."""

    def __init__(self, spec, names, parent=None) -> None:
        super().__init__(spec, parent)
        self.box = QComboBox(self)
        self.box.setEditable(True)
        self.box.setInsertPolicy(QComboBox.NoInsert)
        if may_be_none(spec):
            self.box.addItem(NONE_TEXT)
        for n in names:
            self.box.addItem(n)
        self.box.setToolTip('A name, or JSON such as {"class_name": "L2", '
                            '"config": {"l2": 0.01}}')
        self.layout_.addWidget(self.box)
        self.box.activated.connect(lambda _i: self._commit_text())
        self.box.lineEdit().editingFinished.connect(self._commit_text)

    def _commit_text(self) -> None:
        text = self.box.currentText().strip()
        if text.startswith("{"):
            try:
                self._emit(json.loads(text))
            except ValueError:
                self._emit(text)
        else:
            self._emit(None if text in ("", NONE_TEXT) else text)

    def _show(self, value) -> None:
        self.box.setEditText(to_text(value))


class TupleEditor(ParamEditor):
    def __init__(self, spec, parent=None) -> None:
        super().__init__(spec, parent)
        self.boxes = []
        for _ in range(spec.length):
            box = QSpinBox(self)
            box.setRange(-INT_MAX, INT_MAX)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda _v: self._emit(self.value()))
            self.layout_.addWidget(box)
            self.boxes.append(box)

    def value(self) -> list[int]:
        return [b.value() for b in self.boxes]

    def _show(self, value) -> None:
        if isinstance(value, int):
            value = [value] * len(self.boxes)
        if not isinstance(value, list) or len(value) != len(self.boxes) or not all(
                isinstance(v, int) for v in value):
            value = [0] * len(self.boxes)
        for box, v in zip(self.boxes, value, strict=False):
            box.setValue(shown_int(v))


class TextEditor(ParamEditor):
    """Free text, parsed leniently (JSON, tuples, None)."""

    def __init__(self, spec, parent=None) -> None:
        super().__init__(spec, parent)
        self.edit = QLineEdit(self)
        hints = {"shape": "e.g. 32, 32, 3", "int_tuple": "e.g. 3, 3",
                 "layer": '{"type": "LSTM", "params": {"units": 32}}'}
        self.edit.setPlaceholderText(hints.get(spec.kind, NONE_TEXT
                                               if may_be_none(spec) else ""))
        self.layout_.addWidget(self.edit)
        self.edit.editingFinished.connect(self._commit)

    def _commit(self) -> None:
        text = self.edit.text()
        if self.spec.kind == "string":
            value = None if text == NONE_TEXT and may_be_none(self.spec) else text
        else:
            value = parse_text(text)
            if self.spec.kind in ("shape",) and isinstance(value, int):
                value = [value]
        self._emit(value)

    def _show(self, value) -> None:
        self.edit.setText(to_text(value))


def make_editor(spec, catalog, parent=None) -> ParamEditor:
    """The editor for ``spec``; Escape in any of its fields restores the
    stored value."""
    from netbuilder.ui.panels.escape import restore_on_escape

    editor = _make_editor(spec, catalog, parent)
    restore_on_escape(editor, editor.restore)
    # Fields may shrink to the Inspector's width (a spin box sized for
    # ±2,147,483,647 or a combo box sized for its longest item would make
    # the panel scroll sideways).
    for box in editor.findChildren(QAbstractSpinBox):
        box.setMinimumWidth(56)
    for box in editor.findChildren(QComboBox):
        box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(6)
    return editor


def _make_editor(spec, catalog, parent=None) -> ParamEditor:
    kind = spec.kind
    nullable = may_be_none(spec)
    if kind == "bool":
        return BoolEditor(spec, parent)
    if kind == "int" and not nullable:
        return IntEditor(spec, parent)
    if kind == "float" and not nullable and not spec.pair:
        return FloatEditor(spec, parent)
    if kind in ("choice", "dtype") and spec.choices:
        return ChoiceEditor(spec, parent)
    if kind in ("activation", "initializer", "regularizer", "constraint"):
        names = catalog.objects.get(kind, {}).get("names", [])
        classes = list(catalog.objects.get(kind, {}).get("classes", {}))
        if kind != "activation":
            names = list(names) + [c for c in classes if c not in names]
        return ObjectEditor(spec, names, parent)
    nested = isinstance(spec.default, list) and any(isinstance(v, list)
                                                    for v in spec.default)
    if kind == "int_tuple" and spec.length and not nullable and spec.length <= 4 \
            and not nested:
        return TupleEditor(spec, parent)
    return TextEditor(spec, parent)
