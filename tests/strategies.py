"""Shared hypothesis strategies: notes on a 1/24 grid, phrases, keys, meters and motifs in a playable range."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from sketchbook.music.model import Key, Meter, Motif, Note, Phrase
from sketchbook.music.theory import in_key

GRID = Fraction(1, 24)  # fine enough for sixteenths, triplets and sextuplets
LOW, HIGH = 36, 96

pitches = st.integers(LOW, HIGH)


def grid_times(low: int = 0, high: int = 96) -> st.SearchStrategy[Fraction]:
    """Multiples of 1/24 of a quarter from ``low``/24 to ``high``/24."""
    return st.integers(low, high).map(lambda k: k * GRID)


def durations(high: int = 96) -> st.SearchStrategy[Fraction]:
    """Positive note values on the grid, up to ``high``/24 quarters (four quarters by default)."""
    return grid_times(1, high)


keys = st.builds(Key, st.integers(0, 11), st.sampled_from(("major", "minor")))
meters = st.sampled_from(((2, 4), (3, 4), (4, 4), (5, 4), (6, 8), (9, 8), (12, 8), (2, 2), (3, 8), (7, 8))).map(
    lambda nd: Meter(*nd)
)


@st.composite
def phrases(
    draw,
    *,
    min_notes: int = 0,
    max_notes: int = 12,
    pitch: st.SearchStrategy[int] = pitches,
    chords: bool = False,
) -> Phrase:
    """A one-voice phrase: notes one after another (rests allowed), or stacked into chords with ``chords``."""
    count = draw(st.integers(min_notes, max_notes))
    notes, t = [], Fraction(0)
    for _ in range(count):
        t += draw(st.sampled_from((0, 0, 0, 6, 12, 24))) * GRID  # mostly legato, sometimes a rest
        duration = draw(durations())
        size = draw(st.integers(1, 3)) if chords else 1
        stacked = draw(st.lists(pitch, min_size=size, max_size=size, unique=True))
        notes.extend(Note(p, t, duration) for p in sorted(stacked))
        t += duration
    return Phrase(tuple(notes), t + draw(grid_times(0, 24)))


def in_key_pitches(key: Key, low: int = LOW, high: int = HIGH) -> st.SearchStrategy[int]:
    """Scale tones of ``key`` from ``low`` to ``high``."""
    return st.sampled_from([p for p in range(low, high + 1) if in_key(p, key)])


@st.composite
def keyed_phrases(draw, *, min_notes: int = 1, max_notes: int = 12, low: int = LOW, high: int = HIGH):
    """A key and a phrase made only of its scale tones: (Key, Phrase)."""
    key = draw(keys)
    return key, draw(phrases(min_notes=min_notes, max_notes=max_notes, pitch=in_key_pitches(key, low, high)))


@st.composite
def motifs(draw, *, max_notes: int = 10) -> Motif:
    """A seed melody in a key and metre, possibly with a pickup shorter than a bar."""
    key, meter = draw(keys), draw(meters)
    phrase = draw(phrases(min_notes=1, max_notes=max_notes, pitch=in_key_pitches(key)))
    bar_slots = int(meter.bar_length / GRID)
    pickup = draw(st.integers(0, bar_slots - 1)) * GRID
    return Motif(draw(st.sampled_from(("seed", "shell", "tide"))), phrase.notes, key, meter, pickup)
