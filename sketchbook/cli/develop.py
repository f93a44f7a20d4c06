"""`sketchbook develop` and `sketchbook motifs`: thin calls into the Python API (api.py, batch.py)."""

# No `from __future__ import annotations` here: typer reads every command's signature at each start,
# and a string annotation costs an eval apiece (5 ms of `sketchbook develop`).
import contextlib
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from sketchbook.cli.app import app, err_console, fail

if TYPE_CHECKING:  # batch loads with the command that runs it
    from sketchbook.batch import Order, Report


class VariationChoice(str, Enum):
    beach = "beach"
    photograph = "photograph"
    all = "all"


@app.command()
def develop(
    motif: Annotated[
        Optional[list[str]],
        typer.Argument(help="Bundled motif name(s), .mid/.musicxml/.mxl file(s), or inline tinyNotation.",
                       show_default="the bundled default"),
    ] = None,
    variation: Annotated[Optional[VariationChoice], typer.Option(help="Which piece(s) to write.",
                                                                 show_default="all")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives identical files.", min=0,
                                      max=2**63 - 1)] = 1,
    seeds: Annotated[Optional[str], typer.Option(help="A batch of seeds, e.g. 1-20 or 1,4,9-12.")] = None,
    out: Annotated[Path, typer.Option(help="Folder that holds the sketch folders.")] = Path("output"),
    name: Annotated[Optional[str], typer.Option(help="Sketch folder name (required for inline motifs).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
    tempo: Annotated[Optional[int], typer.Option(help="Tempo lever, quarter notes per minute (20-400).")] = None,
    density: Annotated[Optional[float], typer.Option(help="Density lever: 0 sparse to 1 dense.")] = None,
    ornament: Annotated[Optional[float], typer.Option(help="Ornament lever: 0 none to 1 richest.")] = None,
    morph: Annotated[Optional[float], typer.Option(help="A piece between beach (0) and photograph (1).")] = None,
    preset: Annotated[Optional[Path], typer.Option(help="A TOML style file (see README).")] = None,
    bars: Annotated[Optional[int], typer.Option(help="Exact length in bars.")] = None,
    meter: Annotated[Optional[str], typer.Option(
        help="The beach's metre: 3/4 by default (re-barred), 'source' keeps the motif's, or e.g. 6/8.")] = None,
    explain: Annotated[bool, typer.Option(help="Print each piece's plan of sections.")] = False,
    audio: Annotated[bool, typer.Option(help="Also render each piece as Ogg Opus (needs fluidsynth).")] = False,
    from_sketch: Annotated[Optional[Path], typer.Option("--from", help="Regenerate from a sketch.json.")] = None,
    jobs: Annotated[Optional[int], typer.Option(help="Parallel workers for a batch (default: all cores).", min=1,
                                                max=256)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    motif_meter: Annotated[
        Optional[str], typer.Option(help="Read a played MIDI motif in this metre, e.g. 3/4.")
    ] = None,
    grid: Annotated[Optional[str], typer.Option(help="Finest note of a played MIDI motif, e.g. 1/16.")] = None,
    track: Annotated[Optional[str], typer.Option(help="MIDI track with the melody: a number or a name.")] = None,
    part: Annotated[Optional[str], typer.Option(help="MusicXML part with the melody: a number or a name.")] = None,
    bars_from: Annotated[Optional[str], typer.Option(help="Which bars of a motif file, e.g. 5-8.")] = None,
) -> None:
    """Develop MOTIF into 'beach' and 'photograph', written as MIDI and MusicXML.

    Examples: sketchbook develop; sketchbook develop tide --seed 7 --explain;
    sketchbook develop "3/4 a4 c'8 e' d'4 c' b a2." --name waltz; sketchbook develop tide kite --seeds 1-20
    """
    from sketchbook.music.errors import SketchbookError

    # Plain values only: they may cross a pipe to the worker begun at launch (head_start.py).
    order: Order = {
        "motifs": motif, "variation": variation.value if variation else None, "seed": seed, "seeds": seeds,
        "out": str(out), "name": name, "force": force, "explain": explain, "audio": audio,
        "levers": {"tempo": tempo, "density": density, "ornament": ornament, "morph": morph,
                   "preset": str(preset) if preset is not None else None, "bars": bars, "meter": meter},
        "from_sketch": str(from_sketch) if from_sketch is not None else None, "jobs": jobs,
        "reading": {"meter": motif_meter, "grid": grid, "track": track, "part": part, "bars_from": bars_from},
    }
    try:
        _print(_report(order, one_sketch=seeds is None and len(motif or [None]) == 1, quiet=quiet))
    except SketchbookError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        fail("interrupted: finished sketches were kept whole; nothing half-written was left")
        raise typer.Exit(code=130) from None
    except BrokenPipeError:
        raise  # the reader left: handled quietly by _OneLineErrors
    except Exception as exc:  # a bug, not bad input: still one line, with a way to see more
        from sketchbook.head_start import WorkerBug

        if os.environ.get("SKETCHBOOK_DEBUG"):
            if isinstance(exc, WorkerBug):  # the traceback is the worker's, sent back as text
                sys.stderr.write(exc.trace)
                raise typer.Exit(code=1) from None
            raise
        from rich.markup import escape

        kind = exc.kind if isinstance(exc, WorkerBug) else type(exc).__name__
        err_console().print(f"[bold red]internal error:[/] {kind}: {escape(str(exc))} "
                             "(set SKETCHBOOK_DEBUG=1 for the traceback)", markup=True)
        raise typer.Exit(code=1) from None


def _report(order: "Order", *, one_sketch: bool, quiet: bool) -> "Report":
    """The order developed by the worker begun at launch (one sketch), or here (a batch, or no worker)."""
    from sketchbook.head_start import claim

    worker = claim()
    if worker is not None:
        if one_sketch:
            report = worker.run(order)
            if report is not None:
                return report
        else:
            worker.dismiss()
    from sketchbook.limits import uncollected

    with uncollected():  # batch and the music it loads live as long as the command
        from sketchbook.batch import develop_report
    show_progress = not one_sketch and not quiet and sys.stderr.isatty()
    with _progress_bar(show=show_progress) as advance:
        return develop_report(order, on_done=advance)


def _print(report: "Report") -> None:
    # click's echo for the plain lines: rich loads only for a progress bar or an --explain table.
    bold = not os.environ.get("NO_COLOR")
    for sketch in report["sketches"]:
        for piece in sketch["pieces"]:
            tempos = "/".join(str(t) for t in piece["tempos"])
            typer.secho(f"{sketch['folder']}/{piece['name']}", bold=bold, nl=False)
            typer.echo(f": {tempos} bpm, {piece['bars']} bars, {piece['notes']} notes, {piece['seconds']} s")
            if piece["plan"] is not None:
                from rich.console import Console

                from sketchbook.batch import PlanRow
                from sketchbook.cli.explain import rows_table

                title, rows = piece["plan"]
                Console(highlight=False).print(rows_table(title, [PlanRow(**row) for row in rows]))
        for path in sketch["written"]:
            typer.echo(path)
    if report["failed"] is not None:
        from sketchbook.music.errors import SketchbookError

        raise SketchbookError(report["failed"])


@contextlib.contextmanager
def _progress_bar(*, show: bool):
    """Yield the callback that advances a transient progress bar on stderr, or None when none is shown."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("developing", total=None)
        yield lambda total: progress.update(task, total=total, advance=1)


@app.command()
def motifs(
    action: Annotated[Optional[str], typer.Argument(help="'show' to print one motif as tinyNotation.")] = None,
    motif: Annotated[Optional[str], typer.Argument(help="The motif to show: a name, a file or tinyNotation.")] = None,
    meter: Annotated[Optional[str], typer.Option(help="Bar a played MIDI file in this metre, e.g. 3/4.")] = None,
    grid: Annotated[Optional[str], typer.Option(help="Finest note of a played MIDI file, e.g. 1/16 or 1/12.")] = None,
    track: Annotated[Optional[str], typer.Option(help="MIDI track with the melody: a number or a name.")] = None,
    part: Annotated[Optional[str], typer.Option(help="MusicXML part with the melody: a number or a name.")] = None,
    bars_from: Annotated[Optional[str], typer.Option(help="Which bars to take, e.g. 5-8.")] = None,
) -> None:
    """List the bundled motifs, or show one motif as it is read (`motifs show FILE`).

    Examples: sketchbook motifs; sketchbook motifs show take.mid > tune.tn; sketchbook motifs show take.mid --meter 3/4
    """
    if action is None:
        from sketchbook.files import shown
        from sketchbook.load import DEFAULT_MOTIF, bundled_motifs, motifs_folder

        found = bundled_motifs()
        if not found:  # an install without its motifs is broken, and an empty list would hide it
            raise fail(f"no motifs found in {shown(motifs_folder())} (set SKETCHBOOK_MOTIFS to a folder of .tn files)")
        # click's echo rather than rich: a third less start-up, and one unbroken line per motif in a pipe.
        bold = not os.environ.get("NO_COLOR")
        for m in found:
            marker = " (default)" if m.name == DEFAULT_MOTIF else ""
            typer.secho(m.name, bold=bold, nl=False)
            typer.echo(f"{marker}: {m.description}")
        return
    from sketchbook.music.errors import SketchbookError

    try:
        if action != "show" or motif is None:
            raise SketchbookError("use `sketchbook motifs` to list, or `sketchbook motifs show MOTIF`")
        from sketchbook.formats.motif_text import motif_to_text
        from sketchbook.load import load_motif, parse_reading

        reading = parse_reading(meter=meter, grid=grid, track=track, part=part, bars_from=bars_from)
        typer.echo(motif_to_text(load_motif(motif, reading=reading)), nl=False)
    except SketchbookError as exc:
        raise fail(str(exc)) from None


