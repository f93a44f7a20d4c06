"""The `sketchbook` command's entry point: the command line imported with the cyclic collector paused,
and a develop's worker given its head start (head_start.py) before typer loads."""

import gc
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
    finally:
        head_start.dismiss()  # a worker the command never claimed (a --help, a usage error)
