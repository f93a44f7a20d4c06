"""Random streams: one per stage of a variation (and per lever that draws), each named by seed and stage.

A lever that changes how much one stage draws never reshuffles another's choices: turning the ornament
lever moves ornaments only, not the harmony, the left hand's colour or the pianist's touch.
"""

from __future__ import annotations

import random
from typing import NamedTuple


def stream(seed: int, variation: str, stage: str) -> random.Random:
    """The random stream of one stage (or lever) of one variation: independent of every other stream."""
    return random.Random(f"sketchbook:{seed}:{variation}:{stage}")


class Streams(NamedTuple):
    """Composition's streams, one per decision family."""

    techniques: random.Random  # the order of a long development, and each technique's own choices
    harmony: random.Random  # the progression among equally good chords
    embellish: random.Random  # which melody notes are filled, and with which figure
    ornament: random.Random  # where ornaments may go, which kind, and from what level they show
    articulation: random.Random  # accents and staccato
    colour: random.Random  # which chords take a tone that rubs
    voicing: random.Random  # how the left hand spreads each chord

    @classmethod
    def named(cls, seed: int, variation: str) -> Streams:
        return cls(*(stream(seed, variation, f) for f in cls._fields))


class Touch(NamedTuple):
    """Performance's streams: when each written note sounds, and how hard it is struck."""

    timing: random.Random
    velocity: random.Random

    @classmethod
    def named(cls, seed: int, variation: str) -> Touch:
        return cls(*(stream(seed, variation, f"perform-{f}") for f in cls._fields))
