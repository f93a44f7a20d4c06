"""The levers: one record for them, and their thresholds named once.

A style sets every lever; a section of its plan, or the user, sets only the ones it changes, and
`Levers.over` lays those over the style's. Every module that asks "is this section sparse?" asks it
here, so beach and photograph textures switch at the same point everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

# Density: where the texture changes, sparsest first. More density never means fewer onsets.
HELD = 0.25  # below this the left hand waltzes; from here it holds its bass and sways
FILLING = 0.25  # from here embellishment starts filling melody notes with figures
SPARSE = 0.45  # below this a section has beach texture: long tones, open chords, one chord a bar, a swaying
#                left hand; from here the chord breaks in eighths and changes every half bar in common time
SPUN = 0.5  # from here a melody note held for bars is always spun out into a figure
DRIVEN = 0.65  # from here the melody moves in sixteenths and a section builds to its peak
BROKEN = 0.7  # from here the left hand plays the photograph's figures (broken octaves, Alberti, cascades)
DOUBLED = 0.7  # from here the right hand doubles in octaves, and a slow motif is diminished
FILLED = 0.8  # from here every melody note long enough for a figure is filled
# Ornament:
ORNATE = 0.5  # from here a section's ornaments must show at least three kinds

NUMBERS = ("density", "ornament", "colour", "articulation", "rubato")  # each between 0 and 1
SLOWEST, FASTEST = 20, 400  # tempo, quarter notes a minute: every tempo a style, a section or a user sets


@dataclass(frozen=True, slots=True)
class Levers:
    """A piece's (or a section's) character in numbers; a lever left as None follows the levers beneath.

    A style sets all of them; a section of its plan and the user's request only the ones they change.
    """

    tempo: int | None = None  # quarter-note beats a minute
    tempo_text: str | None = None  # the words over the metronome mark, e.g. "Lento"
    density: float | None = None  # 0 long tones .. 1 running sixteenths
    ornament: float | None = None  # 0 none .. 1 the richest
    colour: float | None = None  # share of chords voiced with a tone that rubs
    articulation: float | None = None  # accents and staccato: 0 none .. 1 many
    rubato: float | None = None  # 0 strict .. 1 free

    def over(self, base: Levers) -> Levers:
        """These levers laid over ``base``: each lever set here wins, the rest come from ``base``."""
        return replace(base, **self.given())

    def given(self) -> dict[str, Any]:
        """The levers set here, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def problem(self) -> str:
        """What is out of range here, in the user's words, or "" when every lever set is in range."""
        if self.tempo is not None and not SLOWEST <= self.tempo <= FASTEST:
            return f"tempo {self.tempo} must be {SLOWEST}..{FASTEST} bpm"
        for name in NUMBERS:
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                return f"{name} {value} must be between 0 and 1"
        return ""

    def missing(self) -> tuple[str, ...]:
        """The levers not set: none, in a style's levers and in a section's resolved ones."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is None)


def level(value: float | None) -> float:
    """A lever's value in a complete record (a style's, or a section's resolved levers): always set."""
    if value is None:
        raise ValueError("a lever was read before it was resolved")
    return value


def tempo_of(levers: Levers) -> int:
    """The tempo of a complete record."""
    if levers.tempo is None:
        raise ValueError("a tempo was read before it was resolved")
    return levers.tempo
