"""Expression: where accents, dynamics, hairpins and ritardandos go, and how the last note lands.

Marks follow the music's shape: accents where they mean something (a phrase's first downbeat, a
syncopation, the climax), a crescendo to each section's peak, a written ritardando into a slower
section.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from sketchbook.music.model import DYNAMICS, Dynamic, Hairpin, Note


def ritardandos(sections, bar_start, meter) -> tuple[tuple[Fraction, Fraction], ...]:
    """Before a section that is much slower, the last two bars (or one) ease into its tempo."""
    out = []
    for before, after in itertools.pairwise(sections):
        if after.tempo < before.tempo * 0.8:
            end = bar_start(before.end_bar)
            out.append((max(bar_start(before.start_bar), end - 2 * meter.bar_length), end))
    return tuple(out)


def articulate(notes, skeleton, level: float, meter, shift: Fraction, climax: bool, *,
                rng: random.Random) -> tuple[Note, ...]:
    """Accents where they mean something: the phrase's first downbeat, syncopations, the climax's
    beats; staccato on short figure notes. ``shift`` places the phrase's times against the bar line.

    The first downbeat, not the first note: a phrase that opens on an upbeat accented under an unaccented
    downbeat turns the metre round (a pianist's review)."""
    skeleton_onsets = {n.start for n in skeleton}
    first = min((t for t in skeleton_onsets if (t - shift) % meter.bar_length == 0), default=None)
    draws = [rng.random() for _ in notes]
    if level <= 0:
        return tuple(notes)
    out, beat, half = [], meter.beat, Fraction(1, 2)
    for n, draw in zip(notes, draws):
        marks: tuple[str, ...] = n.articulations
        if n.start in skeleton_onsets:  # a note of the tune: accented where that means something
            if draw < level:
                into_beat = (n.start - shift) % beat
                if n.start == first or (into_beat and n.duration >= beat) or (climax and into_beat == 0):
                    marks = marks + ("accent",) if "accent" not in marks else marks
        elif draw < level / 3 and n.duration <= half:  # a figure's short note
            marks = marks + ("staccato",) if "staccato" not in marks else marks
        out.append(replace(n, articulations=marks) if marks != n.articulations else n)
    return tuple(out)


def quiet_under_diminuendo(notes: list[Note], hairpins: Sequence[Hairpin]) -> list[Note]:
    """No accent under a diminuendo: the climax's accents driven into the quiet return fight its taper."""
    fading = [(h.start, h.end) for h in hairpins if h.kind == "diminuendo"]
    return [replace(n, articulations=tuple(a for a in n.articulations if not a.endswith("accent")))
            if n.articulations and any(lo <= n.start < hi for lo, hi in fading) else n for n in notes]


def dynamics_for(sections, plans, bar_start) -> tuple[tuple[Dynamic, ...], tuple[Hairpin, ...]]:
    """Each section's mark at its start; a section with a peak swells to it three quarters in and holds it,
    starting again from where the section before began when its own mark would not be under that one's peak.

    The peak holds through the climax: only the last two bars taper, and only toward a softer section (a
    diminuendo the moment ff arrives, under accented octaves, undoes the climax; one toward a louder mark
    contradicts it).
    """
    marks: list[Dynamic] = []
    wedges: list[Hairpin] = []
    began = reached = None  # where the section before began, and where it ended (its peak, or its mark)
    for index, (section, plan) in enumerate(zip(sections, plans)):
        start, end = bar_start(section.start_bar), bar_start(section.end_bar)
        if index == 0:
            start = Fraction(0)  # the opening mark covers the pickup too
        level = plan.dynamic
        if plan.peak and began and reached and DYNAMICS.index(level) >= DYNAMICS.index(reached) > DYNAMICS.index(began):
            # A build that begins where the last one arrived has nowhere to come from (a pianist's review:
            # "cresc. poco a poco straight after the f"): it drops back, subito, to where that one began.
            level = began
        if not marks or marks[-1].mark != level or any(w.end == start for w in wedges):
            marks.append(Dynamic(start, level))  # not an f restated under an f (a pianist's review)
        began = reached = level
        if plan.peak and section.bars >= 2:
            crest_bar = section.start_bar + max(1, section.bars * 3 // 4)
            crest = bar_start(crest_bar)
            if crest > start:
                wedges.append(Hairpin(start, crest, "crescendo"))
                marks.append(Dynamic(crest, plan.peak))
                reached = plan.peak
                after = plans[index + 1].dynamic if index + 1 < len(plans) else None
                taper = bar_start(max(crest_bar + 1, section.end_bar - 2))  # a bar of the peak, at least
                if end > taper and (after is None or DYNAMICS.index(after) < DYNAMICS.index(plan.peak)):
                    wedges.append(Hairpin(taper, end, "diminuendo"))
    return tuple(marks), tuple(wedges)
