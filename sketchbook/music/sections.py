"""A section's phrases: the motif developed by each technique in turn, rounded to four or eight bars,
and laid end to end from the first bar line.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator, Sequence
from dataclasses import replace
from fractions import Fraction

from sketchbook.music import transform
from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key, Meter, Note, Phrase
from sketchbook.music.phrasing import pad, phrase_bars
from sketchbook.music.styles import SectionPlan, Style
from sketchbook.music.techniques import apply_technique


def section_targets(style: Style, bars: int | None) -> Sequence[int | None]:
    if bars is None:
        return [None] * len(style.sections)
    mins = [s.min_bars for s in style.sections]
    total = sum(mins)
    targets = [max(1, bars * m // total) for m in mins]
    targets[-1] += bars - sum(targets)
    if targets[-1] < 1:
        raise SketchbookError(f"--bars {bars} is too short for this variation")
    return targets


def bars_of(phrase: Phrase, anacrusis: Fraction, bar: Fraction) -> int:
    return max(1, -(-(phrase.length - anacrusis) // bar))


def section_phrases(plan: SectionPlan, base: Phrase, pickup: Fraction, meter: Meter, key: Key,
                     target: int | None, *, climbs: bool, rng: random.Random, rests: bool = False
                     ) -> list[tuple[Phrase, Fraction, str]]:
    """The section's phrases: each technique once, cycling until the section is long enough.

    Each phrase is rounded up to four or eight bars (with ``rests``, a slow texture, the tune rests in the
    bars it does not fill: see phrasing.pad); in a section that builds to a peak (``climbs``) the later
    phrases rise an octave, so the climax is higher as well as louder and busier.
    """
    bar = meter.bar_length
    out: list[tuple[Phrase, Fraction, str]] = []
    level = 0
    techniques = list(plan.techniques)
    if len(techniques) > 3:
        # A long development keeps its opening gesture; the seed orders the rest.
        middle = techniques[1:]
        rng.shuffle(middle)
        techniques[1:] = middle
    total = 0
    goal = target if target is not None else plan.min_bars
    i = 0
    while True:
        technique = techniques[i % len(techniques)]
        made = apply_technique(technique, base, pickup=pickup, meter=meter, key=key, level=level, rng=rng)
        phrase, anacrusis, label, level = made.phrase, made.anacrusis, made.label, made.level
        if not label.startswith("register") and phrase.notes and (
            min(phrase.pitches) < 60 or max(phrase.pitches) > 93
        ):
            phrase = transform.fit_register(phrase, 62, 84)  # an inversion or sequence that sank toward the left hand
        if climbs and total >= goal * 0.5 and phrase.notes and max(phrase.pitches) + 12 <= 93:
            phrase = transform.transpose(phrase, 12)
        size = bars_of(phrase, anacrusis, bar)
        room = None if target is None else target - total
        rounded = phrase_bars(size)
        if room is None or rounded <= room:
            phrase, size = pad(phrase, anacrusis, bar, rounded, rest=rests), rounded
        if room is not None and size > room:
            if room > 0:
                out.append((transform.fragment(phrase, Fraction(0), anacrusis + room * bar), anacrusis, label))
            return out
        out.append((phrase, anacrusis, label))
        total += size
        i += 1
        if total >= goal and i >= len(plan.techniques):
            return out
        if target is None and i >= 4 * len(plan.techniques) + 64:
            return out


def place(right: list[Note], reach: list[Fraction], phrase: Phrase, start: Fraction) -> None:
    """Add a phrase at ``start``; it cuts whatever the hand still held there (a pickup overrides a tail).

    ``reach`` (running latest ends) marks the notes over by ``start``: only those after them are looked at.
    """
    settled = bisect.bisect_right(reach, start)
    tail = right[settled:]
    del right[settled:], reach[settled:]
    for n in tail:
        if n.start >= start:
            continue
        right.append(replace(n, duration=start - n.start) if n.end > start else n)
    right.extend(n.shifted(start) for n in phrase.notes if n.start + start >= 0)
    latest = reach[-1] if reach else None
    for n in right[len(reach):]:
        latest = n.end if latest is None else max(latest, n.end)
        reach.append(latest)


def windows_in(windows: list[tuple[Fraction, str]], lo: Fraction, hi: Fraction
               ) -> Iterator[tuple[Fraction, Fraction, str]]:
    """The phrase windows that fall in [lo, hi), each cut at the next phrase's start."""
    starts = sorted((w for w in windows if lo <= w[0] < hi), key=lambda w: w[0]) or [(lo, "statement")]
    if starts[0][0] > lo:
        starts.insert(0, (lo, starts[0][1]))
    for (start, technique), nxt in zip(starts, starts[1:] + [(hi, "")]):
        if nxt[0] > start:
            yield start, nxt[0], technique
