"""The `sketchbook` command's entry point: the command line imported with the cyclic collector paused."""

import gc


def main() -> None:
    # Starting up makes tens of thousands of objects (typer, click, the music's classes) that live as long
    # as the process: the collector's passes over them while they are made free nothing and cost a few
    # milliseconds of every command. Frozen once made, no later pass walks them either.
    gc.disable()
    from sketchbook.cli import app

    gc.freeze()
    gc.enable()
    app(prog_name="sketchbook")
