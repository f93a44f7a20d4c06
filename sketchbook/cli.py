"""The command-line app: parse options, call the core, write files, print with rich."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from sketchbook import __version__

app = typer.Typer(
    name="sketchbook",
    help="Develop a short seed motif into two piano pieces, 'beach' and 'photograph'.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


class VariationChoice(str, Enum):
    beach = "beach"
    photograph = "photograph"
    all = "all"


def _err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print one line on stderr and give the exit that the caller raises (code 2)."""
    _err_console().print(f"[bold red]error:[/] {message}", markup=True)
    return typer.Exit(code=2)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sketchbook {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    """Develop a short seed motif into two piano pieces, 'beach' and 'photograph'.

    Example: sketchbook develop tide --seed 3
    """


@app.command()
def develop(
    motif: Annotated[
        Optional[str],
        typer.Argument(help="A bundled motif name, a .mid/.musicxml/.mxl file, or inline tinyNotation."),
    ] = None,
    variation: Annotated[VariationChoice, typer.Option(help="Which piece(s) to write.")] = VariationChoice.all,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives identical files.", min=0)] = 1,
    out: Annotated[Path, typer.Option(help="Folder that holds the sketch folders.")] = Path("output"),
    name: Annotated[Optional[str], typer.Option(help="Sketch folder name (required for inline motifs).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
    tempo: Annotated[Optional[int], typer.Option(help="Tempo in quarter notes per minute (20-400).")] = None,
    density: Annotated[Optional[float], typer.Option(help="Notes per beat lever, 0 sparse to 1 dense.")] = None,
    ornament: Annotated[Optional[float], typer.Option(help="Ornament lever, 0 none to 1 richest.")] = None,
    morph: Annotated[Optional[float], typer.Option(help="Between beach (0) and photograph (1).")] = None,
    preset: Annotated[Optional[Path], typer.Option(help="A TOML style file (see README).")] = None,
    bars: Annotated[Optional[int], typer.Option(help="Exact length in bars.", min=1, max=20000)] = None,
    explain: Annotated[bool, typer.Option(help="Print each piece's plan of sections.")] = False,
) -> None:
    """Develop MOTIF into 'beach' and 'photograph', written as MIDI and MusicXML.

    Examples: sketchbook develop; sketchbook develop tide --seed 7;
    sketchbook develop "3/4 a4 c'8 e' d'4 c' b a2." --name waltz
    """
    from sketchbook.errors import SketchbookError

    try:
        _develop(motif, variation.value, seed, out, name, force, tempo, density, ornament, morph, preset, bars, explain)
    except SketchbookError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted; files already written are complete, nothing half-written was left") from None


def _develop(motif_spec, variation, seed, out, name, force, tempo, density, ornament, morph, preset, bars, explain):
    from sketchbook.errors import SketchbookError
    from sketchbook.load import load_motif
    from sketchbook.sketch import Levers, check_name, develop_variation, summary, write_sketch

    for label, value in (("--density", density), ("--ornament", ornament), ("--morph", morph)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise SketchbookError(f"{label} {value} must be between 0 and 1")
    if tempo is not None and not 20 <= tempo <= 400:
        raise SketchbookError(f"--tempo {tempo} must be between 20 and 400")
    if morph is not None and preset is not None:
        raise SketchbookError("--morph and --preset cannot be combined")
    loaded = load_motif(motif_spec)
    if name is None:
        if loaded.name == "inline":
            raise SketchbookError("an inline motif needs --name for its sketch folder")
        name = loaded.name
    check_name(name)
    variations = ["beach", "photograph"] if variation == "all" else [variation]
    if morph is not None or preset is not None:
        variations = [variations[0]] if variation != "all" else ["morph" if morph is not None else "preset"]
    levers = Levers(tempo, density, ornament, morph, str(preset) if preset else None, bars)
    results = [develop_variation(loaded, v, seed=seed, levers=levers) for v in variations]
    written = write_sketch(out / name, loaded, results, seed=seed, levers=levers, force=force)

    from rich.console import Console

    console = Console(highlight=False)
    for result in results:
        facts = summary(result)
        console.print(
            f"[bold]{result.name}[/]: {facts['tempo']} bpm, {facts['bars']} bars, {facts['notes']} notes "
            f"({facts['seconds']} s)"
        )
        if explain:
            from sketchbook.explain import plan_table

            console.print(plan_table(result))
    for path in written:
        console.print(str(path))


@app.command()
def motifs() -> None:
    """List the bundled motifs with a one-line description each.

    Example: sketchbook motifs
    """
    from sketchbook.load import DEFAULT_MOTIF, bundled_motifs

    from rich.console import Console

    console = Console(highlight=False)
    for m in bundled_motifs():
        marker = " (default)" if m.name == DEFAULT_MOTIF else ""
        console.print(f"[bold]{m.name}[/]{marker}: {m.description}")


# Commands for browsing, rendering and inspecting sketches live in their own module.
from sketchbook import cli_book  # noqa: E402,F401  (registers its commands on app)
