"""A piece's time laid out as written notation: measures, voices, note values, ties, tuplets, beams, accidentals.

Runs on integer ticks (``divisions`` per quarter note), so the layout is exact and fast.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from fractions import Fraction
from typing import NamedTuple

from sketchbook.music.model import Hairpin, Note, Pedal, Piece
from sketchbook.music.spelling import grace_spelling, key_alters, octave_of, spell_piece

# Note types named as MusicXML names them, by power of two of a quarter note.
TYPE_NAMES = (
    (4, "long"), (3, "breve"), (2, "whole"), (1, "half"), (0, "quarter"), (-1, "eighth"),
    (-2, "16th"), (-3, "32nd"), (-4, "64th"), (-5, "128th"), (-6, "256th"), (-7, "512th"), (-8, "1024th"),
)  # fmt: skip
BEAMS = {"eighth": 1, "16th": 2, "32nd": 3, "64th": 4, "128th": 5, "256th": 6, "512th": 7, "1024th": 8}
ACCIDENTALS = {-2: "flat-flat", -1: "flat", 0: "natural", 1: "sharp", 2: "double-sharp"}


class NeedFinerGrid(Exception):
    """A split point fell between ticks: lay the piece out again with more divisions."""


def divisions(piece: Piece) -> int:
    """The least common multiple of every denominator the piece's times use."""
    meter = piece.meter
    denominators = {n.start.denominator for n in (*piece.right_hand, *piece.left_hand)}
    denominators |= {n.duration.denominator for n in (*piece.right_hand, *piece.left_hand)}
    times = [piece.pickup, meter.bar_length, meter.beat, *(d.offset for d in piece.dynamics)]
    spans: list[Hairpin | Pedal] = [*piece.hairpins, *piece.pedals]
    for span in spans:
        times += (span.start, span.end)
    return math.lcm(*denominators, *{Fraction(t).denominator for t in times})


class Head(NamedTuple):
    """One written notehead: its spelling, the accidental shown (None: none) and the MIDI pitch it sounds."""

    step: str
    alter: int
    octave: int
    accidental: str | None
    pitch: int


class Tuplet(NamedTuple):
    """``actual`` notes in the time of ``normal``; ``normal_type`` names the normal note when one value spans it."""

    actual: int
    normal: int
    normal_type: str | None


class Segment(NamedTuple):
    """A stretch of one voice in one measure, in measure ticks: a chord (None: a rest) and its ties."""

    start: int
    end: int
    chord: tuple[Note, ...] | None
    tie_stop: bool
    tie_start: bool


class Item(NamedTuple):
    """One written note, chord or rest of a voice, timed in ticks from the measure start.

    ``type`` is None for a whole-measure rest; ``first`` marks the item where a note is struck (graces,
    ornaments and slurs go there); ``group`` keys the beam group; ``beams`` are (level, value) pairs.
    """

    start: int
    ticks: int
    type: str | None
    dots: int = 0
    chord: tuple[Note, ...] | None = None
    tie_stop: bool = False
    tie_start: bool = False
    first: bool = False
    tuplet: Tuplet | None = None
    group: int | tuple[str, int] = 0
    bracket: str | None = None  # "start" or "stop" of a tuplet bracket
    beams: tuple[tuple[str, str], ...] = ()
    heads: tuple[Head, ...] = ()
    graces: tuple[Head, ...] = ()


class Layout:
    """A piece's measures on a grid of ``divisions`` ticks per quarter note, and how each voice is written."""

    def __init__(self, piece: Piece, divisions: int) -> None:
        self.piece, self.divisions = piece, divisions
        self.odd = divisions // (divisions & -divisions)  # dyadic lengths are multiples of this
        meter = piece.meter
        self.bar, self.beat = self.ticks(meter.bar_length), self.ticks(meter.beat)
        self.compound = meter.is_compound
        if meter.denominator >= 8 and not meter.is_compound:
            self.beam_span = self.bar if meter.numerator == 3 else divisions
        else:
            self.beam_span = self.beat
        pickup = self.ticks(piece.pickup)
        self.length = pickup + piece.bars * self.bar
        self.starts = ([0] if pickup else []) + [pickup + k * self.bar for k in range(piece.bars)]
        self.ends = self.starts[1:] + [self.length]
        # A pickup's beats are counted back from its bar line, as they are heard.
        self.pickup_shift = (self.bar - pickup) % self.bar if (self.bar - pickup) % self.odd == 0 else 0
        self.key_alter = key_alters(piece.key)
        self.tables: dict[int, dict] = {}
        self.names = spell_piece(piece)

    def ticks(self, value: Fraction) -> int:
        return value.numerator * (self.divisions // value.denominator)

    def locate(self, time: Fraction, stop: bool = False) -> tuple[int, int] | None:
        """(measure index, ticks into it) of ``time``, None at the end; a ``stop`` on a bar line ends the bar before."""
        t = min(self.ticks(time), self.length)
        if t == self.length and not stop:
            return None
        m = max(bisect_left(self.starts, t) - 1, 0) if stop else bisect_right(self.starts, t) - 1
        return m, t - self.starts[m]

    def marks_staff(self, start: Fraction, end: Fraction) -> int:
        """The staff a hairpin over [start, end) is written on: the tune's, unless the tune rests all through
        it and the left hand plays (LilyPond finds no note for it in a bar of rests, and leaves it open)."""
        def struck(notes: tuple[Note, ...]) -> bool:
            k = bisect_left([n.start for n in notes], start)  # notes in score order
            return k < len(notes) and notes[k].start < end

        return 2 if not struck(self.piece.right_hand) and struck(self.piece.left_hand) else 1

    def staff(self, notes: tuple[Note, ...]) -> Iterator[list[tuple[int, list[Item]]]]:
        """Per measure, the voices of one staff written there (voice 1 always, 2 when it has notes) as
        (voice, items), spelled with accidentals chosen."""
        segments = [self.measure_segments(self.chords(notes, voice)) for voice in (1, 2)]
        for m, (m_start, m_end) in enumerate(zip(self.starts, self.ends)):
            shift = self.pickup_shift if m == 0 and self.piece.pickup else 0
            voices = [v for v in (1, 2) if v == 1 or segments[v - 1][m]]
            written = [self.voice_items(segments[v - 1][m], m_end - m_start, shift) for v in voices]
            yield list(zip(voices, self.accidentals(written)))

    def table(self, quarter: int) -> dict[int, tuple[str, int, int]]:
        """Written values for a ``quarter``-tick quarter note: ticks -> (type, dots, undotted ticks)."""
        table = self.tables.get(quarter)
        if table is None:
            table = self.tables[quarter] = {}
            for exp, name in TYPE_NAMES:
                if exp < 0 and quarter % (1 << -exp):
                    continue
                value = quarter << exp if exp >= 0 else quarter >> -exp
                table[value] = (name, 0, value)
                if value % 2 == 0 and exp < 4:
                    table[value + value // 2] = (name, 1, value)
        return table

    # ---- chords per voice, measures, notatable values, tuplets --------------------------

    def chords(self, notes: tuple[Note, ...], voice: int) -> list[tuple[int, int, tuple[Note, ...]]]:
        """One voice as (start, end, notes) chords: one length per onset, overlaps trimmed."""
        by_start: dict[int, list[Note]] = {}
        q, length = self.divisions, self.length
        for n in notes:
            if n.voice == voice:
                start = n.start.numerator * (q // n.start.denominator)
                if start < length:
                    by_start.setdefault(start, []).append(n)
        chords: list[tuple[int, int, tuple[Note, ...]]] = []
        for start in sorted(by_start):
            group = sorted(by_start[start], key=lambda n: n.pitch)
            end = min(start + n.duration.numerator * (q // n.duration.denominator) for n in group)
            unique: dict[int, Note] = {}
            for n in group:
                unique.setdefault(n.pitch, n)
            if chords and chords[-1][1] > start:
                chords[-1] = (chords[-1][0], start, chords[-1][2])
            chords.append((start, min(end, length), tuple(unique.values())))
        return chords

    def measure_segments(self, chords: list[tuple[int, int, tuple[Note, ...]]]) -> list[list[Segment]]:
        """Per measure: gapless segments in measure ticks."""
        out: list[list[Segment]] = []
        i = 0
        for m_start, m_end in zip(self.starts, self.ends):
            segs: list[Segment] = []
            pos = 0
            while i < len(chords) and chords[i][0] < m_end:
                s, e, chord = chords[i]
                a, b = max(s, m_start) - m_start, min(e, m_end) - m_start
                if a > pos:
                    segs.append(Segment(pos, a, None, False, False))
                segs.append(Segment(a, b, chord, s < m_start, e > m_end))
                pos = b
                if e > m_end:
                    break
                i += 1
            if segs and pos < m_end - m_start:
                segs.append(Segment(pos, m_end - m_start, None, False, False))
            out.append(segs)
        return out

    def voice_items(self, segs: list[Segment], length: int, shift: int) -> list[Item]:
        """Written items for one voice in one measure, plus their beams."""
        if not segs or (len(segs) == 1 and segs[0].chord is None):
            if length == self.bar:
                return [Item(start=0, ticks=length, type=None)]  # a whole-measure rest
            segs = [Segment(0, length, None, False, False)]
        return _beam(self.notate(list(segs), length, shift))

    def notate(self, segs: list[Segment], length: int, shift: int) -> list[Item]:
        """Cut segments into notatable values; stretches off the plain grid become tuplets."""
        items: list[Item] = []
        odd, i, pos = self.odd, 0, 0
        plain = self.table(self.divisions)
        while i < len(segs):
            if (segs[i].end - pos) % odd == 0:
                seg = segs[i]
                self.add(items, seg, seg.start + shift, seg.end + shift, -shift, 1, None, None, self.beat, plain)
                pos, i = seg.end, i + 1
                continue
            # A tuplet window runs to the next point back on the plain grid, cut to a power of two.
            j = i
            while j < len(segs) and (segs[j].end - pos) % odd:
                j += 1
            span = (segs[j].end if j < len(segs) else length) - pos
            tail = span % odd != 0  # only an oddly timed pickup ends off the plain grid
            width = span if tail else odd << ((span // odd).bit_length() - 1)
            end, k = pos + width, i
            while segs[k].end < end:
                k += 1
            if segs[k].end > end:
                s, e, chord, stop, start = segs[k]
                tied = bool(chord)
                segs[k : k + 1] = [Segment(s, end, chord, stop, tied), Segment(end, e, chord, tied, start)]
            window = segs[i : k + 1]
            actual = 1
            for seg in window:
                actual = math.lcm(actual, odd // math.gcd(seg.end - pos, odd))
            if actual == 1:
                for seg in window:
                    self.add(items, seg, seg.start + shift, seg.end + shift, -shift, 1, None, None, self.beat, plain)
            else:
                normal = 1 << (actual.bit_length() - 1)
                table = self.table(normal * self.divisions)
                unit = None if tail else table.get(width)
                tuplet = Tuplet(actual, normal, unit[0] if unit and not unit[1] else None)
                beat = normal * self.divisions if tail else width  # written ticks: one normal-type unit
                first = len(items)
                for seg in window:
                    a, b = (seg.start - pos) * actual, (seg.end - pos) * actual
                    self.add(items, seg, a, b, pos * actual, actual, tuplet, ("t", pos), beat, table)
                if len(items) - first > 1:  # a lone note (in an oddly timed pickup) goes unbracketed
                    items[first] = items[first]._replace(bracket="start")
                    items[-1] = items[-1]._replace(bracket="stop")
            pos, i = end, k + 1
        return items

    def add(
        self, items: list[Item], seg: Segment, a: int, b: int, origin: int, ratio: int, tuplet: Tuplet | None,
        group: tuple[str, int] | None, beat: int, table: dict[int, tuple[str, int, int]],
    ) -> None:
        """Append segment ``seg``, written as ticks [a, b), as tied notatable items."""
        pieces: list[tuple[int, int, str, int]] = []
        _split(a, b, beat, self.compound and tuplet is None, table, pieces)
        last = len(pieces) - 1
        for k, (pa, pb, type_, dots) in enumerate(pieces):
            if pa % ratio or pb % ratio:
                raise NeedFinerGrid
            items.append(Item(
                start=(pa + origin) // ratio, ticks=(pb - pa) // ratio, type=type_, dots=dots, chord=seg.chord,
                tie_stop=seg.tie_stop or k > 0, tie_start=seg.tie_start or k < last,
                first=not seg.tie_stop and k == 0, tuplet=tuplet, group=group or pa // self.beam_span,
            ))  # fmt: skip

    # ---- spelling and accidentals -------------------------------------------------------

    def spell(self, note: Note) -> Head:
        """A head for ``note``, its accidental not yet chosen."""
        name = self.names[note]
        return Head(name[0], name[1], octave_of(note.pitch, name), None, note.pitch)

    def spell_grace(self, grace: int, note: Note) -> Head:
        name = grace_spelling(grace, note.pitch, self.piece.key)
        return Head(name[0], name[1], octave_of(grace, name), None, grace)

    def accidentals(self, voices: list[list[Item]]) -> list[list[Item]]:
        """One staff's measure spelled, with the accidentals shown chosen in time order across voices."""
        spelled: list[list[tuple[list[Head], list[Head]]]] = []  # per voice, per item: (heads, graces)
        # (time, graces first, voice, running index, tied over, the list the head sits in, its place there)
        order: list[tuple[int, int, int, int, bool, list[Head], int]] = []
        for v, items in enumerate(voices):
            spelled.append([])
            for it in items:
                heads: list[Head] = []
                graces: list[Head] = []
                if it.chord:
                    heads = [self.spell(n) for n in it.chord]
                    order += [(it.start, 1, v, len(order) + h, it.tie_stop, heads, h) for h in range(len(heads))]
                    if it.first:
                        graces = [self.spell_grace(g, n) for n in it.chord for g in n.graces]
                        order += [(it.start, 0, v, len(order) + g, False, graces, g) for g in range(len(graces))]
                spelled[-1].append((heads, graces))
        order.sort()  # the running index is unique, so the lists themselves are never compared
        state: dict[tuple[str, int], int | None] = {}
        shown: dict[str, tuple[int, int]] = {}
        for start, _, _, _, tied, heads, h in order:
            step, alter, octave = heads[h][:3]
            if tied:
                # A tied note shows no accidental, and one tied over the bar line does not carry on.
                if start == 0 and alter != self.key_alter[step]:
                    state[step, octave] = None
                continue
            other = shown.get(step)
            if alter != state.get((step, octave), self.key_alter[step]) or (
                other is not None and other[0] != octave and other[1] != alter
            ):
                heads[h] = heads[h]._replace(accidental=ACCIDENTALS.get(alter))
                shown[step] = (octave, alter)
            state[step, octave] = alter
        return [
            [it._replace(heads=tuple(heads), graces=tuple(graces)) if it.chord else it
             for it, (heads, graces) in zip(items, spelling)]
            for items, spelling in zip(voices, spelled)
        ]  # fmt: skip


def _split(
    a: int, b: int, beat: int, compound: bool, table: dict[int, tuple[str, int, int]],
    out: list[tuple[int, int, str, int]],
) -> None:
    """Cut written ticks [a, b) into single note values at metrically sensible points."""
    value = table.get(b - a)
    if value is not None:
        d, base = b - a, value[2]
        if d > beat:
            fits = a % beat == 0 and (not compound or d % beat == 0)
        else:
            crosses = (a // beat + 1) * beat < b
            fits = (2 * a) % base == 0 and (not crosses or (d == beat and not compound))
        if fits:
            out.append((a, b, value[0], value[1]))
            return
    first_beat = (a // beat + 1) * beat
    if first_beat < b:  # cut off partial beats first, else at the strongest beat
        if a % beat:
            p = first_beat
        elif b % beat:
            p = b // beat * beat
        else:
            p = max(range(a // beat + 1, b // beat), key=lambda k: (k & -k, -k)) * beat
    else:
        g = max(table)
        while g * (a // g + 1) >= b:
            if g % 2:
                raise NeedFinerGrid
            g //= 2
        p = g * (a // g + 1)
    _split(a, p, beat, compound, table, out)
    _split(p, b, beat, compound, table, out)


def _beam(items: list[Item]) -> list[Item]:
    """The items with beams: runs of eighths and shorter within each beam group; rests break a run."""
    out = list(items)
    run: list[int] = []
    for i in range(len(items) + 1):
        it = items[i] if i < len(items) else None
        beamable = it is not None and it.chord is not None and it.type in BEAMS
        if it is not None and beamable and run and items[run[-1]].group == it.group:
            run.append(i)
            continue
        if len(run) > 1:
            counts = [BEAMS[str(items[r].type)] for r in run]
            for k, r in enumerate(run):
                beams = []
                for level in range(1, counts[k] + 1):
                    before = k > 0 and counts[k - 1] >= level
                    after = k + 1 < len(run) and counts[k + 1] >= level
                    if before or after:
                        value = "continue" if before and after else "end" if before else "begin"
                    else:
                        value = "backward hook" if k else "forward hook"
                    beams.append((str(level), value))
                out[r] = items[r]._replace(beams=tuple(beams))
        run = [i] if beamable else []
    return out
