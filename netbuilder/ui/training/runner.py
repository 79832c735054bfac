"""Running a training from the dock: Train / Stop / Resume, the session's
events, evaluation and the project's record of runs.

One model of runs: Train starts a new run named ``run-N`` (unique in the
project); Resume continues the same run (the curves go on, the record of that
run is replaced by the longer one, with one segment per start). The status
line, the progress bar and the Runs list all count the same epochs.
"""

from __future__ import annotations

import math
import tempfile
import threading
import time
from pathlib import Path

from netbuilder.engine.training import session as tr
from netbuilder.ui.document.scratch import UNTITLED
from netbuilder.ui.training import state as st
from netbuilder.ui.training.bridge import SessionBridge
from netbuilder.ui.training.commands import SetExtraCommand


class RunnerMixin:
    # ------------------------------------------------------------ starting
    def _base_dir(self) -> Path:
        """The project's folder (a temporary one while it is unsaved)."""
        if self.document is None:
            return Path(tempfile.gettempdir())
        return self.document.work_dir()

    def _log_dir(self, run_id: str) -> Path:
        path = getattr(self.document, "path", None)
        return self._base_dir() / "runs" / (Path(path).stem if path else
                                            UNTITLED) / run_id

    def _new_bridge(self) -> SessionBridge:
        """One bridge per session: events of a session that was let go (another
        project was opened) never reach the panel."""
        old = self.bridge
        if old is not None:
            old.event.disconnect()
            old.prepared.disconnect()
            old.prepareFailed.disconnect()
            # (kept alive: a worker of a let-go session may still call it)
        self.bridge = SessionBridge(self)
        self.bridge.event.connect(self._on_event)
        self.bridge.prepared.connect(self._prepared)
        self.bridge.prepareFailed.connect(self._failed)
        return self.bridge

    def train(self) -> None:
        if not self.machine.allows(st.TRAIN):
            self.message.emit(self._refusal("train"))
            return
        config = self.config()
        if config is None:
            return
        self.run_id = tr.next_run_id(self.graph.extra.get("runs") or [])
        self.failure_details.show_details("")
        bridge = self._new_bridge()
        self.session = tr.TrainingSession(
            self.graph, config, base_dir=self._base_dir(),
            listener=bridge.listener, log_dir=self._log_dir(self.run_id))
        self._target_epochs = config.epochs
        self.status.setText(f"Preparing {self.run_id}: loading data and building "
                            "the model…")
        self.machine.set(st.PREPARING)
        bridge.prepare_in_background(self.session)

    def _prepared(self, session) -> None:
        if session is not self.session:
            return
        self.strategy_label.setText(session.strategy_info.describe(
            session.config.batch_size))
        # The run gets its curves only once its data fits: a start that
        # fails the data check leaves no empty run behind.
        config = session.config
        logged = ["loss"] + [m for m in config.metrics if isinstance(m, str)]
        if session.dataset is not None and (session.dataset.validation is not None
                                            or config.validation_split):
            logged += [f"val_{k}" for k in logged]
        self.plot.set_previous_runs(self.graph.extra.get("runs") or [])
        self.plot.start_run(self.run_id, logged)
        self._start(self._target_epochs)

    def _start(self, target: int) -> None:
        self._target_epochs = target
        done = self.session.completed_epochs
        self.epoch_bar.setRange(0, target)
        self.epoch_bar.setValue(done)
        self.batch_bar.setValue(0)
        self._run_started = time.perf_counter()
        self._epochs_at_start = done
        self.machine.set(st.RUNNING)
        self.status.setText(f"Training {self.run_id}: epoch {done + 1}/{target}…")
        self.batch_timer.start()
        self.session.start(target)

    def stop(self) -> None:
        if not self.machine.allows(st.STOP):
            return
        self.session.stop()
        self.status.setText("Stopping after the current batch…")

    def resume(self) -> None:
        if not self.machine.allows(st.RESUME):
            self.message.emit(self._refusal("resume"))
            return
        self._start(self.session.resume_target())

    def _refusal(self, what: str) -> str:
        if self.machine.state in (st.PREPARING, st.RUNNING):
            return f"Cannot {what} while training: stop the training first."
        if self.machine.state == st.IDLE:
            return f"Cannot {what}: train the model first."
        return f"Cannot {what} now: wait until the {self.machine.state} is done."

    # ------------------------------------------------------------ progress
    def _drain_batches(self) -> None:
        batches = self.bridge.take_batches() if self.bridge is not None else []
        if not batches:
            return
        self.plot.add_batches(batches)
        _, epoch, step, steps, logs = batches[-1]
        if steps:
            self.batch_bar.setRange(0, steps)
            self.batch_bar.setValue(step + 1)
        # the bar and the text both name the epoch in progress
        self.epoch_bar.setValue(min(epoch + 1, self._target_epochs))
        done = self._progress(epoch, step, steps)
        elapsed = time.perf_counter() - self._run_started
        eta = elapsed / done * (1 - done) if done > 0 else math.nan
        rate = logs.get("samples_per_second", 0.0)
        loss = logs.get("loss", math.nan)
        self.status.setText(f"Training {self.run_id}: epoch {epoch + 1}/"
                            f"{self._target_epochs} · loss {loss:.4g} · "
                            f"{rate:,.0f} samples/s · ETA "
                            + (f"{eta:.0f} s" if math.isfinite(eta) else "…"))

    def _progress(self, epoch: int, step: int, steps: int | None) -> float:
        total = self._target_epochs - self._epochs_at_start
        if not steps or total <= 0:
            return 0.0
        return ((epoch - self._epochs_at_start) + (step + 1) / steps) / total

    def _end_text(self, event: tr.TrainingEvent) -> str:
        done, target = self.session.completed_epochs, self._target_epochs
        if event.kind == tr.FINISHED:
            return f"Finished {self.run_id}: {done}/{target} epochs."
        if self.session.stop_reason == "stopped by the user":
            # Keras counts an epoch cut short as done: say where it stopped
            step, steps = self.batch_bar.value(), self.batch_bar.maximum()
            if 0 < step < steps:
                return (f"Stopped {self.run_id} by the user in epoch {done}/{target}"
                        f", at batch {step}/{steps}.")
            return f"Stopped {self.run_id} by the user after epoch {done}/{target}."
        reason = event.message.rstrip(".")
        return f"Stopped {self.run_id} after epoch {done}/{target}: {reason}."

    def _on_event(self, event: tr.TrainingEvent) -> None:
        if event.kind == tr.EPOCH:
            self.plot.add_epoch(event.logs)
            self.epoch_bar.setValue(event.epoch + 1)
        elif event.kind == tr.PREPARED:
            self.preview.setText(event.message)
        elif event.kind in (tr.FINISHED, tr.STOPPED):
            self._drain_batches()
            self.batch_timer.stop()
            self.epoch_bar.setValue(self.session.completed_epochs)
            self.plot.redraw()
            self._ended = self._end_text(event)
            self.status.setText(self._ended + " Evaluating…")
            self.machine.set(st.EVALUATING)
            self._evaluate_in_background()
            if event.stop == tr.STOP_DIVERGED:
                self.message.emit(event.message)
        elif event.kind == tr.FAILED:
            self.batch_timer.stop()
            self._failed(event.message, event.details)

    def _failed(self, message: str, details: str = "") -> None:
        self.status.setText(f"<span style='color:#ff6b6b'>{message}</span>")
        self.failure_details.show_details(details)
        self._failure_shown = True
        self.message.emit(message)
        trained = self.session is not None and self.session.model is not None \
            and self.session.completed_epochs > 0
        self.machine.set(st.STOPPED if trained else st.IDLE)

    # ------------------------------------------------------------ results
    def _evaluate_in_background(self) -> None:
        session = self.session

        def work() -> None:
            try:
                result = session.evaluate()
            except Exception as exc:  # report, never crash
                result = {"error": str(exc)}
            self.evaluated.emit(session, result)

        threading.Thread(target=work, name="netbuilder-evaluate", daemon=True).start()

    def _show_evaluation(self, session, result: dict) -> None:
        if session is not self.session:  # another project is open now
            return
        if "error" in result:
            self.status.setText(f"{self._ended} Evaluation failed: "
                                f"{result['error']}")
            result = None
        else:
            self.evaluation.show_result(result)
            metrics = ", ".join(f"{k} {v:.4g}" for k, v in result["metrics"].items())
            self.status.setText(f"{self._ended} On the {result['split']} split: "
                                f"{metrics}.")
        self._record(result)
        self.machine.set(st.STOPPED)

    def _record(self, evaluation: dict | None) -> None:
        """Record the run; a resumed run replaces its own earlier record."""
        runs = self.graph.extra.get("runs") or []
        run = {"id": self.run_id, **self.session.record(evaluation)}
        resumed = any(r.get("id") == self.run_id for r in runs)
        text = f"Record training {self.run_id}" + (" (resumed)" if resumed else "")
        self.editor.stack.push(SetExtraCommand(self.graph, "runs",
                                               tr.with_run(runs, run), text))
        self._show_runs()

    def _show_runs(self) -> None:
        self.runs_list.clear()
        for run in self.graph.extra.get("runs") or []:
            self.runs_list.addItem(run_line(run))


def run_line(run: dict) -> str:
    """One line of the Runs list: name, epochs (and segments), final values."""
    final = run.get("final") or {}
    bits = [f"{k} {v:.4g}" for k, v in final.items()
            if k in ("loss", "accuracy", "val_loss", "val_accuracy")]
    segments = run.get("segments") or []
    parts = f" in {len(segments)} parts" if len(segments) > 1 else ""
    stopped = " · stopped" if run.get("stopped") else ""
    return (f"{run.get('id', '?')} · {run.get('epochs', 0)} epochs{parts}{stopped}"
            " · " + ", ".join(bits))
