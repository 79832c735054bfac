"""The optional training section of a generated module.

From the project's :class:`~netbuilder.engine.model.training_config.TrainingConfig`
it writes ``load_data()`` for the configured source, ``train(model)`` with
``compile`` (keyword arguments only), ``fit`` and ``evaluate``, and a
``__main__`` block that seeds, builds, trains and exports: a script that
reproduces the run outside NetBuilder. Every configured value is validated
first and written as a literal.

Array files (``npz:`` and ``builtin:``, as :mod:`datasets` reads them) hold
``x``/``y`` and optionally ``x_test``/``y_test``; with several Inputs or
Outputs the keys are suffixed with the Input or Output name (``x_image``,
``x_test_image``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netbuilder.engine.codegen.distribute import IMPORTS_STDLIB, helper_lines
from netbuilder.engine.codegen.layout import INDENT, Atom, Group, Item, flat, render
from netbuilder.engine.codegen.literals import literal, string_literal
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.training_config import (
    TrainingConfig,
    TrainingConfigError,
    training_config_of,
)

IMAGE_DATASETS = ("mnist", "fashion_mnist", "cifar10", "cifar100")
SEQUENCE_DATASETS = ("imdb", "reuters")
OPTIMIZER_CLASSES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop",
                     "adamw": "AdamW"}
I1, I2 = INDENT, INDENT * 2


@dataclass
class TrainingSection:
    imports: list[str]
    lines: list[str] = field(default_factory=list)


def _call(head: str, *args: Atom | Group, **kwargs: Atom | Group) -> Group:
    items = [Item(a) for a in args] + [Item(v, k + "=") for k, v in kwargs.items()]
    return Group(head, "(", items, ")")


def _lit(value) -> Atom | Group:
    return literal(value)


def training_section(graph: Graph, flavor: str) -> TrainingSection:
    config = training_config_of(graph)
    if config is None:
        raise TrainingConfigError(["the project has no training configuration"])
    spec = config.data_spec
    inputs, outputs = graph.input_nodes(), graph.output_nodes()
    problems = []
    if spec.kind in ("csv", "folder", "keras") and (len(inputs) > 1
                                                     or len(outputs) > 1):
        problems.append(f"{spec.kind} data feeds models with one Input and one "
                        "Output; use npz data for this model")
    export = config.export or {}
    if export.get("format") == "tflite" and flavor != "tf-keras":
        problems.append("a TFLite export needs TensorFlow: use the tf-keras flavor")
    shape = inputs[0].params.get("shape") if inputs else None
    if spec.kind == "folder" and not (isinstance(shape, list) and len(shape) == 3
                                      and None not in shape):
        problems.append("folder data needs an image Input with a fixed shape "
                        "[height, width, channels]")
    if problems:
        raise TrainingConfigError(problems)
    distributed = flavor == "tf-keras"
    stdlib = ["import csv"] if spec.kind == "csv" else []
    if distributed:
        stdlib = sorted(stdlib + IMPORTS_STDLIB)
    imports = stdlib + [""] if stdlib else []
    third = []
    if spec.kind in ("npz", "builtin", "csv"):
        third.append("import numpy as np")
    if export.get("format") == "tflite" or distributed:
        third.append("import tensorflow as tf")
    third.append("from tensorflow import keras" if flavor == "tf-keras"
                 else "import keras")
    imports += sorted(third, key=lambda s: (s.startswith("from"), s))
    lines = _load_data(graph, config) + ["", ""]
    if distributed:
        lines += helper_lines(config.strategy) + ["", ""]
    lines += _train(graph, config, distributed) + ["", ""]
    lines += _main(config, distributed)
    return TrainingSection(imports, lines)


# ----------------------------------------------------------------- load_data
def _arrays(graph: Graph, prefix: str, nodes) -> Atom | Group:
    """data["x"] or {input name: data["x_<name>"]} / a list of outputs."""
    if len(nodes) == 1:
        return Atom(f"data[{string_literal(prefix)}]")
    keyed = prefix.startswith("x")
    items = [Item(Atom(f"data[{string_literal(f'{prefix}_{n.name}')}]"),
                  string_literal(n.name) + ": " if keyed else "") for n in nodes]
    return Group("", "{" if keyed else "[", items, "}" if keyed else "]")


def _load_data(graph: Graph, config: TrainingConfig) -> list[str]:
    spec = config.data_spec
    doc = I1 + '"""Return training (x, y) and test (x, y), or None for no test."""'
    lines = ["def load_data():", doc]
    if spec.kind in ("npz", "builtin"):
        ins, outs = graph.input_nodes(), graph.output_nodes()
        first_test = "x_test" if len(ins) == 1 else f"x_test_{ins[0].name}"
        lines += render(_call("np.load", Atom(string_literal(spec.path))), 4,
                        f"{I1}with ", " as data:")
        train = Group("", "(", [Item(_arrays(graph, "x", ins)),
                                Item(_arrays(graph, "y", outs))], ")")
        test = Group("", "(", [Item(_arrays(graph, "x_test", ins)),
                               Item(_arrays(graph, "y_test", outs))], ")")
        lines += render(train, 8, f"{I2}train = ", "")
        lines += [f"{I2}test = None", f"{I2}if {string_literal(first_test)} in data:"]
        lines += render(test, 12, f"{I2}{I1}test = ", "")
        lines.append(f"{I1}return train, test")
    elif spec.kind == "csv":
        seed = config.seed if config.seed is not None else 0
        lines += render(_call("open", Atom(string_literal(spec.path)),
                              newline=_lit("")), 4, f"{I1}with ", " as fh:")
        lines += [
            f"{I2}rows = list(csv.reader(fh))",
            f'{I1}table = np.array(rows[1:], dtype="float32")',
        ]
        lines += render(_call("rows[0].index", Atom(string_literal(spec.column))), 4,
                        f"{I1}column = ", "")
        lines += [
            f"{I1}x, y = np.delete(table, column, axis=1), table[:, column]",
            f"{I1}order = np.random.default_rng({seed}).permutation(len(x))",
            f"{I1}test, train = order[: len(x) // 5], order[len(x) // 5 :]",
            f"{I1}return (x[train], y[train]), (x[test], y[test])",
        ]
    elif spec.kind == "keras":
        lines += _keras_dataset(graph, spec.target)
    else:
        shape = graph.input_nodes()[0].params["shape"]
        mode = {1: "grayscale", 3: "rgb", 4: "rgba"}.get(shape[2], "rgb")
        call = _call(
            "keras.utils.image_dataset_from_directory", Atom(string_literal(spec.path)),
            validation_split=_lit(config.validation_split or 0.2),
            subset=_lit("both"),
            seed=_lit(config.seed if config.seed is not None else 0),
            image_size=literal(shape[:2], tuples=True),
            color_mode=_lit(mode), batch_size=_lit(config.batch_size))
        lines += render(call, 4, f"{I1}return ", "")
    return lines


def _keras_dataset(graph: Graph, name: str) -> list[str]:
    inp = graph.input_nodes()[0]
    shape = inp.params.get("shape") or []
    args = ""
    if name in SEQUENCE_DATASETS:
        embedding = next((n for n in graph.nodes.values() if n.type == "Embedding"),
                         None)
        if embedding is not None:
            args = f"num_words={int(embedding.params['input_dim'])}"
    lines = [f"{I1}(x_train, y_train), (x_test, y_test) = "
             f"keras.datasets.{name}.load_data({args})"]
    if len(lines[0]) > 88:
        lines = [f"{I1}dataset = keras.datasets.{name}",
                 f"{I1}(x_train, y_train), (x_test, y_test) = "
                 f"dataset.load_data({args})"]
    if name in IMAGE_DATASETS and shape and None not in shape:
        target = literal([-1] + list(shape), tuples=True)
        for x in ("x_train", "x_test"):
            lines.append(f'{I1}{x} = {x}.reshape({flat(target)}).astype("float32") '
                         "/ 255")
    elif name in SEQUENCE_DATASETS and shape and shape[0] is not None:
        for x in ("x_train", "x_test"):
            lines.append(f"{I1}{x} = keras.utils.pad_sequences({x}, "
                         f"maxlen={int(shape[0])})")
    lines.append(f"{I1}return (x_train, y_train), (x_test, y_test)")
    return lines


# ----------------------------------------------------------------- train
def _optimizer(config: TrainingConfig) -> Group:
    kwargs = {"learning_rate": _lit(config.learning_rate)}
    if config.optimizer in ("sgd", "rmsprop") and config.momentum:
        kwargs["momentum"] = _lit(config.momentum)
    if config.optimizer == "adamw":
        kwargs["weight_decay"] = _lit(config.weight_decay)
    return _call(f"keras.optimizers.{OPTIMIZER_CLASSES[config.optimizer]}", **kwargs)


def _callbacks(config: TrainingConfig) -> list[Group]:
    out = []
    if config.early_stopping is not None:
        c = config.early_stopping
        out.append(_call("keras.callbacks.EarlyStopping", monitor=_lit(c.monitor),
                         patience=_lit(c.patience),
                         restore_best_weights=_lit(c.restore_best_weights)))
    if config.reduce_lr_on_plateau is not None:
        c = config.reduce_lr_on_plateau
        out.append(_call("keras.callbacks.ReduceLROnPlateau", monitor=_lit(c.monitor),
                         factor=_lit(c.factor), patience=_lit(c.patience),
                         min_lr=_lit(c.min_lr)))
    if config.checkpoint is not None:
        c = config.checkpoint
        out.append(_call("keras.callbacks.ModelCheckpoint", _lit(c.path),
                         monitor=_lit(c.monitor),
                         save_best_only=_lit(c.save_best_only)))
    return out


def _losses_and_metrics(graph: Graph, config: TrainingConfig):
    outputs = graph.output_nodes()
    if len(outputs) == 1:
        return (_lit(config.loss_for(outputs[0].name)), _lit(list(config.metrics)))
    return (_lit([config.loss_for(n.name) for n in outputs]),
            _lit([list(config.metrics) for _ in outputs]))


def _train(graph: Graph, config: TrainingConfig, distributed: bool) -> list[str]:
    if distributed:
        return _train_distributed(graph, config)
    loss, metrics = _losses_and_metrics(graph, config)
    lines = ["def train(model: keras.Model) -> keras.callbacks.History:",
             f'{I1}"""Compile, fit and evaluate the model as configured in '
             'NetBuilder."""']
    compile_call = _call("model.compile", optimizer=_optimizer(config), loss=loss,
                         metrics=metrics)
    lines += render(compile_call, 4, I1, "")
    dataset = config.data_spec.kind == "folder"
    fit_kwargs: dict = {}
    if dataset:
        lines.append(f"{I1}train_data, validation_data = load_data()")
        args = [Atom("train_data")]
        fit_kwargs["validation_data"] = Atom("validation_data")
    else:
        lines.append(f"{I1}(x_train, y_train), test = load_data()")
        args = [Atom("x_train"), Atom("y_train")]
        fit_kwargs["batch_size"] = _lit(config.batch_size)
    fit_kwargs["epochs"] = _lit(config.epochs)
    if not dataset and config.validation_split:
        fit_kwargs["validation_split"] = _lit(config.validation_split)
    callbacks = _callbacks(config)
    if callbacks:
        fit_kwargs["callbacks"] = Group("", "[", [Item(c) for c in callbacks], "]")
    lines += render(_call("model.fit", *args, **fit_kwargs), 4, f"{I1}history = ", "")
    if dataset:
        lines.append(f"{I1}model.evaluate(validation_data)")
    else:
        lines += [f"{I1}if test is not None:",
                  f"{I2}x_test, y_test = test",
                  f"{I2}model.evaluate(x_test, y_test, "
                  f"batch_size={flat(_lit(config.batch_size))})"]
    lines.append(f"{I1}return history")
    return lines


def _train_distributed(graph: Graph, config: TrainingConfig) -> list[str]:
    """train() under a tf.distribute strategy: compile in its scope, a global
    batch of batch_size per replica, tf.data pipelines (uneven last batches
    are split across replicas correctly), BackupAndRestore for workers."""
    loss, metrics = _losses_and_metrics(graph, config)
    lines = ["def train(model: keras.Model, strategy: tf.distribute.Strategy, "
             "backup_dir: str):",
             f'{I1}"""Compile, fit and evaluate the model as configured in '
             'NetBuilder."""',
             f"{I1}with strategy.scope():"]
    compile_call = _call("model.compile", optimizer=_optimizer(config), loss=loss,
                         metrics=metrics)
    lines += render(compile_call, 8, I2, "")
    multi = "isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)"
    if config.data_spec.kind == "folder":
        lines += [f"{I1}train_data, validation_data = load_data()",
                  f"{I1}test_data = validation_data"]
    else:
        batch = flat(_lit(config.batch_size))
        seed = config.seed if config.seed is not None else 0
        split = flat(_lit(float(config.validation_split or 0.0)))
        lines += [
            f"{I1}batch_size = {batch} * strategy.num_replicas_in_sync"
            f"  # {batch} per replica",
            f"{I1}(x_train, y_train), test = load_data()",
            f"{I1}data = tf.data.Dataset.from_tensor_slices((x_train, y_train))",
            f"{I1}n_train = len(data) - int(len(data) * {split})",
            f"{I1}train_data = data.take(n_train).shuffle(n_train, seed={seed})",
            f"{I1}train_data = train_data.batch(batch_size)",
            f"{I1}validation_data = data.skip(n_train).batch(batch_size)",
            f"{I1}if n_train == len(data):",
            f"{I2}validation_data = None",
            f"{I1}test_data = None",
            f"{I1}if test is not None:",
            f"{I2}test_data = tf.data.Dataset.from_tensor_slices(test)"
            ".batch(batch_size)",
        ]
    lines += [f"{I1}# Keras's own build would average the first distributed batch,",
              f"{I1}# which fails when it does not split evenly across replicas",
              f"{I1}multi_worker = {multi}",
              f"{I1}if multi_worker or strategy.num_replicas_in_sync > 1:",
              f"{I2}x, y = next(iter(train_data))",
              f"{I2}prebuild(model, strategy, x, y)"]
    callbacks = _callbacks(config)
    if callbacks:
        lines += render(Group("", "[", [Item(c) for c in callbacks], "]"), 4,
                        f"{I1}callbacks = ", "")
    else:
        lines.append(f"{I1}callbacks = []")
    lines += [f"{I1}if {multi}:",
              f"{I2}# a restarted worker resumes from the last finished epoch",
              f"{I2}backup = os.path.join(backup_dir, task_id())",
              f"{I2}callbacks.append(keras.callbacks.BackupAndRestore(backup))"]
    fit = _call("model.fit", Atom("train_data"),
                validation_data=Atom("validation_data"),
                epochs=_lit(config.epochs), callbacks=Atom("callbacks"))
    lines += render(fit, 4, f"{I1}history = ", "")
    lines += [f"{I1}if test_data is not None:",
              f"{I2}model.evaluate(test_data)",
              f"{I1}return history"]
    return lines


# ----------------------------------------------------------------- main
def _main(config: TrainingConfig, distributed: bool) -> list[str]:
    lines = ['if __name__ == "__main__":']
    if distributed:
        lines += [f"{I1}args = parse_args()", f"{I1}strategy = make_strategy(args)"]
    if config.seed is not None:
        lines.append(f"{I1}keras.utils.set_random_seed({int(config.seed)})")
    if distributed:
        lines += [f"{I1}with strategy.scope():", f"{I2}model = build_model()",
                  f"{I1}model.summary()",
                  f"{I1}train(model, strategy, args.backup_dir)"]
    else:
        lines += [f"{I1}model = build_model()", f"{I1}model.summary()",
                  f"{I1}train(model)"]
    export = config.export
    if export:
        path = Atom(string_literal(export["path"]))
        if distributed:
            # every worker saves (collective ops); only the chief's copy stays
            path = Group("output_path", "(", [Item(path)], ")")
        if export["format"] == "savedmodel":
            lines += render(_call("model.export", path), 4, I1, "")
        elif export["format"] == "keras":
            lines += render(_call("model.save", path), 4, I1, "")
        else:
            lines.append(f"{I1}converter = "
                         "tf.lite.TFLiteConverter.from_keras_model(model)")
            lines += render(_call("open", path, Atom('"wb"')), 4, f"{I1}with ",
                            " as fh:")
            lines.append(f"{I2}fh.write(converter.convert())")
    return lines
