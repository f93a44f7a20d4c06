"""Metre: metric transformation, re-barring a motif into another metre.

Times are quarter notes from the start of a phrase's pickup, as everywhere in the model; a bar line
falls at ``pickup + k * bar_length``.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from sketchbook.music.model import Meter, Note, Phrase  # noqa: F401 (Note: the doctest)


def spread_for(phrase: Phrase, pickup: Fraction, source: Meter, target: Meter, *, rate: float,
               most: int) -> int:
    """How many target bars each source bar becomes, so the melody moves at most ``rate`` times a quarter."""
    onsets = len({n.start for n in phrase.notes})
    bars = max(1, -(-(phrase.length - pickup) // source.bar_length))
    for spread in range(1, most + 1):
        if onsets / float(bars * spread * target.bar_length) <= rate:
            return spread
    return most


def remeter(phrase: Phrase, pickup: Fraction, source: Meter, target: Meter, *, spread: int = 1
            ) -> tuple[Phrase, Fraction]:
    """Metric transformation: every source bar becomes ``spread`` bars of ``target``, bar line on bar line.

    Inside a bar each onset keeps its place in proportion, snapped to the coarsest grid (the target's beat
    unit, then its halves) that keeps every onset apart, so a 4/4 tune walks in 3/4 with its downbeats
    still on downbeats and every pitch in order. Returns the new phrase and its pickup.

    >>> tune = Phrase(tuple(Note(60 + i, Fraction(i), Fraction(1)) for i in range(4)), Fraction(4))
    >>> waltz, pickup = remeter(tune, Fraction(0), Meter(4, 4), Meter(3, 4), spread=2)
    >>> [str(n.duration) for n in waltz.notes], waltz.length  # quarter, half | quarter, half
    (['1', '2', '1', '2'], Fraction(6, 1))
    """
    source_bar, target_bar = source.bar_length, target.bar_length * spread
    scale = target_bar / source_bar
    unit = Fraction(4, target.denominator)
    bars = max(1, -(-(phrase.length - pickup) // source_bar))
    onsets = sorted({n.start for n in phrase.notes})

    def segment(t: Fraction) -> int:
        return -1 if t < pickup else int((t - pickup) // source_bar)

    groups: dict[int, list[Fraction]] = {}
    for t in onsets:
        groups.setdefault(segment(t), []).append(t)
    placed: dict[Fraction, Fraction] = {}
    grids: dict[int, Fraction] = {}
    new_pickup = Fraction(0)
    if -1 in groups:
        # A pickup stays shorter than a bar: a long one (spread wide) is squeezed into what fits.
        squeeze = min(scale, (target.bar_length - unit) / pickup)
        ideal = [(pickup - t) * squeeze for t in groups[-1]]  # distance before the first bar line
        for grid in (unit, unit / 2, unit / 4, unit / 8):
            slots = [max(1, round(x / grid)) for x in ideal]
            for i in range(len(slots) - 2, -1, -1):
                slots[i] = max(slots[i], slots[i + 1] + 1)  # earlier onsets sit further before the bar line
            if slots[0] * grid < target.bar_length or grid == unit / 8:
                break
        new_pickup = min(slots[0] * grid, target.bar_length - grid)
        grids[-1] = grid
        for t, slot in zip(groups[-1], slots):
            placed[t] = max(Fraction(0), new_pickup - slot * grid)
    for index in sorted(k for k in groups if k >= 0):
        start = new_pickup + index * target_bar
        ideal = [(t - pickup - index * source_bar) * scale for t in groups[index]]
        for grid in (unit, unit / 2, unit / 4, unit / 8):
            if len(ideal) * grid <= target_bar or grid == unit / 8:
                slots = _snap(ideal, grid, target_bar, target.bar_length)
                break
        grids[index] = grid
        for t, slot in zip(groups[index], slots):
            placed[t] = start + min(slot * grid, target_bar - grid)
    length = new_pickup + bars * target_bar
    following = {t: nxt for t, nxt in zip(onsets, onsets[1:] + [None])}
    notes = []
    for n in phrase.notes:
        begin = placed[n.start]
        nxt = following[n.start]
        grid = grids[segment(n.start)]
        if nxt is not None and n.end >= nxt:
            end = placed[nxt]  # legato stays legato
        else:
            ideal_end = new_pickup + (n.end - pickup) * scale
            end = max(begin + grid, round(ideal_end / grid) * grid)
            end = min(end, placed[nxt] if nxt is not None else length)
        notes.append(replace(n, start=begin, duration=max(end - begin, grid)))
    return Phrase(tuple(notes), length), new_pickup


def _snap(ideal: list[Fraction], grid: Fraction, span: Fraction, bar: Fraction) -> list[int]:
    """Grid slots for onsets at ``ideal`` places in a span of one or more bars: as near as may be, in order,
    and sparing ties over the bar lines inside the span (a melody that lands on its downbeats reads, and
    sings, as a tune rather than as a syncopation). A small dynamic programme over the slots."""
    count = int(span / grid)
    if len(ideal) > count:
        return [min(i, count - 1) for i in range(len(ideal))]
    lines = {int(k * bar / grid) for k in range(1, int(span / bar))}

    def crosses(a: int, b: int) -> bool:
        return any(a < line < b for line in lines)

    def cost(i: int, slot: int) -> float:
        return abs(float(slot * grid - ideal[i])) / float(grid) - (0.5 if slot in lines else 0.0)

    inf = float("inf")
    best = [[inf] * count for _ in ideal]
    back = [[-1] * count for _ in ideal]
    for slot in range(count):
        best[0][slot] = cost(0, slot)
    for i in range(1, len(ideal)):
        for slot in range(i, count):
            for prev in range(i - 1, slot):
                if best[i - 1][prev] == inf:
                    continue
                total = best[i - 1][prev] + cost(i, slot) + (1.5 if crosses(prev, slot) else 0.0)
                if total < best[i][slot]:
                    best[i][slot], back[i][slot] = total, prev
    last = min(range(count), key=lambda slot: (best[-1][slot] + (1.5 if crosses(slot, count) else 0.0), slot))
    slots = [last]
    for i in range(len(ideal) - 1, 0, -1):
        slots.append(back[i][slots[-1]])
    return slots[::-1]
