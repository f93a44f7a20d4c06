"""A head start for `sketchbook develop`: a forked worker loads the music while the command line is read.

Loading typer and reading the command line (about 25 ms) and loading the music, its formats and styles
(about 25 ms) wait on nothing of each other's, so on Linux with a second core (aside.can_fork) the launcher
forks a worker before it loads typer. The command line hands the worker its one sketch as plain values
(marshal: nothing to import on either side) and prints the plain report it sends back; a batch, a --help
or any other command dismisses it, and the work runs here. The worker runs the very function the command
line runs in-process (batch.develop_report), so the files are the same bytes either way.

Signals: the worker ignores Ctrl-C (it reaches the whole process group); the command line, interrupted or
terminated while it waits, sends the worker SIGTERM and waits while it removes its half-written files.
"""

from __future__ import annotations

import marshal
import os
import signal
from typing import TYPE_CHECKING, Any, cast

from sketchbook.aside import can_fork

if TYPE_CHECKING:
    from sketchbook.batch import Order, Report

_waiting: HeadStart | None = None
_leaving: HeadStart | None = None


class WorkerBug(Exception):
    """The worker met an error that is not the user's: its type's name, its message, its traceback."""

    def __init__(self, kind: str, message: str, trace: str) -> None:
        super().__init__(message)
        self.kind, self.trace = kind, trace


class HeadStart:
    """A forked worker waiting, its music loaded, for one sketch to develop."""

    def __init__(self) -> None:
        orders_read, self._orders = os.pipe()
        self._reports, reports_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._orders)
            os.close(self._reports)
            _work(orders_read, reports_write)  # never returns
        os.close(orders_read)
        os.close(reports_write)

    def run(self, order: Order) -> Report | None:
        """The worker's report on ``order`` (a SketchbookError for the user's mistakes, WorkerBug for ours),
        or None when the worker left without one: then the caller does the work itself."""
        from sketchbook.music.errors import SketchbookError

        try:
            with os.fdopen(self._orders, "wb") as out:
                out.write(marshal.dumps(cast(Any, order)))
        except BrokenPipeError:
            pass  # the worker left: no reply below says so
        try:
            with os.fdopen(self._reports, "rb") as source:
                data = source.read()
        except BaseException:  # Ctrl-C or SIGTERM while it works: it cleans up, and we wait for it
            self._stop(signal.SIGTERM)
            raise
        try:
            reply = marshal.loads(data)  # a whole reply is sent last: the worker's work is done
        except (EOFError, ValueError, TypeError):  # it left without one (nothing, or a reply cut short)
            self.reap()
            return None
        global _leaving
        _leaving = self  # reaped at the end (finish): meanwhile the worker leaves and this process prints
        if reply[0] == "error":
            raise SketchbookError(reply[1])
        if reply[0] == "bug":
            raise WorkerBug(*reply[1:])
        return reply[1]

    def reap(self) -> None:
        os.waitpid(self.pid, 0)

    def dismiss(self) -> None:
        """Send the worker away unused: it has only loaded modules, so nothing of it is left to clean up."""
        os.close(self._orders)
        os.close(self._reports)
        self._stop(signal.SIGKILL)

    def _stop(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)


def begin(argv: list[str]) -> None:
    """Fork the worker when the command line is a develop and a second core can take it."""
    global _waiting
    if len(argv) > 1 and argv[1] == "develop" and _waiting is None and can_fork():
        _waiting = HeadStart()


def claim() -> HeadStart | None:
    """The waiting worker, if any, now the caller's to run or dismiss."""
    global _waiting
    worker, _waiting = _waiting, None
    return worker


def finish() -> None:
    """Send away a worker nobody claimed (the command was a --help, or stopped before its work), and reap
    one that reported."""
    global _leaving
    worker, leaving, _leaving = claim(), _leaving, None
    if worker is not None:
        worker.dismiss()
    if leaving is not None:
        leaving.reap()


def _work(orders: int, reports: int) -> None:
    """The worker: load the music, wait for an order, develop it, send the report, and leave."""
    code = 1
    try:
        from sketchbook.limits import Terminated, catch_termination

        catch_termination()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            reply = _develop(orders)
            if reply is not None:
                with os.fdopen(reports, "wb") as out:
                    out.write(marshal.dumps(reply))
            code = 0
        except Terminated as exc:
            code = exc.exit_code
    finally:
        os._exit(code)  # none of the command line's exit handlers, buffers or atexit work is ours to run


def _develop(orders: int) -> tuple[Any, ...] | None:
    import gc
    import traceback

    # Everything a sketch's making loads, loaded before its order arrives (each module once: the
    # formats and the styles a job would otherwise load on the way).
    from sketchbook import api, load, style_files  # noqa: F401
    from sketchbook.batch import develop_report
    from sketchbook.formats import midi, musicxml, tinynotation  # noqa: F401
    from sketchbook.music.errors import SketchbookError

    gc.freeze()  # the modules live as long as the worker; the job pauses the collector for itself
    with os.fdopen(orders, "rb") as source:
        data = source.read()
    if not data:
        return None  # dismissed, or the command line left
    try:
        return ("report", develop_report(marshal.loads(data)))
    except SketchbookError as exc:
        return ("error", str(exc))
    except Exception as exc:
        return ("bug", type(exc).__name__, str(exc), traceback.format_exc())
