"""Motif development: the classic transformations a composition teacher names, over phrases.

Every function takes a Phrase and returns a new one; times stay relative to the phrase start.
"""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction

from sketchbook.music.model import Key, Note, Phrase
from sketchbook.music.theory import degree_of, diatonic_transpose, pitch_of

LOWEST, HIGHEST = 21, 108  # the piano's keys


def on_the_keys(pitch: int) -> int:
    """The pitch moved by octaves onto the piano (A0..C8)."""
    return _clamp_pitch(pitch)


def _clamp_pitch(pitch: int) -> int:
    while pitch < LOWEST:
        pitch += 12
    while pitch > HIGHEST:
        pitch -= 12
    return pitch


def _repitch(note: Note, pitch: int) -> Note:
    shift = pitch - note.pitch
    return replace(note, pitch=pitch, graces=tuple(_clamp_pitch(g + shift) for g in note.graces))


def repeat(phrase: Phrase, times: int = 2) -> Phrase:
    """The phrase played ``times`` times in a row.

    >>> p = Phrase((Note(60, Fraction(0), Fraction(1)),), Fraction(2))
    >>> [n.start for n in repeat(p, 3).notes]
    [Fraction(0, 1), Fraction(2, 1), Fraction(4, 1)]
    """
    notes = tuple(n.shifted(phrase.length * i) for i in range(times) for n in phrase.notes)
    return Phrase(notes, phrase.length * times)


def transpose(phrase: Phrase, semitones: int) -> Phrase:
    """Real sequence: every pitch moves by the same number of semitones."""
    return Phrase(tuple(_repitch(n, _clamp_pitch(n.pitch + semitones)) for n in phrase.notes), phrase.length)


def sequence(phrase: Phrase, steps: int, key: Key) -> Phrase:
    """Tonal sequence: every pitch moves by ``steps`` scale degrees, staying in the key."""
    return Phrase(
        tuple(_repitch(n, _clamp_pitch(diatonic_transpose(n.pitch, steps, key))) for n in phrase.notes),
        phrase.length,
    )


def invert(phrase: Phrase, axis: int | None = None) -> Phrase:
    """Chromatic inversion: intervals mirrored around ``axis`` (default the first pitch).

    >>> p = Phrase((Note(60, Fraction(0), Fraction(1)), Note(64, Fraction(1), Fraction(1))), Fraction(2))
    >>> invert(p).pitches
    (60, 56)
    """
    if not phrase.notes:
        return phrase
    axis = phrase.notes[0].pitch if axis is None else axis
    return Phrase(tuple(_repitch(n, _clamp_pitch(2 * axis - n.pitch)) for n in phrase.notes), phrase.length)


def invert_diatonic(phrase: Phrase, key: Key) -> Phrase:
    """Diatonic inversion: scale steps mirrored around the first note's degree, staying in the key."""
    if not phrase.notes:
        return phrase
    axis, _ = degree_of(phrase.notes[0].pitch, key)
    out = []
    for n in phrase.notes:
        degree, chroma = degree_of(n.pitch, key)
        out.append(_repitch(n, _clamp_pitch(pitch_of(2 * axis - degree, key, chroma))))
    return Phrase(tuple(out), phrase.length)


def retrograde(phrase: Phrase) -> Phrase:
    """The phrase backwards in time: each note ends where it used to start, mirrored."""
    notes = sorted(
        (replace(n, start=phrase.length - n.end) for n in phrase.notes), key=lambda n: (n.start, n.pitch)
    )
    return Phrase(tuple(notes), phrase.length)


def retrograde_inversion(phrase: Phrase) -> Phrase:
    """Inversion of the retrograde, mirrored around the original first pitch."""
    if not phrase.notes:
        return phrase
    return invert(retrograde(phrase), axis=phrase.notes[0].pitch)


def augment(phrase: Phrase, factor: Fraction = Fraction(2)) -> Phrase:
    """Every onset and length scaled by ``factor`` (above 1 slower, below 1 diminution)."""
    if factor <= 0:
        raise ValueError("augmentation factor must be positive")
    notes = tuple(replace(n, start=n.start * factor, duration=n.duration * factor) for n in phrase.notes)
    return Phrase(notes, phrase.length * factor)


def diminish(phrase: Phrase, factor: Fraction = Fraction(2)) -> Phrase:
    """Diminution: the phrase ``factor`` times faster."""
    return augment(phrase, 1 / Fraction(factor))


def displace(phrase: Phrase, offset: Fraction) -> Phrase:
    """Rhythmic displacement: the phrase starts ``offset`` later; its length grows to fit."""
    return Phrase(tuple(n.shifted(offset) for n in phrase.notes), phrase.length + offset)


def scale_intervals(phrase: Phrase, extra_steps: int, key: Key) -> Phrase:
    """Interval expansion (positive) or contraction (negative): each leap grows by ``extra_steps`` degrees."""
    if not phrase.notes:
        return phrase
    out = [phrase.notes[0]]
    prev_degree, _ = degree_of(phrase.notes[0].pitch, key)
    degree = prev_degree
    for n in phrase.notes[1:]:
        d_old, chroma = degree_of(n.pitch, key)
        steps = d_old - prev_degree
        if steps:
            # Contraction never turns a leap around or into a repeat: a step is the floor.
            sign = 1 if steps > 0 else -1
            steps = sign * max(1, abs(steps) + extra_steps)
        # Count in degrees and keep each note's own chromatic inflection, so a sharp stays local.
        degree += steps
        out.append(_repitch(n, _clamp_pitch(pitch_of(degree, key, chroma))))
        prev_degree = d_old
    return Phrase(tuple(out), phrase.length)


def fragment(phrase: Phrase, start: Fraction, end: Fraction) -> Phrase:
    """The notes that begin in [start, end), re-timed from zero and cut at ``end``."""
    notes = []
    for n in phrase.notes:
        if start <= n.start < end:
            notes.append(replace(n, start=n.start - start, duration=min(n.end, end) - n.start))
    return Phrase(tuple(notes), end - start)


def head(phrase: Phrase, fraction: Fraction = Fraction(1, 2), *, grid: Fraction = Fraction(1)) -> Phrase:
    """The opening fragment: the first part of the phrase, cut on a grid line and holding at least two notes."""
    cut = max(grid, (phrase.length * fraction // grid) * grid)
    while cut < phrase.length and sum(1 for n in phrase.notes if n.start < cut) < 2:
        cut += grid
    return fragment(phrase, Fraction(0), min(cut, phrase.length))


def liquidate(phrase: Phrase, key: Key, *, stages: int = 3, grid: Fraction = Fraction(1)) -> Phrase:
    """Liquidation: ever shorter opening fragments, each a step lower, until only a cell remains."""
    pieces = []
    fraction = Fraction(1, 2)
    for stage in range(stages):
        cell = sequence(head(phrase, fraction, grid=grid), -stage, key)
        pieces.append(cell)
        fraction /= 2
    return concatenate(pieces)


def extend(phrase: Phrase, key: Key, *, notes: int = 3) -> Phrase:
    """Extension: continue the phrase's last melodic step for a few more notes, then hold."""
    if len(phrase.notes) < 2:
        return phrase
    last, before = phrase.notes[-1], phrase.notes[-2]
    d_last, _ = degree_of(last.pitch, key)
    d_before, _ = degree_of(before.pitch, key)
    step = max(-2, min(2, d_last - d_before)) or -1
    unit = min(last.duration, before.duration, Fraction(1))
    out = list(phrase.notes[:-1]) + [replace(last, duration=unit)]
    pitch, start = last.pitch, last.start + unit
    for i in range(notes):
        pitch = _clamp_pitch(diatonic_transpose(pitch, step, key))
        length = unit if i < notes - 1 else unit * 2
        out.append(Note(pitch, start, length, voice=last.voice))
        start += length
    return Phrase(tuple(out), max(phrase.length, start))


def displace_register(phrase: Phrase, octaves: int, *, every: int = 1, rng: random.Random | None = None) -> Phrase:
    """Registral displacement: move every ``every``-th note (or random ones with ``rng``) by octaves."""
    out = []
    for i, n in enumerate(phrase.notes):
        move = (rng.random() < 1 / every) if rng is not None else (i % every == every - 1)
        out.append(_repitch(n, _clamp_pitch(n.pitch + 12 * octaves)) if move else n)
    return Phrase(tuple(out), phrase.length)


def concatenate(phrases: list[Phrase]) -> Phrase:
    """Phrases one after another."""
    notes: list[Note] = []
    offset = Fraction(0)
    for p in phrases:
        notes.extend(p.shifted(offset))
        offset += p.length
    return Phrase(tuple(notes), offset)


def fit_register(phrase: Phrase, low: int, high: int) -> Phrase:
    """Shift the whole phrase by octaves so it sits as well as possible inside [low, high]."""
    if not phrase.notes:
        return phrase
    lo, hi = min(phrase.pitches), max(phrase.pitches)
    centre = (low + high) / 2
    best = min(range(-6, 7), key=lambda k: (abs((lo + hi) / 2 + 12 * k - centre), abs(k)))
    return transpose(phrase, 12 * best) if best else phrase
