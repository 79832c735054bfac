"""Regenerate the generated data sets in this folder (byte for byte).

    python resources/datasets/make_datasets.py [FOLDER]

digits.npz is not generated (see README.md); everything else here is made
by netbuilder.engine.training.datasets.write_synthetic and
netbuilder.engine.training.synthetic_sets.
"""

from __future__ import annotations

import sys
from pathlib import Path

from netbuilder.engine.model.data_spec import RESOURCES
from netbuilder.engine.training.datasets import write_synthetic


def main(folder: Path) -> None:
    write_synthetic(folder)
    for path in sorted(folder.glob("*.npz")):
        print(f"{path.name:20} {path.stat().st_size / 1e6:6.2f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else RESOURCES)
