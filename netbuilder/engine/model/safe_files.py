"""Writing files without losing or littering: atomic replace, normal modes,
stale-temp cleanup and a per-folder lock for read-modify-write updates.

Every temporary file is named ``.<target name>.<random>.tmp`` beside its
target and is held under an exclusive ``flock`` while it is written (a lock
of the open file, which outlives the writer's own opens and closes but not
its process). A temp that can be locked therefore belongs to a writer that
died (a killed save): :func:`remove_stale_temps` deletes exactly those.
HDF5 writers must open the temp with ``locking=False``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

try:  # POSIX; on other systems writes stay atomic but unlocked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_umask_lock = threading.Lock()
_writing: set[str] = set()  # temps this process is writing now


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def current_umask() -> int:
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def target_mode(path: Path) -> int:
    """The mode a plain ``open(path, "w")`` would leave: an existing file's
    own mode, else 0666 minus the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~current_umask()


def _try_lock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def remove_stale_temps(path: str | os.PathLike) -> list[Path]:
    """Delete temp siblings of ``path`` left by writers that died; a temp
    whose writer is still running is locked and kept. Returns what went."""
    path = Path(path)
    if fcntl is None:
        return []
    removed = []
    for tmp in _folder(path).glob(f".{path.name}.*.tmp"):
        if str(tmp.resolve()) in _writing:
            continue
        try:
            fd = os.open(tmp, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _try_lock(fd) and tmp.exists():
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _fsync_folder(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a locked temp path beside ``path`` to write in full (by any
    library); on success it is fsynced, given ``path``'s mode and renamed
    over ``path``. On failure the temp is removed and ``path`` untouched."""
    path = Path(path)
    folder = _folder(path)
    remove_stale_temps(path)
    mode = target_mode(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                    dir=folder)
    tmp = Path(tmp_name)
    key = str(tmp.resolve())
    _writing.add(key)
    try:
        _try_lock(fd)
        yield tmp
        os.fsync(fd)  # same file: flushes what the writer wrote
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        _writing.discard(key)
        os.close(fd)
    _fsync_folder(folder)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write via a temporary file in the same folder, fsync, then rename:
    a crash mid-save leaves the previous file intact."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def folder_lock(path: str | os.PathLike) -> Iterator[None]:
    """Exclusive lock on the folder holding ``path`` (``flock`` on the
    folder itself, so no lock file is left behind) for read-modify-write
    updates of files in it; other processes wait for it."""
    fd = None
    if fcntl is not None:
        try:
            fd = os.open(_folder(Path(path)), os.O_RDONLY)
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a folder that cannot be read or locked (some network
            if fd is not None:  # file systems): go on unlocked, as before
                os.close(fd)
            fd = None
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # closing releases the lock
