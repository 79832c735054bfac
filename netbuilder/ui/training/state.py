"""The Training dock's one state machine.

Every control that acts on the session (the dock's buttons and the Run
menu's actions alike) is bound here and enabled only in the states that
allow its action; the panel's slots ask :meth:`DockState.allows` before
doing anything, so a shortcut or a programmatic trigger is refused in the
same states as a disabled button.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

IDLE = "idle"              # no trained model in this project's session
PREPARING = "preparing"    # loading data, building the model
RUNNING = "running"        # the worker thread is fitting
EVALUATING = "evaluating"  # the worker finished; evaluation in the background
STOPPED = "stopped"        # a trained model is there: resume, keep, export
EXPORTING = "exporting"    # an export is written and verified in the background
KEEPING = "keeping"        # the weights are written beside the project

TRAIN, STOP, RESUME, KEEP, EXPORT = "train", "stop", "resume", "keep", "export"
ACTIONS = (TRAIN, STOP, RESUME, KEEP, EXPORT)

# What each state allows. Anything that uses the Keras model from another
# thread (evaluation, export, keeping weights) excludes everything else that
# does, so one model is never used by two threads at once.
ALLOWED: dict[str, frozenset[str]] = {
    IDLE: frozenset({TRAIN, EXPORT}),
    PREPARING: frozenset(),
    RUNNING: frozenset({STOP}),
    EVALUATING: frozenset(),
    STOPPED: frozenset({TRAIN, RESUME, KEEP, EXPORT}),
    EXPORTING: frozenset(),
    KEEPING: frozenset(),
}
BUSY = frozenset({PREPARING, RUNNING, EVALUATING, EXPORTING, KEEPING})


class DockState(QObject):
    """The current state and the controls bound to each action."""

    changed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self._controls: dict[str, list] = {a: [] for a in ACTIONS}

    def bind(self, action: str, control) -> None:
        """Enable ``control`` (a QPushButton or QAction) only while ``action``
        is allowed."""
        self._controls[action].append(control)
        control.setEnabled(self.allows(action))

    def allows(self, action: str) -> bool:
        return action in ALLOWED[self.state]

    @property
    def busy(self) -> bool:
        return self.state in BUSY

    def set(self, state: str) -> None:
        if state not in ALLOWED:
            raise ValueError(f"unknown training state {state!r}")
        self.state = state
        for action, controls in self._controls.items():
            for control in controls:
                control.setEnabled(self.allows(action))
        self.changed.emit(state)
