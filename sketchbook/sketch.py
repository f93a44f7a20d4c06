"""A sketch: one motif developed into its variations and written safely to a folder."""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sketchbook import __version__
from sketchbook.compose import compose
from sketchbook.errors import SketchbookError
from sketchbook.form import VARIATIONS, Style, load_style, morph, swayed, with_levers
from sketchbook.model import Motif, Note, Performance, Piece
from sketchbook.perform import perform
from sketchbook.theory import key_name

MAX_SKETCH_BYTES = 1024 * 1024
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Levers:
    """What the user asked for beyond the variation: lever overrides, morph, preset, length."""

    tempo: int | None = None
    density: float | None = None
    ornament: float | None = None
    morph: float | None = None
    preset: str | None = None
    bars: int | None = None
    meter: str | None = None  # the beach's metre: "3/4" by default, "source" keeps the motif's

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in LEVER_NAMES}


LEVER_NAMES = ("tempo", "density", "ornament", "morph", "preset", "bars", "meter")


@dataclass(frozen=True, slots=True)
class Variation:
    """One developed piece with its score and performance."""

    name: str
    style: Style
    piece: Piece
    performance: Performance


def style_for(variation: str, levers: Levers) -> Style:
    """The style a variation is developed in, after preset, morph and lever overrides."""
    if levers.preset is not None:
        from sketchbook.style_check import load_preset

        style = load_preset(levers.preset)
    elif levers.morph is not None:
        style = morph(load_style("beach"), load_style("photograph"), levers.morph)
    elif variation in VARIATIONS:
        style = load_style(variation)
    else:
        raise SketchbookError(f"unknown variation {variation!r}: choose beach or photograph")
    return with_levers(style, tempo=levers.tempo, density=levers.density, ornament=levers.ornament,
                       meter=levers.meter)


def develop_variation(motif: Motif, variation: str, *, seed: int, levers: Levers = Levers()) -> Variation:
    """Compose and perform one variation; the same motif, variation, levers and seed give the same result."""
    style = style_for(variation, levers)
    if levers.tempo is None:
        # One draw per seed, shared by every variation: each sketch has its own tempo, and the
        # photograph's return still lands on its beach's.
        style = swayed(style, random.Random(f"sketchbook:{seed}:tempo").random())
    rng = random.Random(f"sketchbook:{seed}:{variation}")
    piece = compose(motif, style, rng=rng, bars=levers.bars, title=f"{motif.name}: {variation}")
    soft = style.density < 0.45
    span = (22, 72) if soft else None
    performance = perform(piece, rng=rng, rubato=style.rubato, velocity_span=span)
    return Variation(variation, style, piece, performance)


def check_name(name: str) -> str:
    """A sketch name must be a plain folder name on every system: no paths, no dots at either end,
    no odd characters and no Windows device name such as CON or LPT1."""
    if not NAME_PATTERN.fullmatch(name) or name.endswith("."):
        raise SketchbookError(
            f"invalid sketch name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter"
            " or digit and not ending in '.' (choose one with --name)"
        )
    device = name.split(".")[0].upper()
    if device in ("CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$") or (
        len(device) == 4 and device[:3] in ("COM", "LPT") and device[3].isdigit()
    ):
        raise SketchbookError(
            f"invalid sketch name {name!r}: {device} is a reserved device name on Windows (choose another with --name)"
        )
    return name


def sketch_files(variations: list[str]) -> list[str]:
    return [f"{v}.{ext}" for v in variations for ext in ("mid", "musicxml")] + ["sketch.json"]


def write_sketch(folder: Path, motif: Motif, results: list[Variation], *, seed: int, levers: Levers,
                 force: bool) -> list[Path]:
    """Write every file of the sketch to temporary files, then rename them all into place.

    All or nothing: on any failure or interrupt, files that were there before are restored and no
    temporary file is left; without ``force`` no existing file is touched.
    """
    import secrets
    import shutil

    from sketchbook.formats.midi import performance_to_midi
    from sketchbook.formats.musicxml import piece_to_musicxml
    from sketchbook.load import shown

    for r in results:  # variation names become file names, and may come from a sketch.json
        try:
            check_name(r.name)
        except SketchbookError:
            raise SketchbookError(f"invalid variation name {r.name!r}: it must be a plain file name") from None
    names = sketch_files([r.name for r in results])
    targets = [folder / n for n in names]
    if not force:
        existing = [t for t in targets if os.path.lexists(t)]
        if existing:
            raise SketchbookError(f"{shown(existing[0])} already exists (use --force to overwrite)")
    payloads: dict[str, bytes] = {}
    for r in results:
        payloads[f"{r.name}.mid"] = _midi_bytes(performance_to_midi(r.performance))
        payloads[f"{r.name}.musicxml"] = piece_to_musicxml(r.piece)
    payloads["sketch.json"] = sketch_json(motif, results, seed=seed, levers=levers).encode()

    def spare_name(target: Path, ending: str) -> Path:
        return target.with_name(f".{target.name}.{secrets.token_hex(4)}.{ending}")

    def stage(target: Path, data: bytes) -> None:
        temp = spare_name(target, "part")
        # O_EXCL never follows a planted symlink; mode 0o666 lets the umask decide, as for any new file.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        temps[target] = temp
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)  # the rename below must not be able to land before the bytes do
        finally:
            os.close(fd)

    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    placed: list[Path] = []
    current = folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target in targets:
            current = target
            stage(target, payloads[target.name])
        for target in targets:
            current = target
            if os.path.lexists(target):
                if not force:  # it appeared while we were writing
                    raise SketchbookError(f"{shown(target)} already exists (use --force to overwrite)")
                backup = spare_name(target, "old")
                try:
                    os.link(target, backup)  # the old file stays in place until os.replace swaps it
                except OSError:
                    shutil.copy2(target, backup)
                backups[target] = backup
            os.replace(temps[target], target)
            del temps[target]
            placed.append(target)
    except BaseException as exc:
        for target in reversed(placed):
            try:
                if target in backups:
                    os.replace(backups.pop(target), target)
                else:
                    os.unlink(target)
            except OSError:
                pass
        for path in [*temps.values(), *backups.values()]:
            try:
                os.unlink(path)
            except OSError:
                pass
        for path in missing:  # only the folders this call created, innermost first, if still empty
            try:
                path.rmdir()
            except OSError:
                break
        if isinstance(exc, OSError):
            reason = exc.strerror or type(exc).__name__
            raise SketchbookError(f"cannot write {shown(current)}: {reason}; nothing was changed") from None
        raise
    for backup in backups.values():
        try:
            os.unlink(backup)
        except OSError:
            pass
    return targets


def _midi_bytes(midi) -> bytes:
    import io

    buffer = io.BytesIO()
    midi.save(file=buffer)
    return buffer.getvalue()


def sketch_json(motif: Motif, results: list[Variation], *, seed: int, levers: Levers) -> str:
    """The sketch's record: enough to regenerate every file byte for byte."""
    record = {
        "sketchbook": __version__,
        "name": motif.name,
        "seed": seed,
        "levers": levers.as_dict(),
        "motif": motif_to_dict(motif),
        "variations": {
            r.name: {
                "parameters": {
                    "style": r.style.name, "tempo": r.style.tempo, "density": as_written(r.style.density),
                    "ornament": as_written(r.style.ornament), "colour": as_written(r.style.colour),
                    "articulation": as_written(r.style.articulation), "rubato": as_written(r.style.rubato),
                    "dynamics": list(r.style.dynamics),
                },
                "files": {"midi": f"{r.name}.mid", "musicxml": f"{r.name}.musicxml"},
                "summary": summary(r),
            }
            for r in results
        },
    }  # fmt: skip
    return json.dumps(record, indent=2) + "\n"


def as_written(value: float) -> float:
    """A lever as a person writes it: a morph's 0.45000000000000007 is 0.45 (the record only describes;
    regeneration reads the levers the user gave, so nothing played changes)."""
    return round(value, 6)


def summary(result: Variation) -> dict:
    piece = result.piece
    played = [s.tempo for s in piece.sections]
    tempos = [t for i, t in enumerate(played) if i == 0 or t != played[i - 1]]  # in the order played
    return {
        "tempo": piece.sections[0].tempo,
        "tempos": tempos,
        "bars": piece.bars,
        "notes": len(piece.right_hand) + len(piece.left_hand),
        "sounding_notes": len(result.performance.notes),
        "seconds": round(_seconds(result.performance), 1),
    }


def _seconds(performance: Performance) -> float:
    total, tempos = 0.0, list(performance.tempos) + [(performance.length, 0)]
    for (start, bpm), (end, _) in zip(tempos, tempos[1:]):
        total += float(end - start) * 60.0 / bpm
    return total


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
    from sketchbook.model import Key, Meter

    try:
        numerator, denominator = (int(x) for x in data["meter"].split("/"))
        notes = tuple(Note(int(n["pitch"]), Fraction(n["start"]), Fraction(n["duration"]),
                           spelling=_spelling_from(n.get("spelling"))) for n in data["notes"])  # fmt: skip
        return Motif(data["name"], notes, Key(int(data["tonic"]), data["mode"]), Meter(numerator, denominator),
                     Fraction(data["pickup"]), data.get("description", ""))
    except (KeyError, ValueError, TypeError, AttributeError, ZeroDivisionError) as exc:
        raise SketchbookError(f"sketch.json has no usable motif: {exc}") from None


def read_sketch_record(path: Path, *, levers_given: dict) -> tuple[Motif, list[int], tuple[str, ...], Levers]:
    """Motif, seed, variations and levers from a sketch.json, so a sketch can be regenerated exactly."""
    from sketchbook.load import MAX_MOTIF_BARS, read_limited

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
    from sketchbook.record_check import checked_levers, checked_seed, checked_variations

    # Field by field, with the command line's own limits (bars, sizes, types): see record_check.py.
    levers = Levers(**checked_levers(record.get("levers"), levers_given, LEVER_NAMES, str(path)))
    seed = checked_seed(record, str(path))
    variations = checked_variations(record, str(path))
    # A variation name only ever chooses a built-in style here: never a file path from the JSON.
    allowed = set(VARIATIONS) | ({"morph"} if levers.morph is not None else set())
    strange = [v for v in variations if v not in allowed and levers.preset is None]
    if strange or not variations or len(variations) > 2:
        raise SketchbookError(f"{path}: unknown variations {', '.join(map(str, strange or variations))}")
    return motif, [seed], variations, levers
