"""MusicXML 4.0 writer: a Piece as one two-staff piano part, built with ElementTree.

Fast and deterministic: notation.py lays the notes out on integer ticks; this module writes them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from fractions import Fraction

from sketchbook.formats.notation import Head, Item, Layout, NeedFinerGrid, Tuplet, divisions
from sketchbook.formats.staves import BASS, TREBLE, clef_plan, ottava_plan, slur_spans, system_breaks, written_onsets
from sketchbook.formats.xml_text import (
    clef,
    clef_change,
    leaf,
    metronome,
    octave_shift,
    octave_shift_mark,
    ornament_marks,
    serialise,
)
from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Piece
from sketchbook.music.theory import fifths

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
    '"http://www.musicxml.org/dtds/partwise.dtd">\n'
)
_ENCODING_DATE = "2024-01-01"  # fixed, so the same piece always gives the same bytes
# Percent of MIDI velocity 90, the MusicXML reference forte.
_DYNAMIC_SOUND = {"ppp": 22, "pp": 36, "p": 54, "mp": 71, "mf": 89, "f": 107, "ff": 124, "fff": 140}
_STAVES = ((1, "right_hand", (1, 2)), (2, "left_hand", (5, 6)))  # staff, hand, written voice numbers
_SPARE_VOICE = {1: 3, 2: 7}  # a silent voice that carries a mark where no note is (the last pedal's release)
LONG_HAIRPIN_BARS = 8  # longer swells are written as words ("cresc. poco a poco"), not as a hairpin
_ENDINGS = ("pedal", "wedge")  # marks LilyPond must find on a note, the last one included


def piece_to_musicxml(piece: Piece) -> bytes:
    """The piece as MusicXML 4.0 (score-partwise) bytes, identical for identical pieces."""
    return (_HEADER + serialise(score_tree(piece))).encode("utf-8")


def score_tree(piece: Piece) -> ET.Element:
    """The piece as a <score-partwise> element tree."""
    if not piece.bars:
        raise SketchbookError(f"piece {piece.title!r} has no bars to write")
    grid = divisions(piece)
    for _ in range(8):
        try:
            return _Score(piece, grid).tree()
        except NeedFinerGrid:
            grid *= 2  # a split point fell between ticks; a finer grid has it
    raise SketchbookError("a rhythm in the piece is too fine to write as MusicXML")


class _Score:
    """Builds a laid-out piece's XML tree."""

    def __init__(self, piece: Piece, divisions: int) -> None:
        self.piece, self.layout = piece, Layout(piece, divisions)
        self.clefs: dict[int, str] = {}  # each staff's first clef
        self.at_onset: dict[tuple[int, int], list[ET.Element]] = {}  # (staff, tick): clef and ottava marks
        self.ottava_ends: list[tuple[Fraction, int, ET.Element]] = []  # stops with no onset to sit on
        self.slurs: dict[int, list[tuple[str, str]]] = {}  # tick: (type, number) on the melody note there
        self.plan_slurs()

    def plan_staves(self, staves: list) -> None:
        """Clef changes and ottava lines per staff, keyed to the written chords where they go."""
        piece, layout = self.piece, self.layout
        bar = piece.meter.bar_length
        bar_lines = [Fraction(0)] * bool(piece.pickup) + [piece.bar_start(k) for k in range(piece.bars)]
        for staff, _, measures in staves:
            chords = written_onsets(measures, layout.starts, layout.divisions)
            home = TREBLE if staff == 1 else BASS
            clefs = clef_plan(chords, home, bar_lines)
            self.clefs[staff] = clefs[0] if clefs else home
            for k in range(1, len(chords)):
                if clefs[k] != clefs[k - 1]:
                    self.onset(staff, chords[k].start).append(clef_change(staff, clefs[k]))
            starts = {c.start for c in chords}  # a set: a long piece has thousands of onsets and many ottavas
            beat = piece.meter.beat if piece.meter.is_compound else min(piece.meter.beat, Fraction(1))  # a beam's reach
            for start, end, octaves in ottava_plan(chords, clefs, bar, beat, piece.bar_start(0)):
                size = str(1 + 7 * abs(octaves))
                if end in starts:
                    self.onset(staff, end).append(octave_shift(staff, "stop", size))
                else:
                    self.ottava_ends.append((end, staff, octave_shift_mark(staff, "stop", size)))
                self.onset(staff, start).append(octave_shift(staff, "down" if octaves > 0 else "up", size))

    def onset(self, staff: int, time: Fraction) -> list[ET.Element]:
        return self.at_onset.setdefault((staff, self.layout.ticks(time)), [])

    def plan_slurs(self) -> None:
        """Slur numbers: the lowest free one at each start, freed at its stop."""
        events: list[tuple[Fraction, int, Fraction]] = []  # (time, starts, the slur's last onset)
        for first, last in slur_spans(self.piece):
            events += [(first, 1, last), (last, 0, last)]
        open_slurs: dict[Fraction, str] = {}
        for time, starting, last in sorted(events, key=lambda e: (e[0], e[1])):
            tick = self.layout.ticks(time)
            if starting:
                number = str(min(set(range(1, 7)) - {int(n) for n in open_slurs.values()} or {6}))
                open_slurs[last] = number
                self.slurs.setdefault(tick, []).append(("start", number))
            elif time in open_slurs:
                self.slurs.setdefault(tick, []).append(("stop", open_slurs.pop(time)))

    def tree(self) -> ET.Element:
        piece, root = self.piece, ET.Element("score-partwise", version="4.0")
        # The title once: LilyPond prints a movement-title equal to the work-title a second time.
        ET.SubElement(ET.SubElement(root, "work"), "work-title").text = piece.title
        ident = ET.SubElement(root, "identification")
        ET.SubElement(ident, "creator", type="composer").text = "sketchbook"
        encoding = ET.SubElement(ident, "encoding")
        ET.SubElement(encoding, "software").text = "sketchbook"
        ET.SubElement(encoding, "encoding-date").text = _ENCODING_DATE
        for element in ("accidental", "beam"):
            ET.SubElement(encoding, "supports", element=element, type="yes")
        root.append(_defaults())
        score_part = ET.SubElement(ET.SubElement(root, "part-list"), "score-part", id="P1")
        ET.SubElement(score_part, "part-name").text = "Piano"
        ET.SubElement(score_part, "part-abbreviation").text = "Pno."
        instrument = ET.SubElement(score_part, "score-instrument", id="P1-I1")
        ET.SubElement(instrument, "instrument-name").text = "Piano"
        midi = ET.SubElement(score_part, "midi-instrument", id="P1-I1")
        for tag, text in (("midi-channel", "1"), ("midi-program", "1"), ("volume", "80"), ("pan", "0")):
            ET.SubElement(midi, tag).text = text
        part = ET.SubElement(root, "part", id="P1")

        layout = self.layout
        staves = [(staff, numbers, list(layout.staff(getattr(piece, hand)))) for staff, hand, numbers in _STAVES]
        self.plan_staves(staves)
        directions = self.directions()
        breaks = system_breaks(piece, layout.starts, layout.divisions)
        for m, (m_start, m_end) in enumerate(zip(layout.starts, layout.ends)):
            length = m_end - m_start
            measure = ET.SubElement(part, "measure", number=str(m if piece.pickup else m + 1))
            if m in breaks:
                ET.SubElement(measure, "print", {f"new-{breaks[m]}": "yes"})
            if piece.pickup and m == 0:
                measure.set("implicit", "yes")
            if m == 0:
                self.attributes(measure)
            last = m == len(layout.starts) - 1
            for staff, numbers, measures in staves:
                written = measures[m]
                # Marks ride on a voice that plays in this bar: on a voice of rests LilyPond piles them up
                # on its next note (and loses a pedal's start).
                carrier = next((v for v, items in written if any(it.chord is not None for it in items)),
                               written[0][0] if written else 1)
                here = [d for d in directions[m] if d[1] == staff]
                releases = [d for d in here if last and d[0] == length and d[3][0].tag == "pedal"]
                for v, items in written:
                    marks = [d for d in here if d not in releases] if v == carrier else []
                    stem = ("up" if v == 1 else "down") if len(written) > 1 else None
                    voice = (str(numbers[v - 1]), str(staff), m_start)
                    # A short rest where the other voice strikes is that voice's note: drawn, it sits on the
                    # bass note under a figure that starts after it (a pianist's review).
                    under = frozenset(it.start for u, other in written if u != v for it in other if it.chord)
                    self.write_voice(measure, items, voice, stem, marks, last, fermata=last and v == carrier,
                                     under=under)
                    if staff == 1 or v != written[-1][0] or releases:
                        ET.SubElement(ET.SubElement(measure, "backup"), "duration").text = str(length)
                if releases:
                    self.release_on_the_last_beat(measure, releases, length, staff)
        barline = ET.SubElement(measure, "barline", location="right")
        ET.SubElement(barline, "bar-style").text = "light-heavy"
        return root

    def release_on_the_last_beat(self, measure: ET.Element, releases: list[tuple], length: int, staff: int) -> None:
        """The last pedal lets go on the final bar's last beat, on a silent voice of its own: at the bar
        line after the last note, LilyPond finds no note to hang it on, and MuseScore draws "Ped." with
        no release when it rides the last chord."""
        beat = self.layout.beat
        release = length - beat if length > beat else length // 2
        for part, marks in ((release, releases), (length - release, ())):
            for it in self.layout.voice_items([], part, 0):
                self.rest(measure, it, str(_SPARE_VOICE[staff]), str(staff), hidden=True)
            for mark in marks:
                _direction(measure, mark, 0)

    def attributes(self, measure: ET.Element) -> None:
        attributes = ET.SubElement(measure, "attributes")
        ET.SubElement(attributes, "divisions").text = str(self.layout.divisions)
        key = ET.SubElement(attributes, "key")
        ET.SubElement(key, "fifths").text = str(fifths(self.piece.key))
        ET.SubElement(key, "mode").text = self.piece.key.mode
        time = ET.SubElement(attributes, "time")
        ET.SubElement(time, "beats").text = str(self.piece.meter.numerator)
        ET.SubElement(time, "beat-type").text = str(self.piece.meter.denominator)
        ET.SubElement(attributes, "staves").text = "2"
        for staff in (1, 2):
            attributes.append(clef(staff, self.clefs[staff]))

    def directions(self) -> list[list[tuple]]:
        """Per measure: (tick, staff, placement, direction-type children, sound attributes)."""
        piece, layout = self.piece, self.layout
        out: list[list[tuple]] = [[] for _ in layout.starts]

        def place(offset, staff, kids, sound=None, stop=False, placement="below"):
            at = layout.locate(offset, stop)
            if at is not None:
                out[at[0]].append((at[1], staff, placement, kids, sound))

        shown = None
        for s in piece.sections:
            offset = 0 if s is piece.sections[0] else piece.bar_start(s.start_bar)
            if s.name:
                place(offset, 1, [leaf("rehearsal", s.name)], placement="above")
            if (s.tempo, s.tempo_text) != shown:
                shown = (s.tempo, s.tempo_text)
                # The trailing space keeps readers that join words and metronome from gluing them.
                words = [leaf("words", s.tempo_text + " ")] if s.tempo_text else []
                beats = metronome(piece.meter.beat, s.tempo)
                place(offset, 1, [*words, beats], {"tempo": str(s.tempo)}, placement="above")
        for start, _ in piece.ritardandos:  # the MIDI eases the tempo from here to the next mark
            place(start, 1, [leaf("words", "rit.")], placement="above")
        marks = [(d.offset, d.mark) for d in piece.dynamics]
        if not marks:  # without explicit marks, the sections' planned levels stand in
            for k, s in enumerate(piece.sections):
                if k == 0 or s.dynamic != piece.sections[k - 1].dynamic:
                    marks.append((piece.bar_start(s.start_bar) if k else Fraction(0), s.dynamic))
        for offset, mark in marks:
            dynamics = ET.Element("dynamics")
            ET.SubElement(dynamics, mark)
            place(offset, 1, [dynamics], {"dynamics": str(_DYNAMIC_SOUND[mark])})
        open_wedges: list[tuple[Fraction, int]] = []
        for h in sorted(piece.hairpins, key=lambda h: (h.start, h.end)):
            if h.start >= piece.length:
                continue
            if h.end - h.start > LONG_HAIRPIN_BARS * piece.meter.bar_length:
                # A hairpin stretched over a page says nothing a player can pace: words do, and the
                # dynamic at its end says where they lead.
                text = "cresc. poco a poco" if h.kind == "crescendo" else "dim. poco a poco"
                place(h.start, 1, [leaf("words", text, **{"font-style": "italic"})])
                continue
            open_wedges = [w for w in open_wedges if w[0] > h.start]
            number = str(min(set(range(1, 17)) - {w[1] for w in open_wedges} or {16}))
            open_wedges.append((h.end, int(number)))
            staff = layout.marks_staff(h.start, h.end)
            place(h.start, staff, [ET.Element("wedge", type=h.kind, number=number)])
            place(h.end, staff, [ET.Element("wedge", type="stop", number=number)], stop=True)
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
        for end, staff, shift in self.ottava_ends:
            place(end, staff, [shift], stop=True, placement="above")
        return out

    def write_voice(self, measure, items, voice, stem, marks, last, *, fermata: bool = False,
                    under: frozenset[int] = frozenset()) -> None:
        """Items of one voice, with each direction before the item it falls in (``offset`` inside it).

        In the last measure a pedal or wedge mark at the very end goes on the last item: LilyPond drops
        (and complains about) a pedal release or hairpin end after the last note. With ``fermata`` the
        voice's last chord takes one: the piece's final sound is held, not clipped.
        """
        voice, staff, m_start = voice
        marks = sorted(marks, key=lambda d: d[0])
        held = max((i for i, it in enumerate(items) if it.chord is not None), default=-1) if fermata else -1
        k = 0
        for i, it in enumerate(items):
            final = last and i == len(items) - 1
            while k < len(marks) and (marks[k][0] < it.start + it.ticks or (final and marks[k][3][0].tag in _ENDINGS)):
                _direction(measure, marks[k], marks[k][0] - it.start)
                k += 1
            measure.extend(self.at_onset.pop((int(staff), m_start + it.start), ()))
            if it.chord is None:
                filler = it.start in under and it.type is not None and it.ticks < self.layout.divisions
                self.rest(measure, it, voice, staff, hidden=voice in ("2", "6") or filler)
            else:
                slurs = self.slurs.pop(m_start + it.start, ()) if voice == "1" and it.first else ()
                self.chord(measure, it, voice, staff, stem, slurs, fermata=i == held)
        for mark in marks[k:]:
            _direction(measure, mark, mark[0] - items[-1].start - items[-1].ticks)

    def rest(self, measure: ET.Element, it: Item, voice: str, staff: str, hidden: bool) -> None:
        kids = [leaf("rest") if it.type else leaf("rest", measure="yes")]
        kids += (leaf("duration", str(it.ticks)), leaf("voice", voice))
        if it.type:
            kids.append(leaf("type", it.type))
            kids += [leaf("dot") for _ in range(it.dots)]
            if it.tuplet:
                kids.append(_time_modification(it.tuplet))
        kids.append(leaf("staff", staff))
        # A second voice's rests only fill time: MuseScore would draw them over the first voice's notes.
        note = ET.SubElement(measure, "note", {"print-object": "no"} if hidden else {})
        note.extend(kids)
        if it.bracket:
            ET.SubElement(note, "notations").append(leaf("tuplet", type=it.bracket, number="1"))

    def chord(
        self, measure: ET.Element, it: Item, voice: str, staff: str, stem: str | None,
        slurs: Iterable[tuple[str, str]] = (), *, fermata: bool = False,
    ) -> None:
        chord = it.chord or ()
        if it.graces:
            slash = "yes" if any(n.ornament == "acciaccatura" for n in chord) else "no"
            value_type = "eighth" if len(it.graces) == 1 else "16th"
            last = len(it.graces) - 1
            for g, head in enumerate(it.graces):
                kids = [leaf("grace", slash=slash), _pitch(head), leaf("voice", voice), leaf("type", value_type)]
                if head.accidental:
                    kids.append(leaf("accidental", head.accidental))
                kids += (leaf("stem", "up"), leaf("staff", staff))
                if last:
                    value = "begin" if g == 0 else "end" if g == last else "continue"
                    kids += (leaf("beam", value, number="1"), leaf("beam", value, number="2"))
                ET.SubElement(measure, "note").extend(kids)
        arpeggio = it.first and any(n.ornament == "arpeggio" for n in chord)
        for h, head in enumerate(it.heads):
            # Every head gets elements of its own: an element has one parent.
            kids = [leaf("chord"), _pitch(head)] if h else [_pitch(head)]
            kids.append(leaf("duration", str(it.ticks)))
            marks = []
            for tied, kind in ((it.tie_stop, "stop"), (it.tie_start, "start")):
                if tied:
                    kids.append(leaf("tie", type=kind))
                    marks.append(leaf("tied", type=kind))
            kids += (leaf("voice", voice), leaf("type", str(it.type)), *[leaf("dot") for _ in range(it.dots)])
            if head.accidental:
                kids.append(leaf("accidental", head.accidental))
            if it.tuplet:
                kids.append(_time_modification(it.tuplet))
            if stem:
                kids.append(leaf("stem", stem))
            kids.append(leaf("staff", staff))
            if h == 0:
                kids += [leaf("beam", value, number=level) for level, value in it.beams]
                if it.bracket:
                    marks.append(leaf("tuplet", type=it.bracket, number="1"))
                marks += ornament_marks(it, self.piece)
                marks += [leaf("slur", type=kind, number=number, placement="above") for kind, number in slurs]
                if fermata:  # over the upper staff, under the lower
                    marks.append(leaf("fermata", type="upright" if staff == "1" else "inverted"))
            if arpeggio:
                # MuseScore 3.2 drops an arpeggio without a direction; a roll goes upwards anyway.
                marks.append(leaf("arpeggiate", direction="up"))
            note = ET.SubElement(measure, "note")
            note.extend(kids)
            if marks:
                ET.SubElement(note, "notations").extend(marks)


def _pitch(head: Head) -> ET.Element:
    element = ET.Element("pitch")
    ET.SubElement(element, "step").text = head.step
    if head.alter:
        ET.SubElement(element, "alter").text = str(head.alter)
    ET.SubElement(element, "octave").text = str(head.octave)
    return element


def _time_modification(tuplet: Tuplet) -> ET.Element:
    element = ET.Element("time-modification")
    ET.SubElement(element, "actual-notes").text = str(tuplet.actual)
    ET.SubElement(element, "normal-notes").text = str(tuplet.normal)
    if tuplet.normal_type:
        ET.SubElement(element, "normal-type").text = tuplet.normal_type
    return element


def _defaults() -> ET.Element:
    """A4 with a 6 mm staff, said once so every engraver lays out the same page (their own defaults
    differ, and LilyPond's, with its larger staff, over-fills pages)."""
    defaults = ET.Element("defaults")
    scaling = ET.SubElement(defaults, "scaling")
    ET.SubElement(scaling, "millimeters").text = "6"
    ET.SubElement(scaling, "tenths").text = "40"
    page = ET.SubElement(defaults, "page-layout")
    ET.SubElement(page, "page-height").text = "1980"  # 297 mm in tenths of 0.15 mm
    ET.SubElement(page, "page-width").text = "1400"  # 210 mm
    margins = ET.SubElement(page, "page-margins", type="both")
    for side in ("left", "right", "top", "bottom"):
        ET.SubElement(margins, f"{side}-margin").text = "100"
    return defaults


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
