"""Where NetBuilder keeps its settings and recovery files.

Both locations can be overridden with the ``NETBUILDER_CONFIG_DIR``
environment variable (the tests point it at a temporary folder), so nothing
ever has to touch the real home directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

ORG = "NetBuilder"
APP = "NetBuilder"


def config_dir() -> Path:
    override = os.environ.get("NETBUILDER_CONFIG_DIR")
    if override:
        path = Path(override)
    else:
        base = QStandardPaths.writableLocation(QStandardPaths.AppConfigLocation)
        path = Path(base or Path.home() / ".config" / "netbuilder")
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings() -> QSettings:
    if os.environ.get("NETBUILDER_CONFIG_DIR"):
        return QSettings(str(config_dir() / "netbuilder.ini"), QSettings.IniFormat)
    return QSettings(ORG, APP)


def recovery_dir() -> Path:
    path = config_dir() / "recovery"
    path.mkdir(parents=True, exist_ok=True)
    return path


def examples_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "examples"


def style_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "style"
