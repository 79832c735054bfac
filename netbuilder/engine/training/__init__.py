"""Training sessions: datasets, data checks against the model, tf.distribute
strategies, run history.
"""

from netbuilder.engine.training.data_check import (
    DataProblem,
    check_data,
)
from netbuilder.engine.training.datasets import (
    Dataset,
    Split,
    load_data,
)
from netbuilder.engine.training.distribute import (
    DistributeError,
    StrategyInfo,
    make_strategy,
)
from netbuilder.engine.training.history import (
    write_history,
)
from netbuilder.engine.training.session import (
    TrainingError,
    TrainingEvent,
    TrainingSession,
    keep_weights,
    record_run,
    record_run_in_file,
)

__all__ = [
    "DataProblem",
    "Dataset",
    "DistributeError",
    "Split",
    "StrategyInfo",
    "TrainingError",
    "TrainingEvent",
    "TrainingSession",
    "check_data",
    "keep_weights",
    "load_data",
    "make_strategy",
    "record_run",
    "record_run_in_file",
    "write_history",
]
