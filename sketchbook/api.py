"""The Python API: `sketchbook.develop(motif, seed=3)` gives a Sketch to look at in a notebook and write.

The command line is built on it: `sketchbook develop` checks its options with `request.plan`, then
develops and writes a Sketch per motif and seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sketchbook.music.errors import SketchbookError
from sketchbook.request import Request, plan

if TYPE_CHECKING:  # annotations only: `import sketchbook` stays light
    from sketchbook.music.model import Motif, Piece
    from sketchbook.music.variation import Summary, Variation

@dataclass(frozen=True)
class Sketch:
    """One motif developed into its pieces: look at it, index it by variation, write it to a folder."""

    motif: Motif
    seed: int
    request: Request  # the levers the user turned, morph, preset, bars, metre
    variations: tuple[Variation, ...]

    @classmethod
    def develop(cls, motif: Motif, seed: int, variations: tuple[str, ...], request: Request) -> Sketch:
        """Develop each variation in turn (each from its own seeded streams, so the order changes nothing)."""
        from sketchbook.request import develop_variation

        return cls(motif, seed, request, tuple(develop_variation(motif, v, seed=seed, request=request)
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

    def summary(self) -> dict[str, Summary]:
        """Tempo, bars, notes and seconds of each piece."""
        return {v.name: v.summary() for v in self.variations}

    def write(self, folder: str | Path, *, force: bool = False,
              scores: Mapping[str, Callable[[], bytes]] | None = None) -> list[Path]:
        """Write MIDI, MusicXML and sketch.json into ``folder``, all or nothing; existing files need force.

        ``scores`` may give a variation's MusicXML already being engraved elsewhere (see aside.py).
        """
        from sketchbook.sketch_folder import write_sketch

        return write_sketch(Path(folder), self.motif, list(self.variations), seed=self.seed,
                            request=self.request, force=force, scores=scores)

    def __repr__(self) -> str:
        pieces = ", ".join(f"{n}: {s.bars} bars, {s.seconds} s" for n, s in self.summary().items())
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
    from sketchbook.music.model import Motif

    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise SketchbookError(f"seed {seed!r} must be a whole number from 0 up")
    variations, request = plan(variation, **levers)
    if not isinstance(motif, Motif):
        motif = load_motif(None if motif is None else str(motif))
    if name is not None:
        from dataclasses import replace

        from sketchbook.files import check_name

        motif = replace(motif, name=check_name(name))
    return Sketch.develop(motif, seed, variations, request)
