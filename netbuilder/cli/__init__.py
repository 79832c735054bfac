"""The `netbuilder` command: one module per verb."""
from netbuilder.cli.main import main

__all__ = ["main"]
