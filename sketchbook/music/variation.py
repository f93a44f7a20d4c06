"""A variation: one motif composed and performed in a style, from a seed.

Each stage draws from its own random stream (streams.py), named after the seed, the variation and the
stage, so a lever that changes how much one stage draws never reshuffles another's choices.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

from sketchbook.music.compose import compose
from sketchbook.music.levers import SPARSE, level
from sketchbook.music.model import Motif, Performance, Piece
from sketchbook.music.perform import perform
from sketchbook.music.streams import Streams, Touch
from sketchbook.music.styles import Style, swayed


@dataclass(frozen=True, slots=True)
class Summary:
    """A piece's facts at a glance, as the command line prints them and sketch.json records them."""

    tempo: int
    tempos: tuple[int, ...]  # in the order played
    bars: int
    notes: int
    sounding_notes: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"tempo": self.tempo, "tempos": list(self.tempos), "bars": self.bars, "notes": self.notes,
                "sounding_notes": self.sounding_notes, "seconds": self.seconds}


@dataclass(frozen=True, slots=True)
class Variation:
    """One developed piece with its score and performance."""

    name: str
    style: Style
    piece: Piece
    performance: Performance

    def summary(self) -> Summary:
        piece = self.piece
        played = [s.tempo for s in piece.sections]
        tempos = tuple(t for i, t in enumerate(played) if i == 0 or t != played[i - 1])
        return Summary(piece.sections[0].tempo, tempos, piece.bars, len(piece.right_hand) + len(piece.left_hand),
                       len(self.performance.notes), round(seconds(self.performance), 1))


def compose_variation(motif: Motif, name: str, style: Style, *, seed: int, bars: int | None = None,
                      sway: bool = True, title: str = "") -> Piece:
    """The written piece of ``make_variation``, composed alone (a score can be engraved from it elsewhere).

    ``sway`` moves the style's tempos by the seed's one tempo draw (shared by every variation, so the
    photograph's return still lands on its beach's tempo); a tempo the user gave is left alone.
    """
    return compose(motif, _swayed(style, seed) if sway else style, streams=Streams.named(seed, name), bars=bars,
                   title=title or f"{motif.name}: {name}")


def make_variation(motif: Motif, name: str, style: Style, *, seed: int, bars: int | None = None,
                   sway: bool = True, title: str = "") -> Variation:
    """Compose and perform ``motif`` in ``style``; the same arguments give the same result."""
    if sway:
        style = _swayed(style, seed)
    piece = compose_variation(motif, name, style, seed=seed, bars=bars, sway=False, title=title)
    span = (22, 72) if level(style.levers.density) < SPARSE else None
    performance = perform(piece, touch=Touch.named(seed, name), rubato=level(style.levers.rubato), velocity_span=span)
    return Variation(name, style, piece, performance)


def _swayed(style: Style, seed: int) -> Style:
    return swayed(style, random.Random(f"sketchbook:{seed}:tempo").random())


def seconds(performance: Performance) -> float:
    """How long the performance lasts, tempo changes included."""
    total, tempos = 0.0, [*performance.tempos, (performance.length, 0)]
    for (start, bpm), (end, _) in itertools.pairwise(tempos):
        total += float(Fraction(end) - Fraction(start)) * 60.0 / bpm
    return total
