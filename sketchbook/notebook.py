"""A Sketch as HTML for a notebook cell: each piece's score (verovio), piano roll and, with fluidsynth, audio.

Everything is inline (SVG, and audio as a data URI), so the cell keeps working once saved or shared.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
import zlib
from html import escape
from pathlib import Path

STYLE = ("<style>.sk-sketch{font:14px/1.45 system-ui,sans-serif}.sk-sketch h3{margin:.8em 0 .2em}"
         ".sk-sketch .sk-muted{color:#69707c}.sk-sketch .sk-score{background:#fffefb;border:1px solid #e3e1db;"
         "border-radius:8px;padding:.4em .8em;max-height:30em;overflow:auto}.sk-sketch svg{max-width:100%;"
         "height:auto}.sk-sketch audio{width:100%}</style>")


def sketch_html(sketch, *, audio: bool | None = None) -> str:
    """The whole sketch as one HTML fragment; a piece that cannot be engraved or played says why in place."""
    from sketchbook.book.page import summary_line
    from sketchbook.book.roll import read_played, roll_svg

    if audio is None:
        audio = shutil.which("fluidsynth") is not None
    motif = sketch.motif
    head = (f'<h2>{escape(motif.name)} <span class="sk-muted">seed {sketch.seed}</span></h2>'
            + (f'<p class="sk-muted">{escape(motif.description)}</p>' if motif.description else ""))
    parts = [STYLE, '<div class="sk-sketch">', head]
    with tempfile.TemporaryDirectory(prefix="sketchbook-") as tmp:
        folder = Path(tmp)
        sketch.write(folder)
        for number, variation in enumerate(sketch.variations, 1):
            midi, score = folder / f"{variation.name}.mid", folder / f"{variation.name}.musicxml"
            played = read_played(midi)
            parts.append(f'<h3>{escape(variation.name)} <span class="sk-muted">'
                         f'{escape(summary_line(_summary(sketch, variation.name), played.tempos))}</span></h3>')
            if audio:
                parts.append(_audio(midi))
            # Seeded per sketch, so two cells on one notebook page do not share SVG ids.
            parts.append(_score(score, zlib.crc32(f"{motif.name}:{sketch.seed}:{number}".encode()) % 10**8 + 1))
            parts.append(roll_svg(played, label=f"piano roll of {variation.name}"))
    parts.append("</div>")
    return "".join(parts)


def _summary(sketch, name: str) -> dict:
    return sketch.summary()[name].as_dict()


def _score(score: Path, number: int) -> str:
    from sketchbook.book.pictures import score_svg

    try:
        svg = score_svg(score, id_seed=number)
    except Exception as exc:
        return f'<p class="sk-muted">The score could not be engraved: {escape(str(exc))}</p>'
    return f'<div class="sk-score">{svg}</div>'


def _audio(midi: Path) -> str:
    from sketchbook.audio import render_midi
    from sketchbook.music.errors import SketchbookError

    try:
        ogg = render_midi(midi, midi.with_suffix(".ogg"))
    except SketchbookError as exc:
        return f'<p class="sk-muted">No audio: {escape(str(exc))}</p>'
    data = base64.b64encode(ogg.read_bytes()).decode("ascii")
    return f'<audio controls preload="metadata" src="data:audio/ogg;base64,{data}"></audio>'
