"""Harmony: choose chords under a melody, voice them for piano, and measure their colour."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from sketchbook.music.model import Key, Note, ticks
from sketchbook.music.theory import scale

# Diatonic chords worth choosing, by scale degree (0 = tonic); iii and vii° are left out as weak.
_CANDIDATES = {"major": (0, 1, 3, 4, 5), "minor": (0, 2, 3, 4, 5, 6)}
DISSONANT_CLASSES = frozenset({1, 6, 11})  # minor second, tritone, major seventh (and compounds)


@dataclass(frozen=True, slots=True)
class Chord:
    """A chord by its root pitch class, scale degree and the intervals above the root."""

    root: int
    degree: int
    intervals: tuple[int, ...]
    # Kept, not worked out at every look: the harmony, the figures and the embellishment all ask, per note.
    pitch_classes: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pitch_classes", tuple((self.root + i) % 12 for i in self.intervals))

    @property
    def is_minor(self) -> bool:
        return 3 in self.intervals


class Span(NamedTuple):
    """A stretch of time that one chord holds."""

    start: Fraction
    end: Fraction
    cadence: str = ""  # "half" (lands on V), "full" (V then I), "final" (the piece's last I), or ""


def diatonic_chord(degree: int, key: Key) -> Chord:
    """The triad on a scale degree; in minor the dominant borrows the raised leading tone."""
    pcs = scale(key)
    root = pcs[degree % 7]
    third = (pcs[(degree + 2) % 7] - root) % 12
    fifth = (pcs[(degree + 4) % 7] - root) % 12
    if key.mode == "minor" and degree % 7 == 4:
        third = 4
    return Chord(root, degree % 7, (0, third, fifth))


def as_the_chord_has_it(pitch: int, chord: Chord, key: Key) -> int:
    """A scale step the chord raises, raised with it: under the minor key's dominant the passing seventh is
    the leading tone (F# in G minor, the melodic minor going up), not an F grinding against the chord's F#.

    >>> as_the_chord_has_it(65, Chord(2, 4, (0, 4, 7)), Key(7, "minor"))  # F under D major, in G minor
    66
    """
    raised = (pitch + 1) % 12
    pcs = scale(key)
    if raised in chord.pitch_classes and raised not in pcs and pitch % 12 in pcs:
        return pitch + 1
    return pitch


def choose_progression(melody: Sequence[Note], spans: Sequence[Span], key: Key, *, rng: random.Random,
                       keys: Sequence[Key] | None = None) -> list[Chord]:
    """Pick one diatonic chord per span that supports the melody and moves well (Viterbi search).

    Cadences are kept, not hoped for: a half cadence lands on V, a full cadence on I after V (or IV).
    ``keys`` gives a span its own key: under a phrase transposed to another key the chords move with it.
    """
    local = keys if keys is not None else [key] * len(spans)
    table = {k: [diatonic_chord(d, k) for d in _CANDIDATES[k.mode]] for k in set(local) | {key}}
    choices = [table[k] for k in local]
    width = len(table[key])
    noise = [[rng.random() * 0.6 for _ in range(width)] for _ in spans]
    fits = _melody_fit(melody, spans, choices, local)
    best: list[list[tuple[float, int]]] = []
    for i, span in enumerate(spans):
        row = []
        candidates = choices[i]
        before = choices[i - 1] if i else candidates
        following = spans[i + 1].cadence if i + 1 < len(spans) else ""
        for j, chord in enumerate(candidates):
            refused = following == "final" and chord.degree == 4 and _grates(chord, melody, span)
            local_score = fits[i][j] + noise[i][j] + _cadence_weight(span.cadence, following, chord.degree, refused)
            if i == 0 and chord.degree == 0:
                local_score += 1.5
            if i == 0:
                row.append((local_score, -1))
                continue
            row.append(
                max((best[i - 1][k][0] + _motion(prev, chord) + local_score, k) for k, prev in enumerate(before))
            )
        best.append(row)
    j = max(range(width), key=lambda j: best[-1][j][0]) if spans else 0
    out: list[Chord] = []
    for i in range(len(spans) - 1, -1, -1):
        out.append(choices[i][j])
        j = best[i][j][1]
    return _modal_dominants(out[::-1], melody_by_span(melody, spans), local)


def _modal_dominants(chords: list[Chord], near: list[list[Note]], keys: Sequence[Key]) -> list[Chord]:
    """In minor, a dominant under a tune that sings the lowered seventh (the melodic minor coming down)
    takes the minor third as well: F in the tune against the chord's F# (in G minor) is a collision the ear
    hears as a wrong note, where the minor v is the modal colour the tune asks for."""
    out = []
    for chord, notes, key in zip(chords, near, keys):
        lowered = (chord.root + 3) % 12
        if key.mode == "minor" and chord.degree == 4 and chord.intervals[1] == 4 and any(
                n.pitch % 12 == lowered for n in notes):
            chord = Chord(chord.root, chord.degree, (0, 3, *chord.intervals[2:]))
        out.append(chord)
    return out


def _cadence_weight(cadence: str, following: str, degree: int, refused: bool = False) -> float:
    """Large enough to outweigh any melody: a cadence is a promise the harmony keeps."""
    if cadence in ("full", "final"):
        return 0.0 if degree == 0 else -50.0
    if cadence == "half":
        return 0.0 if degree == 4 else -50.0
    if following == "final":
        # The piece's last cadence is authentic: V outweighs the melody (V7 under the tune's fourth) unless
        # the tune grates a semitone on it (``refused``); then the plagal IV rather than a weak ii.
        if degree == 4:
            return 3.0 if refused else 12.0
        return 2.0 if degree == 3 else 1.0 if degree == 1 else -2.0
    if following == "full":
        return 3.0 if degree == 4 else 1.0 if degree in (1, 3) else -2.0
    return 0.0


def _grates(chord: Chord, melody: Sequence[Note], span: Span) -> bool:
    """A tune note in the span a semitone over a chord tone (G over D major's F#): a chord the tune refuses."""
    return any((n.pitch - 1) % 12 in chord.pitch_classes for n in melody if n.start < span.end and n.end > span.start)


def _melody_fit(melody: Sequence[Note], spans: Sequence[Span], choices: list[list[Chord]],
                keys: Sequence[Key]) -> list[list[float]]:
    fits = [[0.0] * len(candidates) for candidates in choices]
    scales = {key: set(scale(key)) for key in set(keys)}
    notes = sorted(melody, key=lambda n: n.start)
    k = 0
    for i, span in enumerate(spans):
        while k < len(notes) and notes[k].end <= span.start:
            k += 1
        m = k
        while m < len(notes) and notes[m].start < span.end:
            n = notes[m]
            overlap = float(min(n.end, span.end) - max(n.start, span.start))
            weight = overlap * (1.5 if n.start == span.start else 1.0)
            for j, chord in enumerate(choices[i]):
                pcs = chord.pitch_classes
                if n.pitch % 12 in pcs:
                    fits[i][j] += weight
                elif (n.pitch - 1) % 12 in pcs:
                    fits[i][j] -= 2.0 * weight  # a minor ninth over a chord tone: collision, not colour
                elif (n.pitch + 1) % 12 in pcs and n.pitch % 12 in scales[keys[i]] and (
                        (n.pitch + 1) % 12 not in scales[keys[i]]):
                    fits[i][j] -= 2.0 * weight  # the chord raises the tune's own degree (F# under F): collision
                else:
                    fits[i][j] -= 0.5 * weight
            m += 1
    return fits


def _motion(prev: Chord, chord: Chord) -> float:
    step = (chord.root - prev.root) % 12
    if prev.degree == chord.degree:
        return -0.4
    if step == 5:  # down a fifth: the strongest progression
        return 0.6
    if prev.degree == 4 and chord.degree == 0:
        return 0.8
    if step in (2, 10, 7):
        return 0.3
    return 0.0


def open_voicing(chord: Chord, *, coloured: bool, rng: random.Random, top: int = 64, key: Key | None = None,
                 plain: bool = False) -> tuple[int, ...]:
    """A wide left-hand voicing: root low, open fifth, a tenth, and an added tone.

    ``coloured`` asks for a tone that rubs (maj7, #11, b9 over a minor third; the dominant its seventh);
    otherwise a soft add9 or 6. With a ``key``, the added tone is one of the key's (minor's raised seventh
    among them): a B natural over F in G minor reads as a wrong note, not a colour. ``plain`` adds none.
    """
    bass = 36 + (chord.root - 36) % 12  # root in the octave C2..B2
    third = chord.intervals[1]
    fifth = chord.intervals[2]
    triad: tuple[int, ...] = (bass + fifth, bass + third + 12)
    tones = None if key is None else set(scale(key)) | ({(key.tonic + 11) % 12} if key.mode == "minor" else set())

    def the_keys(voicings: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        own = set(chord.pitch_classes)
        return [v for v in voicings if tones is None or all(p % 12 in tones or p % 12 in own for p in v)]

    # The soft added tones: an add9 spread (a ninth over a tenth), or an added sixth.
    nine, six = (bass + fifth, bass + 14, bass + third + 12), (bass + fifth, bass + third + 12, bass + 21)
    upper: tuple[int, ...]
    if plain:
        upper = triad
    elif coloured and chord.degree == 4 and not chord.is_minor:
        # The dominant's own colour is its seventh (a tritone with the third): a major seventh or #11 on V
        # blurs the chord that must pull home (a pianist's review: D-G#-F#-A "should be D7").
        upper = (bass + fifth, bass + 10 + 12, bass + third + 12)
    elif coloured:
        # Each choice makes a minor second, major seventh or tritone somewhere in the voicing.
        options: list[tuple[int, ...]] = [(bass + fifth + 12, bass + third + 24, bass + 11 + 12)]  # maj7, m(maj7)
        if not chord.is_minor:
            options.append((bass + fifth, bass + 18, bass + third + 12 + 12))  # #11 against the root
        else:
            options.append((bass + fifth, bass + 14, bass + third + 12))  # add9 rubbing the minor third
        options = the_keys(options) or the_keys([nine, six]) or [triad]  # no rub the key has: a soft colour
        upper = options[rng.randrange(len(options))]
    else:  # the add9 or the sixth by chance; the other when the key lacks the first
        upper = (the_keys([nine, six] if rng.random() < 0.5 else [six, nine]) or [triad])[0]
    pitches = sorted({bass, *upper})
    while pitches[-1] > top and pitches[0] - 12 >= 28:
        pitches = [p - 12 for p in pitches]
    # Still too tall for a low melody: fold upper tones down by octaves rather than cross it.
    low, folded = pitches[0], set()
    for p in pitches[1:]:
        while p > top and p - 12 > low:
            p -= 12
        folded.add(p)
    return (low, *sorted(folded))


def dissonant_onset_ratio(notes: Iterable[tuple[int, Fraction, Fraction]]) -> float:
    """Share of note onsets that sound a minor second, major seventh or tritone against a sounding note.

    Notes are (pitch, start, end); a note counts when at its onset any other sounding note (held or
    struck with it) is at such an interval, in any octave.
    """
    given = list(notes)
    instants = ticks([n[1] for n in given] + [n[2] for n in given])  # whole ticks: compared at every onset
    events = sorted(zip((n[0] for n in given), instants, instants[len(given):]), key=lambda n: (n[1], n[0]))
    dissonant = 0
    active: list[tuple[int, int, int]] = []
    i = 0
    while i < len(events):
        start = events[i][1]
        j = i
        while j < len(events) and events[j][1] == start:
            j += 1
        group = events[i:j]
        active = [a for a in active if a[2] > start]
        # The pitch classes sounding: a note against itself is a unison, never a dissonance, so it may count.
        classes = {a[0] % 12 for a in active} | {g[0] % 12 for g in group}
        for pitch, _, _ in group:
            if any((pitch - d) % 12 in classes for d in DISSONANT_CLASSES):
                dissonant += 1
        active.extend(group)
        i = j
    return dissonant / len(events) if events else 0.0


# Where the left hand may go: the tune each chord span sounds under, and the ceiling it keeps below.


def melody_by_span(melody: Sequence[Note], spans: Sequence[Span]) -> list[list[Note]]:
    """The melody notes sounding in each span (spans in time order)."""
    at = ticks([n.start for n in melody])
    notes = [melody[k] for k in sorted(range(len(melody)), key=at.__getitem__)]
    out, k = [], 0
    for span in spans:
        while k < len(notes) and notes[k].end <= span.start:
            k += 1
        here, m = [], k
        while m < len(notes) and notes[m].start < span.end:
            if notes[m].end > span.start:
                here.append(notes[m])
            m += 1
        out.append(here)
    return out


def ceilings(melody: Sequence[Note], spans: Sequence[Span]) -> list[int]:
    """Per span, the left hand stays a step below the lowest melody note it sounds under."""
    at = ticks([n.start for n in melody] + [n.end for n in melody])
    order = sorted(range(len(melody)), key=lambda k: (at[k], at[k + len(melody)], melody[k].pitch))
    notes = [(melody[k].start, melody[k].end, melody[k].pitch) for k in order]
    if any(a.start > b.start or a.end > b.end for a, b in itertools.pairwise(spans)):
        return [_ceiling(notes, span) for span in spans]
    # Spans in order: one sweep with a heap of sounding pitches keeps long pieces linear, not quadratic.
    tops: list[int] = []
    sounding: list[tuple[int, Fraction]] = []
    k = 0
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
