"""The sketchbook as one static page: every sketch folder with its score, piano roll, audio and parameters."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape
from pathlib import Path
from urllib.parse import quote

from sketchbook.errors import SketchbookError
from sketchbook.model import Key
from sketchbook.theory import LETTERS, spell

SCORE_SUFFIXES = (".musicxml", ".xml", ".mxl")
MIDI_SUFFIXES = (".mid", ".midi")
AUDIO_TYPES = {".ogg": "audio/ogg", ".flac": "audio/flac", ".wav": "audio/wav"}  # the player tries them in order
KNOWN = (*SCORE_SUFFIXES, *MIDI_SUFFIXES, *AUDIO_TYPES)


@dataclass
class Variation:
    """One piece in a sketch folder: its files by kind, and what sketch.json says about it."""

    name: str
    files: dict[str, Path] = field(default_factory=dict)  # suffix -> path
    parameters: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    def first(self, suffixes: tuple[str, ...]) -> Path | None:
        return next((self.files[s] for s in suffixes if s in self.files), None)


@dataclass
class Sketch:
    folder: Path
    meta: dict
    variations: list[Variation]
    problem: str = ""


def find_sketches(root: Path) -> list[Sketch]:
    """Every folder under root (and root itself) holding scores, MIDI or audio, in name order."""
    root = Path(root)
    if not root.is_dir():
        raise SketchbookError(f"{root}: no such folder (write sketches there with `sketchbook develop`)")
    folders = [root] + sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                              key=lambda p: natural_key(p.name))
    sketches = [load_sketch(f) for f in folders]
    return [s for s in sketches if s.variations or s.meta or s.problem]


def natural_key(name: str) -> tuple:
    """Numbers inside a name sort as numbers: kite-s2 before kite-s10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", name) if part)


def load_sketch(folder: Path) -> Sketch:
    """Read sketch.json if it is there and sound, and group the folder's files by piece."""
    meta, problem = {}, ""
    if (folder / "sketch.json").is_file():
        try:
            meta = json.loads((folder / "sketch.json").read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
        except (ValueError, OSError) as exc:
            meta, problem = {}, f"sketch.json could not be read: {exc}"
    described = meta.get("variations") if isinstance(meta.get("variations"), dict) else {}
    pieces: dict[str, Variation] = {}
    for name, info in described.items():
        info = {k: v for k, v in info.items() if isinstance(v, dict)} if isinstance(info, dict) else {}
        piece = pieces.setdefault(name, Variation(name, parameters=info.get("parameters", {}),
                                                  summary=info.get("summary", {})))
        for listed in info.get("files", {}).values():
            if isinstance(listed, str) and (folder / listed).is_file():
                piece.files.setdefault((folder / listed).suffix.lower(), folder / listed)
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in KNOWN:
            pieces.setdefault(path.stem, Variation(path.stem)).files.setdefault(path.suffix.lower(), path)
    return Sketch(folder, meta, [v for v in pieces.values() if v.files or v.parameters], problem)


def score_svg(musicxml: Path, *, id_seed: int = 1) -> str:
    """The whole score engraved by verovio as one scalable SVG (ids seeded so scores never clash)."""
    return engrave(musicxml, id_seed=id_seed)[0]


def engrave(musicxml: Path, *, id_seed: int = 1) -> tuple[str, list]:
    """The score's SVG and its timemap: [milliseconds, note ids that start, note ids that stop] in time order."""
    import verovio

    toolkit = verovio.toolkit()
    # One tall page holds the whole score; svgHtml5 plus a per-score seed keeps glyph ids unique on the page.
    toolkit.setOptions({"pageWidth": 2100, "pageHeight": 60000, "scale": 40, "adjustPageHeight": True,
                        "adjustPageWidth": True, "header": "none", "footer": "none", "svgViewBox": True,
                        "svgHtml5": True, "svgRemoveXlink": True, "svgFormatRaw": True, "xmlIdSeed": id_seed})
    if not toolkit.loadFile(str(musicxml)) or toolkit.getPageCount() < 1:
        raise SketchbookError(f"{musicxml.name}: verovio could not read this score")
    svg = toolkit.renderToSVG(1)
    if 'class="measure' not in svg:  # verovio engraves a broken file as an empty page
        raise SketchbookError(f"{musicxml.name}: verovio found no measures in this score")
    # Notes keep their ids, for the timemap to light them as the audio plays; the other copies of id and
    # class go (a quarter of the bytes).
    svg = re.sub(r' data-id="([^"]*)" data-class="note"', r' id="\1"', svg)
    svg = re.sub(r' data-(?:id|class)="[^"]*"', "", svg)
    # A short score keeps its engraved size instead of being stretched to the page's width.
    if match := re.search(r'viewBox="0 0 ([\d.]+) ', svg):
        svg = svg.replace("<svg ", f'<svg style="max-width: {float(match[1]) * 1.25:.0f}px" ', 1)
    timemap = toolkit.renderToTimemap({"includeMeasures": False, "includeRests": False})
    if isinstance(timemap, str):  # older verovio bindings give JSON text
        timemap = json.loads(timemap)
    events = [[round(e.get("tstamp", 0)), e.get("on", []), e.get("off", [])] for e in timemap]
    return svg, events


def parse_key(text: str) -> Key:
    """'D major', 'F# minor' or 'Bb' as a Key; C major when unreadable."""
    parts = str(text).split()
    if not parts or parts[0][0].upper() not in LETTERS:
        return Key(0)
    tonic = parts[0]
    pc = (0, 2, 4, 5, 7, 9, 11)[LETTERS.index(tonic[0].upper())] + tonic.count("#") - tonic.count("b")
    return Key(pc % 12, "minor" if len(parts) > 1 and parts[1].lower() == "minor" else "major")


def motif_notes(motif: dict) -> list[tuple[int, Fraction, Fraction]]:
    notes = []
    for n in motif.get("notes") or []:
        try:
            notes.append((int(n["pitch"]), Fraction(str(n["start"])), Fraction(str(n["duration"]))))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            continue
    return notes


def motif_svg(motif: dict) -> str:
    """A tiny piano roll of the motif, with its bar lines."""
    notes = motif_notes(motif)
    if not notes:
        return ""
    length = max(s + d for _, s, d in notes)
    try:
        num, den = (int(x) for x in str(motif.get("meter", "4/4")).split("/"))
        bar, pickup = Fraction(4 * num, den), Fraction(str(motif.get("pickup") or "0"))
    except (ValueError, ZeroDivisionError):
        bar, pickup = Fraction(4), Fraction(0)
    bar = bar if bar > 0 else Fraction(4)
    low, high = min(p for p, _, _ in notes) - 1, max(p for p, _, _ in notes) + 1
    width, height, unit = 320, 12 + 6 * (high - low + 1), 320 / float(length)
    parts = [f'<svg class="motif-roll" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="motif piano roll">']
    line = pickup if pickup else bar
    while line < length:
        parts.append(f'<line x1="{float(line) * unit:.1f}" x2="{float(line) * unit:.1f}" y1="0" y2="{height}"/>')
        line += bar
    for pitch, start, duration in notes:
        y = 6 + 6 * (high - pitch)
        x, w = float(start) * unit + 1, max(float(duration) * unit - 2, 2)
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="5" rx="2">'
                     f'<title>{escape(note_name(pitch, motif))}</title></rect>')
    return "".join(parts) + "</svg>"


def note_name(pitch: int, motif: dict) -> str:
    letter, alter, octave = spell(pitch, parse_key(motif.get("key", "C major")))
    return f"{letter}{'♯' * alter if alter > 0 else '♭' * -alter}{octave}"


def build_book(root: Path, *, audio: bool = False, soundfont: Path | None = None, progress=None) -> Path:
    """Write root/index.html for every sketch under root; with audio, render missing audio (Ogg Opus) first."""
    from sketchbook.book_html import page

    root = Path(root)
    sketches = find_sketches(root)
    if audio:
        from sketchbook.audio import render_midi

        todo = [(s, v) for s in sketches for v in s.variations
                if v.first(MIDI_SUFFIXES) and not v.first(tuple(AUDIO_TYPES))]
        for _, v in progress(todo, "rendering audio") if progress else todo:
            midi = v.first(MIDI_SUFFIXES)
            v.files[".ogg"] = render_midi(midi, midi.with_suffix(".ogg"), soundfont=soundfont)
    html = page(root, sketches, progress=progress)
    index = root / "index.html"
    tmp = root / f".index.html.tmp{os.getpid()}"
    try:
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, index)
    finally:
        tmp.unlink(missing_ok=True)
    return index


def href(root: Path, path: Path) -> str:
    return quote(path.relative_to(root).as_posix())
