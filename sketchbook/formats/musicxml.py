"""MusicXML 4.0 writer: a Piece as one two-staff piano part, built with ElementTree.

Deterministic and fast: all layout runs on integer ticks (``divisions`` per quarter note).
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
_ENCODING_DATE = "2024-01-01"  # fixed so the same piece always gives the same bytes
_TYPE_NAMES = (
    (4, "long"), (3, "breve"), (2, "whole"), (1, "half"), (0, "quarter"), (-1, "eighth"),
    (-2, "16th"), (-3, "32nd"), (-4, "64th"), (-5, "128th"), (-6, "256th"), (-7, "512th"), (-8, "1024th"),
)  # fmt: skip
_BEAMS = {"eighth": 1, "16th": 2, "32nd": 3, "64th": 4, "128th": 5, "256th": 6, "512th": 7, "1024th": 8}
_ACCIDENTALS = {-2: "flat-flat", -1: "flat", 0: "natural", 1: "sharp", 2: "double-sharp"}
_ORNAMENT_TAGS = {"trill": "trill-mark", "mordent": "mordent", "inverted-mordent": "inverted-mordent", "turn": "turn"}
_SHARP_ORDER = "FCGDAEB"
# Percent of MIDI velocity 90, the MusicXML reference forte.
_DYNAMIC_SOUND = {"ppp": 22, "pp": 36, "p": 54, "mp": 71, "mf": 89, "f": 107, "ff": 124, "fff": 140}
_STAVES = ((1, "right_hand", (1, 2)), (2, "left_hand", (5, 6)))


def piece_to_musicxml(piece: Piece) -> bytes:
    """The piece as MusicXML 4.0 (score-partwise) bytes, identical for identical pieces."""
    divisions = _lcm_divisions(piece)
    for _ in range(6):
        try:
            return _Writer(piece, divisions).write()
        except _NeedFinerGrid:
            divisions *= 2  # a split point fell between ticks; a finer grid always has it
    raise SketchbookError("a rhythm in the piece is too fine to notate in MusicXML")


def write_musicxml(piece: Piece, path: Path) -> None:
    """Write the piece's MusicXML score to ``path``."""
    Path(path).write_bytes(piece_to_musicxml(piece))


class _NeedFinerGrid(Exception):
    pass


def _lcm_divisions(piece: Piece) -> int:
    dens = {piece.pickup.denominator, piece.meter.bar_length.denominator, piece.meter.beat.denominator}
    for hand in (piece.right_hand, piece.left_hand):
        for n in hand:
            dens.add(n.start.denominator)
            dens.add(n.duration.denominator)
    for d in piece.dynamics:
        dens.add(Fraction(d.offset).denominator)
    for span in (*piece.hairpins, *piece.pedals):
        dens.add(Fraction(span.start).denominator)
        dens.add(Fraction(span.end).denominator)
    return math.lcm(*dens)


def _type_table(quarter: int) -> dict[int, tuple[str, int, int]]:
    """Written values in ticks of a ``quarter``-tick quarter note -> (type, dots, undotted ticks)."""
    table = {}
    for exp, name in _TYPE_NAMES:
        if exp < 0 and quarter % (1 << -exp):
            continue
        value = quarter << exp if exp >= 0 else quarter >> -exp
        table[value] = (name, 0, value)
        if value % 2 == 0 and exp < 4:
            table[value + value // 2] = (name, 1, value)
    return table


class _Item:
    """One written note, chord or rest, with its ticks counted from the measure start."""

    __slots__ = ("start", "ticks", "type", "dots", "chord", "tie_stop", "tie_start", "first",
                 "tuplet", "bracket", "group", "beams", "heads", "graces", "whole_rest")  # fmt: skip

    def __init__(self, start, ticks, type_, dots, chord, tie_stop, tie_start, first, tuplet, group):
        self.start, self.ticks, self.type, self.dots = start, ticks, type_, dots
        self.chord, self.tie_stop, self.tie_start, self.first = chord, tie_stop, tie_start, first
        self.tuplet, self.group = tuplet, group
        self.bracket = self.beams = None
        self.heads = self.graces = ()
        self.whole_rest = False


class _Writer:
    def __init__(self, piece: Piece, divisions: int) -> None:
        self.piece = piece
        self.q = divisions
        self.odd = divisions >> ((divisions & -divisions).bit_length() - 1)  # odd part
        meter = piece.meter
        self.bar = self._ticks(meter.bar_length)
        self.beat = self._ticks(meter.beat)
        self.compound = meter.is_compound
        if meter.is_compound or meter.denominator < 8:
            self.group = self.beat
        else:
            self.group = self.bar if meter.numerator == 3 else divisions
        self.tables: dict[int, dict] = {}
        pickup = self._ticks(piece.pickup)
        self.length = pickup + piece.bars * self.bar
        self.starts = ([0] if pickup else []) + [pickup + k * self.bar for k in range(piece.bars)]
        self.ends = self.starts[1:] + [self.length]
        # Pickup measure beats are counted back from its bar line, as the ear hears them.
        self.shift0 = (self.bar - pickup) if pickup and (self.bar - pickup) % self.odd == 0 else 0
        self.key_fifths = fifths(piece.key)
        order = _SHARP_ORDER if self.key_fifths > 0 else _SHARP_ORDER[::-1]
        sign = 1 if self.key_fifths > 0 else -1
        self.key_alter = {s: (sign if s in order[: abs(self.key_fifths)] else 0) for s in "CDEFGAB"}
        self.spelled: dict[int, tuple[str, int, int]] = {}

    def _ticks(self, value) -> int:
        value = Fraction(value)
        return value.numerator * (self.q // value.denominator)

    def table(self, quarter: int) -> dict:
        t = self.tables.get(quarter)
        if t is None:
            t = self.tables[quarter] = _type_table(quarter)
        return t

    # ---- layout ------------------------------------------------------------------------

    def _chords(self, notes: tuple[Note, ...], voice: int) -> list[tuple[int, int, tuple[Note, ...]]]:
        """Notes of one voice as (start, end, notes) chords, overlaps trimmed, clipped to the piece."""
        by_start: dict[int, list[Note]] = {}
        q, length = self.q, self.length
        for n in notes:
            if n.voice == voice:
                start = n.start.numerator * (q // n.start.denominator)
                if start < length:
                    by_start.setdefault(start, []).append(n)
        chords = []
        for start in sorted(by_start):
            group = by_start[start]
            end = min(start + n.duration.numerator * (q // n.duration.denominator) for n in group)
            seen, chord = set(), []
            for n in sorted(group, key=lambda n: n.pitch):
                if n.pitch not in seen:
                    seen.add(n.pitch)
                    chord.append(n)
            if chords and chords[-1][1] > start:
                chords[-1] = (chords[-1][0], start, chords[-1][2])
            chords.append((start, min(end, length), tuple(chord)))
        return chords

    def _measure_segments(self, chords) -> list[list[tuple]]:
        """Per measure, contiguous (start, end, chord|None, tie_stop, tie_start) in measure ticks."""
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

    def _notate(self, segs: list[tuple], length: int, shift: int) -> list[_Item]:
        """Written items for one voice in one measure: notatable values, tuplets, ties."""
        items: list[_Item] = []
        odd, i, pos = self.odd, 0, 0
        plain = self.table(self.q)
        while i < len(segs):
            if (segs[i][1] - pos) % odd == 0:
                self._add(items, segs[i], 1, None, pos + shift, segs[i][1] + shift, shift, 0,
                          self.beat, self.compound, plain)  # fmt: skip
                pos = segs[i][1]
                i += 1
                continue
            # A tuplet window: from here to the next point the plain grid reaches again.
            j = i
            while j < len(segs) and (segs[j][1] - pos) % odd:
                j += 1
            span = (segs[j][1] if j < len(segs) else length) - pos
            tail = span % odd != 0
            width = span if tail else odd << ((span // odd).bit_length() - 1)
            end = pos + width
            k = i
            while segs[k][1] < end:
                k += 1
            if segs[k][1] > end:
                s, e, chord, stop, start = segs[k]
                segs[k : k + 1] = [(s, end, chord, stop, bool(chord)), (end, e, chord, bool(chord), start)]
            window = segs[i : k + 1]
            ratio = 1
            for seg in window:
                ratio = math.lcm(ratio, odd // math.gcd(seg[1] - pos, odd))
            if ratio == 1:
                for seg in window:
                    self._add(items, seg, 1, None, seg[0] + shift, seg[1] + shift, shift, 0,
                              self.beat, self.compound, plain)  # fmt: skip
            else:
                normal = 1 << (ratio.bit_length() - 1)
                table = self.table(normal * self.q)
                unit = table.get(width) if not tail else None
                tuplet = (ratio, normal, unit[0] if unit and unit[1] == 0 else None)
                first = len(items)
                beat = self.q * normal if tail else width
                for seg in window:
                    self._add(items, seg, ratio, tuplet, (seg[0] - pos) * ratio, (seg[1] - pos) * ratio,
                              -pos * ratio, ("t", pos), beat, False, table)  # fmt: skip
                items[first].bracket = "start"
                items[-1].bracket = "both" if len(items) - first == 1 else "stop"
            pos, i = end, k + 1
        return items

    def _add(self, items, seg, ratio, tuplet, a, b, origin, group, beat, compound, table) -> None:
        """Split one segment [a, b) (written ticks) into notatable values and append them as items."""
        pieces: list[tuple] = []
        _split(a, b, beat, compound, table, pieces)
        _, _, chord, stop, start = seg
        last = len(pieces) - 1
        for k, (pa, pb, type_, dots) in enumerate(pieces):
            if (pa - origin) % ratio or (pb - pa) % ratio:
                raise _NeedFinerGrid
            g = group or pa // self.group
            items.append(
                _Item((pa - origin) // ratio, (pb - pa) // ratio, type_, dots, chord,
                      stop or k > 0, start or k < last, not stop and k == 0, tuplet, g)  # fmt: skip
            )

    # ---- marks -------------------------------------------------------------------------

    def _beam(self, items: list[_Item]) -> None:
        run: list[_Item] = []
        for it in [*items, None]:
            if it is not None and it.chord and it.type in _BEAMS and run and run[-1].group == it.group:
                run.append(it)
                continue
            if len(run) > 1:
                counts = [_BEAMS[r.type] for r in run]
                last = len(run) - 1
                for idx, r in enumerate(run):
                    r.beams = []
                    for level in range(1, counts[idx] + 1):
                        before = idx > 0 and counts[idx - 1] >= level
                        after = idx < last and counts[idx + 1] >= level
                        if before and after:
                            value = "continue"
                        elif before or after:
                            value = "end" if before else "begin"
                        else:
                            value = "forward hook" if idx == 0 else "backward hook"
                        r.beams.append((level, value))
            run = [it] if it is not None and it.chord and it.type in _BEAMS else []

    def _spell(self, pitch: int) -> tuple[str, int, int]:
        s = self.spelled.get(pitch)
        if s is None:
            s = self.spelled[pitch] = spell(pitch, self.piece.key)
        return s

    def _accidentals(self, voices: list[list[_Item]]) -> None:
        """Spell one staff's measure and decide which accidentals show, in time order across voices."""
        order = []
        for v, items in enumerate(voices):
            for it in items:
                if not it.chord:
                    continue
                it.heads = [list(self._spell(n.pitch)) + [None] for n in it.chord]
                for h in it.heads:
                    order.append((it.start, 1, v, len(order), h, it.tie_stop and it.start == 0))
                if it.first:
                    graces = [g for n in it.chord for g in n.graces]
                    it.graces = [list(self._spell(g)) + [None] for g in graces]
                    for h in it.graces:
                        order.append((it.start, 0, v, len(order), h, False))
        order.sort(key=lambda o: o[:4])
        state: dict[tuple[str, int], int | None] = {}
        shown: dict[str, tuple[int, int]] = {}
        for *_, head, carried in order:
            step, alter, octave, _ = head
            key_alter = self.key_alter[step]
            if carried:
                # A tie over the bar line shows no accidental, and its alteration does not carry on.
                if alter != key_alter:
                    state[step, octave] = None
                continue
            current = state.get((step, octave), key_alter)
            other = shown.get(step)
            if alter != current or (other is not None and other[0] != octave and other[1] != alter):
                head[3] = _ACCIDENTALS.get(alter)
                shown[step] = (octave, alter)
            state[step, octave] = alter

    def _directions(self) -> list[list[tuple]]:
        """Per measure: (tick, staff, placement, [direction-type children], sound attributes)."""
        piece, out = self.piece, [[] for _ in self.starts]

        def place(offset, staff, placement, kids, sound=None, stop=False):
            t = min(self._ticks(offset), self.length)
            if t >= self.length and not stop:
                return
            m = max(bisect_left(self.starts, t) - 1, 0) if stop else bisect_right(self.starts, t) - 1
            out[m].append((t - self.starts[m], staff, placement, kids, sound))

        last = None
        for s in piece.sections:
            offset = 0 if s is piece.sections[0] else piece.bar_start(s.start_bar)
            if s.name:
                place(offset, 1, "above", [_el("rehearsal", s.name)])
            if (s.tempo, s.tempo_text) != last:
                # The trailing space keeps readers that join words and metronome from gluing them.
                kids = [_el("words", s.tempo_text + " ")] if s.tempo_text else []
                metronome = ET.Element("metronome")
                _sub(metronome, "beat-unit", "quarter")
                _sub(metronome, "per-minute", str(s.tempo))
                place(offset, 1, "above", [*kids, metronome], {"tempo": str(s.tempo)})
                last = (s.tempo, s.tempo_text)
        marks = [(d.offset, d.mark) for d in piece.dynamics]
        if not marks:  # without explicit marks, the sections' planned levels stand in
            prev = None
            for s in piece.sections:
                if s.dynamic != prev:
                    marks.append((piece.bar_start(s.start_bar) if s.start_bar else 0, s.dynamic))
                prev = s.dynamic
        for offset, mark in marks:
            dyn = ET.Element("dynamics")
            ET.SubElement(dyn, mark)
            place(offset, 1, "below", [dyn], {"dynamics": str(_DYNAMIC_SOUND[mark])})
        active: list[tuple[Fraction, int]] = []
        for h in sorted(piece.hairpins, key=lambda h: (h.start, h.end)):
            active = [a for a in active if a[0] > h.start]
            number = min(set(range(1, 17)) - {a[1] for a in active} or {16})
            active.append((h.end, number))
            place(h.start, 1, "below", [ET.Element("wedge", type=h.kind, number=str(number))])
            place(h.end, 1, "below", [ET.Element("wedge", type="stop", number=str(number))], stop=True)
        pedals = sorted(piece.pedals, key=lambda p: p.start)
        for k, p in enumerate(pedals):
            end = min(p.end, pedals[k + 1].start) if k + 1 < len(pedals) else p.end
            if k and min(pedals[k - 1].end, p.start) == p.start:
                place(p.start, 2, "below", [ET.Element("pedal", type="change", line="yes")])
            else:
                place(p.start, 2, "below", [ET.Element("pedal", type="start", line="yes", sign="yes")])
            if k + 1 == len(pedals) or end < pedals[k + 1].start:
                place(end, 2, "below", [ET.Element("pedal", type="stop", line="yes")], stop=True)
        return out

    # ---- XML ---------------------------------------------------------------------------

    def write(self) -> bytes:
        piece = self.piece
        root = ET.Element("score-partwise", version="4.0")
        _sub(ET.SubElement(root, "work"), "work-title", piece.title)
        _sub(root, "movement-title", piece.title)
        ident = ET.SubElement(root, "identification")
        _sub(ident, "creator", "sketchbook", type="composer")
        enc = ET.SubElement(ident, "encoding")
        _sub(enc, "software", "sketchbook")
        _sub(enc, "encoding-date", _ENCODING_DATE)
        for element in ("accidental", "beam"):
            ET.SubElement(enc, "supports", element=element, type="yes")
        score_part = ET.SubElement(ET.SubElement(root, "part-list"), "score-part", id="P1")
        _sub(score_part, "part-name", "Piano")
        _sub(score_part, "part-abbreviation", "Pno.")
        _sub(ET.SubElement(score_part, "score-instrument", id="P1-I1"), "instrument-name", "Piano")
        midi = ET.SubElement(score_part, "midi-instrument", id="P1-I1")
        for tag, text in (("midi-channel", "1"), ("midi-program", "1"), ("volume", "80"), ("pan", "0")):
            _sub(midi, tag, text)
        part = ET.SubElement(root, "part", id="P1")

        segments = {}
        for staff, hand, voices in _STAVES:
            for v, number in enumerate(voices, 1):
                segments[number] = self._measure_segments(self._chords(getattr(piece, hand), v))
        directions = self._directions()
        for m, (m_start, m_end) in enumerate(zip(self.starts, self.ends)):
            length = m_end - m_start
            is_pickup = bool(piece.pickup) and m == 0
            number = m if piece.pickup else m + 1
            measure = ET.SubElement(part, "measure", number=str(number))
            if is_pickup:
                measure.set("implicit", "yes")
            if m == 0:
                self._attributes(measure)
            shift = self.shift0 if is_pickup else 0
            for staff, _, voices in _STAVES:
                written = []
                for number in voices:
                    segs = segments[number][m]
                    if number in (1, 5) or segs:
                        items = self._voice_items(segs, length, shift)
                        written.append((number, items))
                self._accidentals([items for _, items in written])
                stem = len(written) > 1
                for number, items in written:
                    marks = [d for d in directions[m] if d[1] == staff] if number in (1, 5) else []
                    final = m == len(self.starts) - 1
                    self._emit_voice(measure, items, number, staff, stem, marks, length, final)
                    if not (staff == 2 and number == written[-1][0]):
                        _sub(ET.SubElement(measure, "backup"), "duration", str(length))
        barline = ET.SubElement(measure, "barline", location="right")
        _sub(barline, "bar-style", "light-heavy")
        ET.indent(root, space=" ")
        return (_HEADER + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")

    def _voice_items(self, segs, length, shift) -> list[_Item]:
        if not segs:
            segs = [(0, length, None, False, False)]
        if len(segs) == 1 and segs[0][2] is None and length == self.bar:
            rest = _Item(0, length, None, 0, None, False, False, False, None, 0)
            rest.whole_rest = True
            return [rest]
        items = self._notate(list(segs), length, shift)
        self._beam(items)
        return items

    def _attributes(self, measure: ET.Element) -> None:
        attrs = ET.SubElement(measure, "attributes")
        _sub(attrs, "divisions", str(self.q))
        key = ET.SubElement(attrs, "key")
        _sub(key, "fifths", str(self.key_fifths))
        _sub(key, "mode", self.piece.key.mode)
        time = ET.SubElement(attrs, "time")
        _sub(time, "beats", str(self.piece.meter.numerator))
        _sub(time, "beat-type", str(self.piece.meter.denominator))
        _sub(attrs, "staves", "2")
        for number, sign, line in (("1", "G", "2"), ("2", "F", "4")):
            clef = ET.SubElement(attrs, "clef", number=number)
            _sub(clef, "sign", sign)
            _sub(clef, "line", line)

    def _emit_voice(self, measure, items, voice, staff, stem, marks, length, final) -> None:
        voice_text, staff_text = str(voice), str(staff)
        stem_text = ("up" if voice in (1, 5) else "down") if stem else None
        if final and staff == 1:
            # MuseScore 3 finds no note to end a wedge on at the final bar line; end it on the last one.
            marks = [(items[-1].start if d[0] == length else d[0], *d[1:]) for d in marks]
        marks = sorted(marks, key=lambda d: d[0])
        k = 0
        for it in items:
            while k < len(marks) and marks[k][0] < it.start + it.ticks:
                self._emit_direction(measure, marks[k], marks[k][0] - it.start)
                k += 1
            self._emit_item(measure, it, voice_text, staff_text, stem_text)
        for mark in marks[k:]:
            self._emit_direction(measure, mark, mark[0] - length)

    def _emit_direction(self, measure, mark, offset) -> None:
        _, staff, placement, kids, sound = mark
        d = ET.SubElement(measure, "direction", placement=placement)
        for kid in kids:
            ET.SubElement(d, "direction-type").append(kid)
        if offset:
            _sub(d, "offset", str(offset))
        _sub(d, "staff", str(staff))
        if sound:
            ET.SubElement(d, "sound", sound)

    def _emit_item(self, measure, it: _Item, voice, staff, stem) -> None:
        sub = ET.SubElement
        if it.chord is None:
            note = sub(measure, "note")
            rest = sub(note, "rest")
            if it.whole_rest:
                rest.set("measure", "yes")
            _sub(note, "duration", str(it.ticks))
            _sub(note, "voice", voice)
            if not it.whole_rest:
                _sub(note, "type", it.type)
                for _ in range(it.dots):
                    sub(note, "dot")
                self._time_modification(note, it)
            _sub(note, "staff", staff)
            if it.bracket:
                self._tuplet_marks(sub(note, "notations"), it.bracket)
            return
        slash = any(n.ornament == "acciaccatura" for n in it.chord)
        grace_type = "eighth" if len(it.graces) == 1 else "16th"
        for g, head in enumerate(it.graces):
            note = sub(measure, "note")
            sub(note, "grace", slash="yes" if slash else "no")
            _pitch(note, head)
            _sub(note, "voice", voice)
            _sub(note, "type", grace_type)
            if head[3]:
                _sub(note, "accidental", head[3])
            _sub(note, "stem", "up")
            _sub(note, "staff", staff)
            if len(it.graces) > 1:
                value = "begin" if g == 0 else "end" if g == len(it.graces) - 1 else "continue"
                for level in (1, 2):
                    _sub(note, "beam", value, number=str(level))
        arpeggio = it.first and any(n.ornament == "arpeggio" for n in it.chord)
        duration = str(it.ticks)
        for h, (n, head) in enumerate(zip(it.chord, it.heads)):
            note = sub(measure, "note")
            if h:
                sub(note, "chord")
            _pitch(note, head)
            _sub(note, "duration", duration)
            if it.tie_stop:
                sub(note, "tie", type="stop")
            if it.tie_start:
                sub(note, "tie", type="start")
            _sub(note, "voice", voice)
            _sub(note, "type", it.type)
            for _ in range(it.dots):
                sub(note, "dot")
            if head[3]:
                _sub(note, "accidental", head[3])
            self._time_modification(note, it)
            if stem:
                _sub(note, "stem", stem)
            _sub(note, "staff", staff)
            if h == 0 and it.beams:
                for level, value in it.beams:
                    _sub(note, "beam", value, number=str(level))
            notations = sub(note, "notations")
            if it.tie_stop:
                sub(notations, "tied", type="stop")
            if it.tie_start:
                sub(notations, "tied", type="start")
            if h == 0:
                if it.bracket:
                    self._tuplet_marks(notations, it.bracket)
                self._ornaments(notations, it)
            if arpeggio:
                # MuseScore 3.2 drops an arpeggio without a direction; rolls go upwards anyway.
                sub(notations, "arpeggiate", direction="up")
            if not len(notations):
                note.remove(notations)

    def _ornaments(self, notations, it: _Item) -> None:
        kinds = [n.ornament for n in it.chord if n.ornament]
        ornaments = [k for k in kinds if k in _ORNAMENT_TAGS] if it.first else []
        tremolo = "tremolo" in kinds
        if ornaments or tremolo:
            orn = ET.SubElement(notations, "ornaments")
            for kind in dict.fromkeys(ornaments):
                ET.SubElement(orn, _ORNAMENT_TAGS[kind])
            if tremolo:
                _sub(orn, "tremolo", "3", type="single")
        if it.first:
            marks = dict.fromkeys(a for n in it.chord for a in n.articulations)
            if marks:
                art = ET.SubElement(notations, "articulations")
                for a in marks:
                    ET.SubElement(art, a)

    @staticmethod
    def _time_modification(note, it: _Item) -> None:
        if it.tuplet:
            ratio, normal, unit = it.tuplet
            tm = ET.SubElement(note, "time-modification")
            _sub(tm, "actual-notes", str(ratio))
            _sub(tm, "normal-notes", str(normal))
            if unit:
                _sub(tm, "normal-type", unit)

    @staticmethod
    def _tuplet_marks(notations, bracket: str) -> None:
        for kind in ("start", "stop"):
            if bracket in (kind, "both"):
                ET.SubElement(notations, "tuplet", type=kind, number="1")


def _split(a: int, b: int, beat: int, compound: bool, table: dict, out: list) -> None:
    """Cut written ticks [a, b) into single note values at metrically sensible points."""
    d = b - a
    value = table.get(d)
    if value is not None:
        base = value[2]
        crosses = (a // beat + 1) * beat < b
        if d > beat:
            fits = a % beat == 0 and (not compound or d % beat == 0)
        else:
            fits = (2 * a) % base == 0 and (not crosses or (d == beat and not compound))
        if fits:
            out.append((a, b, value[0], value[1]))
            return
    first = (a // beat + 1) * beat
    if first < b:
        if a % beat:
            p = first
        elif b % beat:
            p = (b // beat) * beat
        else:
            # Both ends on beats: cut at the strongest beat between them.
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


def _pitch(note: ET.Element, head: list) -> None:
    pitch = ET.SubElement(note, "pitch")
    _sub(pitch, "step", head[0])
    if head[1]:
        _sub(pitch, "alter", str(head[1]))
    _sub(pitch, "octave", str(head[2]))


def _el(tag: str, text: str) -> ET.Element:
    e = ET.Element(tag)
    e.text = text
    return e


def _sub(parent: ET.Element, tag: str, text: str, **attrib: str) -> ET.Element:
    e = ET.SubElement(parent, tag, attrib)
    e.text = text
    return e
