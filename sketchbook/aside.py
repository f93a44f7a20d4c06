"""Work set aside to run in a second process while this one goes on: the command line engraves one
piece's score while it composes the next.

Only where that is safe and can pay: Linux (fork, without the macOS frameworks that forbid it), a second
core this process may use, and no other thread running (a thread holding a lock at the fork would leave
the child waiting on it forever). Anywhere else, and whenever the child fails, the work runs here when its
result is asked for, so the result is the same bytes either way and any error is met here, in the user's
words.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable


def can_fork() -> bool:
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and len(os.sched_getaffinity(0)) > 1
            and threading.active_count() == 1)


class Aside:
    """``work`` (which gives bytes) begun in a forked child when it can be; ``result()`` collects it and
    ``close()`` (always, when done) reaps the child, or stops it if it still runs."""

    def __init__(self, work: Callable[[], bytes]) -> None:
        self._work = work
        self._child: tuple[int, int] | None = None  # (pid, the pipe's read end), until its result is read
        self._exiting: int | None = None  # a child that handed its result over, not yet reaped
        if not can_fork():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            # The child: do the work, hand the bytes over, and leave at once. os._exit runs none of the
            # parent's exit handlers and flushes none of its buffers; any failure is the parent's to meet.
            code = 1
            try:
                os.close(read)
                data = work()
                with os.fdopen(write, "wb") as out:
                    # Its length first: the parent knows a whole result when it sees one, without waiting
                    # the millisecond a large process takes to leave before its exit status says so.
                    out.write(len(data).to_bytes(8, "big") + data)
                code = 0
            except BaseException:  # the parent, finding no whole result, redoes the work and meets the error
                pass
            finally:
                os._exit(code)
        os.close(write)
        self._child = (pid, read)

    def result(self) -> bytes:
        """The work's bytes: the child's, or (with no child, or a failed one) made here."""
        if self._child is None:
            return self._work()
        pid, read = self._child
        try:
            with os.fdopen(read, "rb", closefd=False) as source:
                data = source.read()
        except BaseException:  # interrupted while it works: stop it
            self.close()
            raise
        os.close(read)
        self._child, self._exiting = None, pid
        if len(data) >= 8 and int.from_bytes(data[:8], "big") == len(data) - 8:
            return data[8:]
        self.close()
        return self._work()

    def close(self) -> None:
        """Reap the child, stopping it first if it still runs (an interrupt, an error elsewhere): it leaves
        no process behind."""
        if self._child is not None:
            import signal

            pid, read = self._child
            self._child = None
            os.close(read)  # a child still writing gets a broken pipe and leaves
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
        elif self._exiting is not None:
            pid, self._exiting = self._exiting, None
            os.waitpid(pid, 0)
