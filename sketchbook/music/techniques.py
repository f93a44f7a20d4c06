"""Named development techniques: the vocabulary a section's plan is written in.

Each name turns a section's base phrase into one new phrase; a seed picks the degree of a technique
whose plan gives none (how far a sequence climbs, which fragment), so each seed develops differently.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import NamedTuple

from sketchbook.music import transform
from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key, Meter, Phrase

# Every technique with what it means, in a teacher's words (shown by `develop --explain`).
TECHNIQUES = {
    "statement": "the motif as given",
    "remeter": "the motif re-barred into another metre, downbeats kept (metric transformation)",
    "repetition": "the motif again (now embellished)",
    "sequence": "the motif moved by scale steps, staying in the key (tonal sequence)",
    "transpose": "the motif moved by semitones (real sequence)",
    "invert": "intervals mirrored in the scale (diatonic inversion)",
    "invert-chromatic": "intervals mirrored exactly (chromatic inversion)",
    "retrograde": "the motif backwards",
    "retrograde-inversion": "backwards and mirrored",
    "augment": "twice as slow",
    "diminish": "twice as fast, then a step higher",
    "displace": "shifted by a beat against the bar",
    "expand": "every leap a step wider",
    "contract": "every leap a step narrower",
    "fragment": "the opening cell, sequenced",
    "liquidate": "ever shorter cells until only a gesture remains",
    "extend": "the motif continues past its end and settles",
    "register": "notes leap by octaves (registral displacement)",
}


class Treatment(NamedTuple):
    """One phrase made by a technique: its notes, its pickup, the technique as used, the sequence level."""

    phrase: Phrase
    anacrusis: Fraction
    label: str
    level: int


def apply_technique(technique: str, base: Phrase, *, pickup: Fraction, meter: Meter, key: Key, level: int,
                    rng: random.Random) -> Treatment:
    """One phrase from ``base`` by a named technique ('name' or 'name:amount').

    ``level`` is how many scale steps earlier sequences have climbed; a sequence climbs on from it.
    """
    name, _, arg = technique.partition(":")
    if name == "remeter":
        # The piece is already in the new metre (compose re-bars the motif once): state it.
        return Treatment(base, pickup, f"remeter:{arg}" if arg else "remeter", level)
    try:
        amount = int(arg) if arg else None
    except ValueError:
        raise SketchbookError(f"technique {technique!r}: the amount after ':' must be a whole number") from None
    body = transform.fragment(base, pickup, base.length)  # the phrase from its first downbeat

    def made(phrase: Phrase, anacrusis: Fraction, label: str = name) -> Treatment:
        return Treatment(phrase, anacrusis, label, level)

    if name in ("statement", "repetition"):
        return made(base, pickup)
    if name == "sequence":
        level += amount if amount is not None else rng.choice((1, 1, 2, -1, 3))
        return made(transform.sequence(base, level, key), pickup, f"sequence:{level:+d}")
    if name == "transpose":
        semitones = amount if amount is not None else rng.choice((7, 5, -5, -3, 3, 4))
        return made(transform.transpose(base, semitones), pickup, f"transpose:{semitones:+d}")
    if name == "invert":
        return made(transform.invert_diatonic(base, key), pickup)
    if name == "invert-chromatic":
        return made(transform.invert(base), pickup)
    if name == "retrograde":
        return made(transform.retrograde(body), Fraction(0))
    if name == "retrograde-inversion":
        return made(transform.retrograde_inversion(body), Fraction(0))
    if name == "augment":
        return made(transform.augment(base, Fraction(2)), pickup * 2)
    if name == "diminish":
        fast = transform.diminish(body, Fraction(2))
        return made(transform.concatenate([fast, transform.sequence(fast, 1, key)]), Fraction(0))
    if name == "displace":
        return made(transform.displace(body, meter.beat), Fraction(0))
    if name in ("expand", "contract"):
        return made(transform.scale_intervals(base, 1 if name == "expand" else -1, key), pickup)
    if name == "fragment":
        # A cell is a bar or a few, not most of a long tune: three of those would outgrow the section.
        longest = 4 * meter.bar_length
        shares = [s for s in (Fraction(1, 2), Fraction(1, 3), Fraction(2, 3)) if body.length * s <= longest]
        share = rng.choice(shares or [Fraction(1, 3)])
        direction = rng.choice((-1, -1, 1, -2))
        cell = transform.head(body, share, grid=meter.beat)
        steps = [transform.sequence(cell, direction * k, key) for k in range(3)]
        return made(transform.concatenate(steps), Fraction(0))
    if name == "liquidate":
        return made(transform.liquidate(body, key, grid=meter.beat / 2), Fraction(0))
    if name == "extend":
        return made(transform.extend(base, key), pickup)
    if name == "register":
        octaves = amount if amount is not None else rng.choice((1, -1))
        phrase = transform.displace_register(base, octaves, every=rng.choice((2, 3)))
        return made(phrase, pickup, f"register:{octaves:+d}")
    raise SketchbookError(f"unknown technique {technique!r}")
