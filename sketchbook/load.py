"""Find a seed motif: a bundled one by name, a MIDI/MusicXML/.tn file, or inline tinyNotation."""

from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sketchbook.files import read_limited, short, shown
from sketchbook.formats.reading import FILE_MOTIF_BARS as FILE_MOTIF_BARS  # re-exported: the limits read as load's
from sketchbook.formats.reading import MAX_FILE_BYTES, MAX_MOTIF_BARS, Reading
from sketchbook.music.errors import SketchbookError

if TYPE_CHECKING:  # an annotation only: the parser, and the model with it, load inside the readers
    from sketchbook.music.model import Motif


def _packaged_motifs() -> Path:
    """The motifs shipped inside the package (the repository's top-level motifs/ links here)."""
    from importlib.resources import files

    return Path(str(files("sketchbook") / "motifs"))


MOTIFS_DIR: Path = Path(os.environ.get("SKETCHBOOK_MOTIFS") or _packaged_motifs())
DEFAULT_MOTIF = "tide"
MAX_SPEC_CHARS = 4096  # longer specs cannot be paths on any common file system
TEXT_SUFFIX = ".tn"
MIDI_SUFFIXES = (".mid", ".midi")
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")


class BundledMotif(NamedTuple):
    """A motif shipped in the motifs folder, with its one-line description."""

    name: str
    path: Path
    description: str


def parse_reading(
    *, meter: str | None = None, grid: str | None = None, track: str | None = None,
    part: str | None = None, bars_from: str | None = None,
) -> Reading:
    """Reading hints from command-line text such as '3/4', '1/16', '2', 'soprano', '5-8'."""
    parsed_meter = parsed_grid = bars = None
    if meter is not None:
        found = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{1,2})\s*", meter)
        if not found or not 1 <= int(found[1]) <= 32 or found[2] not in ("1", "2", "4", "8", "16", "32"):
            raise SketchbookError(f"metre {short(meter)!r} should be a time signature such as 3/4 or 6/8")
        parsed_meter = (int(found[1]), int(found[2]))
    if grid is not None:
        found = re.fullmatch(r"\s*1\s*/\s*(\d{1,2})\s*", grid)
        if not found or int(found[1]) not in (4, 8, 12, 16, 24, 32):
            raise SketchbookError(f"grid {short(grid)!r} should be 1/4, 1/8, 1/12, 1/16, 1/24 or 1/32")
        parsed_grid = Fraction(1, int(found[1]))
    if bars_from is not None:
        found = re.fullmatch(r"\s*(\d{1,4})\s*(?:-\s*(\d{1,4}))?\s*", bars_from)
        first = int(found[1]) if found else 0
        last = int(found[2] or found[1]) if found else 0
        if not found or not 1 <= first <= last or last - first >= MAX_MOTIF_BARS:
            raise SketchbookError(
                f"bars {short(bars_from)!r} should be a range such as 5-8 of at most {MAX_MOTIF_BARS} bars"
            )
        bars = (first, last)
    for label, value in (("track", track), ("part", part)):
        if value is not None and (not value.strip() or len(value) > 100):
            raise SketchbookError(f"{label} {short(value)!r} should be a number or part of a name")
    return Reading(parsed_meter, parsed_grid, track, part, bars)


def bundled_motifs(motifs_dir: Path | None = None) -> list[BundledMotif]:
    """The `.tn` motifs in the motifs folder, sorted by name."""
    folder = _folder(motifs_dir)
    if not folder.is_dir():
        return []
    return [
        BundledMotif(path.stem, path, _description(path))
        for path in sorted(folder.glob(f"*{TEXT_SUFFIX}"), key=lambda p: p.stem)
        if path.is_file()
    ]


def load_motif(spec: str | None, *, motifs_dir: Path | None = None, reading: Reading | None = None) -> Motif:
    """Turn a command-line motif spec (None for the default) into a Motif, read as ``reading`` says."""
    reading = reading or Reading()
    folder = _folder(motifs_dir)
    if spec is None:
        spec = DEFAULT_MOTIF
        if not _is_file(folder / f"{spec}{TEXT_SUFFIX}"):
            raise SketchbookError(f"default motif {spec!r} is missing from {shown(folder)}")
    spec = spec.strip()
    if not spec:
        raise SketchbookError("empty motif: give a bundled motif name, a file, or tinyNotation")
    bundled = folder / f"{spec}{TEXT_SUFFIX}"
    if "/" not in spec and os.sep not in spec and _is_file(bundled):
        return _text_only(read_text_motif(bundled), reading)
    path = _as_path(spec)
    suffix = path.suffix.lower() if path is not None else ""
    if path is not None and suffix in MIDI_SUFFIXES + MUSICXML_SUFFIXES + (TEXT_SUFFIX,):
        if not _exists(path):
            raise SketchbookError(f"motif file not found: {shown(path)}")
        if suffix in MIDI_SUFFIXES:
            from sketchbook.formats.motif_files import read_midi_motif

            if reading.part is not None:
                raise SketchbookError("a part is chosen in MusicXML files; in a MIDI file choose a track")
            return read_midi_motif(path, reading)
        if suffix in MUSICXML_SUFFIXES:
            from sketchbook.formats.motif_files import read_musicxml_motif

            if reading.track is not None or reading.meter or reading.grid:
                raise SketchbookError("a track, metre or grid hint reads MIDI files; in MusicXML choose a part")
            return read_musicxml_motif(path, reading)
        return _text_only(read_text_motif(path), reading)
    if path is not None and _is_file(path):
        kinds = " ".join(MIDI_SUFFIXES + MUSICXML_SUFFIXES + (TEXT_SUFFIX,))
        raise SketchbookError(f"cannot read motif file {shown(path)}: its type is not one of {kinds}")
    from sketchbook.formats.tinynotation import (
        looks_like_tinynotation,
        parse_tinynotation,
    )

    if looks_like_tinynotation(spec):
        return _text_only(_checked(parse_tinynotation(spec, name="inline")), reading)
    raise SketchbookError(
        f"unknown motif {short(spec)!r}: not a bundled motif (see `sketchbook motifs`), a file, or tinyNotation"
    )


def read_text_motif(path: Path) -> Motif:
    """Read a `.tn` motif file (comment header, then tinyNotation), named after the file."""
    from sketchbook.formats.tinynotation import parse_motif_text

    return _checked(parse_motif_text(_read_text(path), name=path.stem))


def _checked(motif: Motif) -> Motif:
    if motif.bars > MAX_MOTIF_BARS:
        raise SketchbookError(
            f"motif {motif.name!r} is {motif.bars} bars long; text motifs are limited to {MAX_MOTIF_BARS} bars"
        )
    return motif


def _text_only(motif: Motif, reading: Reading) -> Motif:
    if reading != Reading():
        raise SketchbookError("track, part, bar, metre and grid choices read MIDI and MusicXML files, not tinyNotation")
    return motif


def _read_text(path: Path) -> str:
    data = read_limited(path, MAX_FILE_BYTES, "motif")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SketchbookError(f"motif file {shown(path)} is not UTF-8 text") from None


def _as_path(spec: str) -> Path | None:
    """The spec as a file path (~ expanded when the user is known), or None when it cannot name a file."""
    if len(spec) > MAX_SPEC_CHARS or "\0" in spec:
        return None
    try:
        return Path(spec).expanduser()
    except RuntimeError:
        return Path(spec)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # e.g. a name too long for the file system
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _description(path: Path) -> str:
    from sketchbook.formats.motif_text import motif_description

    try:
        return motif_description(_read_text(path))
    except SketchbookError:
        return ""


def motifs_folder() -> Path:
    """Where bundled motifs are looked up: $SKETCHBOOK_MOTIFS, else the package's own folder."""
    return _folder(None)


def _folder(motifs_dir: Path | None) -> Path:
    if motifs_dir is not None:
        return Path(motifs_dir)
    # Read the variable at call time too, so a test or shell can point elsewhere after import.
    override = os.environ.get("SKETCHBOOK_MOTIFS")
    return Path(override) if override else MOTIFS_DIR
