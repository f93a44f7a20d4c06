"""Texture: which left-hand figure each bar gets, and where the right hand thickens into octaves.

The photograph's sections are told apart by their figures: the statement rocks in broken octaves and
repeated chords, the development drives in Alberti basses and rising arpeggios, and its climax
cascades over tremolo octaves while the right hand doubles its melody in octaves and sixths. A full
cadence lands on a struck chord; a half cadence runs on in its phrase's figure, hanging on V; the return
takes up the beach's waltz.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from fractions import Fraction

from sketchbook.music.harmony import Chord, Span, as_the_chord_has_it
from sketchbook.music.levers import BROKEN, HELD, SPARSE
from sketchbook.music.model import Key, Note
from sketchbook.music.theory import diatonic_transpose

CLIMAX = 0.55  # where in a development section the climax begins (share of its length)
_STATEMENT = ("broken-octaves", "repeated")
_DEVELOPMENT = ("repeated", "alberti", "repeated", "arpeggio")
_CLIMAX = ("cascade", "tremolo", "cascade")


def figure_names(spans: Sequence[Span], owners: Sequence[int], densities: Sequence[float],
                 bounds: Sequence[tuple[Fraction, Fraction]], phrase_starts: Sequence[Fraction],
                 chords: Sequence[Chord] = (), ornaments: Sequence[float] = ()) -> list[str]:
    """The left-hand figure for each span, from its section's density and role and its place in the phrase.

    The waltz keeps alive by small changes: its bass moves to the fifth when a chord holds over the bar
    line, and a half cadence strikes its chord again on the last beat.
    """
    dense_sections = sorted({o for o, d in zip(owners, densities) if d >= BROKEN})
    out: list[str] = []
    for i, (span, owner, density) in enumerate(zip(spans, owners, densities)):
        final = i == len(spans) - 1
        if density < BROKEN:
            light = "waltz" if density < HELD else "sway" if density < SPARSE else "broken"
            if light == "waltz" and span.cadence == "half":
                light = "waltz-echo"
            elif (light == "waltz" and i and chords and chords[i - 1] == chords[i] and out[-1] == "waltz"
                  and not (i + 1 < len(spans) and spans[i + 1].cadence == "final")
                  and bisect.bisect_right(phrase_starts, spans[i - 1].start) == bisect.bisect_right(
                      phrase_starts, span.start)):
                # but the dominant before the last chord stands on its root, and so does a phrase's first
                # chord (a return opening over its fifth is a 6/4 chord, not an arrival)
                light = "waltz-fifth"
            out.append("block" if final else light)
            continue
        if span.cadence == "half" and not final and out and out[-1] not in ("block", "waltz"):
            out.append(out[-1])  # a driven phrase runs on through its half cadence: it hangs on V, it does not stop
            continue
        if span.cadence or final:
            out.append("block")
            continue
        phrase = max(0, bisect.bisect_right(phrase_starts, span.start) - 1)
        if dense_sections.index(owner) == 0:
            out.append(_STATEMENT[phrase % 2])
            continue
        lo, hi = bounds[owner]
        share = (span.start - lo) / (hi - lo) if hi > lo else 0
        if share >= CLIMAX:
            figure = _CLIMAX[i % len(_CLIMAX)]
            if figure == "tremolo" and ornaments and not ornaments[i]:
                figure = "repeated"  # a tremolo is written as an ornament: ornament 0 means none at all
            out.append(figure)
        else:
            out.append(_DEVELOPMENT[phrase % len(_DEVELOPMENT)])
    return out


def in_climax(offset: Fraction, bounds: tuple[Fraction, Fraction]) -> bool:
    lo, hi = bounds
    return hi > lo and (offset - lo) / (hi - lo) >= CLIMAX


def double(melody: Sequence[Note], skeleton: set[tuple[Fraction, int]], key: Key, *, climax: bool,
           phrase_starts: set[Fraction], summit: Fraction | None = None,
           spared: Collection[tuple[Fraction, int]] = (), chord_at: Callable[[Fraction], Chord] | None = None,
           beat: tuple[Fraction, Fraction] | None = None) -> list[Note]:
    """The right hand thickened: melody notes of the motif doubled an octave below at the climax and at
    phrase starts (filled with a sixth at the very peak), a third below elsewhere on the longer notes.

    From ``summit`` on (the climax's last bars) the runs go in octaves too: a few bars of that are a
    peak; a dozen would be an étude. A note with an ornament stays single, and so do the notes at
    ``spared`` (start, pitch), where one may go: a trill sign over two notes would ask for a double trill.
    With ``chord_at``, a third or sixth the chord raises is raised with it (the leading tone under V).
    With the ``beat`` (its length, and a bar line's time), sixteenths thicken on the eighths only, every other
    one: octaves on every sixteenth at an Allegro are more than a hand can play (a pianist's review). At
    the summit those octaves are filled, so the peak strikes as many notes as before, in a hand's reach.
    """
    out = list(melody)
    sixteenth = Fraction(1, 4)
    for n in melody:
        if n.ornament or n.graces or n.duration < sixteenth or (n.start, n.pitch) in spared:
            continue
        into = (n.start - beat[1]) % beat[0] if beat is not None and n.duration == sixteenth else None
        if into is not None and into % (2 * sixteenth):
            continue
        if (n.start, n.pitch) not in skeleton and not (climax and summit is not None and n.start >= summit):
            continue  # away from the summit only the tune's own notes thicken; at the summit, the runs too
        chord = chord_at(n.start) if chord_at is not None else None
        if climax or n.start in phrase_starts:
            added = [n.pitch - 12]
            # Filled on every eighth in a simple metre; in a compound one on the dotted beat only, where an
            # eighth is a third of the beat and a chord on each is a leap a hand cannot make (a review).
            filled = into is None or into == 0 or beat is None or beat[0] <= 1
            if climax and (n.duration >= 1 or (summit is not None and n.start >= summit and filled)):
                added.append(_under(n.pitch, -5, key, chord))  # a sixth under the top: a filled octave
        else:
            added = [_under(n.pitch, -2, key, chord)]  # a third below
        for pitch in added:
            if 57 <= pitch < n.pitch:  # below A3 a right-hand octave sits on ledger lines under the staff
                out.append(replace(n, pitch=pitch, articulations=(), spelling=None))
    return out


def _under(pitch: int, steps: int, key: Key, chord: Chord | None) -> int:
    """A diatonic interval below, raised where the chord raises that degree."""
    below = diatonic_transpose(pitch, steps, key)
    return below if chord is None else as_the_chord_has_it(below, chord, key)
