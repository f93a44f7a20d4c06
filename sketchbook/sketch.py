"""A sketch: one motif developed into its variations and written safely to a folder."""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sketchbook import __version__
from sketchbook.compose import compose
from sketchbook.errors import SketchbookError
from sketchbook.form import Style, load_style, morph, with_levers
from sketchbook.model import Motif, Note, Performance, Piece
from sketchbook.perform import perform
from sketchbook.theory import key_name

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

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("tempo", "density", "ornament", "morph", "preset", "bars")}


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
        style = load_style(levers.preset)
    elif levers.morph is not None:
        style = morph(load_style("beach"), load_style("photograph"), levers.morph)
    else:
        style = load_style(variation)
    return with_levers(style, tempo=levers.tempo, density=levers.density, ornament=levers.ornament)


def develop_variation(motif: Motif, variation: str, *, seed: int, levers: Levers = Levers()) -> Variation:
    """Compose and perform one variation; the same motif, variation, levers and seed give the same result."""
    style = style_for(variation, levers)
    rng = random.Random(f"sketchbook:{seed}:{variation}")
    piece = compose(motif, style, rng=rng, bars=levers.bars, title=f"{motif.name} - {variation}")
    soft = style.density < 0.45
    span = (22, 72) if soft else None
    performance = perform(piece, rng=rng, rubato=style.rubato, velocity_span=span)
    return Variation(variation, style, piece, performance)


def check_name(name: str) -> str:
    """A sketch name must be a plain folder name: no paths, no dots at the start, no odd characters."""
    if not NAME_PATTERN.match(name) or name in (".", ".."):
        raise SketchbookError(
            f"invalid name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def sketch_files(variations: list[str]) -> list[str]:
    return [f"{v}.{ext}" for v in variations for ext in ("mid", "musicxml")] + ["sketch.json"]


def write_sketch(folder: Path, motif: Motif, results: list[Variation], *, seed: int, levers: Levers,
                 force: bool) -> list[Path]:
    """Write every file of the sketch via temporary names, then rename them all into place."""
    from sketchbook.formats.midi import performance_to_midi
    from sketchbook.formats.musicxml import piece_to_musicxml

    names = sketch_files([r.name for r in results])
    targets = [folder / n for n in names]
    if not force:
        existing = [t for t in targets if t.exists()]
        if existing:
            raise SketchbookError(f"{existing[0]} already exists (use --force to overwrite)")
    payloads: dict[str, bytes] = {}
    for r in results:
        payloads[f"{r.name}.mid"] = _midi_bytes(performance_to_midi(r.performance))
        payloads[f"{r.name}.musicxml"] = piece_to_musicxml(r.piece)
    payloads["sketch.json"] = sketch_json(motif, results, seed=seed, levers=levers).encode()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SketchbookError(f"cannot create {folder}: {exc.strerror or exc}") from None
    staged: list[tuple[str, Path]] = []
    try:
        for name in names:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
            staged.append((tmp, folder / name))
            with os.fdopen(fd, "wb") as handle:
                handle.write(payloads[name])
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        raise SketchbookError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
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
                    "style": r.style.name, "tempo": r.style.tempo, "density": r.style.density,
                    "ornament": r.style.ornament, "colour": r.style.colour, "articulation": r.style.articulation,
                    "rubato": r.style.rubato, "dynamics": list(r.style.dynamics),
                },
                "files": {"midi": f"{r.name}.mid", "musicxml": f"{r.name}.musicxml"},
                "summary": summary(r),
            }
            for r in results
        },
    }  # fmt: skip
    return json.dumps(record, indent=2) + "\n"


def summary(result: Variation) -> dict:
    piece = result.piece
    tempos = sorted({s.tempo for s in piece.sections})
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
        "notes": [{"pitch": n.pitch, "start": str(n.start), "duration": str(n.duration)} for n in motif.notes],
    }


def motif_from_dict(data: dict) -> Motif:
    """Rebuild a motif from sketch.json's record of it."""
    from sketchbook.model import Key, Meter

    try:
        numerator, denominator = (int(x) for x in data["meter"].split("/"))
        notes = tuple(Note(int(n["pitch"]), Fraction(n["start"]), Fraction(n["duration"])) for n in data["notes"])
        return Motif(data["name"], notes, Key(int(data["tonic"]), data["mode"]), Meter(numerator, denominator),
                     Fraction(data["pickup"]), data.get("description", ""))
    except (KeyError, ValueError, TypeError, AttributeError, ZeroDivisionError) as exc:
        raise SketchbookError(f"sketch.json has no usable motif: {exc}") from None


def read_sketch_record(path: Path, *, levers_given: dict) -> tuple[Motif, list[int], tuple[str, ...], Levers]:
    """Motif, seed, variations and levers from a sketch.json, so a sketch can be regenerated exactly."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SketchbookError(f"{path}: no such sketch.json") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SketchbookError(f"{path}: not a readable sketch.json ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("motif"), dict):
        raise SketchbookError(f"{path}: not a sketch.json written by sketchbook")
    motif = motif_from_dict(record["motif"])
    stored = record.get("levers") or {}
    merged = {k: (levers_given.get(k) if levers_given.get(k) is not None else stored.get(k)) for k in
              ("tempo", "density", "ornament", "morph", "preset", "bars")}
    try:
        levers = Levers(**merged)
        seed = int(record.get("seed", 1))
        variations = tuple(record.get("variations") or ("beach", "photograph"))
    except (TypeError, ValueError) as exc:
        raise SketchbookError(f"{path}: {exc}") from None
    return motif, [seed], variations, levers
