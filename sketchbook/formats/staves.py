"""Readable staves: slurs over the melody's phrases, clef changes, and ottava lines for extreme notes.

Pure planning on notes and their spellings; musicxml.py writes what is planned here.
"""

from __future__ import annotations

from bisect import bisect_left
from fractions import Fraction
from itertools import pairwise
from typing import NamedTuple

from sketchbook.music.model import Note, Piece
from sketchbook.music.theory import LETTERS

TREBLE, BASS = "treble", "bass"
# Diatonic steps (octave * 7 + letter) of each clef's bottom and top line: E4-F5 and G2-A3.
_LINES = {TREBLE: (30, 38), BASS: (18, 26)}
MIDDLE_C = 60
MAX_LEDGERS = 4  # a fifth ledger line is where a reader starts counting: write those notes under an ottava
SLUR_BARS = 4  # a phrase longer than this is slurred in breaths, as a pianist phrases it


class Onset(NamedTuple):
    """The notes one staff strikes at one moment (both voices), as written diatonic steps."""

    start: Fraction
    end: Fraction
    low: int  # lowest written step
    high: int  # highest written step
    low_pitch: int
    high_pitch: int


def ledger_lines(step: int, clef: str) -> int:
    """Ledger lines a note at ``step`` needs in ``clef`` (above or below the staff)."""
    bottom, top = _LINES[clef]
    return max((step - top) // 2, (bottom - step) // 2, 0)


def written_onsets(measures: list, starts: list[int], divisions: int) -> list[Onset]:
    """One staff's written chords in time order, both voices merged: every notehead drawn counts, so a
    note tied over a bar line is seen again where its continuation is printed."""
    by_tick: dict[int, list] = {}
    for m, written in enumerate(measures):
        for _, items in written:
            for it in items:
                if it.chord is not None:
                    at = by_tick.setdefault(starts[m] + it.start, [starts[m] + it.start + it.ticks])
                    at[0] = max(at[0], starts[m] + it.start + it.ticks)
                    at.extend(it.heads)
                    at.extend(it.graces)
    out = []
    for tick in sorted(by_tick):
        end, *heads = by_tick[tick]
        steps = [h.octave * 7 + LETTERS.index(h.step) for h in heads]
        pitches = [h.pitch for h in heads]
        out.append(Onset(Fraction(tick, divisions), Fraction(end, divisions), min(steps), max(steps),
                         min(pitches), max(pitches)))  # fmt: skip
    return out


def clef_plan(chords: list[Onset], home: str, bar_lines: list[Fraction]) -> list[str]:
    """The clef each onset (in time order, as written_onsets gives them) is written in; clefs change only
    at bar lines.

    A bar goes to the other clef when every note in it belongs there (the left hand at or above middle C,
    the right hand below A3) and the staff stays there for two bars or more, or at once when the home
    clef would need more than four ledger lines and the other clef reads every note within three.
    """
    other = BASS if home == TREBLE else TREBLE
    bars: list[list[int]] = [[] for _ in bar_lines]
    b = 0  # the onsets come in time order: walk the bar lines beside them
    for k, c in enumerate(chords):
        while b + 1 < len(bar_lines) and bar_lines[b + 1] <= c.start:
            b += 1
        bars[b].append(k)

    def most(indices: list[int], clef: str) -> int:
        return max(max(ledger_lines(chords[k].low, clef), ledger_lines(chords[k].high, clef)) for k in indices)

    def wants(indices: list[int]) -> bool:
        if home == BASS:
            belongs = all(chords[k].low_pitch >= MIDDLE_C for k in indices)
        else:
            belongs = all(chords[k].high_pitch < MIDDLE_C - 3 for k in indices)
        if belongs:
            return most(indices, other) < most(indices, home)
        return most(indices, home) > MAX_LEDGERS and most(indices, other) <= 3  # else an ottava serves

    choice = [home] * len(bars)
    b = 0
    while b < len(bars):
        if not bars[b] or not wants(bars[b]):
            b += 1
            continue
        e, played = b, 0
        while e < len(bars) and (not bars[e] or wants(bars[e])):
            played += bool(bars[e])
            e += 1
        while not bars[e - 1]:
            e -= 1  # silent bars after the run keep the clef before them
        if played >= 2 or any(bars[i] and most(bars[i], home) > MAX_LEDGERS for i in range(b, e)):
            choice[b:e] = [other] * (e - b)
        b = e
    clefs = [home] * len(chords)
    for clef, indices in zip(choice, bars):
        for k in indices:
            clefs[k] = clef
    return clefs


def ottava_plan(chords: list[Onset], clefs: list[str], bar: Fraction, beat: Fraction | None = None,
                origin: Fraction = Fraction(0)) -> list[tuple[Fraction, Fraction, int]]:
    """Ottava spans (start, end, octaves): +1 for 8va (written an octave lower), -1 for 8vb, +-2 for 15ma/mb.

    A span covers consecutive onsets beyond four ledger lines, and the onsets between two such runs when
    they fit under it and the gap is short, so that the line does not stop and start again. With a ``beat``
    (counted from ``origin``, the first bar line) a span takes in the rest of the beats it starts and ends
    in where those notes fit under it: a line beginning on a beamed group's second note makes its first
    one read an octave off.
    """
    need = [_shift_needed(c, clef) for c, clef in zip(chords, clefs)]
    # The line reaches out over neighbours that sit low (or high) too, so one short bracket is rare.
    for order in (range(1, len(need)), range(len(need) - 2, -1, -1)):
        for k in order:
            near = need[k - 1] if order.step > 0 else need[k + 1]
            if not need[k] and near and _far(chords[k], clefs[k], near) and _fits(chords[k], clefs[k], near):
                need[k] = near
    spans: list[list[int]] = []  # [first index, last index, octaves]
    for k, shift in enumerate(need):
        if not shift:
            continue
        if spans and spans[-1][2] == shift and clefs[spans[-1][1]] == clefs[k]:
            last = spans[-1][1]
            between = range(last + 1, k)
            close = chords[k].start - chords[last].end <= bar
            if all(_fits(chords[i], clefs[i], shift) and clefs[i] == clefs[k] for i in between) and close:
                spans[-1][1] = k
                continue
        spans.append([k, k, shift])
    if beat is not None:
        in_beat = [(c.start - origin) // beat for c in chords]
        for n, span in enumerate(spans):
            a, b, shift = span
            floor, ceiling = spans[n - 1][1] if n else -1, spans[n + 1][0] if n + 1 < len(spans) else len(chords)
            while a - 1 > floor and in_beat[a - 1] == in_beat[a] and clefs[a - 1] == clefs[a] and _fits(
                    chords[a - 1], clefs[a - 1], shift):
                a -= 1
            while b + 1 < ceiling and in_beat[b + 1] == in_beat[b] and clefs[b + 1] == clefs[b] and _fits(
                    chords[b + 1], clefs[b + 1], shift):
                b += 1
            span[0], span[1] = a, b
    # A line ends where the next onset outside it is printed, or where its last notes end.
    return [(chords[a].start, min([chords[b].end, *(c.start for c in chords[b + 1 : b + 2])]), shift)
            for a, b, shift in spans]  # fmt: skip


def _shift_needed(c: Onset, clef: str) -> int:
    above, below = ledger_lines(c.high, clef), ledger_lines(c.low, clef)
    if above > MAX_LEDGERS and c.high > _LINES[clef][1]:
        for octaves in (1, 2):
            if _fits(c, clef, octaves) and ledger_lines(c.high - 7 * octaves, clef) <= MAX_LEDGERS:
                return octaves
    if below > MAX_LEDGERS and c.low < _LINES[clef][0]:
        for octaves in (1, 2):
            if _fits(c, clef, -octaves) and ledger_lines(c.low + 7 * octaves, clef) <= MAX_LEDGERS:
                return -octaves
    return 0


def _far(c: Onset, clef: str, octaves: int) -> bool:
    """Whether the onset already needs three ledger lines on the side an ottava of ``octaves`` eases."""
    bottom, top = _LINES[clef]
    return c.high >= top + 6 if octaves > 0 else c.low <= bottom - 6


def _fits(c: Onset, clef: str, octaves: int) -> bool:
    """Whether every note of the onset reads within four ledger lines when written ``octaves`` lower, and on
    none on the side the ottava moves it toward: under an 8va a note written below the staff reads an octave
    off twice over (reviews found E#4 and B4 under a bracket, on ledger lines under the staff)."""
    bottom, top = _LINES[clef]
    low, high = c.low - 7 * octaves, c.high - 7 * octaves
    if (octaves > 0 and low < bottom and ledger_lines(low, clef) > 0) or (
            octaves < 0 and high > top and ledger_lines(high, clef) > 0):
        return False
    return all(ledger_lines(step, clef) <= MAX_LEDGERS for step in (low, high))


def slur_spans(piece: Piece) -> list[tuple[Fraction, Fraction]]:
    """(first onset, last onset) of each slur over the right hand's melody (voice 1).

    One slur per phrase of ``piece.phrases``; a phrase longer than SLUR_BARS bars is cut into breaths at
    its rests, then after held notes. One-note phrases get none.
    """
    melody = sorted({n.start: n for n in piece.right_hand if n.voice == 1 and n.start < piece.length}.values(),
                    key=lambda n: n.start)  # fmt: skip
    if not melody:
        return []
    bounds = sorted({Fraction(0), *(p for p in piece.phrases if 0 < p < piece.length)}) + [piece.length]
    limit = SLUR_BARS * piece.meter.bar_length
    spans = []
    onsets = [n.start for n in melody]
    for lo, hi in pairwise(bounds):
        phrase = melody[bisect_left(onsets, lo):bisect_left(onsets, hi)]  # by bisection: long pieces stay linear
        for breath in _breaths(phrase, limit, piece.meter.beat):
            if len(breath) > 1:
                spans.append((breath[0].start, breath[-1].start))
    return spans


def _breaths(notes: list[Note], limit: Fraction, beat: Fraction) -> list[list[Note]]:
    """Cut a long phrase into parts spanning at most ``limit``: at the last rest that allows, else after
    the longest held note."""
    parts = []
    while notes and notes[-1].start - notes[0].start > limit:
        # Cut before notes[k]; both parts keep at least two notes, and the first fits the limit.
        window = [k for k in range(2, len(notes) - 1) if notes[k - 1].start - notes[0].start <= limit]
        if not window:
            if len(notes) == 2:  # a long note and the one it moves to: still one breath, slurred
                break
            parts.append(notes[:1])
            notes = notes[1:]
            continue
        rests = [k for k in window if notes[k].start > notes[k - 1].end]
        k = rests[-1] if rests else max(window, key=lambda i: (notes[i - 1].duration >= beat, notes[i - 1].duration, i))
        parts.append(notes[:k])
        notes = notes[k:]
    return [*parts, notes]


SYSTEM_ONSETS = 32  # what one system holds comfortably: onsets of its busier staff
SYSTEM_BARS = 6


PAGE_SYSTEMS = 4  # what an A4 page with a 6 mm staff holds with room to spare, in LilyPond and MuseScore alike


def system_breaks(piece: Piece, starts: list[int], divisions: int) -> dict[int, str]:
    """Measure index -> "system" or "page": where a new line or page begins.

    Lines hold whole bars up to a comfortable number of onsets, so dense bars get fewer per line, and pages
    four lines: no engraver squeezes a line or a page. Left to itself, LilyPond misjudges the height of
    lines with slurs, ottavas and pedal marks, over-fills a page and compresses it (with a warning).
    """
    per_bar = [0] * len(starts)

    def measure_of(offset: Fraction) -> int:
        tick = offset.numerator * (divisions // offset.denominator)
        low, high = 0, len(starts) - 1
        while low < high:  # the last measure starting at or before the tick
            mid = (low + high + 1) // 2
            if starts[mid] <= tick:
                low = mid
            else:
                high = mid - 1
        return low

    for hand in (piece.right_hand, piece.left_hand):
        counts = [0] * len(starts)
        for onset in {n.start for n in hand}:
            counts[measure_of(onset)] += 1
        per_bar = [max(a, b) for a, b in zip(per_bar, counts)]
    # A bar opening on grace notes is never the first of a line: LilyPond breaks after the graces and leaves
    # them alone at the end of the line before (a review found a page holding one grace note).
    graced = {m for n in piece.right_hand + piece.left_hand if n.graces and starts[m := measure_of(n.start)]
              == n.start.numerator * (divisions // n.start.denominator)}
    breaks: dict[int, str] = {}
    held, bars, lines = 0, 0, 1
    for index, count in enumerate(per_bar):
        full = bars and (held + count > SYSTEM_ONSETS or bars >= SYSTEM_BARS) and index not in graced
        if full and not (index == 1 and piece.pickup):  # a pickup stays on the line it leads into
            lines += 1
            breaks[index] = "page" if lines % PAGE_SYSTEMS == 1 else "system"
            held, bars = 0, 0
        held += count
        bars += 1
    last = len(per_bar) - 1
    if breaks.get(last):  # the closing bar alone on a line (often a page): a pianist turns for one held chord
        begun = max((k for k in breaks if k < last), default=0)
        if sum(per_bar[begun:]) <= SYSTEM_ONSETS:
            del breaks[last]  # it joins the line before, which has room for it
        elif last - 1 > begun:
            breaks[last - 1] = breaks.pop(last)  # the line before gives it a bar's company
    return breaks
