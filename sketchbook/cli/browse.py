"""Commands for the sketchbook folder: book, render, play, inspect."""

# No `from __future__ import annotations` here: typer reads every command's signature at each start,
# and a string annotation costs an eval apiece (5 ms of `sketchbook develop`).
import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from sketchbook.cli.app import app, err_console, fail
from sketchbook.music.errors import SketchbookError

if TYPE_CHECKING:  # analysis loads with the command
    from sketchbook.analysis import Facts, Marked


class AudioFormat(str, Enum):
    wav = "wav"
    flac = "flac"
    ogg = "ogg"
    pdf = "pdf"


class Engraver(str, Enum):
    musescore = "musescore"
    lilypond = "lilypond"


def _progress(items, label: str, total: int | None = None):
    from rich.progress import track

    return track(items, description=label, total=total, console=err_console(), transient=True)


@app.command()
def book(
    folder: Annotated[Path, typer.Argument(help="Folder of sketch folders, as written by develop.")] = Path("output"),
    audio: Annotated[bool, typer.Option("--audio", help="Render Ogg Opus for each MIDI file without audio.")]
    = False,
    soundfont: Annotated[Optional[Path], typer.Option(help="General MIDI .sf2 soundfont for --audio.")] = None,
) -> None:
    """Write FOLDER/index.html: every sketch's score, piano roll, audio and parameters, as static pages.

    Past 24 sketches, a contents page links to a page per sketch in FOLDER/_pages/, which engraves its scores
    in the browser when opened (verovio's toolkit is copied beside the pages; no network needed).

    Example: sketchbook book output/ --audio
    """
    from sketchbook.book.build import build_book

    try:
        index = build_book(folder, audio=audio, soundfont=soundfont, progress=_progress)
    except SketchbookError as exc:
        raise fail(str(exc)) from None
    print(index)


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help="MIDI file to play into audio, or MusicXML score to engrave as PDF.")],
    soundfont: Annotated[Optional[Path], typer.Option(help="General MIDI .sf2 soundfont (default: the system's).")]
    = None,
    out: Annotated[Optional[Path], typer.Option(help="File or folder to write (default: beside FILE).")] = None,
    fmt: Annotated[Optional[AudioFormat], typer.Option(
        "--format", help="Audio from MIDI: wav (default), flac or ogg (Opus). A score: pdf.")] = None,
    engraver: Annotated[Optional[Engraver], typer.Option(help="For pdf (default: MuseScore, else LilyPond).")]
    = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Render a MIDI file to audio with fluidsynth (peaking at -1 dBFS), or a MusicXML score to a printable PDF.

    Example: sketchbook render output/tide/beach.mid --format ogg; sketchbook render output/tide/beach.musicxml
    """
    try:
        target = _target(file, out, fmt)
        if target.suffix == ".pdf":
            from sketchbook.engrave import engrave_pdf

            print(engrave_pdf(file, target, engraver=engraver.value if engraver else None, force=force))
        else:
            from sketchbook.audio import render_midi

            print(render_midi(file, target, soundfont=soundfont, force=force))
    except SketchbookError as exc:
        raise fail(str(exc)) from None


def _target(file: Path, out: Path | None, fmt: AudioFormat | None) -> Path:
    """The file render writes: --out (a file, or a folder to write into) or beside FILE, in --format."""
    from sketchbook.book.gather import MIDI_SUFFIXES, SCORE_SUFFIXES

    score = file.suffix.lower() in SCORE_SUFFIXES
    if file.exists() and not file.is_file():  # a FIFO or device would block fluidsynth or never end
        raise SketchbookError(f"{file} is not a regular file")
    if not file.is_file():
        kind = "MusicXML" if score else "MIDI" if file.suffix.lower() in MIDI_SUFFIXES or not file.suffix else ""
        raise SketchbookError(f"{file}: no such {kind + ' ' if kind else ''}file")
    if out is not None and not out.is_dir():
        suffix = out.suffix.lower().lstrip(".")
        if fmt is None and suffix not in AudioFormat.__members__:
            raise SketchbookError(f"--out {out}: name the file .wav, .flac, .ogg or .pdf (or give --format)")
        fmt = fmt or AudioFormat(suffix)
    fmt = fmt or (AudioFormat.pdf if score else AudioFormat.wav)
    if score and fmt is not AudioFormat.pdf:
        raise SketchbookError(f"{file.name} is a MusicXML score, which renders as --format pdf; for {fmt.value} "
                              f"audio render the MIDI file: try {file.with_suffix('.mid')}")
    if not score and fmt is AudioFormat.pdf:
        raise SketchbookError(f"--format pdf engraves a MusicXML score; {file.name} is not one: try "
                              f"{file.with_suffix('.musicxml')}")
    if out is not None and not out.is_dir():
        return out.with_suffix(f".{fmt.value}")
    return (out or file.parent) / f"{file.stem}.{fmt.value}"


@app.command()
def play(
    file: Annotated[Optional[Path], typer.Argument(help="MIDI file to play.")] = None,
    port: Annotated[Optional[str], typer.Option(help="MIDI output port to send to (see --ports).")] = None,
    ports: Annotated[bool, typer.Option("--ports", help="List the MIDI output ports and exit.")] = False,
    soundfont: Annotated[Optional[Path], typer.Option(help="General MIDI .sf2 soundfont for FluidSynth.")] = None,
    driver: Annotated[Optional[str], typer.Option(help="FluidSynth audio driver, e.g. pulseaudio, alsa, jack.")]
    = None,
) -> None:
    """Play a MIDI file now: to a MIDI output port (--port), or out loud through FluidSynth.

    Example: sketchbook play output/tide/beach.mid --port "FLUID Synth"
    """
    from sketchbook import play as player

    try:
        if ports:
            for name in player.output_names():
                print(name)
            return
        if file is None:
            raise SketchbookError("give a MIDI file to play (or --ports to list the MIDI output ports)")
        from sketchbook.audio import is_midi
        from sketchbook.formats.midi_scan import scan_midi

        if file.exists() and not file.is_file():
            raise SketchbookError(f"{file} is not a regular file")
        if is_midi(file) and port is None:
            scan_midi(file)  # the bounded reader first: a hostile file is refused before fluidsynth opens it
        if port is None:
            player.play_with_fluidsynth(file, soundfont=soundfont, driver=driver)
            return
        events = player.schedule(file)
        with player.open_port(port) as out:
            player.play_to_port(events, out)
    except SketchbookError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise typer.Exit(code=130) from None  # stopped by the listener: every note was let go


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="A .mid/.midi or .musicxml/.xml/.mxl file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
) -> None:
    """Show the musical facts of a MIDI or MusicXML file: tempo, bars, notes, range, ornaments, pedal, dynamics.

    Example: sketchbook inspect output/tide/beach.musicxml --json
    """
    from sketchbook.analysis import inspect_file

    try:
        facts = inspect_file(file)
    except SketchbookError as exc:
        raise fail(str(exc)) from None
    if as_json:
        print(json.dumps(facts.as_json()))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{file.name} ({facts.format})", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for label, value in _rows(facts):
        table.add_row(label, value)
    Console().print(table)


def _rows(facts: "Facts") -> list[tuple[str, str]]:
    """The facts as readable table rows."""
    midi = facts.format == "midi"
    rng = facts.pitch_range
    ornaments = facts.ornaments
    velocity = facts.velocity
    marks = facts.dynamic_marks or {}
    return [
        ("tempo", ", ".join(f"{t.value:g} bpm (bar {t.bar})" for t in facts.tempos) or "none marked"),
        ("bars", str(facts.bars)),
        ("duration", f"{facts.duration_seconds:.1f} s"),
        ("notes", str(facts.notes)),
        ("onsets per beat", f"{facts.onsets_per_beat:.2f} ({facts.onsets} onsets in {facts.beats:g} beats)"),
        ("pitch range", f"{rng.lowest} – {rng.highest}" if rng else "no notes"),
        ("ornaments", "none notated (MIDI plays them out as notes)" if ornaments is None else
         ", ".join(f"{k} {n}" for k, n in ornaments.items() if n) or "none"),
        ("pedal", _count(facts.pedal_presses, "press", "presses") + (" (CC64)" if midi else " marked")),
        ("dynamics", (f"no marks in MIDI; velocity {velocity[0]}–{velocity[1]}" if velocity else
                      "no notes") if midi else ", ".join(f"{k} ×{n}" for k, n in marks.items()) or "none marked"),
        ("time signature", _at_bars(facts.time_signatures)),
        ("key signature", _at_bars(facts.key_signatures)),
    ]  # fmt: skip


def _at_bars(marks: "tuple[Marked[str], ...]") -> str:
    return ", ".join(f"{m.value} (bar {m.bar})" for m in marks) or "none"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
