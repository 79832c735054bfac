"""Typed errors raised by graph operations, each with a plain-words message."""


class GraphError(Exception):
    """Base class: an operation on the graph was refused."""


class UnknownNodeError(GraphError):
    pass


class UnknownLayerTypeError(GraphError):
    pass


class DuplicateIdError(GraphError):
    pass


class DuplicateNameError(GraphError):
    pass


class InvalidNameError(GraphError):
    pass


class PortError(GraphError):
    """A port index out of range, or an input port that is already filled."""


class CycleError(GraphError):
    pass


class EdgeNotFoundError(GraphError):
    pass


class ParamError(GraphError):
    """A parameter value that does not fit its spec."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param
