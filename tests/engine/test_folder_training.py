"""Image folders and npz files as training data: training and evaluation
work, images load at the Input's size, bad files give plain messages."""

import numpy as np
import pytest
from engine_helpers import chain

from netbuilder.cli import main
from netbuilder.engine.model.graph import Graph
from netbuilder.engine.model.project import load_project, save_project
from netbuilder.engine.model.training_config import TrainingConfig
from netbuilder.engine.training import session as tr
from netbuilder.engine.training.datasets import DataError, load_data
from netbuilder.engine.training.session import TrainingSession


def image_folder(root, per_class=(13, 11), size=(20, 24)):
    from PIL import Image

    rng = np.random.default_rng(0)
    for cls, count in zip(("cats", "dogs"), per_class, strict=True):
        (root / cls).mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(0, 255, (*size, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / cls / f"{i}.png")
    return root


def image_graph(shape):
    g = Graph("pets")
    chain(g, [("Input", {"shape": shape}), ("Flatten", {}),
              ("Dense", {"units": 2, "activation": "softmax"}), ("Output", {})])
    return g


def test_folder_images_load_at_the_inputs_size_unless_size_is_given(tmp_path):
    folder = image_folder(tmp_path / "pets")
    data = load_data(f"folder:{folder}", image_shape=[12, 10, 1])
    images, labels = next(iter(data.pipelines["train"].batch(100)))
    assert tuple(images.shape) == (24, 12, 10, 1)
    assert sorted(np.asarray(labels).tolist()) == [0] * 13 + [1] * 11
    data = load_data(f"folder:{folder}#size=8,8", image_shape=[12, 10, 3])
    images, _ = next(iter(data.pipelines["train"].batch(100)))
    assert tuple(images.shape) == (24, 8, 8, 3)
    assert "24 training images" in data.summary()


def test_folder_training_evaluates_and_records(tmp_path, capsys):
    folder = image_folder(tmp_path / "pets")
    g = image_graph([12, 10, 3])
    g.extra["training"] = {"data": "folder:pets", "epochs": 1, "batch_size": 4,
                           "seed": 0, "validation_split": 0.25}
    path = tmp_path / "pets.nbproj"
    save_project(g, path)
    assert main(["train", str(path), "--save-run"]) == 0
    out = capsys.readouterr().out
    assert "evaluation on the validation split (6 samples)" in out
    [run] = load_project(path).graph.extra["runs"]
    assert np.array(run["evaluation"]["confusion_matrix"]).sum() == 6
    assert run["evaluation"]["class_names"] == ["cats", "dogs"]
    assert folder.exists()


def test_npz_with_an_object_array_is_a_clear_message(tmp_path):
    path = tmp_path / "ragged.npz"
    ragged = np.empty(3, dtype=object)
    ragged[:] = [[1, 2], [3], [4, 5, 6]]
    np.savez(path, x=ragged, y=np.arange(3))
    with pytest.raises(DataError) as info:
        load_data(f"npz:{path}")
    message = str(info.value)
    assert "ragged.npz: the array 'x' holds Python objects" in message
    assert "\n" not in message


def test_an_image_that_is_not_an_image_is_named(tmp_path):
    folder = image_folder(tmp_path / "pets")
    (folder / "dogs" / "4.png").write_bytes(b"this is not a picture")
    with pytest.raises(DataError, match=r"the image pets/dogs/4\.png is not a valid "
                                        r"PNG file"):
        load_data(f"folder:{folder}", image_shape=[12, 10, 3])


def test_a_truncated_image_stops_training_with_its_name(tmp_path):
    folder = image_folder(tmp_path / "pets")
    bad = folder / "cats" / "7.png"
    bad.write_bytes(bad.read_bytes()[:60])  # a valid header, then nothing
    events = []
    config = TrainingConfig(data=f"folder:{folder}", epochs=1, batch_size=8, seed=0)
    session = TrainingSession(image_graph([12, 10, 3]), config,
                              listener=events.append)
    session.run()
    [failed] = [e for e in events if e.kind == tr.FAILED]
    assert failed.message == ("training failed: the image pets/cats/7.png is damaged "
                              "and cannot be decoded")
