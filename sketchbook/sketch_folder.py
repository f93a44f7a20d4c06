"""The sketch folder: its files written all or nothing, and its sketch.json written and read back.

A sketch.json read for `develop --from` is checked field by field against the command line's own limits:
it may have been edited by hand or planted, so every value goes through the same checks as the option it
stands for (request.plan for the levers), and `--from` can do nothing the command line refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import partial
from pathlib import Path

from sketchbook.files import check_name, read_limited, write_all
from sketchbook.music.errors import SketchbookError
from sketchbook.music.levers import NUMBERS, level
from sketchbook.music.model import Motif, Note
from sketchbook.music.theory import key_name
from sketchbook.music.variation import Variation
from sketchbook.request import LEVERS, Request
from sketchbook.version import __version__

MAX_SKETCH_BYTES = 1024 * 1024
MAX_SEED = 2**63 - 1  # as --seed
MAX_VARIATIONS = 2


def sketch_files(variations: list[str]) -> list[str]:
    return [f"{v}.{ext}" for v in variations for ext in ("mid", "musicxml")] + ["sketch.json"]


def write_sketch(folder: Path, motif: Motif, results: list[Variation], *, seed: int, request: Request,
                 force: bool, scores: Mapping[str, Callable[[], bytes]] | None = None) -> list[Path]:
    """Write every file of the sketch at once (files.write_all): all or nothing, and nothing existing
    replaced without ``force``. ``scores`` gives, by variation, a MusicXML engraved elsewhere."""
    from sketchbook.formats.midi import midi_bytes
    from sketchbook.formats.musicxml import piece_to_musicxml

    for r in results:  # variation names become file names, and may come from a sketch.json
        try:
            check_name(r.name)
        except SketchbookError:
            raise SketchbookError(f"invalid variation name {r.name!r}: it must be a plain file name") from None
    payloads: dict[Path, bytes | Callable[[], bytes]] = {}
    for r in results:
        payloads[folder / f"{r.name}.mid"] = midi_bytes(r.performance)
        # Scores are made (or collected from elsewhere) in turn once the ready files are on disk.
        payloads[folder / f"{r.name}.musicxml"] = (scores or {}).get(r.name) or partial(piece_to_musicxml, r.piece)
    payloads[folder / "sketch.json"] = sketch_json(motif, results, seed=seed, request=request).encode()
    return write_all(payloads, force=force)


def sketch_json(motif: Motif, results: list[Variation], *, seed: int, request: Request) -> str:
    """The sketch's record: enough to regenerate every file byte for byte."""
    record = {
        "sketchbook": __version__,
        "name": motif.name,
        "seed": seed,
        "levers": request.as_dict(),
        "motif": motif_to_dict(motif),
        "variations": {
            r.name: {
                "parameters": {
                    "style": r.style.name, "tempo": r.style.levers.tempo,
                    **{k: as_written(level(getattr(r.style.levers, k))) for k in NUMBERS},
                    "dynamics": list(r.style.dynamics),
                },
                "files": {"midi": f"{r.name}.mid", "musicxml": f"{r.name}.musicxml"},
                "summary": r.summary().as_dict(),
            }
            for r in results
        },
    }  # fmt: skip
    return json.dumps(record, indent=2) + "\n"


def as_written(value: float) -> float:
    """A lever as a person writes it: a morph's 0.45000000000000007 is 0.45 (the record only describes;
    regeneration reads the levers the user gave, so nothing played changes)."""
    return round(value, 6)


def motif_to_dict(motif: Motif) -> dict:
    return {
        "name": motif.name,
        "description": motif.description,
        "key": key_name(motif.key),
        "tonic": motif.key.tonic,
        "mode": motif.key.mode,
        "meter": str(motif.meter),
        "pickup": str(motif.pickup),
        "notes": [_note_to_dict(n) for n in motif.notes],
    }


def _note_to_dict(note: Note) -> dict:
    out = {"pitch": note.pitch, "start": str(note.start), "duration": str(note.duration)}
    if note.spelling is not None:  # the motif file's own spelling, e.g. "Bb", so a regenerated score keeps it
        letter, alter = note.spelling
        out["spelling"] = letter + ("#" * alter if alter > 0 else "b" * -alter)
    return out


def _spelling_from(text: object) -> tuple[str, int] | None:
    if text is None:
        return None
    if not isinstance(text, str) or not re.fullmatch(r"[A-G](#{1,2}|b{1,2})?", text):
        raise ValueError(f"spelling {text!r} is not a note name such as Bb or F#")
    return text[0], text.count("#") - text.count("b")


def motif_from_dict(data: dict) -> Motif:
    """Rebuild a motif from sketch.json's record of it."""
    from sketchbook.music.model import Key, Meter

    try:
        numerator, denominator = (int(x) for x in data["meter"].split("/"))
        notes = tuple(Note(int(n["pitch"]), Fraction(n["start"]), Fraction(n["duration"]),
                           spelling=_spelling_from(n.get("spelling"))) for n in data["notes"])  # fmt: skip
        return Motif(data["name"], notes, Key(int(data["tonic"]), data["mode"]), Meter(numerator, denominator),
                     Fraction(data["pickup"]), data.get("description", ""))
    except (KeyError, ValueError, TypeError, AttributeError, ZeroDivisionError) as exc:
        raise SketchbookError(f"sketch.json has no usable motif: {exc}") from None


def read_sketch_record(path: Path, *, levers_given: dict) -> tuple[Motif, list[int], tuple[str, ...], Request]:
    """Motif, seed, variations and request (its "levers") from a sketch.json, so a sketch can be regenerated exactly."""
    from sketchbook.load import MAX_MOTIF_BARS

    if not Path(path).exists():
        raise SketchbookError(f"sketch record not found: {path}")
    try:
        record = json.loads(read_limited(Path(path), MAX_SKETCH_BYTES, "sketch.json").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise SketchbookError(f"{path}: not a readable sketch.json ({' '.join(str(exc).split())})") from None
    if not isinstance(record, dict) or not isinstance(record.get("motif"), dict):
        raise SketchbookError(f"{path}: not a sketch.json written by sketchbook")
    motif = motif_from_dict(record["motif"])
    if motif.bars > MAX_MOTIF_BARS:
        raise SketchbookError(f"{path}: its motif is {motif.bars} bars long; a motif has at most {MAX_MOTIF_BARS}")
    from sketchbook.style_files import VARIATIONS

    # Field by field, with the command line's own limits (bars, sizes, types).
    request = checked_levers(record.get("levers"), levers_given, LEVERS, str(path))
    seed = checked_seed(record, str(path))
    variations = checked_variations(record, str(path))
    # A variation name only ever chooses a built-in style here: never a file path from the JSON.
    allowed = set(VARIATIONS) | ({"morph"} if request.morph is not None else set())
    strange = [v for v in variations if v not in allowed and request.preset is None]
    if strange or not variations or len(variations) > 2:
        raise SketchbookError(f"{path}: unknown variations {', '.join(map(str, strange or variations))}")
    return motif, [seed], variations, request


def checked_seed(record: dict, where: str) -> int:
    seed = record.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise SketchbookError(f"{where}: seed must be a whole number from 0 to {MAX_SEED}, not {_shown(seed)}")
    return seed


def checked_levers(stored, given: dict, names: tuple[str, ...], where: str) -> Request:
    """The record's levers, overridden by the ones given on the command line, each checked like its option."""
    from sketchbook.request import plan

    if stored is None:
        stored = {}
    if not isinstance(stored, dict):
        raise SketchbookError(f"{where}: levers must be a JSON object, not {_shown(stored)}")
    unknown = sorted(str(k) for k in stored if k not in names)
    if unknown:
        raise SketchbookError(f"{where}: unknown lever {_shown(unknown[0])} (known: {', '.join(names)})")
    merged = {k: (given.get(k) if given.get(k) is not None else stored.get(k)) for k in names}
    if merged.get("preset") is not None and not isinstance(merged["preset"], str):
        raise SketchbookError(f"{where}: levers.preset must be a file name in quotes, not {_shown(merged['preset'])}")
    try:
        return plan(None, flag="levers.", **merged)[1]  # the same types and ranges as --tempo, --bars, ...
    except SketchbookError as exc:
        raise SketchbookError(f"{where}: {exc}") from None


def checked_variations(record: dict, where: str) -> tuple[str, ...]:
    listed = record.get("variations") or ("beach", "photograph")
    if isinstance(listed, dict):
        listed = list(listed)
    if not isinstance(listed, (list, tuple)) or not all(isinstance(v, str) for v in listed):
        raise SketchbookError(f"{where}: variations must name the pieces, e.g. [\"beach\", \"photograph\"]")
    if not 1 <= len(listed) <= MAX_VARIATIONS:
        raise SketchbookError(f"{where}: a sketch has 1 or {MAX_VARIATIONS} variations, not {len(listed)}")
    if len(set(listed)) != len(listed):
        twice = next(v for v in listed if listed.count(v) > 1)
        raise SketchbookError(f"{where}: variations name {_shown(twice)} twice; each piece is written once")
    return tuple(listed)


def _shown(value) -> str:
    text = repr(value) if not isinstance(value, float) else f"{value:g}"
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 40 else text[:37] + "..."
