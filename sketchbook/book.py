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


MAX_SKETCHES = 10_000  # folders read; a book of more is refused in one line
MAX_FILES = 512  # entries looked at in one sketch folder
MAX_MOTIF_BAR_LINES = 64
SPLIT_AT = 24  # a book of more sketches gets a contents page and a page per sketch (see build_book)


def find_sketches(root: Path) -> list[Sketch]:
    """Every folder under root (and root itself) holding scores, MIDI or audio, in name order."""
    root = Path(root)
    if not root.is_dir():
        raise SketchbookError(f"{root}: no such folder (write sketches there with `sketchbook develop`)")
    folders = []
    for entry in os.scandir(root):
        if not entry.name.startswith(".") and entry.is_dir() and _inside(root, Path(entry.path)):
            folders.append(Path(entry.path))
            if len(folders) > MAX_SKETCHES:
                raise SketchbookError(f"{root} holds over {MAX_SKETCHES:,} folders; a book shows at most that many")
    folders = [root] + sorted(folders, key=lambda p: natural_key(p.name))
    sketches = [load_sketch(f, root=root) for f in folders]
    return [s for s in sketches if s.variations or s.meta or s.problem]


def _inside(root: Path, path: Path) -> bool:
    """True when path, links followed, is inside root: a planted link cannot pull outside files in."""
    try:
        return path.resolve().is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError):
        return False


def natural_key(name: str) -> tuple:
    """Numbers inside a name sort as numbers: kite-s2 before kite-s10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d{1,18})", name) if part)


def load_sketch(folder: Path, *, root: Path | None = None) -> Sketch:
    """Read sketch.json if it is there and sound, and group the folder's regular files by piece."""
    from sketchbook.book_record import plain_file_name, read_record

    root = Path(root or folder)
    meta, problem = {}, ""
    record = folder / "sketch.json"
    if os.path.lexists(record):
        try:
            if not _inside(root, record):
                raise SketchbookError("it links outside the book's folder")
            meta = read_record(record)
        except SketchbookError as exc:
            meta, problem = {}, f"sketch.json could not be read: {exc}"
    described = meta.get("variations", {})
    pieces: dict[str, Variation] = {}
    for name, info in described.items():
        piece = pieces.setdefault(name, Variation(name, parameters=info.get("parameters", {}),
                                                  summary=info.get("summary", {})))
        for listed in info.get("files", {}).values():
            path = folder / listed
            if plain_file_name(listed) and path.suffix.lower() in KNOWN and _regular(root, path):
                piece.files.setdefault(path.suffix.lower(), path)
    try:
        entries = sorted(e.name for _, e in zip(range(MAX_FILES), os.scandir(folder)))
    except OSError:
        entries = []
    for name in entries:
        path = folder / name
        if not name.startswith(".") and path.suffix.lower() in KNOWN and _regular(root, path):
            pieces.setdefault(path.stem, Variation(path.stem)).files.setdefault(path.suffix.lower(), path)
    return Sketch(folder, meta, [v for v in pieces.values() if v.files or v.parameters], problem)


def _regular(root: Path, path: Path) -> bool:
    try:
        return path.is_file() and _inside(root, path)
    except OSError:
        return False


def score_svg(musicxml: Path, *, id_seed: int = 1) -> str:
    """The whole score engraved by verovio as one scalable SVG (ids seeded so scores never clash)."""
    return engrave(musicxml, id_seed=id_seed)[0]


def engrave(musicxml: Path, *, id_seed: int = 1) -> tuple[str, list]:
    """The score's SVG and timemap, engraved in this process (the book uses book_engrave's children)."""
    from sketchbook.book_engrave import _score_text

    return engrave_text(_score_text(Path(musicxml)), Path(musicxml).name, id_seed=id_seed)


def engrave_text(xml: str, name: str, *, id_seed: int = 1) -> tuple[str, list]:
    """The score's SVG and its timemap: [milliseconds, note ids that start, note ids that stop] in time order."""
    import verovio

    toolkit = verovio.toolkit()
    # One tall page holds the whole score; svgHtml5 plus a per-score seed keeps glyph ids unique on the page.
    toolkit.setOptions({"pageWidth": 2100, "pageHeight": 60000, "scale": 40, "adjustPageHeight": True,
                        "adjustPageWidth": True, "header": "none", "footer": "none", "svgViewBox": True,
                        "svgHtml5": True, "svgRemoveXlink": True, "svgFormatRaw": True, "xmlIdSeed": id_seed})
    if not toolkit.loadData(xml) or toolkit.getPageCount() < 1:
        raise SketchbookError(f"{name}: verovio could not read this score")
    svg = toolkit.renderToSVG(1)
    if 'class="measure' not in svg:  # verovio engraves a broken file as an empty page
        raise SketchbookError(f"{name}: verovio found no measures in this score")
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
    if length / bar > MAX_MOTIF_BAR_LINES:  # a long motif in a short metre would be all bar lines
        line = length
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
    """Write root/index.html for every sketch under root; with audio, render missing audio (Ogg Opus) first.

    Up to SPLIT_AT sketches make one page. A larger book gets a contents page (every sketch with its motif,
    summaries and players) and a page per sketch in root/_pages/ with its scores and piano rolls, so the
    contents open at once however many sketches there are.
    """
    from sketchbook import book_html
    from sketchbook.book_engrave import Engravers

    root = Path(root)
    sketches = find_sketches(root)
    if audio:
        from sketchbook.audio import render_midi

        todo = [(s, v) for s in sketches for v in s.variations
                if v.first(MIDI_SUFFIXES) and not v.first(tuple(AUDIO_TYPES))]
        for _, v in progress(todo, "rendering audio") if progress else todo:
            midi = v.first(MIDI_SUFFIXES)
            try:
                v.files[".ogg"] = render_midi(midi, midi.with_suffix(".ogg"), soundfont=soundfont, force=False)
            except SketchbookError:  # this piece shows "no audio yet"; the book goes on
                continue
    # Ids seeded by position: unique on a page, and the same on every rebuild.
    numbers, written = {}, set()
    for sketch in sketches:
        for v in sketch.variations:
            if score := v.first(SCORE_SUFFIXES):
                numbers.setdefault(score, len(numbers) + 1)
    with Engravers() as engravers:
        if len(sketches) <= SPLIT_AT:
            engraved = engravers.engrave(list(numbers.items()), progress=progress)
            written.add(_write_page(root / "index.html", book_html.page(root, sketches, engraved=engraved)))
        else:  # a batch at a time, so memory holds one batch's scores however large the book
            anchors = [book_html.anchor(s, root) for s in sketches]
            batches = range(0, len(sketches), BATCH)
            for start in progress(batches, "engraving", len(batches)) if progress else batches:
                todo = []
                for sketch, anchor in zip(sketches[start:start + BATCH], anchors[start:start + BATCH]):
                    target, stamp = root / PAGES / f"{anchor}.html", _stamp(sketch)
                    if _page_stamp(target) == stamp:  # unchanged since its page was written: keep it
                        written.add(target)
                    else:
                        todo.append((sketch, target, stamp))
                # A page holds one sketch, so its scores' ids only need to differ from each other.
                scores = [(score, n) for s, _, _ in todo for n, score in enumerate(
                    (v.first(SCORE_SUFFIXES) for v in s.variations if v.first(SCORE_SUFFIXES)), 1)]
                engraved = engravers.engrave(scores)
                for sketch, target, stamp in todo:
                    html = book_html.sketch_page(root, sketch, target.stem, engraved, stamp=stamp)
                    written.add(_write_page(target, html))
            written.add(_write_page(root / "index.html", book_html.contents_page(root, sketches, anchors)))
    _remove_stale_pages(root, written)
    return root / "index.html"


STAMP = re.compile(rb'<meta name="sketchbook-stamp" content="([0-9a-f]{64})">')


def _stamp(sketch: Sketch) -> str:
    """What a sketch page was built from: this version, and each file's name, size and change time."""
    import hashlib

    from sketchbook import __version__

    digest = hashlib.sha256(f"{__version__}\n{sketch.folder.name}\n".encode())
    for name in sorted(p.name for p in sketch.folder.iterdir() if not p.name.startswith("."))[:MAX_FILES]:
        try:
            info = (sketch.folder / name).stat()
        except OSError:
            continue
        digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _page_stamp(page: Path) -> str | None:
    try:
        if page.is_symlink() or not page.is_file():
            return None
        with open(page, "rb") as handle:
            found = STAMP.search(handle.read(4096))
    except OSError:
        return None
    return found[1].decode() if found else None


PAGES = "_pages"  # never a sketch name: those start with a letter or digit
BATCH = 16  # sketches engraved and written at a time in a large book


def _write_page(path: Path, html: str) -> Path:
    from sketchbook.safety import exclusive_temp, remove_quietly

    tmp = None
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = exclusive_temp(path, ".part")  # a random name made with O_EXCL: a planted link is never followed
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise SketchbookError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        remove_quietly(tmp)
    return path


def _remove_stale_pages(root: Path, written: set[Path]) -> None:
    """Pages of sketches no longer in the book go (only our own .html files in _pages/)."""
    folder = root / PAGES
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in os.scandir(folder):
        path = Path(entry.path)
        if entry.is_file(follow_symlinks=False) and path.suffix == ".html" and path not in written:
            path.unlink(missing_ok=True)


def href(root: Path, path: Path, prefix: str = "") -> str:
    return prefix + quote(path.relative_to(root).as_posix())
