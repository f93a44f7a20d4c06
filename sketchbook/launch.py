"""The `sketchbook` command's entry point: the command line imported with the cyclic collector paused,
a develop's worker given its head start (head_start.py) before typer loads, and a quick way out."""

import gc
import os
import sys


def main() -> None:
    # Starting up makes tens of thousands of objects (typer, click, the music's classes) that live as long
    # as the process: the collector's passes over them while they are made free nothing and cost a few
    # milliseconds of every command. Frozen once made, no later pass walks them either.
    gc.disable()
    from sketchbook import head_start

    head_start.begin(sys.argv)
    try:
        from sketchbook.cli import app

        gc.freeze()
        gc.enable()
        app(prog_name="sketchbook")
    except SystemExit as done:
        head_start.finish()
        leave(done.code)
    finally:
        head_start.finish()  # a worker the command never claimed (a --help, a usage error), or one to reap


def leave(code: str | int | None) -> None:
    """Exit with ``code`` as sys.exit would, without tearing the interpreter down object by object.

    The command's work is written and closed by now; what is left is freeing typer, click and the music
    (a few milliseconds of every command, spent on memory the system takes back at once anyway). Only
    with no other thread running: sys.exit would wait for one.
    """
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that left (a closed pipe), or a stream already closed
            code = code or 1
    os._exit(code)
