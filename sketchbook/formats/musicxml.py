"""MusicXML 4.0 writer: a Piece as one two-staff piano part, built with ElementTree.

Fast and deterministic: the layout runs on integer ticks (``divisions`` per quarter note).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from bisect import bisect_left, bisect_right
from fractions import Fraction
from pathlib import Path

from sketchbook.errors import SketchbookError
from sketchbook.model import Note, Piece
from sketchbook.theory import fifths, spell

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
    '"http://www.musicxml.org/dtds/partwise.dtd">\n'
)
_ENCODING_DATE = "2024-01-01"  # fixed, so the same piece always gives the same bytes
_TYPE_NAMES = (
    (4, "long"), (3, "breve"), (2, "whole"), (1, "half"), (0, "quarter"), (-1, "eighth"),
    (-2, "16th"), (-3, "32nd"), (-4, "64th"), (-5, "128th"), (-6, "256th"), (-7, "512th"), (-8, "1024th"),
)  # fmt: skip
_BEAMS = {"eighth": 1, "16th": 2, "32nd": 3, "64th": 4, "128th": 5, "256th": 6, "512th": 7, "1024th": 8}
_ACCIDENTALS = {-2: "flat-flat", -1: "flat", 0: "natural", 1: "sharp", 2: "double-sharp"}
_ORNAMENT_TAGS = {"trill": "trill-mark", "mordent": "mordent", "inverted-mordent": "inverted-mordent", "turn": "turn"}
# Percent of MIDI velocity 90, the MusicXML reference forte.
_DYNAMIC_SOUND = {"ppp": 22, "pp": 36, "p": 54, "mp": 71, "mf": 89, "f": 107, "ff": 124, "fff": 140}
_STAVES = ((1, "right_hand", (1, 2)), (2, "left_hand", (5, 6)))  # staff, hand, written voice numbers


def piece_to_musicxml(piece: Piece) -> bytes:
    """The piece as MusicXML 4.0 (score-partwise) bytes, identical for identical pieces."""
    if not piece.bars:
        raise SketchbookError(f"piece {piece.title!r} has no bars to write")
    divisions = _divisions(piece)
    for _ in range(8):
        try:
            return _Score(piece, divisions).to_bytes()
        except _NeedFinerGrid:
            divisions *= 2  # a split point fell between ticks; a finer grid has it
    raise SketchbookError("a rhythm in the piece is too fine to write as MusicXML")


def write_musicxml(piece: Piece, path: Path) -> None:
    """Write the piece's MusicXML score to ``path``."""
    Path(path).write_bytes(piece_to_musicxml(piece))


class _NeedFinerGrid(Exception):
    pass


def _divisions(piece: Piece) -> int:
    """The least common multiple of every denominator the piece's times use."""
    meter = piece.meter
    denominators = {n.start.denominator for n in (*piece.right_hand, *piece.left_hand)}
    denominators |= {n.duration.denominator for n in (*piece.right_hand, *piece.left_hand)}
    times = [piece.pickup, meter.bar_length, meter.beat, *(d.offset for d in piece.dynamics)]
    for span in (*piece.hairpins, *piece.pedals):
        times += (span.start, span.end)
    return math.lcm(*denominators, *{Fraction(t).denominator for t in times})


class _Item:
    """One written note, chord or rest of a voice, timed in ticks from the measure start."""

    __slots__ = ("start", "ticks", "type", "dots", "chord", "tie_stop", "tie_start", "first",
                 "tuplet", "bracket", "group", "beams", "heads", "graces")  # fmt: skip

    def __init__(self, start, ticks, type_, dots, chord, tie_stop, tie_start, first, tuplet, group):
        self.start, self.ticks, self.type, self.dots = start, ticks, type_, dots
        self.chord, self.tie_stop, self.tie_start, self.first = chord, tie_stop, tie_start, first
        self.tuplet, self.group = tuplet, group
        self.bracket, self.beams, self.heads, self.graces = None, (), (), ()


class _Score:
    """Lays a piece out in measures and voices, then builds and serialises the XML tree."""

    def __init__(self, piece: Piece, divisions: int) -> None:
        self.piece, self.q = piece, divisions
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
        self.fifths = fifths(piece.key)
        sharps = "FCGDAEB"[: self.fifths] if self.fifths > 0 else "BEADGCF"[: -self.fifths]
        self.key_alter = {s: (1 if self.fifths > 0 else -1) if s in sharps else 0 for s in "CDEFGAB"}
        self.tables: dict[int, dict] = {}
        self.spelled: dict[int, tuple] = {}
        self.shared = _Shared()
        self.modifications: dict[tuple, ET.Element] = {}

    def ticks(self, value: Fraction) -> int:
        return value.numerator * (self.q // value.denominator)

    def table(self, quarter: int) -> dict[int, tuple[str, int, int]]:
        """Written values for a ``quarter``-tick quarter note: ticks -> (type, dots, undotted ticks)."""
        table = self.tables.get(quarter)
        if table is None:
            table = self.tables[quarter] = {}
            for exp, name in _TYPE_NAMES:
                if exp < 0 and quarter % (1 << -exp):
                    continue
                value = quarter << exp if exp >= 0 else quarter >> -exp
                table[value] = (name, 0, value)
                if value % 2 == 0 and exp < 4:
                    table[value + value // 2] = (name, 1, value)
        return table

    # ---- layout: chords per voice, measures, notatable values, tuplets -----------------

    def chords(self, notes: tuple[Note, ...], voice: int) -> list[tuple[int, int, tuple[Note, ...]]]:
        """One voice as (start, end, notes) chords: one length per onset, overlaps trimmed."""
        by_start: dict[int, list[Note]] = {}
        q, length = self.q, self.length
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

    def measure_segments(self, chords) -> list[list[tuple]]:
        """Per measure: gapless (start, end, chord or None, tie_stop, tie_start) in measure ticks."""
        out, i = [], 0
        for m_start, m_end in zip(self.starts, self.ends):
            segs, pos = [], 0
            while i < len(chords) and chords[i][0] < m_end:
                s, e, chord = chords[i]
                a, b = max(s, m_start) - m_start, min(e, m_end) - m_start
                if a > pos:
                    segs.append((pos, a, None, False, False))
                segs.append((a, b, chord, s < m_start, e > m_end))
                pos = b
                if e > m_end:
                    break
                i += 1
            if segs and pos < m_end - m_start:
                segs.append((pos, m_end - m_start, None, False, False))
            out.append(segs)
        return out

    def voice_items(self, segs: list[tuple], length: int, shift: int) -> list[_Item]:
        """Written items for one voice in one measure, plus their beams."""
        if not segs or len(segs) == 1 and segs[0][2] is None:
            if length == self.bar:
                return [_Item(0, length, None, 0, None, False, False, False, None, 0)]  # measure rest
            segs = [(0, length, None, False, False)]
        items = self.notate(list(segs), length, shift)
        _beam(items)
        return items

    def notate(self, segs: list[tuple], length: int, shift: int) -> list[_Item]:
        """Cut segments into notatable values; stretches off the plain grid become tuplets."""
        items: list[_Item] = []
        odd, i, pos = self.odd, 0, 0
        plain = self.table(self.q)
        while i < len(segs):
            if (segs[i][1] - pos) % odd == 0:
                seg = segs[i]
                self.add(items, seg, seg[0] + shift, seg[1] + shift, -shift, 1, None, None, self.beat, plain)
                pos, i = seg[1], i + 1
                continue
            # A tuplet window runs to the next point back on the plain grid, cut to a power of two.
            j = i
            while j < len(segs) and (segs[j][1] - pos) % odd:
                j += 1
            span = (segs[j][1] if j < len(segs) else length) - pos
            tail = span % odd != 0  # only an oddly timed pickup ends off the plain grid
            width = span if tail else odd << ((span // odd).bit_length() - 1)
            end, k = pos + width, i
            while segs[k][1] < end:
                k += 1
            if segs[k][1] > end:
                s, e, chord, stop, start = segs[k]
                segs[k : k + 1] = [(s, end, chord, stop, bool(chord)), (end, e, chord, bool(chord), start)]
            window = segs[i : k + 1]
            actual = 1
            for seg in window:
                actual = math.lcm(actual, odd // math.gcd(seg[1] - pos, odd))
            if actual == 1:
                for seg in window:
                    self.add(items, seg, seg[0] + shift, seg[1] + shift, -shift, 1, None, None, self.beat, plain)
            else:
                normal = 1 << (actual.bit_length() - 1)
                table = self.table(normal * self.q)
                unit = None if tail else table.get(width)
                tuplet = (actual, normal, unit[0] if unit and not unit[1] else None)
                beat = normal * self.q if tail else width  # written ticks: one normal-type unit
                first = len(items)
                for seg in window:
                    a, b = (seg[0] - pos) * actual, (seg[1] - pos) * actual
                    self.add(items, seg, a, b, pos * actual, actual, tuplet, ("t", pos), beat, table)
                if len(items) - first > 1:  # a lone note (in an oddly timed pickup) goes unbracketed
                    items[first].bracket, items[-1].bracket = "start", "stop"
            pos, i = end, k + 1
        return items

    def add(self, items, seg, a, b, origin, ratio, tuplet, group, beat, table) -> None:
        """Append segment ``seg``, written as ticks [a, b), as tied notatable items."""
        pieces: list[tuple] = []
        _split(a, b, beat, self.compound and tuplet is None, table, pieces)
        _, _, chord, stop, start = seg
        last = len(pieces) - 1
        for k, (pa, pb, type_, dots) in enumerate(pieces):
            if pa % ratio or pb % ratio:
                raise _NeedFinerGrid
            items.append(
                _Item((pa + origin) // ratio, (pb - pa) // ratio, type_, dots, chord, stop or k > 0,
                      start or k < last, not stop and k == 0, tuplet, group or pa // self.beam_span)  # fmt: skip
            )

    # ---- spelling and marks ------------------------------------------------------------

    def spell(self, pitch: int) -> list:
        """[step, alter, octave, accidental shown (filled in later), shared <pitch> element]."""
        s = self.spelled.get(pitch)
        if s is None:
            step, alter, octave = spell(pitch, self.piece.key)
            element = ET.Element("pitch")
            ET.SubElement(element, "step").text = step
            if alter:
                ET.SubElement(element, "alter").text = str(alter)
            ET.SubElement(element, "octave").text = str(octave)
            s = self.spelled[pitch] = (step, alter, octave, element)
        return [s[0], s[1], s[2], None, s[3]]

    def accidentals(self, voices: list[list[_Item]]) -> None:
        """Spell one staff's measure and choose the accidentals shown, in time order across voices."""
        order = []
        for v, items in enumerate(voices):
            for it in items:
                if it.chord:
                    it.heads = [self.spell(n.pitch) for n in it.chord]
                    order += [(it.start, 1, v, len(order) + h, head, it) for h, head in enumerate(it.heads)]
                    if it.first:
                        it.graces = [self.spell(g) for n in it.chord for g in n.graces]
                        order += [(it.start, 0, v, len(order) + g, head, None) for g, head in enumerate(it.graces)]
        order.sort()  # the running index is unique, so heads themselves are never compared
        state: dict[tuple[str, int], int | None] = {}
        shown: dict[str, tuple[int, int]] = {}
        for *_, head, it in order:
            step, alter, octave = head[:3]
            if it is not None and it.tie_stop:
                # A tied note shows no accidental, and one tied over the bar line does not carry on.
                if it.start == 0 and alter != self.key_alter[step]:
                    state[step, octave] = None
                continue
            other = shown.get(step)
            if alter != state.get((step, octave), self.key_alter[step]) or (
                other is not None and other[0] != octave and other[1] != alter
            ):
                head[3] = _ACCIDENTALS.get(alter)
                shown[step] = (octave, alter)
            state[step, octave] = alter

    def directions(self) -> list[list[tuple]]:
        """Per measure: (tick, staff, placement, direction-type children, sound attributes)."""
        piece, out = self.piece, [[] for _ in self.starts]

        def place(offset, staff, kids, sound=None, stop=False, placement="below"):
            t = min(self.ticks(offset), self.length)
            if t == self.length and not stop:
                return
            m = max(bisect_left(self.starts, t) - 1, 0) if stop else bisect_right(self.starts, t) - 1
            out[m].append((t - self.starts[m], staff, placement, kids, sound))

        shown = None
        for s in piece.sections:
            offset = 0 if s is piece.sections[0] else piece.bar_start(s.start_bar)
            if s.name:
                place(offset, 1, [_leaf("rehearsal", s.name)], placement="above")
            if (s.tempo, s.tempo_text) != shown:
                shown = (s.tempo, s.tempo_text)
                metronome = ET.Element("metronome")
                ET.SubElement(metronome, "beat-unit").text = "quarter"
                ET.SubElement(metronome, "per-minute").text = str(s.tempo)
                # The trailing space keeps readers that join words and metronome from gluing them.
                words = [_leaf("words", s.tempo_text + " ")] if s.tempo_text else []
                place(offset, 1, [*words, metronome], {"tempo": str(s.tempo)}, placement="above")
        marks = [(d.offset, d.mark) for d in piece.dynamics]
        if not marks:  # without explicit marks, the sections' planned levels stand in
            for k, s in enumerate(piece.sections):
                if k == 0 or s.dynamic != piece.sections[k - 1].dynamic:
                    marks.append((piece.bar_start(s.start_bar) if k else 0, s.dynamic))
        for offset, mark in marks:
            dynamics = ET.Element("dynamics")
            ET.SubElement(dynamics, mark)
            place(offset, 1, [dynamics], {"dynamics": str(_DYNAMIC_SOUND[mark])})
        open_wedges: list[tuple[Fraction, int]] = []
        for h in sorted(piece.hairpins, key=lambda h: (h.start, h.end)):
            if h.start >= piece.length:
                continue
            open_wedges = [w for w in open_wedges if w[0] > h.start]
            number = str(min(set(range(1, 17)) - {w[1] for w in open_wedges} or {16}))
            open_wedges.append((h.end, int(number)))
            place(h.start, 1, [ET.Element("wedge", type=h.kind, number=number)])
            place(h.end, 1, [ET.Element("wedge", type="stop", number=number)], stop=True)
        # A re-pedal is written as a release and a press at the same moment, not as type="change":
        # verovio drops every pedal line after a "change" and MuseScore 3 ignores it.
        presses: dict[Fraction, Fraction] = {}
        for p in piece.pedals:
            if p.start < piece.length:
                presses[p.start] = max(p.end, presses.get(p.start, p.end))
        starts = sorted(presses)
        for k, start in enumerate(starts):
            end = min(presses[start], starts[k + 1]) if k + 1 < len(starts) else presses[start]
            place(start, 2, [ET.Element("pedal", type="start", line="yes", sign="yes")])
            place(end, 2, [ET.Element("pedal", type="stop", line="yes")], stop=True)
        return out

    # ---- XML ---------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        piece = self.piece
        root = ET.Element("score-partwise", version="4.0")
        ET.SubElement(ET.SubElement(root, "work"), "work-title").text = piece.title
        ET.SubElement(root, "movement-title").text = piece.title
        ident = ET.SubElement(root, "identification")
        ET.SubElement(ident, "creator", type="composer").text = "sketchbook"
        encoding = ET.SubElement(ident, "encoding")
        ET.SubElement(encoding, "software").text = "sketchbook"
        ET.SubElement(encoding, "encoding-date").text = _ENCODING_DATE
        for element in ("accidental", "beam"):
            ET.SubElement(encoding, "supports", element=element, type="yes")
        score_part = ET.SubElement(ET.SubElement(root, "part-list"), "score-part", id="P1")
        ET.SubElement(score_part, "part-name").text = "Piano"
        ET.SubElement(score_part, "part-abbreviation").text = "Pno."
        instrument = ET.SubElement(score_part, "score-instrument", id="P1-I1")
        ET.SubElement(instrument, "instrument-name").text = "Piano"
        midi = ET.SubElement(score_part, "midi-instrument", id="P1-I1")
        for tag, text in (("midi-channel", "1"), ("midi-program", "1"), ("volume", "80"), ("pan", "0")):
            ET.SubElement(midi, tag).text = text
        part = ET.SubElement(root, "part", id="P1")

        segments = {}
        for _, hand, voices in _STAVES:
            for v, voice in enumerate(voices, 1):
                segments[voice] = self.measure_segments(self.chords(getattr(piece, hand), v))
        directions = self.directions()
        for m, (m_start, m_end) in enumerate(zip(self.starts, self.ends)):
            length = m_end - m_start
            pickup = bool(piece.pickup) and m == 0
            measure = ET.SubElement(part, "measure", number=str(m if piece.pickup else m + 1))
            if pickup:
                measure.set("implicit", "yes")
            if m == 0:
                self.attributes(measure)
            for staff, _, voices in _STAVES:
                written = [
                    (voice, self.voice_items(segments[voice][m], length, self.pickup_shift if pickup else 0))
                    for voice in voices
                    if voice == voices[0] or segments[voice][m]
                ]
                self.accidentals([items for _, items in written])
                for voice, items in written:
                    marks = [d for d in directions[m] if d[1] == staff] if voice == voices[0] else []
                    stem = ("up" if voice == voices[0] else "down") if len(written) > 1 else None
                    self.write_voice(measure, items, str(voice), str(staff), stem, marks)
                    if staff == 1 or voice != written[-1][0]:
                        ET.SubElement(ET.SubElement(measure, "backup"), "duration").text = str(length)
        barline = ET.SubElement(measure, "barline", location="right")
        ET.SubElement(barline, "bar-style").text = "light-heavy"
        shared = {id(s[3]) for s in self.spelled.values()} | {id(e) for e in self.modifications.values()}
        return (_HEADER + _serialise(root, shared)).encode("utf-8")

    def attributes(self, measure: ET.Element) -> None:
        attributes = ET.SubElement(measure, "attributes")
        ET.SubElement(attributes, "divisions").text = str(self.q)
        key = ET.SubElement(attributes, "key")
        ET.SubElement(key, "fifths").text = str(self.fifths)
        ET.SubElement(key, "mode").text = self.piece.key.mode
        time = ET.SubElement(attributes, "time")
        ET.SubElement(time, "beats").text = str(self.piece.meter.numerator)
        ET.SubElement(time, "beat-type").text = str(self.piece.meter.denominator)
        ET.SubElement(attributes, "staves").text = "2"
        for number, sign, line in (("1", "G", "2"), ("2", "F", "4")):
            clef = ET.SubElement(attributes, "clef", number=number)
            ET.SubElement(clef, "sign").text = sign
            ET.SubElement(clef, "line").text = line

    def write_voice(self, measure, items, voice, staff, stem, marks) -> None:
        """Items of one voice, with each direction before the item it falls in (``offset`` inside it)."""
        marks = sorted(marks, key=lambda d: d[0])
        k = 0
        for it in items:
            while k < len(marks) and marks[k][0] < it.start + it.ticks:
                _direction(measure, marks[k], marks[k][0] - it.start)
                k += 1
            if it.chord is None:
                self.rest(measure, it, voice, staff)
            else:
                self.chord(measure, it, voice, staff, stem)
        for mark in marks[k:]:
            _direction(measure, mark, mark[0] - items[-1].start - items[-1].ticks)

    def rest(self, measure, it: _Item, voice: str, staff: str) -> None:
        el = self.shared
        kids = [el["rest", None] if it.type else el["rest", None, "measure", "yes"]]
        kids += (el["duration", str(it.ticks)], el["voice", voice])
        if it.type:
            kids.append(el["type", it.type])
            kids += [el["dot", None]] * it.dots
            if it.tuplet:
                kids.append(self.time_modification(it.tuplet))
        kids.append(el["staff", staff])
        note = ET.SubElement(measure, "note")
        note.extend(kids)
        if it.bracket:
            ET.SubElement(note, "notations").append(el["tuplet", None, "type", it.bracket, "number", "1"])

    def chord(self, measure, it: _Item, voice: str, staff: str, stem: str | None) -> None:
        el = self.shared
        if it.graces:
            slash = "yes" if any(n.ornament == "acciaccatura" for n in it.chord) else "no"
            common = [el["voice", voice], el["type", "eighth" if len(it.graces) == 1 else "16th"]]
            last = len(it.graces) - 1
            for g, head in enumerate(it.graces):
                kids = [el["grace", None, "slash", slash], head[4], *common]
                if head[3]:
                    kids.append(el["accidental", head[3]])
                kids += (el["stem", "up"], el["staff", staff])
                if last:
                    value = "begin" if g == 0 else "end" if g == last else "continue"
                    kids += (el["beam", value, "number", "1"], el["beam", value, "number", "2"])
                ET.SubElement(measure, "note").extend(kids)
        body = [el["duration", str(it.ticks)]]
        ties = []
        if it.tie_stop:
            body.append(el["tie", None, "type", "stop"])
            ties.append(el["tied", None, "type", "stop"])
        if it.tie_start:
            body.append(el["tie", None, "type", "start"])
            ties.append(el["tied", None, "type", "start"])
        body += (el["voice", voice], el["type", it.type], *[el["dot", None]] * it.dots)
        tail = [self.time_modification(it.tuplet)] if it.tuplet else []
        if stem:
            tail.append(el["stem", stem])
        tail.append(el["staff", staff])
        arpeggio = it.first and any(n.ornament == "arpeggio" for n in it.chord)
        for h, head in enumerate(it.heads):
            kids = [el["chord", None], head[4], *body] if h else [head[4], *body]
            if head[3]:
                kids.append(el["accidental", head[3]])
            kids += tail
            marks = list(ties)
            if h == 0:
                kids += [el["beam", value, "number", level] for level, value in it.beams]
                if it.bracket:
                    marks.append(el["tuplet", None, "type", it.bracket, "number", "1"])
                marks += _ornaments(it)
            if arpeggio:
                # MuseScore 3.2 drops an arpeggio without a direction; a roll goes upwards anyway.
                marks.append(el["arpeggiate", None, "direction", "up"])
            note = ET.SubElement(measure, "note")
            note.extend(kids)
            if marks:
                ET.SubElement(note, "notations").extend(marks)

    def time_modification(self, tuplet: tuple) -> ET.Element:
        element = self.modifications.get(tuplet)
        if element is None:
            element = self.modifications[tuplet] = ET.Element("time-modification")
            ET.SubElement(element, "actual-notes").text = str(tuplet[0])
            ET.SubElement(element, "normal-notes").text = str(tuplet[1])
            if tuplet[2]:
                ET.SubElement(element, "normal-type").text = tuplet[2]
        return element


def _split(a: int, b: int, beat: int, compound: bool, table: dict, out: list) -> None:
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
                raise _NeedFinerGrid
            g //= 2
        p = g * (a // g + 1)
    _split(a, p, beat, compound, table, out)
    _split(p, b, beat, compound, table, out)


def _beam(items: list[_Item]) -> None:
    """Beam runs of eighths and shorter within each beam group; rests break a run."""
    run: list[_Item] = []
    for it in [*items, None]:
        beamable = it is not None and it.chord is not None and it.type in _BEAMS
        if beamable and run and run[-1].group == it.group:
            run.append(it)
            continue
        if len(run) > 1:
            counts = [_BEAMS[r.type] for r in run]
            for i, r in enumerate(run):
                r.beams = []
                for level in range(1, counts[i] + 1):
                    before = i > 0 and counts[i - 1] >= level
                    after = i + 1 < len(run) and counts[i + 1] >= level
                    if before or after:
                        value = "continue" if before and after else "end" if before else "begin"
                    else:
                        value = "backward hook" if i else "forward hook"
                    r.beams.append((str(level), value))
        run = [it] if beamable else []


def _ornaments(it: _Item) -> list[ET.Element]:
    """Ornament symbols (tremolo strokes on every tied part) and articulations, once per chord."""
    kinds = [n.ornament for n in it.chord if n.ornament]
    symbols = [k for k in dict.fromkeys(kinds) if k in _ORNAMENT_TAGS] if it.first else []
    out = []
    if symbols or "tremolo" in kinds:
        ornaments = ET.Element("ornaments")
        for kind in symbols:
            ET.SubElement(ornaments, _ORNAMENT_TAGS[kind])
        if "tremolo" in kinds:
            ET.SubElement(ornaments, "tremolo", type="single").text = "3"
        out.append(ornaments)
    marks = dict.fromkeys(a for n in it.chord for a in n.articulations) if it.first else None
    if marks:
        articulations = ET.Element("articulations")
        for mark in marks:
            ET.SubElement(articulations, mark)
        out.append(articulations)
    return out


class _Shared(dict):
    """Leaf elements keyed (tag, text, *attributes), each made once and reused wherever it recurs.

    ElementTree keeps no parent links, so one element may sit under many notes: this saves most of
    a score's allocations, and the serialiser writes each shared leaf's text once.
    """

    def __missing__(self, key: tuple) -> ET.Element:
        tag, text, *attributes = key
        element = self[key] = ET.Element(tag, dict(zip(attributes[::2], attributes[1::2])))
        element.text = text
        return element


def _direction(measure: ET.Element, mark: tuple, offset: int) -> None:
    _, staff, placement, kids, sound = mark
    direction = ET.SubElement(measure, "direction", placement=placement)
    for kid in kids:
        ET.SubElement(direction, "direction-type").append(kid)
    if offset:
        ET.SubElement(direction, "offset").text = str(offset)
    ET.SubElement(direction, "staff").text = str(staff)
    if sound:
        ET.SubElement(direction, "sound", sound)


def _leaf(tag: str, text: str) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    return element


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or '"' in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return text


def _serialise(root: ET.Element, shared: set[int]) -> str:
    """The tree as indented text; leaves and ``shared`` subtrees are written out once and reused.

    Three times as fast as ElementTree.tostring on a score, whose lines repeat a great deal.
    """
    out: list[str] = []
    write = out.append
    made: dict[str, dict[int, str]] = {}  # per indent: id(element) -> its text

    def open_tag(element: ET.Element, indent: str) -> str:
        return indent + "<" + element.tag + "".join([f' {k}="{_escape(v)}"' for k, v in element.items()])

    def walk(element: ET.Element, indent: str) -> None:
        write(open_tag(element, indent) + ">\n")
        inner = indent + " "
        cache = made.setdefault(inner, {})
        for child in element:
            text = cache.get(id(child))
            if text is None:
                if len(child):
                    mark = len(out)
                    walk(child, inner)
                    if id(child) in shared:
                        cache[id(child)] = "".join(out[mark:])
                    continue
                head = open_tag(child, inner)
                if child.text is None:
                    text = cache[id(child)] = head + "/>\n"
                else:
                    text = cache[id(child)] = f"{head}>{_escape(child.text)}</{child.tag}>\n"
            write(text)
        write(f"{indent}</{element.tag}>\n")

    walk(root, "")
    return "".join(out)
