"""Left-hand accompaniment: one named figure per chord span, laid out bar by bar from the bar line.

The figures run from the beach's waltz (a low bass on the downbeat, an open chord on the second beat held through
the bar) to the photograph's broken octaves, Alberti basses, rising arpeggios over a bass octave, repeated chords,
tremolo and cascades. Every figure starts on a bar line or a beat, so a pickup never shifts the pattern, and no
notes struck together span more than a tenth.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import NamedTuple

from sketchbook.music.harmony import Chord, Span, ceilings, melody_by_span, open_voicing
from sketchbook.music.model import Key, Meter, Note, score_order

TENTH = 16  # the widest a hand strikes at once, in semitones
_CHORD_TOP = 67  # G4: three ledger lines over the bass staff, the highest a chord struck with its bass goes
_RUN_TOP = 65  # F4: a run of sixteenths reads at speed within two ledger lines, and stays off the tune's keys
FIGURES = {
    "waltz": "low bass on the downbeat, an open chord on the second beat held through the bar",
    "waltz-fifth": "the waltz with its bass on the chord's fifth, when a chord holds over the bar line",
    "waltz-echo": "the waltz with its chord struck again on the last beat: a half cadence hesitates",
    "sway": "bass held, the chord on every later beat (on 2 and 4 in 4/4)",
    "broken": "bass held under a chord broken in eighths, each later beat with a second tone",
    "broken-octaves": "the bass in octaves, broken low-high in eighths",
    "repeated": "bass on the downbeat, the chord repeated on every other beat",
    "alberti": "an Alberti bass in sixteenths (low, high, middle, high)",
    "arpeggio": "a bass octave, then the chord rising in sixteenths",
    "cascade": "bass octave, then the chord rising and falling in sixteenths",
    "tremolo": "a measured tremolo between the bass and its octave",
    "block": "the chord struck and held: a cadence landing",
}


class Bar(NamedTuple):
    """One bar (or the part of it a span covers) that a figure fills."""

    start: Fraction
    end: Fraction
    first: bool  # the first bar of its chord span
    accent: bool  # a phrase begins here: the bass may be accented


class Accompanist:
    """The left hand for one melody and its chords, span by span.

    Each span voices its chord from a stream of its own, so a span comes out the same whatever the
    others do: colouring one span differently (see compose's steering of the eerie rub) redoes that
    span alone, and the spans already made are kept.
    """

    def __init__(self, melody: Sequence[Note], spans: Sequence[Span], chords: Sequence[Chord],
                 figures: Sequence[str], *, rng: random.Random, meter: Meter, pickup: Fraction,
                 phrase_starts: Sequence[Fraction] = (), keys: Sequence[Key] | None = None) -> None:
        self.spans, self.chords, self.figures, self.meter, self.pickup = spans, chords, figures, meter, pickup
        self.keys: Sequence[Key | None] = keys or [None] * len(spans)  # each span's key: added tones are its own
        self.ceilings = ceilings(melody, spans)
        self.near = melody_by_span(melody, spans)
        self.starts = sorted(set(phrase_starts))
        self.seeds = [rng.getrandbits(64) for _ in spans]
        self.made: dict[tuple[int, bool], list[Note]] = {}

    def left_hand(self, coloured: Sequence[bool]) -> tuple[Note, ...]:
        """Every span, each with or without its rubbing tone: bass in voice 2, the upper figure in voice 1."""
        out = [n for i, colour in enumerate(coloured) for n in self.span(i, colour)]
        return tuple(score_order(out))

    def span(self, i: int, colour: bool) -> list[Note]:
        """Span ``i``'s notes, with or without its rubbing tone (made once, then kept)."""
        if (i, colour) not in self.made:
            self.made[i, colour] = self._span(i, colour)
        return self.made[i, colour]

    def _span(self, i: int, colour: bool) -> list[Note]:
        span, chord, figure, near = self.spans[i], self.chords[i], self.figures[i], self.near[i]
        # The piece lands on plain chords: any added tone on the last V, or on the last tonic, blurs the
        # arrival the whole piece has walked toward (the cadences inside it may keep their colour).
        landing = span.cadence == "final" or (i + 1 < len(self.spans) and self.spans[i + 1].cadence == "final")
        voicing = open_voicing(chord, coloured=colour, rng=random.Random(self.seeds[i]), top=self.ceilings[i],
                               key=self.keys[i], plain=landing)
        avoid = {(m.pitch - 1) % 12 for m in near}  # a left-hand tone a semitone under the tune grates
        # An added tone (not the chord's) a semitone over the tune (G# under a G) is a wrong note, not a colour.
        over = {(m.pitch + 1) % 12 for m in near} - set(chord.pitch_classes)
        bass = voicing[0]
        if bass % 12 in avoid and span.cadence not in ("full", "final"):
            bass = _other_bass(chord, bass, avoid)  # a cadence keeps its root: the ear needs it to land
        kept = [p for p in voicing[1:] if p % 12 not in avoid | over] or list(voicing[1:2])
        upper = _hand(bass, _tenor(kept, top=self.ceilings[i]))
        out: list[Note] = []
        for bar in _bars(span, self.meter, self.pickup, self.starts):
            notes = [_unclash(n, near, chord, floor=_low(bass, floor=28))
                     for n in _FIGURES[figure](bar, bass, upper, chord, self.ceilings[i], self.meter)]
            if all(n.voice == 2 for n in notes):  # one line only (octaves, tremolo): no empty upper voice
                notes = [replace(n, voice=1) for n in notes]
            out.extend(notes)
        return out


def accompany(melody: Sequence[Note], spans: Sequence[Span], chords: Sequence[Chord], figures: Sequence[str],
              coloured: Sequence[bool], *, rng: random.Random, meter: Meter, pickup: Fraction,
              phrase_starts: Sequence[Fraction] = ()) -> tuple[Note, ...]:
    """The left hand for every span: bass in voice 2, the upper figure in voice 1."""
    return Accompanist(melody, spans, chords, figures, rng=rng, meter=meter, pickup=pickup, phrase_starts=phrase_starts
                       ).left_hand(coloured)


def _unclash(note: Note, melody: Sequence[Note], chord: Chord, *, floor: int) -> Note:
    """A figure note a semitone under a melody note sounding with it moves to the nearest chord tone below
    that does not grate (a passing rub in the tune is colour; one held against the bass line is not)."""
    def grates(pitch: int) -> bool:
        return any(m.pitch > pitch and (m.pitch - pitch) % 12 == 1 and m.start < note.end and m.end > note.start
                   for m in melody)

    if note.voice == 2 or not grates(note.pitch):
        return note
    pcs = set(chord.pitch_classes)
    for pitch in range(note.pitch - 1, max(floor, note.pitch - 6), -1):
        if pitch % 12 in pcs and not grates(pitch):
            return Note(pitch, note.start, note.duration, voice=note.voice, ornament=note.ornament,
                        articulations=note.articulations)
    return note


def _bars(span: Span, meter: Meter, pickup: Fraction, starts: list[Fraction]) -> list[Bar]:
    """The span cut at bar lines: every bar gets its own figure, so the bass is struck in every bar.

    ``starts``, the phrase starts in order, mark the bars a phrase begins in."""
    out, t = [], span.start
    while t < span.end:
        line = pickup + ((t - pickup) // meter.bar_length + 1) * meter.bar_length
        end = min(line, span.end)
        k = bisect.bisect_left(starts, t)
        out.append(Bar(t, end, t == span.start, k < len(starts) and starts[k] < end))
        t = end
    return out


def _tenor(tones: list[int], *, top: int) -> list[int]:
    """Chord tones lifted out of the bass register (below C3 a chord turns to mud) while under the tune."""
    out = []
    for p in tones:
        while p < 48 and p + 12 <= top:
            p += 12
        out.append(p)
    return out


def _hand(bass: int, upper: list[int]) -> list[int]:
    """Upper tones a hand can strike at once: at or under G4 (the clef cannot change within the bar of their
    bass), within a tenth, folded down rather than dropped, and no two a semitone apart (in a low chord
    that is mud, not colour: the rub is kept as a major seventh)."""
    tones = sorted({p - 12 if p > _CHORD_TOP and p - 12 > bass else p for p in upper})
    while len(tones) > 1 and tones[-1] - tones[0] > TENTH:
        top = tones.pop()
        if top - 12 > bass and top - 12 not in tones:
            tones = sorted({*tones, top - 12})
    for _ in range(len(tones)):
        pair = next(((a, b) for a, b in itertools.pairwise(tones) if b - a == 1), None)
        if pair is None:
            break
        low, _high = pair
        tones.remove(low)
        if low - 12 > bass and tones[-1] - (low - 12) <= TENTH and low - 12 not in tones:
            tones = sorted({*tones, low - 12})  # the semitone opened into a major seventh
    return tones


def _other_bass(chord: Chord, bass: int, avoid: set[int]) -> int:
    """The chord's third or fifth as the bass (an inversion) when the root would grate against the tune."""
    for interval in chord.intervals[1:3]:
        pc = (chord.root + interval) % 12
        if pc not in avoid:
            return bass + (pc - bass % 12) % 12
    return bass


def _marks(bar: Bar) -> tuple[str, ...]:
    return ("accent",) if bar.accent else ()


def _waltz(bar, bass, upper, chord, top, meter):
    notes = [Note(bass, bar.start, bar.end - bar.start, voice=2)]
    second = bar.start + meter.beat
    if second < bar.end:
        notes.extend(Note(p, second, bar.end - second, voice=1) for p in upper)
    elif not bar.first:
        return notes
    else:
        notes.extend(Note(p, bar.start, bar.end - bar.start, voice=1) for p in upper[:1])
    return notes


def _waltz_fifth(bar, bass, upper, chord, top, meter):
    fifth = bass - 5 if bass - 5 >= 31 else bass + 7
    return _waltz(bar, fifth, [p for p in upper if p > fifth] or upper, chord, top, meter)


def _waltz_echo(bar, bass, upper, chord, top, meter):
    notes = _waltz(bar, bass, upper, chord, top, meter)
    last = bar.end - meter.beat
    if last <= bar.start + meter.beat:
        return notes
    held = [n for n in notes if n.voice == 1]
    return [n for n in notes if n.voice == 2] + [Note(n.pitch, n.start, last - n.start, voice=1) for n in held] + [
        Note(n.pitch, last, bar.end - last, voice=1) for n in held]


def _sway(bar, bass, upper, chord, top, meter):
    step = 2 * meter.beat if meter.numerator == 4 and not meter.is_compound else meter.beat  # 3 too would drum
    notes, t = [Note(bass, bar.start, bar.end - bar.start, voice=2)], bar.start + meter.beat
    while t < bar.end:
        end = min(t + step, bar.end)
        notes.extend(Note(p, t, end - t, voice=1) for p in upper)
        t += step
    if len(notes) == 1 and bar.first:
        notes.extend(Note(p, bar.start, bar.end - bar.start, voice=1) for p in upper[:1])
    return notes


def _even(tones: Sequence[int], start: Fraction, end: Fraction, unit: Fraction, voice: int = 1) -> list[Note]:
    return [Note(tones[k % len(tones)], start + k * unit, unit, voice=voice) for k in range(int((end - start) / unit))]


def _broken(bar, bass, upper, chord, top, meter):
    cycle, half = upper + upper[-2:0:-1] if len(upper) > 2 else upper, Fraction(1, 2)
    run = _even(cycle, bar.start + half, bar.end, half)
    # Each beat takes a second chord tone, below (else above): a pulse, and denser than the sway before it.
    on_beats = [n for n in run if (n.start - bar.start) % meter.beat == 0]
    second = [max((p for p in upper if p < n.pitch), default=min((p for p in upper if p > n.pitch), default=None))
              for n in on_beats]
    pulse = [Note(p, n.start, n.duration) for n, p in zip(on_beats, second) if p is not None]
    return [Note(bass, bar.start, bar.end - bar.start, voice=2), *run, *pulse]


def _octave(low: int, top: int) -> list[int]:
    """A bass octave, or the bass alone where its octave would climb over a low tune."""
    return [low, low + 12] if low + 12 <= top else [low]


def _low(bass: int, floor: int = 36) -> int:
    """The bottom of a bass octave: an octave under the bass if that stays above ``floor`` (C2; E1 at a climax)."""
    return bass - 12 if bass - 12 >= floor else bass


def _per_beat(tones: Sequence[int], bar: Bar, meter: Meter, unit: Fraction, voice: int = 1) -> list[Note]:
    """``tones[0]`` on every beat, the rest filling the beat in turn: the figure's lowest note stays on the beat."""
    out, t = [], bar.start
    while t < bar.end:
        end = min(t + meter.beat, bar.end)
        group = [tones[0]] + [tones[1 + k % (len(tones) - 1)] for k in range(int(meter.beat / unit) - 1)] \
            if len(tones) > 1 else [tones[0]]
        out.extend(_even(group, t, end, unit, voice=voice))
        t = end
    return out


def _broken_octaves(bar, bass, upper, chord, top, meter):
    low = _low(bass)
    tones = _octave(low, top)
    notes = _per_beat(tones, bar, meter, Fraction(1, 2), voice=2)
    if notes and bar.accent:
        notes[0] = Note(notes[0].pitch, notes[0].start, notes[0].duration, voice=2, articulations=("accent",))
    return notes


def _repeated(bar, bass, upper, chord, top, meter):
    """Bass on the downbeat, the chord on every later eighth; in a compound metre each dotted beat is
    bass (or its octave) then the chord an eighth later, "oom-pah": the lilt of a jig, not a drum."""
    if meter.is_compound:
        unit = meter.beat / 3
        notes: list[Note] = []
        t = bar.start
        while t < bar.end:
            low = bass if t == bar.start or bass + 12 > top else bass + 12
            notes.append(Note(low, t, min(unit, bar.end - t), voice=2, articulations=_marks(bar) if t == bar.start
                              else ()))
            if t + unit < bar.end:
                end = min(t + 2 * unit, bar.end)
                notes.extend(Note(p, t + unit, end - t - unit, voice=1, articulations=("staccato",))
                             for p in upper if low < p <= min(q for q in upper if q > low) + 12)
            t += meter.beat
        return notes
    # In a simple metre the chord drives in eighths after the bass, as in the Waldstein's opening: pointed.
    beat, step = meter.beat, meter.beat / 2
    notes = [Note(bass, bar.start, min(beat, bar.end - bar.start), voice=2, articulations=_marks(bar))]
    t = bar.start + beat
    while t < bar.end:
        end = min(t + step, bar.end)
        notes.extend(Note(p, t, end - t, voice=1, articulations=("staccato",)) for p in upper if p - upper[0] <= 12)
        t += step
    return notes


def _alberti(bar, bass, upper, chord, top, meter):
    """Low, high, middle, high in sixteenths within an octave of the bass: three different notes, never one
    note drummed, and no stretch a hand cannot rock at speed. The voicing's tones first, else the chord's."""
    voiced = [p for p in upper if bass < p <= bass + 12]
    pcs = _figure_classes(chord, bass, upper)
    tones = sorted({*voiced, *(p for p in range(bass + 1, bass + 13) if p % 12 in pcs)})
    high = max(voiced) if voiced and tones[0] < max(voiced) else tones[-1]
    inner = [p for p in tones if p < high]
    middle = inner[(len(inner) - 1) // 2] if inner else high
    return _per_beat([bass, high, middle], bar, meter, Fraction(1, 4))


def _figure_classes(chord: Chord, bass: int, upper: Sequence[int]) -> set[int]:
    """The pitch classes a running figure may use: the voicing's (it left out tones that grate on the tune)
    and the bass's; the chord's too when the voicing kept only the bass's note, which would drum one key."""
    pcs = {p % 12 for p in (*upper, bass)} if upper else set(chord.pitch_classes)
    return pcs if len(pcs) > 1 else pcs | set(chord.pitch_classes)


def _ladder(chord: Chord, bass: int, top: int, upper: Sequence[int] = ()) -> list[int]:
    """The figure's tones (_figure_classes) from a fifth above the bass up to the ceiling (F4 at most): the
    rungs of a run (under a low melody, whatever fits between, else the bass's octave)."""
    pcs, top = _figure_classes(chord, bass, upper), min(top, _RUN_TOP)
    rungs = [p for p in range(bass + 7, top + 1) if p % 12 in pcs]
    if len(rungs) < 2:  # a run of one rung is one note drummed: reach down for the chord's nearer tones
        rungs = [p for p in range(bass + 1, top + 1) if p % 12 in pcs] or rungs
    return rungs or [bass]


def _rocking(rungs: list[int], octave: list[int], chord: Chord, upper: Sequence[int]) -> list[int]:
    """At least two tones for a run of sixteenths: with no room under a low tune, the run rocks between the
    octave's top and a chord tone inside the octave rather than drumming one key."""
    if len({p % 12 for p in rungs}) >= 2:  # two keys, not one key in two octaves
        return rungs
    pcs = {p % 12 for p in upper} or set(chord.pitch_classes)
    inside = [p for p in range(octave[0] + 1, octave[-1]) if p % 12 in pcs] or [
        p for p in range(octave[0] + 1, octave[-1]) if p % 12 in chord.pitch_classes]
    return sorted({*rungs, octave[-1], *inside[-1:]})


def _arpeggio(bar, bass, upper, chord, top, meter):
    low = _low(bass)
    hold = min(Fraction(1, 4), bar.end - bar.start)  # struck, and caught by the pedal: the hand moves on
    octave = _octave(low, top)
    notes = [Note(p, bar.start, hold, voice=2, articulations=_marks(bar)) for p in octave]
    rungs = _rocking(_ladder(chord, octave[-1], top, upper), octave, chord, upper)
    return notes + _even(rungs, bar.start + Fraction(1, 4), bar.end, Fraction(1, 4))


def _cascade(bar, bass, upper, chord, top, meter):
    """The climax's figure: a bass octave filled with its fifth on every beat, under a wave of sixteenths."""
    low = _low(bass, floor=28)
    octave = _octave(low, top)
    fifth = [low + 7] if len(octave) == 2 and (low + 7) % 12 in chord.pitch_classes else []
    rungs = [p for p in _ladder(chord, bass, top, upper) if p > octave[-1]]
    if len(rungs) < 2:  # too little room above the octave for a wave: let it wash through the octave
        rungs = [p for p in _ladder(chord, octave[0], top, upper) if p not in octave] or rungs
    rungs = _rocking(rungs, octave, chord, upper)
    wave = rungs + rungs[-2:0:-1] if len(rungs) > 1 else rungs
    notes: list[Note] = []
    t, k = bar.start, 0
    while t < bar.end:
        end = min(t + meter.beat, bar.end)
        hold = min(Fraction(1, 4), end - t)
        notes.extend(Note(p, t, hold, voice=2, articulations=_marks(bar) if t == bar.start else ())
                     for p in sorted(octave + fifth))
        for note in _even(wave, t + hold, end, Fraction(1, 4)):
            notes.append(Note(wave[k % len(wave)], note.start, note.duration, voice=1))
            k += 1
        t = end
    return notes


def _tremolo(bar, bass, upper, chord, top, meter):
    low = _low(bass)
    beats = int((bar.end - bar.start) / meter.beat)
    half = -(-beats // 2) * meter.beat if beats >= 2 else bar.end - bar.start  # strokes start on beats
    notes: list[Note] = []
    t = bar.start
    while t < bar.end:
        end = min(t + half, bar.end)
        notes.extend(Note(p, t, end - t, voice=2, ornament="tremolo") for p in _octave(low, top))
        t = end
    return notes


def _block(bar, bass, upper, chord, top, meter):
    # Open and within a tenth: the fifth and the tenth over the bass (the hand's natural span).
    third, fifth = (chord.intervals + (4, 7))[1:3]
    root_position = bass % 12 == chord.root
    tones = [bass + fifth, bass + third + 12] if root_position else [p for p in upper if p - bass <= TENTH][:2]
    tones = [p for p in tones if p <= top]
    length = bar.end - bar.start
    return [Note(bass, bar.start, length, voice=2), *(Note(p, bar.start, length, voice=1) for p in tones)]


_FIGURES = {
    "waltz": _waltz, "waltz-fifth": _waltz_fifth, "waltz-echo": _waltz_echo, "sway": _sway, "broken": _broken,
    "broken-octaves": _broken_octaves, "repeated": _repeated, "alberti": _alberti, "arpeggio": _arpeggio,
    "cascade": _cascade, "tremolo": _tremolo, "block": _block,
}  # fmt: skip
