"""Ornaments: choosing where they go in a hand, and the notes that play them."""

from __future__ import annotations

import functools
import math
import random
from collections import defaultdict
from dataclasses import replace
from fractions import Fraction
from typing import NamedTuple

from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import ORNAMENTS, Key, Meter, Note
from sketchbook.music.theory import in_key

# At level 1, the share of notes that suit an ornament and get it; tremolo stays rare.
_RATE = {
    "trill": 0.5,
    "mordent": 0.4,
    "inverted-mordent": 0.4,
    "turn": 0.35,
    "tremolo": 0.12,
    "arpeggio": 0.6,
    "acciaccatura": 0.3,
    "appoggiatura": 0.3,
}
# Note values an ornament note may take, in quarter notes: fast, but still written rhythms.
_UNITS = tuple(Fraction(1, d) for d in (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64))
_ORNAMENT_SECONDS = 1 / 12  # one trill or mordent note: quick enough to sparkle, slow enough to play
_REPEAT_SECONDS = 1 / 10  # the quickest a hand repeats one key (or an octave) for bars on end
_ROLL_SECONDS = 1 / 30  # spread between neighbouring notes of a rolled chord
_LEAP = 5  # semitones: a fourth or more


class _Context(NamedTuple):
    previous: int | None  # top pitch of the previous onset in this voice
    next: int | None  # top pitch of the next onset in this voice
    rest_after: bool  # silence in this voice before the next onset, or nothing follows


def ornament_notes(
    notes: tuple[Note, ...],
    *,
    level: float,
    key: Key,
    meter: Meter,
    rng: random.Random,
    kinds: tuple[str, ...] = ORNAMENTS,
    pickup: Fraction = Fraction(0),
) -> tuple[Note, ...]:
    """Decorate one hand's notes with ornaments, from none at level 0 to the richest at level 1.

    The same rng seed ornaments a superset of notes as the level rises; ``pickup`` places the bar lines.
    """
    if not 0 <= level <= 1:
        raise SketchbookError(f"ornament level {level} must be between 0 and 1")
    places = ornament_places(notes, key=key, meter=meter, rng=rng, kinds=kinds, pickup=pickup)
    if level == 0:
        return notes
    return tuple(shown_at(places, i, level) or n for i, n in enumerate(notes))


Places = dict[int, tuple[float, Note]]  # note index -> (the level from which its ornament shows, the note with it)


def shown_at(places: Places, index: int, level: float) -> Note | None:
    """The note at ``index`` with its ornament, if the ornament shows at ``level``; else None."""
    place = places.get(index)
    return place[1] if place is not None and place[0] < level else None


def ornament_places(
    notes: tuple[Note, ...],
    *,
    key: Key,
    meter: Meter,
    rng: random.Random,
    kinds: tuple[str, ...] = ORNAMENTS,
    pickup: Fraction = Fraction(0),
) -> Places:
    """Every note that could carry an ornament, with its ornament and the level from which it shows.

    Whatever the level, the same draws are made: so a higher level ornaments a superset of notes, and
    the places can be kept free (of embellishment, of doubling) before anyone knows the level.
    """
    unknown = sorted(set(kinds) - set(ORNAMENTS))
    if unknown:
        raise SketchbookError(f"unknown ornament {unknown[0]!r}; choose from {', '.join(ORNAMENTS)}")
    draws = [(rng.random(), rng.random(), rng.random()) for _ in notes]  # three uniforms per note
    chords: dict[Fraction, list[int]] = defaultdict(list)
    for i, n in enumerate(notes):
        chords[n.start].append(i)
    contexts = _contexts(notes)
    places: Places = {}
    for i, n in enumerate(notes):
        members = chords[n.start]
        if members[0] != i or any(notes[j].ornament for j in members):
            continue  # each chord is decided once, and written ornaments stay
        chord = [notes[j] for j in members]
        if len(chord) >= 3:
            candidates = _chord_candidates(chord, meter)
        else:
            # In a dyad only the upper note carries the ornament.
            top = max(members, key=lambda j: (notes[j].pitch, -j))
            members = [top]
            candidates = _note_candidates(notes[top], contexts[top], meter, pickup)
        candidates = [(k, w) for k, w in candidates if k in kinds]
        u, v, w = draws[members[0]]
        kind = _pick(candidates, v)
        if kind is None or u >= _RATE[kind]:
            continue
        for j in members:
            decorated = _decorate(notes[j], kind, contexts[j], key, w)
            if decorated is not None:
                places[j] = (u / _RATE[kind], decorated)
    return places


def realise(note: Note, *, key: Key, tempo: float, rank: int = 0) -> list[tuple[int, Fraction, Fraction]]:
    """The (pitch, start, duration) notes that play a written note at this tempo (bpm of quarters).

    ``rank`` is the note's place from the bottom of a rolled (arpeggio) chord.
    """
    unit = ornament_unit(tempo)
    pitch, start, length = note.pitch, note.start, note.duration
    upper, lower = _neighbour(pitch, 1, key), _neighbour(pitch, -1, key)
    kind = note.ornament
    if kind == "trill" and upper is not None:
        count = int(length // unit) // 2 * 2
        return _run([upper, pitch] * (count // 2), start, length, unit) if count >= 2 else [(pitch, start, length)]
    if kind == "mordent" and lower is not None:
        return _run([pitch, lower, pitch], start, length, unit)
    if kind == "inverted-mordent" and upper is not None:
        return _run([pitch, upper, pitch], start, length, unit)
    if kind == "turn" and upper is not None and lower is not None:
        return _run([upper, pitch, lower, pitch], start, length, unit)
    if kind == "tremolo":
        stroke = Fraction(1, 2 ** tremolo_strokes(tempo))  # three strokes are 32nds, two 16ths
        return _run([pitch] * max(1, int(length // stroke)), start, length, stroke)
    if kind == "arpeggio":
        delay = min(roll_offset(rank, tempo), length / 2)
        return [(pitch, start + delay, length - delay)]
    if kind == "acciaccatura":
        lead = unit * len(note.graces)
        if start >= lead:
            graces = [(g, start - lead + i * unit, unit) for i, g in enumerate(note.graces)]
            return [*graces, (pitch, start, length)]
        # Nothing before the first beat to borrow from: play the graces on it.
        return _run([*note.graces, pitch], start, length, unit)
    if kind == "appoggiatura":
        share = length / 2 / len(note.graces)
        return _run([*note.graces, pitch], start, length, share)
    return [(pitch, start, length)]


def tremolo_strokes(tempo: float) -> int:
    """The strokes through a tremolo's stem at this tempo: three (32nds) while a hand can repeat a note or
    an octave that fast (ten a second, for bars on end), else two (16ths), else one. Repeated octaves in
    32nds at 132 would be 17 a second: no pianist plays that.

    >>> tremolo_strokes(66), tremolo_strokes(132), tremolo_strokes(300)
    (3, 2, 1)
    """
    for strokes in (3, 2):
        if 60 / tempo / 2 ** strokes >= _REPEAT_SECONDS:
            return strokes
    return 1


def ornament_unit(tempo: float) -> Fraction:
    """Length in quarter notes of one ornament note at this tempo: about a twelfth of a second."""
    return _snap(_ORNAMENT_SECONDS, tempo)


def roll_offset(rank: int, tempo: float) -> Fraction:
    """How late, in quarter notes, the rank-th note from the bottom of a rolled chord sounds."""
    return rank * _snap(_ROLL_SECONDS, tempo)


@functools.cache  # asked for every ornament and rolled chord: a piece has few tempos
def _snap(seconds: float, tempo: float) -> Fraction:
    if tempo <= 0:
        raise ValueError(f"tempo {tempo} must be positive")
    target = seconds * tempo / 60
    return min(_UNITS, key=lambda u: abs(math.log(u / target)))


def _run(pitches: list[int], start: Fraction, length: Fraction, unit: Fraction) -> list[tuple[int, Fraction, Fraction]]:
    """Play pitches one after another, each ``unit`` long, the last holding to the end of ``length``."""
    # A short note squeezes its ornament so that the last tone still sounds for a unit.
    unit = min(unit, length / len(pitches))
    tones = [(p, start + i * unit, unit) for i, p in enumerate(pitches)]
    last_pitch, last_start, _ = tones[-1]
    tones[-1] = (last_pitch, last_start, start + length - last_start)
    return tones


def _neighbour(pitch: int, direction: int, key: Key) -> int | None:
    """The nearest pitch in the key a step above (+1) or below (-1), if it is a MIDI pitch."""
    for distance in (1, 2, 3):
        candidate = pitch + direction * distance
        if in_key(candidate, key):
            return candidate if 0 <= candidate <= 127 else None
    return None  # pragma: no cover - a diatonic scale never leaves a gap above two semitones


def _contexts(notes: tuple[Note, ...]) -> list[_Context]:
    onsets: dict[int, dict[Fraction, int]] = defaultdict(dict)  # voice -> start -> top pitch
    ends: dict[int, dict[Fraction, Fraction]] = defaultdict(dict)  # voice -> start -> latest end
    for n in notes:
        tops = onsets[n.voice]
        tops[n.start] = max(tops.get(n.start, n.pitch), n.pitch)
        ends[n.voice][n.start] = max(ends[n.voice].get(n.start, n.end), n.end)
    order = {v: sorted(starts) for v, starts in onsets.items()}
    index = {v: {s: i for i, s in enumerate(starts)} for v, starts in order.items()}
    contexts = []
    for n in notes:
        starts, i = order[n.voice], index[n.voice][n.start]
        tops = onsets[n.voice]
        after = starts[i + 1] if i + 1 < len(starts) else None
        contexts.append(
            _Context(
                previous=tops[starts[i - 1]] if i > 0 else None,
                next=tops[after] if after is not None else None,
                rest_after=after is None or after > ends[n.voice][n.start],
            )
        )
    return contexts


_HALF, _QUARTER = Fraction(1, 2), Fraction(1, 4)


def _note_candidates(note: Note, context: _Context, meter: Meter, pickup: Fraction) -> list[tuple[str, float]]:
    """Ornaments that suit a single note, with how much each is preferred."""
    length = note.duration
    position = (note.start - pickup) % meter.bar_length
    on_beat = position % meter.beat == 0
    strong = position == 0 or (not meter.is_compound and meter.numerator % 2 == 0
                                and position % (meter.bar_length / 2) == 0)  # the half bar of 4/4
    accented = any(a in ("accent", "strong-accent") for a in note.articulations)
    long = length >= meter.beat and length >= 1
    step_next = context.next is not None and 1 <= abs(context.next - note.pitch) <= 2
    leap_in = context.previous is not None and abs(note.pitch - context.previous) >= _LEAP
    candidates: list[tuple[str, float]] = []
    if long:
        candidates.append(("trill", 3.0 if context.rest_after or strong else 2.0))
    if (on_beat or accented) and _HALF <= length <= 2:
        candidates += [("mordent", 1.0), ("inverted-mordent", 1.0)]
    # A turn is four notes before the main one settles: on an eighth at an Allegro it is a blur no hand
    # plays (a pianist's review), so it asks for a crotchet at least.
    if length >= 1 and (step_next or (context.rest_after and long)):
        candidates.append(("turn", 1.5))
    if length >= _QUARTER and (leap_in or accented):
        candidates.append(("acciaccatura", 2.0))
    if strong and long:
        candidates.append(("appoggiatura", 2.0))
    if length >= 2 and (context.next == note.pitch or length >= meter.bar_length):
        candidates.append(("tremolo", 0.5))
    return candidates


def _chord_candidates(chord: list[Note], meter: Meter) -> list[tuple[str, float]]:
    shortest = min(n.duration for n in chord)
    candidates = [("arpeggio", 4.0)] if shortest >= Fraction(1, 4) else []
    if shortest >= max(Fraction(2), meter.beat):
        candidates.append(("tremolo", 0.5))
    return candidates


def _pick(candidates: list[tuple[str, float]], v: float) -> str | None:
    total = sum(w for _, w in candidates)
    running = 0.0
    for kind, weight in candidates:
        running += weight
        if v * total < running:
            return kind
    return None


def _decorate(note: Note, kind: str, context: _Context, key: Key, w: float) -> Note | None:
    """The note with the ornament, or None when its neighbour notes would leave the MIDI range."""
    if kind not in ("acciaccatura", "appoggiatura"):
        needs = {"trill": (1,), "mordent": (-1,), "inverted-mordent": (1,), "turn": (1, -1)}.get(kind, ())
        if any(_neighbour(note.pitch, d, key) is None for d in needs):
            return None
        return replace(note, ornament=kind)
    if kind == "acciaccatura" and context.previous is not None and context.previous != note.pitch:
        # Lean into a leap from the side it came from: below an upward leap, above a downward one.
        direction = -1 if note.pitch > context.previous else 1
    else:
        # Appoggiaturas mostly sigh down from above.
        direction = 1 if w < 0.7 else -1
    grace = _neighbour(note.pitch, direction, key)
    if grace is None:
        grace = _neighbour(note.pitch, -direction, key)
    return replace(note, ornament=kind, graces=(grace,)) if grace is not None else None


# Kinds to add when a hand has too few, with the shortest written note each can be played on.
_VARIETY = (
    ("mordent", Fraction(1, 2)),
    ("inverted-mordent", Fraction(1, 2)),
    ("turn", Fraction(2, 3)),
    ("acciaccatura", Fraction(1, 4)),
    ("trill", Fraction(1)),
)


def ensure_variety(notes: tuple[Note, ...], *, minimum: int, key: Key) -> tuple[Note, ...]:
    """Give a hand at least ``minimum`` ornament kinds, decorating plain notes spread across it.

    Random placement can settle on one or two kinds (a tune of long held notes gets only trills);
    an ornamented flurry should show the player several.
    """
    used = {n.ornament for n in notes if n.ornament}
    if len(used) >= minimum or not used:
        return notes
    result = list(notes)
    onsets: dict[Fraction, int] = defaultdict(int)
    for n in notes:
        onsets[n.start] += 1
    plain = [i for i, n in enumerate(notes) if n.ornament is None and onsets[n.start] == 1]
    for kind, shortest in _VARIETY:
        if len(used) >= minimum:
            break
        if kind in used:
            continue
        fits = [i for i in plain if result[i].duration >= shortest and result[i].ornament is None]
        # Spread the new kind over the hand: every so often, not in one clump.
        for i in fits[len(fits) // 5 :: max(1, len(fits) // 3)][:3]:
            note = result[i]
            if kind == "acciaccatura":
                grace = _neighbour(note.pitch, 1, key)
                decorated = replace(note, ornament=kind, graces=(grace,)) if grace is not None else None
            else:
                needs = {"trill": (1,), "mordent": (-1,), "inverted-mordent": (1,), "turn": (1, -1)}[kind]
                ok = all(_neighbour(note.pitch, d, key) is not None for d in needs)
                decorated = replace(note, ornament=kind) if ok else None
            if decorated is not None:
                result[i] = decorated
                used.add(kind)
    return tuple(result)
