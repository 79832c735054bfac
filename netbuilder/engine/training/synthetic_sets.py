"""The generated data sets bundled with NetBuilder, one per example.

Every set is a pure function of its seed, written as ``resources/datasets/
NAME.npz`` with the keys the examples' Input and Output nodes expect, so
a training script exported from NetBuilder loads exactly the same arrays.
Regenerate them all with::

    python resources/datasets/make_datasets.py [FOLDER]

See ``resources/datasets/README.md`` for what each set holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from netbuilder.engine.model.data_spec import RESOURCES
from netbuilder.engine.training.synthetic_images import SHAPE_CLASSES, shape_images

VOCABULARY = 10_000
# shapes_meta's five classes: disk, square, triangle, ring, plus
META_KINDS = [0, 1, 2, 3, 4]
NOT, POSITIVE, NEGATIVE, NEUTRAL = 1, range(2, 32), range(32, 62), (100, 1100)


def shapes32(seed: int = 0, n: int = 4000) -> dict[str, np.ndarray]:
    """32×32 colour images (uint8 0–255) of the ten SHAPE_CLASSES."""
    x, y = shape_images(n, seed, size=32, channels=3)
    return {"x": x, "y": y}


def glyphs28(seed: int = 1, n: int = 2000) -> dict[str, np.ndarray]:
    """28×28 grey images for an autoencoder: the target is the input."""
    x, _ = shape_images(n, seed, size=28, channels=1)
    return {"x": x, "y": x.copy()}


def features100(seed: int = 2, n: int = 3000) -> dict[str, np.ndarray]:
    """100 float features of 10 classes: noisy class centres in a
    12-dimensional space, mixed non-linearly into 100 columns."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (10, 12))
    y = np.arange(n) % 10
    rng.shuffle(y)
    latent = centres[y] + rng.normal(0, 0.75, (n, 12))
    mixing = rng.normal(0, 1, (12, 100)) / np.sqrt(12)
    x = np.tanh(latent @ mixing) + rng.normal(0, 0.3, (n, 100))
    return {"x": x.astype("float32"), "y": y.astype("int64")}


def _review(rng: np.random.Generator, positive: bool, length: int) -> list[int]:
    """Neutral words with a few sentiment words; "not" (id 1) flips the
    next sentiment word, so word order matters."""
    while True:
        words = [int(w) for w in rng.integers(*NEUTRAL, length)]
        score, slots = 0, rng.choice(length - 1, rng.integers(3, 7), replace=False)
        for slot in sorted(slots):
            good = rng.random() < 0.7
            word = int(rng.choice(POSITIVE if good else NEGATIVE))
            negated = rng.random() < 0.15
            words[slot + 1] = word
            if negated:
                words[slot] = NOT
            score += (1 if good else -1) * (-1 if negated else 1)
        if score != 0 and (score > 0) == positive:
            return words


def reviews80(seed: int = 3, n: int = 3000, steps: int = 80) -> dict[str, np.ndarray]:
    """Token-id "reviews" (int32, zero-padded at the front to ``steps``),
    labelled 1 when their sentiment words add up positive."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    rng.shuffle(y)
    x = np.zeros((n, steps), dtype="int32")
    for i, label in enumerate(y):
        words = _review(rng, bool(label), int(rng.integers(20, steps + 1)))
        x[i, steps - len(words):] = words
    return {"x": x, "y": y.astype("float32")}


def shapes_meta(seed: int = 4, n: int = 2000) -> dict[str, np.ndarray]:
    """Two inputs, two outputs: a 28×28 grey image of one of five
    shape classes (META_KINDS) and 8 measurements; the targets are the shape class
    (``category``) and a score mixing the measurements with how much of
    the image the shape covers (``score``)."""
    images, category = shape_images(n, seed, size=28, channels=1,
                                     kinds=META_KINDS)
    rng = np.random.default_rng(seed + 100)
    metadata = rng.normal(0, 1, (n, 8)).astype("float32")
    weights = np.array([0.8, -0.5, 0.3, 0, 0, 0.2, 0, -0.4], dtype="float32")
    background = np.median(images.reshape(n, -1), axis=1, keepdims=True)
    cover = (np.abs(images.reshape(n, -1).astype("float32") - background)
             > 40).mean(axis=1)
    score = metadata @ weights + 4.0 * (cover - cover.mean())
    return {"x_image": images, "x_metadata": metadata,
            "y_category": category, "y_score": score[:, None].astype("float32")}


SETS = {"shapes32": shapes32, "glyphs28": glyphs28, "features100": features100,
        "reviews80": reviews80, "shapes_meta": shapes_meta}
CLASS_NAMES = {"shapes32": SHAPE_CLASSES, "features100": [f"c{i}" for i in range(10)],
               "reviews80": ["negative", "positive"],
               "shapes_meta": [SHAPE_CLASSES[k] for k in META_KINDS]}


def write_sets(folder: Path = RESOURCES) -> list[Path]:
    written = []
    for name, make in SETS.items():
        path = Path(folder) / f"{name}.npz"
        np.savez_compressed(path, **make())
        written.append(path)
    return written

