"""Scoped changes of process-wide settings that running Keras needs.

Python offers only process-wide knobs for a few things Keras work depends
on: the recursion limit (Keras walks deep layer graphs recursively), the
default socket time-out (``keras.datasets`` downloads through urllib with no
time-out of its own) and file descriptor 2 (TensorFlow's C++ start-up
chatter). Each context manager here changes one of them for the duration of
a ``with`` block only, and is safe when several threads use it at once: the
setting holds what every active user asked for, and the value from before
the first user comes back when the last one leaves — never a value another
thread still relies on.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_recursion_wanted: list[int] = []
_recursion_before: int | None = None
_timeouts: list[float] = []
_timeout_before: float | None = None


@contextmanager
def recursion_limit_at_least(limit: int) -> Iterator[None]:
    """Raise the recursion limit to at least ``limit`` inside the block."""
    global _recursion_before
    with _lock:
        if not _recursion_wanted:
            _recursion_before = sys.getrecursionlimit()
        _recursion_wanted.append(limit)
        sys.setrecursionlimit(max([_recursion_before, *_recursion_wanted]))
    try:
        yield
    finally:
        with _lock:
            _recursion_wanted.remove(limit)
            sys.setrecursionlimit(max([_recursion_before, *_recursion_wanted]))


@contextmanager
def socket_timeout(seconds: float) -> Iterator[None]:
    """Give sockets without a time-out of their own ``seconds`` inside the
    block (the longest any active user asked for)."""
    global _timeout_before
    with _lock:
        if not _timeouts:
            _timeout_before = socket.getdefaulttimeout()
        _timeouts.append(seconds)
        socket.setdefaulttimeout(max(_timeouts))
    try:
        yield
    finally:
        with _lock:
            _timeouts.remove(seconds)
            socket.setdefaulttimeout(max(_timeouts) if _timeouts else _timeout_before)


_stderr_lock = threading.Lock()


@contextmanager
def silenced_stderr() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null inside the block (C++ libraries
    write there directly). One block at a time; Python exceptions still
    propagate and descriptor 2 is restored even when the block fails."""
    with _stderr_lock:
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all: nothing to silence
            yield
            return
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
