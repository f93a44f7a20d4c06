"""Left-hand accompaniment: one figure per chord span, from held open chords to cascading arpeggios."""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from fractions import Fraction

from sketchbook.harmony import Chord, Span, open_voicing
from sketchbook.model import Note

# Density thresholds between the figures, sparsest first; more density never means fewer onsets.
HELD, SWAYING, BROKEN = 0.25, 0.45, 0.7


def accompany(
    melody: Sequence[Note],
    spans: Sequence[Span],
    chords: Sequence[Chord],
    densities: Sequence[float],
    coloured: Sequence[bool],
    *,
    rng: random.Random,
    beat: Fraction = Fraction(1),
) -> tuple[Note, ...]:
    """The left hand for every span: bass in voice 2, the upper figure in voice 1."""
    ceilings = _ceilings(melody, spans)
    out: list[Note] = []
    last = len(spans) - 1
    for i, (span, chord, density, colour) in enumerate(zip(spans, chords, densities, coloured)):
        top = ceilings[i]
        voicing = open_voicing(chord, coloured=colour, rng=rng, top=top)
        bass, upper = voicing[0], voicing[1:]
        length = span.end - span.start
        if density < HELD or i == last:
            out.append(Note(bass, span.start, length, voice=2))
            entry = span.start + beat if length >= 2 * beat and i != last else span.start
            out.extend(Note(p, entry, span.end - entry, voice=1) for p in upper)
        elif density < SWAYING:
            out.append(Note(bass, span.start, length, voice=2))
            for entry in _beats(span, beat)[1::2]:
                end = min(entry + 2 * beat, span.end)
                out.extend(Note(p, entry, end - entry, voice=1) for p in upper)
        elif density < BROKEN:
            out.append(Note(bass, span.start, length, voice=2))
            out.extend(_figure(upper, span.start + Fraction(1, 2), span.end, Fraction(1, 2)))
        else:
            low = bass - 12 if bass - 12 >= 24 else bass
            hold = min(beat, length)
            out.extend(Note(p, span.start, hold, voice=2, articulations=("accent",)) for p in sorted({low, bass}))
            ladder = _ladder(chord, bass, top)
            out.extend(_figure(ladder, span.start + Fraction(1, 4), span.end, Fraction(1, 4), wave=True))
    return tuple(sorted(out, key=lambda n: (n.start, n.voice, n.pitch)))


def _ceilings(melody: Sequence[Note], spans: Sequence[Span]) -> list[int]:
    """Per span, the left hand stays a step below the lowest melody note it sounds under."""
    notes = sorted((n.start, n.start + n.duration, n.pitch) for n in melody)
    if any(a.start > b.start or a.end > b.end for a, b in zip(spans, spans[1:])):
        return [_ceiling(notes, span) for span in spans]
    # Spans in order: one sweep with a heap of sounding pitches keeps long pieces linear, not quadratic.
    tops, sounding, k = [], [], 0
    for span in spans:
        while k < len(notes) and notes[k][0] < span.end:
            heapq.heappush(sounding, (notes[k][2], notes[k][1]))
            k += 1
        while sounding and sounding[0][1] <= span.start:
            heapq.heappop(sounding)  # ended before this span; later spans start later still
        tops.append(max(52, (sounding[0][0] if sounding else 66) - 2))
    return tops


def _ceiling(notes: Sequence[tuple[Fraction, Fraction, int]], span: Span) -> int:
    under = [pitch for start, end, pitch in notes if start < span.end and end > span.start]
    return max(52, min(under, default=66) - 2)


def _beats(span: Span, beat: Fraction) -> list[Fraction]:
    out, t = [], span.start
    while t < span.end:
        out.append(t)
        t += beat
    return out


def _ladder(chord: Chord, bass: int, top: int) -> list[int]:
    """Chord tones from a fifth above the bass up to the ceiling: the rungs of a cascade."""
    pcs = set(chord.pitch_classes)
    rungs = [p for p in range(bass + 7, top + 1) if p % 12 in pcs]
    return rungs or [bass + 7]


def _figure(tones: Sequence[int], start: Fraction, end: Fraction, unit: Fraction, *, wave: bool = False) -> list[Note]:
    """Tones broken in even values: up and back down (wave) or rocking through the voicing."""
    tones = list(tones)
    if wave and len(tones) > 1:
        cycle = tones + tones[-2:0:-1]
    else:
        cycle = tones + tones[-2:0:-1] if len(tones) > 2 else tones
    out, t, k = [], start, 0
    while t + unit <= end:
        out.append(Note(cycle[k % len(cycle)], t, unit, voice=1))
        t += unit
        k += 1
    return out
