"""``netbuilder train FILE [--data SPEC] [--epochs N] [--export KIND PATH]``.

Trains with the project's training configuration (or the defaults), prints
one line per epoch and the evaluation, optionally exports the trained model
and records the run in the project (``--save-run``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from netbuilder.cli.common import CommandError, add_trust_option, read_project

EXPORT_KINDS = ("savedmodel", "keras", "tflite")


def register(sub) -> None:
    p = sub.add_parser("train", help="train a project's model headless",
                       description="Train the model of a project with its training "
                                   "configuration; options override it.")
    p.add_argument("file", help="a .nbproj project file")
    add_trust_option(p)
    p.add_argument("--data", metavar="SPEC",
                   help="builtin:NAME, npz:PATH, csv:PATH#target=COL, folder:PATH "
                        "or keras:NAME")
    p.add_argument("--epochs", type=int, metavar="N")
    p.add_argument("--batch-size", type=int, metavar="N")
    p.add_argument("--lr", "--learning-rate", dest="learning_rate", type=float,
                   metavar="X", help="learning rate")
    p.add_argument("--optimizer", metavar="NAME", help="adam, sgd, rmsprop or adamw")
    p.add_argument("--loss", metavar="NAME",
                   help="loss for every output, e.g. sparse_categorical_crossentropy")
    p.add_argument("--metrics", metavar="a,b", help="comma-separated metric names")
    p.add_argument("--history", metavar="PATH",
                   help="write the per-epoch history as .json or .csv")
    p.add_argument("--seed", type=int)
    p.add_argument("--test-split", type=float, default=0.0, metavar="F",
                   help="fraction held out for the final evaluation when the "
                        "data has no test split of its own")
    p.add_argument("--export", nargs=2, metavar=("KIND", "PATH"),
                   help=f"export the trained model: KIND is one of "
                        f"{', '.join(EXPORT_KINDS)}")
    p.add_argument("--save-run", action="store_true",
                   help="record the run (config, history, metrics) in the project")
    p.add_argument("--keep-weights", action="store_true",
                   help="keep the trained weights with the project (FILE's name "
                        "with .weights.h5), so export and further training start "
                        "from them")
    p.add_argument("--log-dir", metavar="DIR", help="write TensorBoard logs here")
    g = p.add_argument_group("distribution (tf.distribute)")
    g.add_argument("--strategy", choices=["default", "mirrored", "multi-worker"],
                   help="default: one device; mirrored: all local GPUs or "
                        "--devices; multi-worker: several machines (TF_CONFIG or "
                        "--cluster/--task-index). The batch size is per replica.")
    g.add_argument("--devices", metavar="D1,D2",
                   help="devices for mirrored, e.g. /gpu:0,/gpu:1")
    g.add_argument("--cluster", metavar="HOST:PORT,...",
                   help="multi-worker: every worker's address, in task order")
    g.add_argument("--task-index", type=int, metavar="N",
                   help="multi-worker: this worker's index in --cluster")
    g.add_argument("--cpu-replicas", type=int, metavar="N",
                   help="split the CPU into N logical devices (to try mirrored "
                        "training on a machine without GPUs)")
    g.add_argument("--backup-dir", metavar="DIR",
                   help="where BackupAndRestore keeps the state a restarted "
                        "worker resumes from (multi-worker default: "
                        ".netbuilder-backup beside the project)")
    p.set_defaults(func=run)


def run(args) -> int:
    from netbuilder.engine.model.data_spec import is_bundled_resource
    from netbuilder.engine.training.session import TrainingError, TrainingSession

    if (args.save_run or args.keep_weights) and is_bundled_resource(args.file):
        raise CommandError(f"{args.file} is a bundled example, which NetBuilder "
                           "never changes: copy it elsewhere to keep runs or "
                           "weights with it")
    prepare_distribution(args)
    graph, problems = read_project(args.file, getattr(args, "trust", False))
    if any(p.severity == "error" for p in problems):
        raise CommandError(f"{args.file} has problems: {problems[0]}", 1)
    if args.export and args.export[0] not in EXPORT_KINDS:
        raise CommandError(f"--export KIND must be one of {', '.join(EXPORT_KINDS)}")
    config = training_config(args, graph)
    if args.history and not args.history.endswith((".json", ".csv")):
        raise CommandError("--history must name a .json or .csv file")
    ended: dict[str, str] = {}
    base = Path(args.file).resolve().parent
    session = TrainingSession(graph, config, base_dir=base,
                              listener=progress_listener(config, ended),
                              log_dir=args.log_dir, test_split=args.test_split,
                              backup_dir=args.backup_dir)
    train_until_done(session, ended)
    try:
        evaluation = session.evaluate()
    except TrainingError as exc:
        raise CommandError(str(exc), 1) from None
    metrics = "  ".join(f"{k}={v:.4g}" for k, v in evaluation["metrics"].items())
    print(f"evaluation on the {evaluation['split']} split "
          f"({evaluation['samples']} samples): {metrics}")
    chief = session.is_chief
    if not chief and (args.export or args.history or args.save_run):
        print(f"{session.strategy_info.task} is not the chief: its export goes to "
              "a temporary folder; the chief writes history and runs")
    if args.export:
        export_trained(session, args.export, chief)
    if args.history and chief:
        write_history(session.history, args.history)
        print(f"history written to {args.history}")
    if chief:
        record_outcome(args, session, evaluation)
    return 1 if session.diverged else 0


def training_config(args, graph):
    """The project's training settings with the command line's overrides."""
    from netbuilder.engine.model.training_config import (
        TrainingConfig,
        TrainingConfigError,
    )

    settings = dict(graph.extra.get("training") or {})
    for key, value in (("data", args.data), ("epochs", args.epochs),
                       ("batch_size", args.batch_size),
                       ("learning_rate", args.learning_rate), ("seed", args.seed),
                       ("optimizer", args.optimizer), ("loss", args.loss),
                       ("strategy", args.strategy),
                       ("devices", args.devices.split(",") if args.devices
                        else None),
                       ("metrics", args.metrics.split(",") if args.metrics
                        else None)):
        if value is not None:
            settings[key] = value
    if not settings.get("data"):
        raise CommandError("no data: give --data SPEC or set it in the project")
    try:
        return TrainingConfig.from_dict(settings)
    except TrainingConfigError as exc:
        raise CommandError(str(exc), 1) from None


def progress_listener(config, ended: dict[str, str]):
    """Print batches (one line, redrawn) and epochs; note how training ended
    in ``ended``."""
    from netbuilder.engine.training.session import FAILED, STOPPED

    progress = ProgressLine(sys.stderr)

    def listener(event):
        if event.kind == "batch":
            progress.show(event, config.epochs)
        elif event.kind == "epoch":
            progress.clear()
            logs = "  ".join(f"{k}={v:.4g}" for k, v in event.logs.items()
                             if k != "samples_per_second")
            print(f"epoch {event.epoch + 1}/{config.epochs}  {logs}  "
                  f"({event.logs.get('samples_per_second', 0):.0f} samples/s)",
                  flush=True)
        elif event.kind == "prepared":
            print(f"data: {event.message}", flush=True)
        elif event.kind in (FAILED, STOPPED):
            ended[event.kind] = event.message
            if event.details:
                ended["details"] = event.details

    return listener


def train_until_done(session, ended: dict[str, str]) -> None:
    """Prepare and train; Ctrl+C stops after the current batch. A failed run
    is a CommandError naming why."""
    from netbuilder.engine.training.session import FAILED, STOPPED, TrainingError

    try:
        session.prepare()
        session.start()
        while not session.wait(0.5):
            pass
    except TrainingError as exc:
        raise CommandError(str(exc), 1) from None
    except KeyboardInterrupt:
        session.stop()
        session.wait()
        print("interrupted: stopped after the current batch", file=sys.stderr)
    if FAILED in ended:
        if ended.get("details"):
            print("details: " + " ".join(ended["details"].split())[:2000],
                  file=sys.stderr)
        raise CommandError(ended[FAILED], 1)
    if STOPPED in ended:
        print(f"stopped: {ended[STOPPED]}", file=sys.stderr)


def export_trained(session, export: tuple[str, str], chief: bool) -> None:
    """--export KIND PATH, verified; a worker that is not the chief writes to
    a temporary folder."""
    from netbuilder.engine.keras.export import ExportError, export_verified

    kind, path = export
    if not chief:
        import tempfile

        path = str(Path(tempfile.mkdtemp(prefix="netbuilder-worker-"))
                   / Path(path).name)
    try:
        sample = [x[:8] for x in session.dataset.train.x] or None
        print(export_verified(session.model, kind, path, sample))
    except ExportError as exc:
        raise CommandError(str(exc), 1) from None
    except Exception as exc:  # noqa: BLE001 - report, never a traceback
        raise CommandError(f"export to {path} failed: {exc}", 1) from None


def record_outcome(args, session, evaluation) -> None:
    """--keep-weights and --save-run: weights beside the project, the run in
    the project file."""
    from netbuilder.engine.training.session import record_run_in_file

    kept = keep_trained_weights(session, args.file) if args.keep_weights else None
    if not (args.save_run or kept):
        return
    run = session.record(evaluation) if args.save_run else None
    try:
        run_id = record_run_in_file(args.file, run, kept)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot record the run in {args.file}: {exc}",
                           1) from None
    if run_id:
        print(f"recorded {run_id} in {args.file}"
              + (" (failed: the loss diverged)" if session.diverged else ""))


def keep_trained_weights(session, project: str) -> dict | None:
    """Write the trained weights beside the project; a diverged run keeps
    the weights kept before (returns None)."""
    from netbuilder.engine.training.session import TrainingError, keep_weights

    try:
        kept = keep_weights(session, project)
    except TrainingError as exc:
        print(f"weights not kept: {exc}", file=sys.stderr)
        return None
    except OSError as exc:
        raise CommandError(f"cannot write the weights: {exc}", 1) from None
    print(f"trained weights kept in {kept['file']}")
    return kept


def write_history(history: dict[str, list[float]], path: str) -> None:
    from netbuilder.engine.training.history import write_history as write

    try:
        write(history, path)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


class ProgressLine:
    """A one-line progress bar with ETA on a terminal (silent otherwise)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.perf_counter()
        self.last = 0.0

    def show(self, event, epochs: int) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self.last < 0.1 or not event.steps:
            return
        self.last = now
        done = event.epoch * event.steps + event.step + 1
        total = epochs * event.steps
        frac = min(1.0, done / total)
        eta = (now - self.started) / frac * (1 - frac) if frac else 0
        bar = "#" * int(30 * frac)
        self.stream.write(f"\r[{bar:<30}] epoch {event.epoch + 1}/{epochs} "
                          f"batch {event.step + 1}/{event.steps} "
                          f"loss {event.logs.get('loss', float('nan')):.4g} "
                          f"ETA {eta:.0f}s ")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def prepare_distribution(args) -> None:
    """Settings that must be in place before TensorFlow starts."""
    import os

    from netbuilder.engine.training.distribute import (
        DistributeError,
        split_cpu,
        tf_config,
    )

    try:
        if args.cluster is not None or args.task_index is not None:
            if args.cluster is None or args.task_index is None:
                raise DistributeError("--cluster and --task-index go together")
            os.environ["TF_CONFIG"] = tf_config(args.cluster.split(","),
                                                args.task_index)
            args.strategy = args.strategy or "multi-worker"
        if args.cpu_replicas:
            if args.cpu_replicas < 1:
                raise DistributeError("--cpu-replicas must be at least 1")
            split_cpu(args.cpu_replicas)
    except DistributeError as exc:
        raise CommandError(str(exc)) from None
