"""Process-wide settings changed for Keras work are scoped: overlapping users
(threads) each keep what they asked for, and the old value comes back."""

import socket
import sys
import threading

from netbuilder.engine.keras.process_state import (
    recursion_limit_at_least,
    silenced_stderr,
    socket_timeout,
)


def test_overlapping_recursion_limits_never_undo_each_other():
    before = sys.getrecursionlimit()
    first, second = recursion_limit_at_least(before + 4000), \
        recursion_limit_at_least(before + 2000)
    first.__enter__()
    second.__enter__()
    assert sys.getrecursionlimit() == before + 4000
    first.__exit__(None, None, None)  # the first user leaves before the second
    assert sys.getrecursionlimit() == before + 2000
    second.__exit__(None, None, None)
    assert sys.getrecursionlimit() == before
    with recursion_limit_at_least(10):  # never lowered
        assert sys.getrecursionlimit() == before


def test_socket_timeout_is_restored_after_overlapping_threads():
    before = socket.getdefaulttimeout()
    entered, release, seen = threading.Barrier(3), threading.Event(), []

    def user(seconds):
        with socket_timeout(seconds):
            entered.wait(5)
            release.wait(5)
            seen.append((seconds, socket.getdefaulttimeout()))

    threads = [threading.Thread(target=user, args=(s,)) for s in (7.0, 3.0)]
    for t in threads:
        t.start()
    entered.wait(5)
    assert socket.getdefaulttimeout() == 7.0  # the longest asked for
    release.set()
    for t in threads:
        t.join(5)
    # each thread had at least its own time-out for its whole block
    assert len(seen) == 2 and all(got >= asked for asked, got in seen)
    assert socket.getdefaulttimeout() == before


def test_silenced_stderr_restores_the_descriptor_even_on_error(tmp_path, capfd):
    try:
        with silenced_stderr():
            import os

            os.write(2, b"c++ chatter\n")
            raise ValueError("still raised")
    except ValueError as exc:
        assert str(exc) == "still raised"
    import os

    os.write(2, b"visible again\n")
    err = capfd.readouterr().err
    assert "c++ chatter" not in err and "visible again" in err
