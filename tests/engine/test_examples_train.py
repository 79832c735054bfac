"""Every bundled example trains from the settings saved in it, on bundled
data that fits it (one epoch on a slice of the data, to stay fast)."""

import math
import shutil
import subprocess
import sys

import numpy as np
import pytest

from netbuilder.engine.model.project import load_project
from netbuilder.engine.model.training_config import training_config_of
from netbuilder.engine.training import session as tr
from netbuilder.engine.training.datasets import Split, load_data
from netbuilder.engine.training.synthetic_sets import SETS
from tests.engine.engine_helpers import EXAMPLES, ROOT

DATA = ROOT / "resources" / "datasets"


def _slice(split: Split, n: int) -> Split:
    return Split([a[:n] for a in split.x], [a[:n] for a in split.y])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_trains_one_epoch_from_its_saved_settings(path):
    graph = load_project(path).graph
    config = training_config_of(graph)
    assert config is not None, f"{path.name} has no training settings"
    assert config.data.startswith("builtin:")
    data = load_data(config.data, seed=config.seed or 0,
                     validation_split=config.validation_split,
                     input_names=[n.name for n in graph.input_nodes()],
                     output_names=[n.name for n in graph.output_nodes()])
    assert len(data.train) >= 1600
    data.train, data.validation = _slice(data.train, 128), _slice(data.validation, 64)
    config.epochs = 1
    events = []
    session = tr.TrainingSession(graph, config, dataset=data, listener=events.append)
    session.prepare()  # the data check passes: the data fits the model
    session.run()
    kinds = [e.kind for e in events]
    assert kinds[-1] == tr.FINISHED, [e.message for e in events]
    assert session.completed_epochs == 1
    assert math.isfinite(session.history["loss"][0])
    assert math.isfinite(session.history["val_loss"][0])


def test_cli_trains_a_copy_of_an_example(tmp_path):
    project = tmp_path / "mlp.nbproj"
    shutil.copy(ROOT / "resources" / "examples" / "mlp_classifier.nbproj", project)
    done = subprocess.run(
        [sys.executable, "-m", "netbuilder.cli.main", "train", str(project),
         "--epochs", "2"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "data: features100: 2400 training samples, 600 validation" in done.stdout
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith("evaluation on the validation split (600 samples)")
    accuracy = float(line.split("accuracy=")[1].split()[0])
    assert accuracy > 0.8  # two epochs of the saved settings already learn it


@pytest.mark.parametrize("name", sorted(SETS))
def test_bundled_sets_are_what_their_generator_makes(name):
    made = SETS[name]()
    with np.load(DATA / f"{name}.npz") as bundled:
        assert sorted(bundled.files) == sorted(made)
        for key, array in made.items():
            np.testing.assert_array_equal(bundled[key], array)
    assert (DATA / f"{name}.npz").stat().st_size < 1_500_000


def test_bundled_set_shapes_and_classes():
    shapes = load_data("builtin:shapes32")
    assert shapes.train.x[0].shape == (4000, 32, 32, 3)
    assert shapes.train.x[0].dtype == np.uint8
    assert np.bincount(shapes.train.y[0]).tolist() == [400] * 10
    assert shapes.class_names[:3] == ["disk", "square", "triangle"]
    auto = load_data("builtin:glyphs28")
    np.testing.assert_array_equal(auto.train.x[0], auto.train.y[0])
    meta = load_data("builtin:shapes_meta", input_names=["image", "metadata"],
                     output_names=["category", "score"])
    assert [a.shape for a in meta.train.x] == [(2000, 28, 28, 1), (2000, 8)]
    assert [a.shape for a in meta.train.y] == [(2000,), (2000, 1)]
    reviews = load_data("builtin:reviews80")
    x = reviews.train.x[0]
    assert x.shape == (3000, 80) and x.dtype == np.int32
    assert x.max() < 10_000 and (x[:, 0] == 0).any()  # padded at the front
    assert reviews.train.y[0].mean() == 0.5


def test_cli_never_writes_into_the_bundled_examples():
    from netbuilder.cli.main import main

    example = ROOT / "resources" / "examples" / "mlp_classifier.nbproj"
    before = example.read_bytes()
    assert main(["train", str(example), "--save-run", "--epochs", "1"]) == 2
    assert example.read_bytes() == before
    assert not (example.parent / "mlp_classifier.weights.h5").exists()
