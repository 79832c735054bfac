"""Graph to Python: the model module, the training script, tf.distribute
helpers, and executing the generated code to build the model.
"""

from netbuilder.engine.codegen.execute import (
    BuildError,
    BuiltModel,
    build,
    build_model,
)
from netbuilder.engine.codegen.module import (
    CodegenError,
    CodeProblem,
    GeneratedCode,
    check_graph,
    generate,
    generate_code,
)
from netbuilder.engine.codegen.training import (
    TrainingSection,
    training_section,
)

__all__ = [
    "BuildError",
    "BuiltModel",
    "CodeProblem",
    "CodegenError",
    "GeneratedCode",
    "TrainingSection",
    "build",
    "build_model",
    "check_graph",
    "generate",
    "generate_code",
    "training_section",
]
