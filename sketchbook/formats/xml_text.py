"""Writing an ElementTree score fast: a serialiser that reuses the text of repeated leaves, and the small
MusicXML elements the writer builds whole (clefs, ottavas, metronome marks)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from typing import TYPE_CHECKING

from sketchbook.music.ornament import tremolo_strokes

if TYPE_CHECKING:
    from sketchbook.formats.notation import Item
    from sketchbook.music.model import Piece

# The XML entities text needs: &, <, > and quotes, the quotes as sketchbook has always written them (ElementTree leaves
# them bare). One translation table: xml.sax.saxutils.escape does the same but its import pulls in
# urllib.request, a twentieth of `sketchbook develop`'s time.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def escape(text: str) -> str:
    """Text or an attribute value as XML writes it: &, <, > and " as entities."""
    return text.translate(_ESCAPES)


def leaf(tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """A new element with no children: every use gets its own, as an element has one parent."""
    element = ET.Element(tag, attributes)
    element.text = text
    return element


def serialise(root: ET.Element) -> str:
    """The tree as text indented one space a level, empty elements as ``<tag/>``.

    Not ElementTree.tostring: that writes ``<tag />`` and leaves quotes in text bare, and these bytes are
    what sketchbook has always written (a score's bytes are its identity). It is also three times as fast on
    a score, whose lines repeat a great deal: a leaf's line is made once per indent and reused.
    """
    out: list[str] = []
    write = out.append
    made: dict[tuple[str, str, str | None, tuple[tuple[str, str], ...]], str] = {}

    def open_tag(element: ET.Element, indent: str) -> str:
        return indent + "<" + element.tag + "".join([f' {k}="{escape(v)}"' for k, v in element.items()])

    def walk(element: ET.Element, indent: str) -> None:
        write(open_tag(element, indent) + ">\n")
        inner = indent + " "
        for child in element:
            if len(child):
                walk(child, inner)
                continue
            key = (inner, child.tag, child.text, tuple(child.items()))
            text = made.get(key)
            if text is None:
                head = open_tag(child, inner)
                if child.text is None:
                    text = made[key] = head + "/>\n"
                else:
                    text = made[key] = f"{head}>{escape(child.text)}</{child.tag}>\n"
            write(text)
        write(f"{indent}</{element.tag}>\n")

    walk(root, "")
    return "".join(out)


def clef(staff: int, kind: str) -> ET.Element:
    """One staff's clef, treble or bass."""
    element = ET.Element("clef", number=str(staff))
    ET.SubElement(element, "sign").text = "G" if kind == "treble" else "F"
    ET.SubElement(element, "line").text = "2" if kind == "treble" else "4"
    return element


def clef_change(staff: int, kind: str) -> ET.Element:
    """An <attributes> holding a new clef for one staff."""
    attributes = ET.Element("attributes")
    attributes.append(clef(staff, kind))
    return attributes


def octave_shift_mark(staff: int, kind: str, size: str) -> ET.Element:
    """An <octave-shift>: MusicXML pitches stay as they sound, so 8va shifts the written notes "down"."""
    return ET.Element("octave-shift", type=kind, number=str(staff), size=size)


def octave_shift(staff: int, kind: str, size: str) -> ET.Element:
    """An ottava direction, on its own."""
    direction = ET.Element("direction", placement="below" if kind == "up" else "above")
    ET.SubElement(direction, "direction-type").append(octave_shift_mark(staff, kind, size))
    ET.SubElement(direction, "staff").text = str(staff)
    return direction


def metronome(beat: Fraction, quarter_tempo: int) -> ET.Element:
    """A metronome mark in the metre's beat (dotted quarter in 6/8, half in 2/2), rounded to a whole number."""
    units = {Fraction(4): "whole", Fraction(2): "half", Fraction(1): "quarter", Fraction(1, 2): "eighth",
             Fraction(1, 4): "16th"}  # fmt: skip
    dotted = beat not in units and beat * 2 / 3 in units
    unit = units.get(beat * 2 / 3 if dotted else beat)
    if unit is None:
        unit, beat, dotted = "quarter", Fraction(1), False
    metronome = ET.Element("metronome")
    ET.SubElement(metronome, "beat-unit").text = unit
    if dotted:
        ET.SubElement(metronome, "beat-unit-dot")
    ET.SubElement(metronome, "per-minute").text = str(round(quarter_tempo / beat))
    return metronome


_ORNAMENT_TAGS = {"trill": "trill-mark", "mordent": "mordent", "inverted-mordent": "inverted-mordent", "turn": "turn"}


def ornament_marks(it: Item, piece: Piece) -> list[ET.Element]:
    """Ornament symbols (a tremolo's strokes on every tied part) and articulations, once per chord."""
    chord = it.chord or ()
    kinds = [n.ornament for n in chord if n.ornament]
    symbols = [k for k in dict.fromkeys(kinds) if k in _ORNAMENT_TAGS] if it.first else []
    # A trill over tied notes runs its wavy line to the last of them: "tr" alone says one value long.
    wavy = "trill" in kinds and ("start" if it.first and it.tie_start else "stop" if not it.first and it.tie_stop
                                 and not it.tie_start else None)
    out = []
    if symbols or wavy or "tremolo" in kinds:
        ornaments = ET.Element("ornaments")
        for kind in symbols:
            ET.SubElement(ornaments, _ORNAMENT_TAGS[kind])
        if wavy:
            ET.SubElement(ornaments, "wavy-line", type=wavy, number="1")
        if "tremolo" in kinds:
            # The strokes played at this tempo (perform asks the same question).
            strokes = tremolo_strokes(piece.tempo_at(chord[0].start))
            ET.SubElement(ornaments, "tremolo", type="single").text = str(strokes)
        out.append(ornaments)
    marks = dict.fromkeys(a for n in chord for a in n.articulations) if it.first else None
    if marks:
        articulations = ET.Element("articulations")
        for mark in marks:
            ET.SubElement(articulations, mark)
        out.append(articulations)
    return out
