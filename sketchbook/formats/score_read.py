"""A whole MusicXML score read for inspect: the motif reader's hardened XML, without its cut.

Never music21's converter: it keeps a pickle cache in a shared temp folder, and a planted pickle runs
code. The score is parsed by expat with every entity refused (formats/safe_xml.py), bounded in
elements, notes and time signatures, and handed to music21's importer as a tree, under a deadline.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from sketchbook.music.errors import SketchbookError

MAX_ELEMENTS = 500_000  # about 25,000 notes with their children
MAX_NOTES = 25_000  # a 20,000-bar limit is for develop; a score of ours has a few thousand notes at most
MAX_SECONDS = 30.0  # music21's import of the largest score allowed takes about 10 s


def read_score(path: Path):
    """The score as a music21 Score, or one line saying why not."""
    from sketchbook.files import shown
    from sketchbook.formats.motif_files import music21_stream
    from sketchbook.limits import TimeLimit

    path = Path(path)
    root = _tree(path)
    if root.tag != "score-partwise":
        raise SketchbookError(f"{shown(path)}: not a readable MusicXML file (its root is <{root.tag[:40]}>, "
                              "not a partwise score)")
    try:
        return music21_stream(root, MAX_SECONDS)
    except TimeLimit:
        raise SketchbookError(f"{shown(path)}: gave up reading this MusicXML file after {MAX_SECONDS:g} s") from None
    except ZeroDivisionError:
        raise SketchbookError(f"{shown(path)}: not a readable MusicXML file (it divides by zero)") from None
    except Exception as exc:
        text = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise SketchbookError(f"{shown(path)}: not a readable MusicXML file ({text})") from None


def _tree(path: Path) -> ET.Element:
    from sketchbook.files import read_limited, shown
    from sketchbook.formats import safe_xml

    try:
        if path.suffix.lower() == ".mxl":
            data = safe_xml.read_mxl(path)  # refuses zip bombs before a byte is inflated past the limit
        else:
            data = read_limited(path, safe_xml.MAX_XML_BYTES, "MusicXML")
        builder = _WholeScore(path)
        safe_xml._parse(data, path, builder.start, builder.end, builder.builder.data)
        return builder.close()
    except SketchbookError as exc:
        why = str(exc).split(": ", 1)[-1] if str(exc).startswith("cannot read MusicXML") else str(exc)
        raise SketchbookError(f"{shown(path)}: not a readable MusicXML file ({why})") from None


class _WholeScore:
    """Builds the whole tree from expat events, counting as it goes."""

    def __init__(self, path: Path) -> None:
        self.path, self.builder = path, ET.TreeBuilder()
        self.depth = self.elements = self.notes = 0

    def start(self, tag: str, attrs: dict) -> None:
        self.elements += 1
        self.depth += 1
        if self.elements > MAX_ELEMENTS:
            raise SketchbookError(f"it has over {MAX_ELEMENTS:,} XML elements; inspect reads scores up to that size")
        if tag == "note":
            self.notes += 1
            if self.notes > MAX_NOTES:
                raise SketchbookError(f"it has over {MAX_NOTES:,} notes; inspect reads scores up to that size")
        self.builder.start(tag, attrs)

    def end(self, tag: str) -> None:
        from sketchbook.formats.safe_xml import _usable_time

        self.depth -= 1
        element = self.builder.end(tag)
        if tag == "time" and not _usable_time(element):
            parts = zip(element.findall("beats"), element.findall("beat-type"))
            written = "+".join(f"{(b.text or '').strip()[:12]}/{(t.text or '').strip()[:12]}" for b, t in parts)
            raise SketchbookError(f"its time signature {written[:40]!r} is not one sketchbook reads")

    def close(self) -> ET.Element:
        if self.elements == 0:
            raise SketchbookError("it has no XML elements")
        return self.builder.close()
