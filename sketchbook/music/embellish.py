"""Embellishment: filling a melody's skeleton with passing, neighbour and chordal notes.

Each skeleton note keeps its onset and pitch; the figures fill the time it used to hold.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import replace
from fractions import Fraction

from sketchbook.music.harmony import Chord, as_the_chord_has_it
from sketchbook.music.levers import FILLED, FILLING, SPUN
from sketchbook.music.model import Key, Note, Phrase
from sketchbook.music.theory import degree_of, pitch_of, spell


def passing_tones(start: int, target: int, count: int, key: Key) -> list[int]:
    """Scale steps from ``start`` toward ``target`` (not including either), ``count`` of them."""
    d0, _ = degree_of(start, key)
    d1, _ = degree_of(target, key)
    low, high = min(d0, d1), max(d0, d1, min(d0, d1) + 1)  # a repeated note sways to its upper neighbour
    direction = 1 if d1 > d0 else -1
    out, pitch = [], start
    for _ in range(count):
        # Arrived early: turn back at either note, so the run sways between them and never wanders off.
        if not low <= degree_of(pitch, key)[0] + direction <= high:
            direction = -direction
        pitch = _step(pitch, direction, key)
        out.append(pitch)
    return out


def neighbour_tones(pitch: int, count: int, key: Key, *, upper: bool = True) -> list[int]:
    """Alternate a scale step away and back: upper (or lower) neighbour figures.

    >>> neighbour_tones(65, 4, Key(6, "minor"), upper=False)  # E# in F# minor turns to F#, never to E
    [66, 65, 66, 65]
    """
    away = _neighbour(pitch, 1 if upper else -1, key)
    return [away if i % 2 == 0 else pitch for i in range(count)]


def _neighbour(pitch: int, direction: int, key: Key) -> int:
    """A scale step away, on another letter: from a note outside the scale the step may be the note it alters
    (E# and E, G and G# in F# minor), one letter under two accidentals, a wobble a pianist reads as a
    misprint. Such a note turns to its other side."""
    away = _step(pitch, direction, key)
    if degree_of(pitch, key)[1] and spell(away, key)[0] == spell(pitch, key)[0]:
        return _step(pitch, -direction, key)
    return away


def _step(pitch: int, direction: int, key: Key) -> int:
    """The nearest scale tone above (or below): a diatonic step, even from a chromatic note."""
    degree, chroma = degree_of(pitch, key)
    return pitch_of(degree + 1 if direction > 0 else degree - (0 if chroma else 1), key)


def chord_cascade(pitch: int, count: int, chord: Chord, *, down: bool, span: int = 12) -> list[int]:
    """Arpeggiate the harmony from the melody note: a cascade down (or up) through chord tones.

    The cascade turns back at ``span`` semitones from where it began, and never sinks below G3,
    so a flurry stays in the right hand's register.
    """
    pcs = set(chord.pitch_classes)
    low, high = max(55, pitch - span), min(100, pitch + span)
    step = -1 if down else 1
    out, p = [], pitch
    for _ in range(count):
        for _ in range(2):
            q = p + step
            while q % 12 not in pcs:
                q += step
            # Only a move past an edge turns around, so a cascade begun below G3 climbs into the register.
            if not ((q < low and step < 0) or (q > high and step > 0)):
                break
            step = -step  # at the edge of the register: turn the cascade around
        p = q
        out.append(p)
    return out


def embellish(
    phrase: Phrase,
    *,
    density: float,
    key: Key,
    chord_at: Callable[[Fraction], Chord],
    unit: Fraction,
    rng: random.Random,
    keep: Collection[tuple[Fraction, int]] = (),
) -> Phrase:
    """Fill skeleton notes with figures in ``unit`` values; more density fills more of them.

    Ornamented notes, and the notes at ``keep`` (start, pitch) where an ornament may go, keep their
    written length: the ornament is their figure.
    Random numbers are drawn per note before any decision, so a higher density embellishes a superset.
    """
    notes = sorted(phrase.notes, key=lambda n: (n.start, n.pitch))
    draws = [(rng.random(), rng.random()) for _ in notes]
    chance = max(0.0, min(1.0, (density - FILLING) / (FILLED - FILLING)))
    out: list[Note] = []
    for i, note in enumerate(notes):
        chord_mate = i + 1 < len(notes) and notes[i + 1].start == note.start
        # In a driven texture a note held for bars is always spun out, whatever its draw.
        spun = density >= SPUN and note.duration > 3
        # The cheap questions first: most notes stay as they are, and the last two cost a Fraction each.
        if (chord_mate or note.ornament or (draws[i][0] >= chance and not spun)
                or (note.start, note.pitch) in keep or (slots := int(note.duration / unit)) < 2):
            out.append(note)
            continue
        target = next((m.pitch for m in notes[i + 1 :] if m.start > note.start), note.pitch)
        figure = _pick_figure(note.pitch, target, draws[i][1])
        chord = chord_at(note.start)
        if slots - 1 > 7:
            # A long note is not one figure repeated for bars: its figure opens a cascade that falls
            # (or climbs) across registers toward the next note.
            head = _figure(figure, note.pitch, target, 3, key, chord)
            pitches = head + chord_cascade(head[-1], slots - 4, chord, down=target <= note.pitch, span=19)
        else:
            pitches = _figure(figure, note.pitch, target, slots - 1, key, chord)
        out.append(replace(note, duration=unit))
        before = note.pitch
        for k, pitch in enumerate(pitches, start=1):
            if 21 <= pitch <= 108:
                at = note.start + k * unit
                here = chord_at(at)
                if here != chord and pitch % 12 in chord.pitch_classes and pitch % 12 not in here.pitch_classes:
                    # A figure run on past its chord follows the next one (its chord tones, to the nearest):
                    # C# major arpeggiated on over the F# minor it resolves to is a blur (a pianist's review).
                    pitch = min((p for p in range(pitch - 5, pitch + 6) if p % 12 in here.pitch_classes
                                 and p != before), key=lambda p: (abs(p - pitch), p), default=pitch)
                played = as_the_chord_has_it(pitch, here, key)
                if played == before != pitch:
                    # Raised onto the note before it (the lower neighbour of a leading tone, F# to F, raised
                    # to F# again): turn to the other side, F# to G, as a leading tone leans; never drum a key.
                    played = _neighbour(before, 1 if pitch < before else -1, key)
                out.append(Note(played, at, unit, voice=note.voice))
                before = played
        # A remainder shorter than a unit stays with the last figure note.
        rest = note.duration - slots * unit
        if rest:
            out[-1] = replace(out[-1], duration=out[-1].duration + rest)
    return Phrase(tuple(out), phrase.length)


def _pick_figure(pitch: int, target: int, draw: float) -> str:
    leap = abs(target - pitch)
    if leap >= 3:
        return "passing" if draw < 0.55 else "arpeggio" if draw < 0.85 else "escape"
    return "neighbour" if draw < 0.45 else "arpeggio" if draw < 0.8 else "appoggiatura"


def _figure(kind: str, pitch: int, target: int, count: int, key: Key, chord: Chord) -> list[int]:
    if kind == "passing":
        return passing_tones(pitch, target, count, key)
    if kind == "neighbour":
        if count <= 4:
            return neighbour_tones(pitch, count, key, upper=target <= pitch)
        # A longer figure turns about the note once, then breaks into the chord: a see-saw of two keys for a
        # whole bar reads as a machine's trill, not a composer's figure.
        return neighbour_tones(pitch, 3, key, upper=target <= pitch) + chord_cascade(
            pitch, count - 3, chord, down=target <= pitch)
    if kind == "arpeggio":
        return chord_cascade(pitch, count, chord, down=target <= pitch)
    if kind == "escape":
        # Step away from the goal, then fall back toward it through the chord.
        away = _neighbour(pitch, -1 if target > pitch else 1, key)
        return [away] + chord_cascade(away, count - 1, chord, down=target < pitch)
    # Appoggiatura figure: lean on the step above, resolve, then ring the chord.
    lean = _step(pitch, 1, key)
    return ([lean, pitch] + chord_cascade(pitch, count - 2, chord, down=True))[:count]
