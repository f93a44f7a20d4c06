"""The command-line app: parse options, call the core, write files, print with rich."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sketchbook",
    help="Develop a short seed motif into two piano pieces, 'beach' and 'photograph'.",
    no_args_is_help=True,
    add_completion=True,
)

# Commands for browsing, rendering and inspecting sketches live in their own module.
from sketchbook import cli_book  # noqa: E402,F401  (registers its commands on app)
