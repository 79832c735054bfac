"""Data sources: bundled, synthetic, npz, csv, folders, keras offline."""

import time

import numpy as np
import pytest

from netbuilder.engine.training.datasets import (
    DataError,
    load_data,
    parse_spec,
    synthetic_arrays,
)


def test_bundled_digits_and_deterministic_split():
    a = load_data("builtin:digits", seed=3, validation_split=0.2, test_split=0.1)
    b = load_data("builtin:digits", seed=3, validation_split=0.2, test_split=0.1)
    assert len(a.train) + len(a.validation) + len(a.test) == 1797
    assert len(a.test) == 180 and len(a.validation) == 359
    assert a.train.x[0].shape[1:] == (8, 8, 1)
    assert a.class_names == [str(i) for i in range(10)]
    assert set(np.unique(a.train.y[0])) == set(range(10))
    np.testing.assert_array_equal(a.test.y[0], b.test.y[0])
    c = load_data("builtin:digits", seed=4, test_split=0.1)
    assert not np.array_equal(a.test.y[0], c.test.y[0])


@pytest.mark.parametrize("name, x_shape, task", [
    ("spirals", (2,), "classification"), ("moons", (2,), "classification"),
    ("regression", (1,), "regression"), ("sequence", (20, 1), "classification")])
def test_synthetic_builtins_match_their_generators(name, x_shape, task):
    data = load_data(f"builtin:{name}")
    assert data.train.x[0].shape[1:] == x_shape and data.task == task
    x, y = synthetic_arrays(name)
    np.testing.assert_array_equal(np.sort(data.train.y[0], axis=0),
                                  np.sort(y, axis=0))


def test_npz_with_own_splits_and_named_arrays(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.zeros((10, 3)), y=np.arange(10), x_val=np.ones((4, 3)),
             y_val=np.arange(4), x_test=np.ones((2, 3)), y_test=np.arange(2))
    data = load_data(f"npz:{path}", validation_split=0.5)
    assert len(data.train) == 10 and len(data.validation) == 4 and len(data.test) == 2
    multi = tmp_path / "m.npz"
    np.savez(multi, x_image=np.zeros((5, 4, 4, 1)), x_meta=np.zeros((5, 2)),
             y_label=np.arange(5))
    data = load_data(f"npz:{multi.name}", base_dir=tmp_path,
                     input_names=["image", "meta"], output_names=["label"])
    assert [a.shape for a in data.train.x] == [(5, 4, 4, 1), (5, 2)]
    with pytest.raises(DataError, match="expected x and y"):
        np.savez(path, a=np.zeros(3))
        load_data(f"npz:{path}")
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros((5, 2)), y=np.zeros(4))
    with pytest.raises(DataError, match="different numbers of samples"):
        load_data(f"npz:{bad}")


def test_csv_numeric_and_categorical(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text("a,b,species\n1,2,setosa\n3,4.5,virginica\n5,6,setosa\n")
    data = load_data(f"csv:{path}#target=species")
    assert data.train.x[0].shape == (3, 2)
    assert data.label_mapping == {"setosa": 0, "virginica": 1}
    assert data.class_names == ["setosa", "virginica"]
    num = tmp_path / "num.csv"
    num.write_text("x,y\n0.5,1.25\n1.5,2.5\n")
    assert load_data(f"csv:{num}#target=y").task == "regression"
    with pytest.raises(DataError, match="say which column"):
        load_data(f"csv:{path}")
    with pytest.raises(DataError, match="no column 'kind'"):
        load_data(f"csv:{path}#target=kind")
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b,t\n1,2,0\n1,oops,1\n")
    with pytest.raises(DataError, match=r"line 3, column 'b': 'oops' is not a number"):
        load_data(f"csv:{broken}#target=t")


def test_image_folder(tmp_path):
    import tensorflow as tf

    for cls in ("cats", "dogs"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            pixels = tf.constant(np.full((10, 12, 3), 40 * i, dtype=np.uint8))
            (tmp_path / cls / f"{i}.png").write_bytes(tf.io.encode_png(pixels).numpy())
    data = load_data(f"folder:{tmp_path}#size=8,8", validation_split=0.34)
    assert data.class_names == ["cats", "dogs"]
    images, labels = next(iter(data.pipelines["train"].batch(10)))
    assert tuple(images.shape[1:]) == (8, 8, 3)
    with pytest.raises(DataError, match="one sub-folder per class"):
        load_data(f"folder:{tmp_path / 'cats'}")


def test_keras_dataset_offline_is_a_clear_message_not_a_hang():
    t0 = time.perf_counter()
    with pytest.raises(DataError) as info:
        load_data("keras:fashion_mnist", timeout=10)
    assert time.perf_counter() - t0 < 60
    assert "keras:fashion_mnist" in str(info.value)
    assert "Traceback" not in str(info.value)


@pytest.mark.parametrize("spec, message", [
    ("digits", "must look like KIND:VALUE"),
    ("ftp:x", "unknown data source"),
    ("builtin:", "names no dataset"),
    ("builtin:imagenet", "unknown built-in dataset"),
    ("keras:imagenet", "unknown keras dataset"),
    ("keras:imdb", "exported training scripts"),
    ("npz:/no/such/file.npz", "no such file"),
    ("csv:x.csv#target", "must be KEY=VALUE"),
])
def test_bad_specs(spec, message):
    with pytest.raises(DataError, match=message):
        load_data(spec)


def test_parse_spec_options():
    spec = parse_spec("csv:data/t.csv#target=label&features=a,b")
    assert (spec.kind, spec.target) == ("csv", "data/t.csv")
    assert spec.options == {"target": "label", "features": "a,b"}
    with pytest.raises(DataError, match="leaves no training data"):
        load_data("builtin:moons", validation_split=0.6, test_split=0.5)
