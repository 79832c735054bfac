"""The training settings form: data source (with a preview), optimizer,
loss, metrics, epochs, batch size, callbacks and tf.distribute strategy.

The form edits a plain dict in the project's ``"training"`` format; every
change is validated with :class:`TrainingConfig` and reported as
``edited(dict)`` only when valid (else the reason is shown in the form).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from netbuilder.engine.model.data_spec import BUILTINS, KERAS_DATASETS
from netbuilder.engine.model.training_config import (
    LOSSES,
    OPTIMIZERS,
    TrainingConfig,
    TrainingConfigError,
)

KINDS = ["builtin", "npz", "csv", "folder", "keras"]
STRATEGIES = ["default", "mirrored", "multi-worker"]


def _spin(low: int, high: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    return box


def _fspin(low: float, high: float, value: float, decimals: int,
           step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    return box


def fit_narrow(widget: QWidget) -> None:
    """Let choice and number fields shrink below their longest item or
    largest value, so that the form fits its column without a sideways
    scroll bar."""
    from PySide6.QtWidgets import QAbstractSpinBox

    for box in widget.findChildren(QComboBox):
        box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(6)
    for box in widget.findChildren(QAbstractSpinBox):
        box.setMinimumWidth(60)
        # typed numbers count on Enter or leaving the field (Escape cancels)
        box.setKeyboardTracking(False)


class ConfigForm(QWidget):
    edited = Signal(dict)
    previewRequested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.kind = QComboBox()
        self.kind.addItems(KINDS)
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.setMinimumWidth(120)
        self.browse = QPushButton("Browse…")
        self.target = QLineEdit()
        self.target.setPlaceholderText("target column (CSV)")
        self.preview_button = QPushButton("Preview")
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.source, 1)
        row.addWidget(self.browse)
        form.addRow("Data", row)
        row2 = QHBoxLayout()
        row2.addWidget(self.target, 1)
        row2.addWidget(self.preview_button)
        form.addRow("", row2)
        self.validation = _fspin(0.0, 0.9, 0.2, 2, 0.05)
        form.addRow("Validation split", self.validation)
        self.optimizer = QComboBox()
        self.optimizer.addItems(OPTIMIZERS)
        self.lr = _fspin(1e-6, 10.0, 0.001, 6, 0.0005)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.lr)
        self.loss = QComboBox()
        self.loss.addItems(LOSSES)
        form.addRow("Loss", self.loss)
        self.metrics = QLineEdit("accuracy")
        self.metrics.setToolTip("Comma-separated Keras metric names")
        form.addRow("Metrics", self.metrics)
        self.epochs = _spin(1, 100000, 10)
        self.batch = _spin(1, 65536, 32)
        self.seed = _spin(-1, 2**31 - 1, -1)
        self.seed.setSpecialValueText("none")
        self.batch.setToolTip("Samples per batch on each replica")
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch)
        form.addRow("Seed", self.seed)
        self.early = QCheckBox("Early stopping, patience")
        self.early_patience = _spin(0, 1000, 3)
        self.reduce = QCheckBox("Reduce LR on plateau, patience")
        self.reduce_patience = _spin(0, 1000, 2)
        self.checkpoint = QCheckBox("Keep the best model in")
        self.checkpoint_path = QLineEdit("best.keras")
        for label, (box, value) in (("Callbacks", (self.early, self.early_patience)),
                                    ("", (self.reduce, self.reduce_patience)),
                                    ("", (self.checkpoint, self.checkpoint_path))):
            row_layout = QHBoxLayout()
            row_layout.addWidget(box)
            row_layout.addWidget(value, 1)
            form.addRow(label, row_layout)
        self.strategy = QComboBox()
        self.strategy.addItems(STRATEGIES)
        self.strategy.setToolTip("tf.distribute strategy; the batch size is per "
                                 "replica")
        self.devices = QLineEdit()
        self.devices.setPlaceholderText("devices, e.g. /gpu:0,/gpu:1 (all)")
        dist = QHBoxLayout()
        dist.addWidget(self.strategy)
        dist.addWidget(self.devices, 1)
        form.addRow("Strategy", dist)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #ff6b6b")
        form.addRow(self.problem)
        self._loading = False
        self._extra: dict = {}
        self._fill_sources("builtin")
        self._connect()
        fit_narrow(self)

    # ------------------------------------------------------------ wiring
    def _connect(self) -> None:
        self.kind.currentTextChanged.connect(self._kind_changed)
        self.browse.clicked.connect(self._browse)
        self.preview_button.clicked.connect(
            lambda: self.previewRequested.emit(self.data_spec()))
        for signal in (self.source.currentTextChanged, self.target.editingFinished,
                       self.validation.valueChanged, self.optimizer.currentTextChanged,
                       self.lr.valueChanged, self.loss.currentTextChanged,
                       self.metrics.editingFinished, self.epochs.valueChanged,
                       self.batch.valueChanged, self.seed.valueChanged,
                       self.early.toggled, self.early_patience.valueChanged,
                       self.reduce.toggled, self.reduce_patience.valueChanged,
                       self.checkpoint.toggled, self.checkpoint_path.editingFinished,
                       self.strategy.currentTextChanged, self.devices.editingFinished):
            signal.connect(self._changed)

    def _fill_sources(self, kind: str) -> None:
        self.source.blockSignals(True)
        self.source.clear()
        if kind == "builtin":
            self.source.addItems(BUILTINS)
        elif kind == "keras":
            self.source.addItems(KERAS_DATASETS)
        self.source.blockSignals(False)
        self.browse.setEnabled(kind in ("npz", "csv", "folder"))
        self.target.setVisible(kind == "csv")

    def _kind_changed(self, kind: str) -> None:
        self._fill_sources(kind)
        self._changed()

    def _browse(self) -> None:
        kind = self.kind.currentText()
        if kind == "folder":
            path = QFileDialog.getExistingDirectory(self, "Image folder")
        else:
            pattern = "NumPy archives (*.npz)" if kind == "npz" else "CSV (*.csv)"
            path, _ = QFileDialog.getOpenFileName(self, "Data file", "", pattern)
        if path:
            self.source.setEditText(path)

    # ------------------------------------------------------------ values
    def data_spec(self) -> str:
        kind, source = self.kind.currentText(), self.source.currentText().strip()
        spec = f"{kind}:{source}"
        if kind == "csv" and self.target.text().strip():
            spec += f"#target={self.target.text().strip()}"
        return spec

    def config_dict(self) -> dict:
        data = dict(self._extra)
        data.update({
            "data": self.data_spec(),
            "validation_split": round(self.validation.value(), 4),
            "optimizer": self.optimizer.currentText(),
            "learning_rate": self.lr.value(),
            "loss": self.loss.currentText(),
            "metrics": [m.strip() for m in self.metrics.text().split(",")
                        if m.strip()],
            "epochs": self.epochs.value(),
            "batch_size": self.batch.value(),
            "seed": None if self.seed.value() < 0 else self.seed.value(),
            "strategy": self.strategy.currentText(),
            "devices": [d.strip() for d in self.devices.text().split(",")
                        if d.strip()] or None,
        })
        if isinstance(self._extra.get("loss"), dict):
            data["loss"] = self._extra["loss"]  # per-output losses from the file
        callbacks = {}
        if self.early.isChecked():
            callbacks["early_stopping"] = {"patience": self.early_patience.value()}
        if self.reduce.isChecked():
            callbacks["reduce_lr_on_plateau"] = {
                "patience": self.reduce_patience.value()}
        if self.checkpoint.isChecked():
            callbacks["checkpoint"] = {"path": self.checkpoint_path.text().strip()}
        data["callbacks"] = callbacks
        return data

    def set_config(self, data: dict | None) -> None:
        """Show ``data`` (the project's training settings) without emitting."""
        try:
            config = TrainingConfig.from_dict(data) if data else TrainingConfig(
                data="builtin:digits")
        except TrainingConfigError as exc:
            config = TrainingConfig(data="builtin:digits")
            self.problem.setText("The project's training settings have problems: "
                                 + "; ".join(exc.problems))
        self._loading = True
        widgets = [self.kind, self.source, self.target, self.validation,
                   self.optimizer, self.lr, self.loss, self.metrics, self.epochs,
                   self.batch, self.seed, self.early, self.early_patience,
                   self.reduce, self.reduce_patience, self.checkpoint,
                   self.checkpoint_path, self.strategy, self.devices]
        for w in widgets:
            w.blockSignals(True)
        try:
            spec = config.data or "builtin:digits"
            kind, _, rest = spec.partition(":")
            source, _, options = rest.partition("#")
            self.kind.setCurrentText(kind if kind in KINDS else "builtin")
            self._fill_sources(self.kind.currentText())
            self.source.setEditText(source)
            self.target.setText(options.partition("target=")[2].split("&")[0])
            self.validation.setValue(config.validation_split)
            self.optimizer.setCurrentText(config.optimizer)
            self.lr.setValue(config.learning_rate)
            if isinstance(config.loss, str):
                self.loss.setCurrentText(config.loss)
            self.metrics.setText(", ".join(config.metrics))
            self.epochs.setValue(config.epochs)
            self.batch.setValue(config.batch_size)
            self.seed.setValue(-1 if config.seed is None else config.seed)
            self.early.setChecked(config.early_stopping is not None)
            if config.early_stopping:
                self.early_patience.setValue(config.early_stopping.patience)
            self.reduce.setChecked(config.reduce_lr_on_plateau is not None)
            if config.reduce_lr_on_plateau:
                self.reduce_patience.setValue(config.reduce_lr_on_plateau.patience)
            self.checkpoint.setChecked(config.checkpoint is not None)
            if config.checkpoint:
                self.checkpoint_path.setText(config.checkpoint.path)
            self.strategy.setCurrentText(config.strategy)
            self.devices.setText(",".join(config.devices or []))
            # settings the form has no widget for (per-output losses, export)
            # are kept as they are
            self._extra = {k: v for k, v in (data or {}).items()
                           if k in ("export", "momentum", "weight_decay")
                           or (k == "loss" and not isinstance(v, str))}
        finally:
            for w in widgets:
                w.blockSignals(False)
            self._loading = False

    def _changed(self, *_args) -> None:
        if self._loading:
            return
        data = self.config_dict()
        try:
            TrainingConfig.from_dict(data)
        except TrainingConfigError as exc:
            self.problem.setText("; ".join(exc.problems))
            return
        self.problem.setText("")
        self.edited.emit(data)

    def set_running(self, running: bool) -> None:
        for child in self.findChildren(QWidget):
            if child is not self.problem:
                child.setEnabled(not running)
        self.setAttribute(Qt.WA_Disabled, False)
