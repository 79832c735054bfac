"""The graph and everything a project file holds: layers catalog, ports,
params, groups, project files, training configuration, data specs, layout.
Pure Python: never imports Keras.
"""

from netbuilder.engine.model.catalog import (
    Catalog,
    LayerSpec,
    ParamSpec,
    get_catalog,
    set_catalog,
)
from netbuilder.engine.model.data_spec import (
    DataError,
    DataSpec,
    parse_spec,
)
from netbuilder.engine.model.errors import (
    CycleError,
    GraphError,
    ParamError,
    PortError,
)
from netbuilder.engine.model.events import (
    EdgeAdded,
    EdgeRemoved,
    ExtraChanged,
    GraphEvent,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    Observable,
    ParamChanged,
    SharesChanged,
)
from netbuilder.engine.model.graph import (
    Edge,
    Graph,
    Node,
)
from netbuilder.engine.model.groups import (
    GroupError,
    flatten_group,
    group_nodes,
    inner_graph,
)
from netbuilder.engine.model.layout import (
    layout_graph,
    layout_positions,
)
from netbuilder.engine.model.project import (
    LoadResult,
    Problem,
    dumps,
    from_dict,
    graph_to_dict,
    load_project,
    loads,
    save_project,
)
from netbuilder.engine.model.training_config import (
    TrainingConfig,
    TrainingConfigError,
    training_config_of,
)

__all__ = [
    "Catalog",
    "CycleError",
    "DataError",
    "DataSpec",
    "Edge",
    "EdgeAdded",
    "EdgeRemoved",
    "ExtraChanged",
    "Graph",
    "GraphError",
    "GraphEvent",
    "GroupError",
    "LayerSpec",
    "LoadResult",
    "Node",
    "NodeAdded",
    "NodeMoved",
    "NodeRemoved",
    "NodeRenamed",
    "Observable",
    "ParamChanged",
    "ParamError",
    "ParamSpec",
    "PortError",
    "Problem",
    "SharesChanged",
    "TrainingConfig",
    "TrainingConfigError",
    "dumps",
    "flatten_group",
    "from_dict",
    "get_catalog",
    "graph_to_dict",
    "group_nodes",
    "inner_graph",
    "layout_graph",
    "layout_positions",
    "load_project",
    "loads",
    "parse_spec",
    "save_project",
    "set_catalog",
    "training_config_of",
]
