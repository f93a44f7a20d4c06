"""Find a seed motif: a bundled one by name, a MIDI/MusicXML/.tn file, or inline tinyNotation."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sketchbook.errors import SketchbookError

if TYPE_CHECKING:  # an annotation only: the parser, and the model with it, load inside the readers
    from sketchbook.model import Motif


def _packaged_motifs() -> Path:
    """The motifs shipped inside the package (the repository's top-level motifs/ links here)."""
    from importlib.resources import files

    return Path(os.fspath(files("sketchbook") / "motifs"))


MOTIFS_DIR: Path = Path(os.environ.get("SKETCHBOOK_MOTIFS") or _packaged_motifs())
DEFAULT_MOTIF = "tide"
MAX_FILE_BYTES = 2 * 1024 * 1024  # .tn and MIDI files (MusicXML has its own limit in formats/motif_files.py)
MAX_SPEC_CHARS = 4096  # longer specs cannot be paths on any common file system
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
        if not _is_file(folder / f"{spec}{TEXT_SUFFIX}"):
            raise SketchbookError(f"default motif {spec!r} is missing from {shown(folder)}")
    spec = spec.strip()
    if not spec:
        raise SketchbookError("empty motif: give a bundled motif name, a file, or tinyNotation")
    bundled = folder / f"{spec}{TEXT_SUFFIX}"
    if "/" not in spec and os.sep not in spec and _is_file(bundled):
        return read_text_motif(bundled)
    path = _as_path(spec)
    suffix = path.suffix.lower() if path is not None else ""
    if path is not None and suffix in MIDI_SUFFIXES + MUSICXML_SUFFIXES + (TEXT_SUFFIX,):
        if not _exists(path):
            raise SketchbookError(f"motif file not found: {shown(path)}")
        if suffix in MIDI_SUFFIXES:
            from sketchbook.formats.motif_files import read_midi_motif

            return read_midi_motif(path)
        if suffix in MUSICXML_SUFFIXES:
            from sketchbook.formats.motif_files import read_musicxml_motif

            return read_musicxml_motif(path)
        return read_text_motif(path)
    if path is not None and _is_file(path):
        kinds = " ".join(MIDI_SUFFIXES + MUSICXML_SUFFIXES + (TEXT_SUFFIX,))
        raise SketchbookError(f"cannot read motif file {shown(path)}: its type is not one of {kinds}")
    from sketchbook.formats.tinynotation import (
        looks_like_tinynotation,
        parse_tinynotation,
    )

    if looks_like_tinynotation(spec):
        return _checked(parse_tinynotation(spec, name="inline"))
    raise SketchbookError(
        f"unknown motif {_short(spec)!r}: not a bundled motif (see `sketchbook motifs`), a file, or tinyNotation"
    )


def read_text_motif(path: Path) -> Motif:
    """Read a `.tn` motif file (comment header, then tinyNotation), named after the file."""
    from sketchbook.formats.tinynotation import parse_motif_text

    return _checked(parse_motif_text(_read_text(path), name=path.stem))


def read_limited(path: Path, limit: int, kind: str) -> bytes:
    """A regular file's bytes, refusing anything over ``limit`` bytes (even if it grows while read)."""
    try:
        # O_NONBLOCK: opening a FIFO or device named like a motif must not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SketchbookError(f"motif file not found: {shown(path)}") from None
    except (OSError, ValueError) as error:
        raise SketchbookError(f"cannot read {kind} file {shown(path)}: {_reason(error)}") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SketchbookError(f"{shown(path)} is not a regular file")
            size = os.fstat(handle.fileno()).st_size
            # Ask for the stated size first: read(limit + 1) would reserve the whole limit up front.
            chunks = [handle.read(min(size, limit) + 1)]
            total = len(chunks[0])
            while chunks[-1] and total <= limit:  # the file grew while we read it
                chunks.append(handle.read(min(1 << 20, limit + 1 - total)))
                total += len(chunks[-1])
            data = b"".join(chunks)
    except OSError as error:
        raise SketchbookError(f"cannot read {kind} file {shown(path)}: {_reason(error)}") from None
    if not data:
        raise SketchbookError(f"{kind} file {shown(path)} is empty")
    if len(data) > limit:
        size = max(size, len(data))
        raise SketchbookError(f"{kind} file {shown(path)} is {size} bytes; {kind} files are limited to {limit} bytes")
    return data


def shown(path: Path | str) -> str:
    """A path as text for a one-line message: control characters are escaped, long paths shortened."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))
    return _short(text, 200)


def _checked(motif: Motif) -> Motif:
    if motif.bars > MAX_MOTIF_BARS:
        raise SketchbookError(
            f"motif {motif.name!r} is {motif.bars} bars long; text motifs are limited to {MAX_MOTIF_BARS} bars"
        )
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


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or _short(" ".join(str(error).split()), 200) or type(error).__name__


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
