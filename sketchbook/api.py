"""The Python API: `sketchbook.develop(motif, seed=3)` gives a Sketch to look at in a notebook and write.

The command line is built on it: `sketchbook develop` checks its options with `plan`, then develops
and writes a Sketch per motif and seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sketchbook.errors import SketchbookError

if TYPE_CHECKING:  # annotations only: `import sketchbook` stays light
    from sketchbook.model import Motif, Piece
    from sketchbook.sketch import Levers, Variation

LEVERS = ("tempo", "density", "ornament", "morph", "preset", "bars", "meter")
VARIATION_CHOICES = ("beach", "photograph", "all")


def plan(variation: str | None = None, *, flag: str = "", **levers) -> tuple[tuple[str, ...], Levers]:
    """Check the variation and levers together; give the variations to develop and the Levers.

    ``flag`` is put before each name in messages ("--" on the command line, "" in Python).
    """
    from sketchbook.sketch import Levers

    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise SketchbookError(f"unknown lever {unknown[0]!r}: choose from {', '.join(LEVERS)}")
    tempo, density, ornament, morph, preset, bars, meter = (levers.get(k) for k in LEVERS)
    if meter is not None:
        from sketchbook.form import parse_meter

        if not isinstance(meter, str):
            raise SketchbookError(f"{flag}meter {meter!r} must be 'source' or a time signature such as 3/4")
        parse_meter(meter, what=f"{flag}meter")
    for label, value in (("density", density), ("ornament", ornament), ("morph", morph)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0.0 <= value <= 1.0):
            raise SketchbookError(f"{flag}{label} {value} must be a number between 0 and 1")
    for label, value, low, high in (("tempo", tempo, 20, 400), ("bars", bars, 1, 20000)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            raise SketchbookError(f"{flag}{label} {value} must be a whole number between {low} and {high}")
    if variation is not None and variation not in VARIATION_CHOICES:
        raise SketchbookError(f"{flag}variation {variation!r} is not allowed: choose beach, photograph or all")
    if morph is not None and preset is not None:
        raise SketchbookError(f"{flag}morph and {flag}preset cannot be combined")
    for label, value in (("morph", morph), ("preset", preset)):
        if value is not None and variation is not None:  # either makes its own single piece
            raise SketchbookError(f"{flag}{label} makes one piece of its own; leave out {flag}variation {variation}")
    variations = ("beach", "photograph") if variation in (None, "all") else (variation,)
    if morph is not None:
        variations = ("morph",)
    elif preset is not None:
        from sketchbook.form import VARIATIONS
        from sketchbook.sketch import NAME_PATTERN
        from sketchbook.style_check import load_preset

        style_name = load_preset(preset).name
        ok = NAME_PATTERN.match(style_name) and style_name not in VARIATIONS
        variations = (style_name if ok else "preset",)  # files named after the style, e.g. storm.mid
    lever_values = Levers(tempo, None if density is None else float(density),
                          None if ornament is None else float(ornament), None if morph is None else float(morph),
                          str(preset) if preset is not None else None, bars, meter)
    return variations, lever_values


@dataclass(frozen=True)
class Sketch:
    """One motif developed into its pieces: look at it, index it by variation, write it to a folder."""

    motif: Motif
    seed: int
    levers: Levers
    variations: tuple[Variation, ...]

    @classmethod
    def develop(cls, motif: Motif, seed: int, variations: tuple[str, ...], levers: Levers) -> Sketch:
        from sketchbook.sketch import develop_variation

        return cls(motif, seed, levers, tuple(develop_variation(motif, v, seed=seed, levers=levers)
                                              for v in variations))

    @property
    def pieces(self) -> dict[str, Piece]:
        """The scores by variation name, e.g. sk.pieces["beach"]."""
        return {v.name: v.piece for v in self.variations}

    def __getitem__(self, name: str) -> Variation:
        for v in self.variations:
            if v.name == name:
                return v
        raise KeyError(f"no variation {name!r} in this sketch; it has {', '.join(self.names)}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variations)

    def summary(self) -> dict[str, dict]:
        """Tempo, bars, notes and seconds of each piece."""
        from sketchbook.sketch import summary

        return {v.name: summary(v) for v in self.variations}

    def write(self, folder: str | Path, *, force: bool = False) -> list[Path]:
        """Write MIDI, MusicXML and sketch.json into ``folder``, all or nothing; existing files need force."""
        from sketchbook.sketch import write_sketch

        return write_sketch(Path(folder), self.motif, list(self.variations), seed=self.seed,
                            levers=self.levers, force=force)

    def __repr__(self) -> str:
        pieces = ", ".join(f"{n}: {s['bars']} bars, {s['seconds']} s" for n, s in self.summary().items())
        return f"<Sketch {self.motif.name!r} seed={self.seed} ({pieces})>"

    def html(self, *, audio: bool | None = None) -> str:
        """The sketch as an HTML fragment: scores, piano rolls and (with fluidsynth, or audio=True) players."""
        from sketchbook.notebook import sketch_html

        return sketch_html(self, audio=audio)

    def _repr_html_(self) -> str:  # Jupyter shows this in place of the repr
        return self.html()


def develop(motif: str | Path | Motif | None = None, *, seed: int = 1, variation: str | None = None,
            name: str | None = None, **levers) -> Sketch:
    """Develop a motif (a bundled name, a file, tinyNotation or a Motif) into a Sketch.

    Levers: tempo, density, ornament, morph, preset, bars, meter, as on the command line. ``name`` names
    the sketch (the scores' titles read "name: beach"), as --name does.
    """
    from sketchbook.load import load_motif
    from sketchbook.model import Motif

    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise SketchbookError(f"seed {seed!r} must be a whole number from 0 up")
    variations, lever_values = plan(variation, **levers)
    if not isinstance(motif, Motif):
        motif = load_motif(None if motif is None else str(motif))
    if name is not None:
        from dataclasses import replace

        from sketchbook.sketch import check_name

        motif = replace(motif, name=check_name(name))
    return Sketch.develop(motif, seed, variations, lever_values)
