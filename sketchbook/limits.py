"""Limits shared by every command: signals as exceptions, deadlines, limited child processes.

A SIGTERM becomes an exception like Ctrl-C's KeyboardInterrupt, so the same ``finally`` blocks that
remove half-written files run for both; the command then exits 143 (or 130 for Ctrl-C), as shells expect.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
from collections.abc import Iterator

EXIT_INTERRUPTED = 130  # 128 + SIGINT


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived. A BaseException, so ``except Exception`` in libraries cannot swallow it."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"stopped by signal {signum}")
        self.exit_code = 128 + int(signum)


class TimeLimit(BaseException):
    """A deadline() ran out (a BaseException for the same reason as Terminated)."""


def _raise_terminated(signum, _frame) -> None:
    # A second signal (a supervisor repeating itself, a dying parent) must not cut the cleanup short.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Terminated(signum)


def catch_termination() -> None:
    """Turn SIGTERM and SIGHUP into Terminated in this process (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _raise_terminated)


def die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies, so a killed batch leaves no orphans."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers still stop when the batch shuts down
        pass


@contextlib.contextmanager
def deadline(seconds: float):
    """Raise TimeLimit after ``seconds`` of wall time (main thread on POSIX; elsewhere no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # leave someone else's timer alone
        yield
        return

    def expire(_signum, _frame):
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def limited_child(*, memory: int | None = None, cpu_seconds: int | None = None, file_bytes: int | None = None):
    """A preexec_fn for subprocess: resource limits in the child, and it dies with us."""

    def apply() -> None:
        import resource

        for kind, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu_seconds),
                            (resource.RLIMIT_FSIZE, file_bytes)):
            if value is not None:
                hard = resource.getrlimit(kind)[1]  # never above what we were given ourselves
                value = value if hard == resource.RLIM_INFINITY else min(value, hard)
                resource.setrlimit(kind, (value, hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashing engraver leaves no core file behind
        die_with_parent()

    return apply


@contextlib.contextmanager
def uncollected() -> Iterator[None]:
    """The cyclic garbage collector paused for a job. A sketch is millions of small objects that reference
    counting frees as it goes (none in cycles to speak of), and the collector's passes over a heap that
    grows with the piece made a 3,200-bar sketch a third slower per bar than a 320-bar one (and a
    develop command's own imports a few milliseconds slower)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
