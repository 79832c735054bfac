"""Parameters that name files, read safely.

Keras reads a lookup layer's ``vocabulary`` from a file when it is given as
text. A project file is untrusted, so Keras is never handed such a path:
NetBuilder reads the file itself, and only a regular file inside the
project's folder (symbolic links resolved), of at most
:data:`MAX_VOCABULARY_BYTES`, opened without blocking (a FIFO or a device is
refused before it is opened). Anything else is a problem on the node.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from netbuilder.engine.model.errors import ParamError

MAX_VOCABULARY_BYTES = 4 * 1024 * 1024
# (layer type, parameter) pairs whose text value Keras would open as a file.
FILE_PARAMS = {("StringLookup", "vocabulary"), ("IntegerLookup", "vocabulary"),
               ("TextVectorization", "vocabulary")}


class FileParamError(ParamError):
    """A parameter names a file that is not read (plain-words reason)."""


def is_file_param(type_name: str, key: str, value: Any) -> bool:
    return isinstance(value, str) and (type_name, key) in FILE_PARAMS


def project_folder(graph: Any) -> Path | None:
    """The folder of the project file the graph was loaded from or saved to."""
    path = getattr(graph, "path", None)
    return Path(path).resolve().parent if path else None


def _fail(key: str, value: str, why: str) -> FileParamError:
    return FileParamError(f"{key} file {value[:80]!r} {why}", key)


def checked_path(key: str, value: str, folder: Path | None) -> Path:
    """The file ``value`` names, inside ``folder``, as a regular file of a
    readable size; raises :class:`FileParamError`. Never opens the file."""
    if folder is None:
        raise _fail(key, value, "is read from the project's folder: save the "
                                "project first")
    if not value or "\x00" in value:
        raise _fail(key, value, "is not a file name")
    folder = folder.resolve()
    path = Path(os.path.realpath(folder / value))  # absolute value: itself
    if path != folder and folder not in path.parents:
        raise _fail(key, value, "is outside the project's folder; only files "
                                "next to the project are read")
    try:
        info = path.stat()
    except OSError:
        raise _fail(key, value, "was not found next to the project") from None
    if not stat.S_ISREG(info.st_mode):
        raise _fail(key, value, "is not a regular file (a folder, device or "
                                "pipe is never read)")
    if info.st_size > MAX_VOCABULARY_BYTES:
        raise _fail(key, value, f"is {info.st_size / 2**20:.1f} MB; vocabulary "
                                f"files are read up to "
                                f"{MAX_VOCABULARY_BYTES // 2**20} MB")
    return path


def read_vocabulary(key: str, value: str, folder: Path | None,
                    integers: bool = False) -> list:
    """The file's lines (one token per line; integers for IntegerLookup)."""
    path = checked_path(key, value, folder)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _fail(key, value, f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        # Checked again on the open file: it may have been swapped meanwhile.
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _fail(key, value, "is not a regular file")
        data = fh.read(MAX_VOCABULARY_BYTES + 1)
    if len(data) > MAX_VOCABULARY_BYTES:
        raise _fail(key, value, "grew beyond the size read for vocabularies")
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise _fail(key, value, f"is not UTF-8 text (byte {exc.start})") from None
    if not integers:
        return lines
    try:
        return [int(line) for line in lines]
    except ValueError:
        raise _fail(key, value, "must hold one integer per line") from None


def _names_files(type_name: str, params: dict[str, Any]) -> bool:
    return any(is_file_param(type_name, k, v) for k, v in params.items())


def inline_file_params(type_name: str, params: dict[str, Any],
                       graph: Any) -> dict[str, Any]:
    """``params`` with every file-valued parameter replaced by the contents
    of the file next to ``graph``'s project (what Keras and generated code
    receive); raises :class:`FileParamError`."""
    if not _names_files(type_name, params):
        return params
    folder = project_folder(graph)
    out = dict(params)
    for key, value in params.items():
        if is_file_param(type_name, key, value):
            out[key] = read_vocabulary(key, value, folder,
                                       integers=type_name == "IntegerLookup")
    return out


def file_param_problems(type_name: str, params: dict[str, Any], graph: Any,
                        read: bool = False) -> list[str]:
    """Why each file-valued parameter would not be read (checks the files
    without opening them; ``read=True`` reads them too)."""
    if not _names_files(type_name, params):
        return []
    folder = project_folder(graph)
    out = []
    for key, value in params.items():
        if not is_file_param(type_name, key, value):
            continue
        try:
            if read:
                read_vocabulary(key, value, folder,
                                integers=type_name == "IntegerLookup")
            else:
                checked_path(key, value, folder)
        except FileParamError as exc:
            out.append(str(exc))
    return out
