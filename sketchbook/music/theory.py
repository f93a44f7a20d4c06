"""Scales, keys and spelling: the small music theory the rest of sketchbook leans on."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from fractions import Fraction

from sketchbook.music.model import Key, Note

MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)
# Harmonic-minor leading tone is added where harmony needs it; melodies use the natural form.
MINOR_STEPS = (0, 2, 3, 5, 7, 8, 10)
LETTERS = "CDEFGAB"
LETTER_PCS = (0, 2, 4, 5, 7, 9, 11)

# Krumhansl-Kessler key profiles: how strongly each scale degree belongs to a key.
_MAJOR_PROFILE = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
_MINOR_PROFILE = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)

# Key signatures in circle-of-fifths form, choosing the spelling with fewer accidentals.
_MAJOR_TONICS = ("Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#")
_MINOR_TONICS = ("Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#")
_MAJOR_FIFTHS = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: 6, 1: -5, 8: -4, 3: -3, 10: -2, 5: -1}


@functools.cache  # asked per note by the speller, the embellishment and the harmony: made once a key
def scale(key: Key) -> tuple[int, ...]:
    """The seven pitch classes of the key, starting on the tonic."""
    steps = MAJOR_STEPS if key.mode == "major" else MINOR_STEPS
    return tuple((key.tonic + s) % 12 for s in steps)


def fifths(key: Key) -> int:
    """The key signature as sharps (positive) or flats (negative)."""
    major_tonic = key.tonic if key.mode == "major" else (key.tonic + 3) % 12
    return _MAJOR_FIFTHS[major_tonic]


def key_name(key: Key) -> str:
    letter, alter = tonic_spelling(key)
    return f"{letter}{'#' * alter if alter > 0 else 'b' * -alter} {key.mode}"


def tonic_spelling(key: Key) -> tuple[str, int]:
    """Letter and alteration of the tonic, consistent with the key signature."""
    names = _MAJOR_TONICS if key.mode == "major" else _MINOR_TONICS
    name = names[fifths(key) + 7]
    return name[0], name.count("#") - name.count("b")


def spell(pitch: int, key: Key) -> tuple[str, int, int]:
    """Spell a MIDI pitch in a key as (step letter, alter, octave), e.g. 61 in D major -> ('C', 1, 4)."""
    tonic_letter = LETTERS.index(tonic_spelling(key)[0])
    degree = (pitch - key.tonic) % 12
    steps = MAJOR_STEPS if key.mode == "major" else MINOR_STEPS
    pc = pitch % 12
    if degree in steps:
        letter_index = (tonic_letter + steps.index(degree)) % 7
    elif key.mode == "minor" and degree in (9, 11):
        # The raised sixth and seventh of melodic and harmonic minor keep their letters.
        letter_index = (tonic_letter + degree // 2 + 1) % 7
    elif pc in LETTER_PCS:
        letter_index = LETTER_PCS.index(pc)
    else:
        sign = fifths(key)
        if sign == 0:
            sign = 1 if degree == 6 else -1
        below = LETTER_PCS.index((pc - 1) % 12) if (pc - 1) % 12 in LETTER_PCS else None
        letter_index = below if sign > 0 and below is not None else LETTER_PCS.index((pc + 1) % 12)
    letter = LETTERS[letter_index]
    alter = ((pc - LETTER_PCS[letter_index] + 6) % 12) - 6
    octave = (pitch - alter) // 12 - 1
    return letter, alter, octave


def estimate_key(notes: Iterable[Note], pickup: Fraction = Fraction(0)) -> Key:
    """Guess key and mode from durations per pitch class (Krumhansl-Schmuckler), leaning on the last note.

    Notes outside a key's scale (minor's raised sixth and seventh belong to it) count against it: a tune
    with Bb, C and F# that ends on D is in G minor, though its last note and long Ds lean to D major. The
    first downbeat counts too: a tune that opens on its tonic triad and stops on a half cadence (Ode to
    Joy's first phrase, E ... D) is in C, not D minor.
    """
    weights = [0.0] * 12
    notes = list(notes)
    for n in notes:
        weights[n.pitch % 12] += float(n.duration)
    total = sum(weights) or 1.0
    if notes:
        # Melodies usually end on a tonic-triad note and often begin on one.
        last = max(notes, key=lambda n: (n.start, n.pitch))
        weights[last.pitch % 12] += 1.0
    on_beat = [n for n in notes if n.start >= pickup]
    downbeat = min(on_beat, key=lambda n: (n.start, -n.pitch)).pitch % 12 if on_beat else None
    best: tuple[float, int, str] | None = None
    for tonic in range(12):
        for mode, profile in (("major", _MAJOR_PROFILE), ("minor", _MINOR_PROFILE)):
            rotated = [profile[(pc - tonic) % 12] for pc in range(12)]
            steps = MAJOR_STEPS if mode == "major" else (*MINOR_STEPS, 9, 11)
            outside = sum(w for pc, w in enumerate(weights) if (pc - tonic) % 12 not in steps) / total
            score = _correlation(weights, rotated) - outside
            if downbeat is not None and (downbeat - tonic) % 12 in ((0, 4, 7) if mode == "major" else (0, 3, 7)):
                score += 0.25 if downbeat == tonic else 0.15
            # Ties resolve to the earlier candidate, so the result is deterministic.
            if best is None or score > best[0] + 1e-12:
                best = (score, tonic, mode)
    assert best is not None
    return Key(best[1], best[2])


def _correlation(xs: list[float], ys: list[float]) -> float:
    mx = sum(xs) / len(xs)
    my = sum(ys) / len(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    den = (sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)) ** 0.5
    return num / den if den else 0.0


def degree_of(pitch: int, key: Key) -> tuple[int, int]:
    """Diatonic position of a pitch: (scale steps from tonic counted across octaves, chromatic offset).

    A pitch outside the scale is taken as the degree below plus a chromatic offset of +1.
    """
    pcs = scale(key)
    rel = pitch - key.tonic
    octave, pc = divmod(rel, 12)
    steps = MAJOR_STEPS if key.mode == "major" else MINOR_STEPS
    for i in range(6, -1, -1):
        if steps[i] <= pc:
            return octave * 7 + i, pc - steps[i]
    raise AssertionError(pcs)  # pragma: no cover - steps[0] is 0


def pitch_of(degree: int, key: Key, chromatic: int = 0) -> int:
    """Inverse of degree_of: MIDI pitch at a diatonic degree counted from the tonic near C4's octave base."""
    steps = MAJOR_STEPS if key.mode == "major" else MINOR_STEPS
    octave, i = divmod(degree, 7)
    return key.tonic + 12 * octave + steps[i] + chromatic


def diatonic_transpose(pitch: int, steps: int, key: Key) -> int:
    """Move a pitch by scale steps in the key, keeping any chromatic inflection."""
    degree, chroma = degree_of(pitch, key)
    return pitch_of(degree + steps, key, chroma)


def in_key(pitch: int, key: Key) -> bool:
    return pitch % 12 in scale(key)
