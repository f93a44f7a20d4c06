"""Find a seed motif: a bundled one by name, a MIDI/MusicXML/.tn file, or inline tinyNotation."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sketchbook.errors import SketchbookError
from sketchbook.formats.tinynotation import (
    looks_like_tinynotation,
    motif_description,
    parse_motif_text,
    parse_tinynotation,
)
from sketchbook.model import Motif

MOTIFS_DIR: Path = Path(
    os.environ.get("SKETCHBOOK_MOTIFS") or Path(__file__).resolve().parent.parent / "motifs"
)
DEFAULT_MOTIF = "tide"
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_MOTIF_BARS = 8  # inline and bundled text motifs
FILE_MOTIF_BARS = 4  # MIDI and MusicXML files are cut to this many bars
TEXT_SUFFIX = ".tn"
MIDI_SUFFIXES = (".mid", ".midi")
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")


@dataclass(frozen=True, slots=True)
class BundledMotif:
    """A motif shipped in the motifs folder, with its one-line description."""

    name: str
    path: Path
    description: str


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


def load_motif(spec: str | None, *, motifs_dir: Path | None = None) -> Motif:
    """Turn a command-line motif spec (None for the default) into a Motif."""
    folder = _folder(motifs_dir)
    if spec is None:
        spec = DEFAULT_MOTIF
        if not (folder / f"{spec}{TEXT_SUFFIX}").is_file():
            raise SketchbookError(f"default motif {spec!r} is missing from {folder}")
    spec = spec.strip()
    if not spec:
        raise SketchbookError("empty motif: give a bundled motif name, a file, or tinyNotation")
    bundled = folder / f"{spec}{TEXT_SUFFIX}"
    if "/" not in spec and os.sep not in spec and bundled.is_file():
        return read_text_motif(bundled)
    path = Path(spec).expanduser()
    suffix = path.suffix.lower()
    if suffix in MIDI_SUFFIXES + MUSICXML_SUFFIXES + (TEXT_SUFFIX,):
        if not path.is_file():
            raise SketchbookError(f"motif file not found: {path}")
        if suffix in MIDI_SUFFIXES:
            from sketchbook.formats.motif_files import read_midi_motif

            return read_midi_motif(path)
        if suffix in MUSICXML_SUFFIXES:
            from sketchbook.formats.motif_files import read_musicxml_motif

            return read_musicxml_motif(path)
        return read_text_motif(path)
    if path.is_file():
        kinds = " ".join(MIDI_SUFFIXES + MUSICXML_SUFFIXES + (TEXT_SUFFIX,))
        raise SketchbookError(f"cannot read motif file {path}: its type is not one of {kinds}")
    if looks_like_tinynotation(spec):
        return _checked(parse_tinynotation(spec, name="inline"))
    raise SketchbookError(
        f"unknown motif {spec!r}: not a bundled motif (see `sketchbook motifs`), a file, or tinyNotation"
    )


def read_text_motif(path: Path) -> Motif:
    """Read a `.tn` motif file (comment header, then tinyNotation), named after the file."""
    return _checked(parse_motif_text(_read_text(path), name=path.stem))


def _checked(motif: Motif) -> Motif:
    if motif.bars > MAX_MOTIF_BARS:
        raise SketchbookError(
            f"motif {motif.name!r} is {motif.bars} bars long; text motifs are limited to {MAX_MOTIF_BARS} bars"
        )
    return motif


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SketchbookError(
                f"motif file {path} is {size} bytes; motif files are limited to {MAX_FILE_BYTES} bytes"
            )
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SketchbookError(f"motif file not found: {path}") from None
    except UnicodeDecodeError:
        raise SketchbookError(f"motif file {path} is not UTF-8 text") from None
    except OSError as error:
        raise SketchbookError(f"cannot read motif file {path}: {error.strerror or error}") from None


def _description(path: Path) -> str:
    try:
        return motif_description(_read_text(path))
    except SketchbookError:
        return ""


def _folder(motifs_dir: Path | None) -> Path:
    if motifs_dir is not None:
        return Path(motifs_dir)
    # Read the variable at call time too, so a test or shell can point elsewhere after import.
    override = os.environ.get("SKETCHBOOK_MOTIFS")
    return Path(override) if override else MOTIFS_DIR
