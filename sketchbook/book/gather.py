"""The book's sketches gathered from a folder: each sketch folder's files by piece, and its sketch.json.

A sketch folder may hold a record edited by hand, damaged or planted, so the page is built only from
values of the expected kind and size: every field of sketch.json is checked against a schema and
anything else dropped; text is short and escaped later, numbers are finite, note times are small
fractions, and only regular files inside the book's folder are read, engraved or linked.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from urllib.parse import quote

from sketchbook.music.errors import SketchbookError

MAX_RECORD_BYTES = 1024 * 1024  # as develop --from
MAX_TEXT = 200
MAX_VARIATIONS = 16
MAX_MOTIF_NOTES = 1000
MAX_LIST = 64
MAX_BEATS = 1000  # quarter notes: a motif is a few bars
LEVER_NAMES = ("tempo", "density", "ornament", "morph", "preset", "bars", "meter")
SUMMARY_INTS = ("tempo", "bars", "notes", "sounding_notes")


def read_record(path: Path) -> dict:
    """The checked record, or a SketchbookError saying in a few words why it cannot be used."""
    from sketchbook.files import read_limited

    data = read_limited(path, MAX_RECORD_BYTES, "sketch.json")
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SketchbookError(f"not readable JSON ({' '.join(str(exc).split())[:120]})") from None
    if not isinstance(raw, dict):
        raise SketchbookError("not a JSON object")
    record: dict[str, object] = {}
    for key in ("name", "sketchbook"):
        if (text := _text(raw.get(key))) is not None:
            record[key] = text
    if _whole(raw.get("seed")) is not None:
        record["seed"] = raw["seed"]
    if isinstance(raw.get("levers"), dict):
        record["levers"] = {k: v for k, v in raw["levers"].items() if k in LEVER_NAMES and _scalar(v) is not None}
    if isinstance(raw.get("motif"), dict):
        record["motif"] = checked_motif(raw["motif"])
    variations = raw.get("variations")
    if isinstance(variations, dict):
        if len(variations) > MAX_VARIATIONS:
            raise SketchbookError(f"it lists {len(variations):,} variations; a sketch has at most {MAX_VARIATIONS}")
        record["variations"] = {name: _variation(info) for name, info in variations.items()
                                if _text(name) is not None and isinstance(info, dict)}
    return record


def checked_motif(motif: dict) -> dict:
    out: dict[str, object] = {k: t for k in ("name", "description", "key") if (t := _text(motif.get(k))) is not None}
    meter = _text(motif.get("meter"))
    if meter and _meter(meter):
        out["meter"] = meter
    pickup = _fraction(motif.get("pickup"))
    if pickup is not None:
        out["pickup"] = str(pickup)
    notes = motif.get("notes")
    if isinstance(notes, list) and len(notes) <= MAX_MOTIF_NOTES:
        kept = []
        for note in notes:
            if not isinstance(note, dict):
                continue
            pitch, start, duration = _whole(note.get("pitch")), _fraction(note.get("start")), \
                _fraction(note.get("duration"))
            if pitch is not None and 0 <= pitch <= 127 and start is not None and duration and duration > 0:
                kept.append({"pitch": pitch, "start": str(start), "duration": str(duration)})
        out["notes"] = kept
    return out


def _variation(info: dict) -> dict:
    out = {}
    if isinstance(info.get("parameters"), dict):
        out["parameters"] = {str(k)[:MAX_TEXT]: v for k, v in list(info["parameters"].items())[:MAX_LIST]
                             if _scalar(v) is not None or _scalars(v)}
    if isinstance(info.get("summary"), dict):
        summary = info["summary"]
        kept = {k: summary[k] for k in SUMMARY_INTS if _whole(summary.get(k)) is not None and summary[k] >= 0}
        if _scalars(summary.get("tempos")) and all(_whole(t) is not None for t in summary["tempos"]):
            kept["tempos"] = summary["tempos"]
        seconds = summary.get("seconds")
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 0 <= seconds < 10**7:
            kept["seconds"] = seconds
        out["summary"] = kept
    if isinstance(info.get("files"), dict):
        out["files"] = {str(k)[:MAX_TEXT]: v for k, v in list(info["files"].items())[:MAX_LIST]
                        if isinstance(v, str) and plain_file_name(v)}
    return out


def plain_file_name(name: str) -> bool:
    """A name inside the sketch's own folder: no folders, no absolute path, no '..', nothing hidden."""
    return (0 < len(name) <= MAX_TEXT and "/" not in name and "\\" not in name and "\0" not in name
            and not name.startswith(".") and ":" not in name)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number sketchbook writes")


def _text(value) -> str | None:
    return value[:MAX_TEXT] if isinstance(value, str) else None


def _whole(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63 else None


def _scalar(value):
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if abs(value) < 2**63 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def _scalars(value) -> bool:
    return isinstance(value, list) and len(value) <= MAX_LIST and all(_scalar(v) is not None for v in value)


def _fraction(value) -> Fraction | None:
    if not isinstance(value, (str, int)) or isinstance(value, bool) or len(str(value)) > 20:
        return None
    try:
        number = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return number if 0 <= number <= MAX_BEATS and number.denominator <= 1024 else None


def _meter(text: str) -> bool:
    parts = text.split("/")
    return (len(parts) == 2 and all(p.isdigit() and len(p) <= 3 for p in parts)
            and 1 <= int(parts[0]) <= 64 and int(parts[1]) in (1, 2, 4, 8, 16, 32, 64, 128))


PAGES = "_pages"  # never a sketch name: those start with a letter or digit
SCORE_SUFFIXES = (".musicxml", ".xml", ".mxl")
MIDI_SUFFIXES = (".mid", ".midi")
AUDIO_TYPES = {".ogg": "audio/ogg", ".flac": "audio/flac", ".wav": "audio/wav"}  # the player tries them in order
KNOWN = (*SCORE_SUFFIXES, *MIDI_SUFFIXES, *AUDIO_TYPES)


@dataclass
class PieceFiles:
    """One piece in a sketch folder: its files by kind, and what sketch.json says about it."""

    name: str
    files: dict[str, Path] = field(default_factory=dict)  # suffix -> path
    parameters: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    def first(self, suffixes: tuple[str, ...]) -> Path | None:
        return next((self.files[s] for s in suffixes if s in self.files), None)


@dataclass
class SketchFolder:
    folder: Path
    meta: dict
    variations: list[PieceFiles]
    problem: str = ""


MAX_SKETCHES = 10_000  # folders read; a book of more is refused in one line
MAX_FILES = 512  # entries looked at in one sketch folder


def find_sketches(root: Path) -> list[SketchFolder]:
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


def load_sketch(folder: Path, *, root: Path | None = None) -> SketchFolder:
    """Read sketch.json if it is there and sound, and group the folder's regular files by piece."""
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
    pieces: dict[str, PieceFiles] = {}
    for name, info in described.items():
        piece = pieces.setdefault(name, PieceFiles(name, parameters=info.get("parameters", {}),
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
            pieces.setdefault(path.stem, PieceFiles(path.stem)).files.setdefault(path.suffix.lower(), path)
    return SketchFolder(folder, meta, [v for v in pieces.values() if v.files or v.parameters], problem)


def _regular(root: Path, path: Path) -> bool:
    try:
        return path.is_file() and _inside(root, path)
    except OSError:
        return False


def href(root: Path, path: Path, prefix: str = "") -> str:
    return prefix + quote(path.relative_to(root).as_posix())
