"""Hardened reading of MusicXML (.musicxml, .xml, compressed .mxl) for the motif reader.

music21 parses with xml.etree, which honours entity declarations; so we parse with expat
ourselves, refuse every entity declaration (no XXE, no billion laughs; expat never fetches
DTDs or anything else from the network), bound depth, size and element counts, and hand music21
a small ElementTree holding only the first part's first measures.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from sketchbook.files import read_limited, shown
from sketchbook.music.errors import SketchbookError

MAX_XML_BYTES = 16 * 1024 * 1024  # a .musicxml file, an .mxl file, or the score unpacked from one
MAX_DEPTH = 100  # MusicXML needs about 10 levels
MAX_ELEMENTS = 100_000  # elements before the cut (part list, credits, the kept measures)
MAX_ATTRIBUTES = 100_000  # attributes on those elements
MAX_TAG_BYTES = 64 * 1024  # one tag with its attributes; expat holds a whole tag in memory at once
MAX_NOTES = 5_000  # <note> elements in the kept measures
MAX_MEASURES = 64  # measures of the first part handed to music21; later ones are never parsed
MAX_TIME_SIGNATURES = 16  # music21 builds each one slowly; later ones end the read like MAX_MEASURES
MAX_MXL_MEMBERS = 256
MAX_CONTAINER_BYTES = 64 * 1024
CONTAINER = "META-INF/container.xml"
_LONG_TAG = re.compile(rb"<[^<>]{%d}" % MAX_TAG_BYTES)
# Time signatures music21 builds quickly: up to 3 parts (3/8+2/8+3/4), each 1-4 groups of beats
# (3+2+3) over a 1 ... 128 note, 64 of the shortest note at most. It takes minutes over some others
# (1e308/4, 100000/4, 16/1+16/32 in every measure).
_BEATS = re.compile(r"\s*[0-9]{1,2}(\s*\+\s*[0-9]{1,2}){0,3}\s*")
_BEAT_TYPES = {str(2**n): 2**n for n in range(8)}


class _Enough(Exception):
    """Raised inside expat to stop once the measures we keep are read."""


def read_score_tree(path: Path, part: str | None = None) -> tuple[ET.Element, str]:
    """The score's root element cut to one part's first measures, and where the cut fell ('' if none).

    The part is ``part`` (a number or part of its name), else the first named like a melody, else the first.
    """
    if path.suffix.lower() == ".mxl":
        data = read_mxl(path)
    else:
        data = read_limited(path, MAX_XML_BYTES, "MusicXML")
    builder = _ScoreBuilder(path, part)
    _parse(data, path, builder.start, builder.end, builder.data)
    return builder.close()


def read_mxl(path: Path) -> bytes:
    """The score inside a compressed .mxl, after refusing zip bombs, odd member names and encryption."""
    import zipfile
    import zlib

    data = read_limited(path, MAX_XML_BYTES, "MusicXML")
    # zipfile reads the whole central directory up front: check the count it declares first.
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end >= 0 and len(data) >= end + 16:
        declared = int.from_bytes(data[end + 10 : end + 12], "little")
        directory = int.from_bytes(data[end + 12 : end + 16], "little")
        if declared > MAX_MXL_MEMBERS or directory > MAX_MXL_MEMBERS * 1024:
            raise _bad(path, f"it holds {declared} files; .mxl archives are limited to {MAX_MXL_MEMBERS}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MXL_MEMBERS:
                raise _bad(path, f"it holds {len(infos)} files; .mxl archives are limited to {MAX_MXL_MEMBERS}")
            names = [info.filename for info in infos]
            if len(set(names)) != len(names):
                raise _bad(path, "it holds two files with the same name")
            for info in infos:
                if not _plain_member_name(info.filename):
                    raise _bad(path, f"it holds a file with an unsafe name {_clip(info.filename)!r}")
                if info.flag_bits & 0x1:
                    raise _bad(path, f"it holds an encrypted file {_clip(info.filename)!r}")
            if CONTAINER not in names:
                raise _bad(path, f"it has no {CONTAINER}, so it is not a compressed MusicXML file")
            container = _member(archive, CONTAINER, MAX_CONTAINER_BYTES, path)
            rootfile = _rootfile(container, path)
            if rootfile not in names:
                raise _bad(path, f"{CONTAINER} names {_clip(rootfile)!r}, which is not in the archive")
            return _member(archive, rootfile, MAX_XML_BYTES, path)
    except SketchbookError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError) as error:
        raise _bad(path, f"not a readable .mxl archive ({_clip(' '.join(str(error).split()), 120)})") from None


def _member(archive, name: str, limit: int, path: Path) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise _bad(path, f"{_clip(name)!r} unpacks to {info.file_size} bytes; the limit is {limit} bytes")
    with archive.open(info) as handle:
        data = handle.read(limit + 1)  # the declared size may lie: count what really comes out
    if len(data) > limit:
        raise _bad(path, f"{_clip(name)!r} unpacks to over {limit} bytes; the limit is {limit} bytes")
    return data


def _plain_member_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not (
        name.startswith("/") or "\\" in name or "\0" in name or ":" in parts[0] or ".." in parts
        or posixpath.isabs(name)
    )


def _rootfile(container: bytes, path: Path) -> str:
    found: list[str] = []

    def start(tag: str, attrs: dict) -> None:
        if tag.rpartition(":")[2] == "rootfile" and attrs.get("full-path") and not found:
            found.append(attrs["full-path"])

    _parse(container, path, start, None, None, what=CONTAINER)
    if not found:
        raise _bad(path, f"{CONTAINER} names no score (no <rootfile full-path=...>)")
    return found[0]


def _parse(data: bytes, path: Path, start, end, text, *, what: str = "") -> None:
    """Run expat over ``data`` with every entity declaration refused and depth bounded."""
    if _LONG_TAG.search(data):
        raise _bad(path, f"it has an XML tag over {MAX_TAG_BYTES} bytes long{f' ({what})' if what else ''}")
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    where = f" ({what})" if what else ""

    def refuse(*_args: object) -> NoReturn:
        raise _bad(path, f"it declares XML entities{where}, which sketchbook refuses (they can read files or explode)")

    depth = [0]

    def on_start(tag: str, attrs: dict) -> None:
        depth[0] += 1
        if depth[0] > MAX_DEPTH:
            raise _bad(path, f"it nests XML elements over {MAX_DEPTH} deep{where}")
        start(tag, attrs)

    def on_end(tag: str) -> None:
        depth[0] -= 1
        if end is not None:
            end(tag)

    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Enough:
        pass
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code)
        raise _bad(path, f"not well-formed XML{where}: {reason} at line {error.lineno}") from None
    except LookupError:  # the XML declaration names an encoding Python does not know, e.g. "TTF-8"
        raise _bad(path, f"not readable XML{where}: its declaration names an unknown text encoding") from None


class _ScoreBuilder:
    """Feeds expat events to an ElementTree builder until the first part's measures run out."""

    def __init__(self, path: Path, part: str | None = None) -> None:
        self.path = path
        self.builder = ET.TreeBuilder()
        self.open: list[ET.Element] = []
        self.part = part
        self.wanted: str | None = None  # the id of the part to keep; None keeps the first
        self.skipping = 0  # depth inside a part that is not kept
        self.elements = self.attributes = self.notes = self.measures = self.times = 0
        self.cut = ""  # where reading stopped early, for messages

    def start(self, tag: str, attrs: dict) -> None:
        if self.skipping or (
            tag == "part" and len(self.open) == 1 and self.wanted is not None and attrs.get("id") != self.wanted
        ):
            self.skipping += 1  # expat still walks it, but nothing of it is kept
            return
        if len(self.open) == 2 and self.open[1].tag == "part" and tag == "measure":
            self.measures += 1
            if self.measures > MAX_MEASURES:
                self.cut = f"the first {MAX_MEASURES} measures of its first part"
                raise _Enough
        if tag == "time":
            self.times += 1
            if self.times > MAX_TIME_SIGNATURES:
                self.cut = f"its first part before time signature {self.times} (measure {self.measures})"
                raise _Enough
        self.elements += 1
        self.attributes += len(attrs)
        if self.attributes > MAX_ATTRIBUTES:
            raise _bad(self.path, f"it has over {MAX_ATTRIBUTES} XML attributes before measure {self.measures + 1}")
        if self.elements > MAX_ELEMENTS:
            raise _bad(self.path, f"it has over {MAX_ELEMENTS} XML elements before measure {self.measures + 1}")
        if tag == "note":
            self.notes += 1
            if self.notes > MAX_NOTES:
                raise _bad(self.path, f"it has over {MAX_NOTES} notes in its first {self.measures} measures")
        self.open.append(self.builder.start(tag, attrs))

    def end(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        element = self.builder.end(tag)
        self.open.pop()
        if tag == "part-list" and len(self.open) == 1:
            self.wanted = _chosen_part(element, self.part, self.path)
        if tag == "time" and not _usable_time(element):
            parts = zip(element.findall("beats"), element.findall("beat-type"))
            written = _clip("+".join(f"{(b.text or '').strip()}/{(t.text or '').strip()}" for b, t in parts), 40)
            if self.times == 1:
                raise _bad(self.path, f"its time signature {written!r} is not supported")
            # A later odd signature ends the read there, like the measure limit.
            if self.open:
                self.open[-1].remove(element)
            self.cut = f"its first part before the time signature {written!r} in measure {self.measures}"
            raise _Enough
        if tag == "part" and len(self.open) == 1:
            raise _Enough  # later parts are never read

    def data(self, text: str) -> None:
        if not self.skipping:
            self.builder.data(text)

    def close(self) -> tuple[ET.Element, str]:
        if not self.open and self.elements == 0:
            raise _bad(self.path, "it has no XML elements")
        while self.open:
            self.builder.end(self.open.pop().tag)
        root = self.builder.close()
        # music21 wants a <part> for every <score-part>; keep only the one for the part we read.
        part, part_list = root.find("part"), root.find("part-list")
        if part is not None and part_list is not None:
            for entry in part_list.findall("score-part"):
                if entry.get("id") != part.get("id"):
                    part_list.remove(entry)
        return root, self.cut


def _chosen_part(part_list: ET.Element, spec: str | None, path: Path) -> str | None:
    """The id of the part ``spec`` names (its number or part of its name), else of the first part named
    like a melody; None for the first part."""
    from sketchbook.formats.midi_lines import MELODY_NAMES

    parts = [(entry.get("id"), " ".join((entry.findtext("part-name") or "").split())[:64])
             for entry in part_list.findall("score-part")]
    if spec is None:
        return next((pid for pid, name in parts if MELODY_NAMES.search(name)), None)
    wanted = spec.strip()
    if wanted.isdigit():
        found = [pid for number, (pid, _) in enumerate(parts, start=1) if number == int(wanted)]
    else:
        found = [pid for pid, name in parts if wanted.lower() in name.lower()]
    if not found:
        listing = ", ".join(f"{i} {name!r}" if name else str(i) for i, (_, name) in enumerate(parts[:8], start=1))
        more = ", ..." if len(parts) > 8 else ""
        raise _bad(path, f"it has no part {wanted[:40]!r} (parts: {listing or 'none'}{more})")
    return found[0]


def _usable_time(element: ET.Element) -> bool:
    if element.find("senza-misura") is not None:
        return True
    beats = [(b.text or "") for b in element.findall("beats")]
    beat_types = [(t.text or "").strip() for t in element.findall("beat-type")]
    if not 1 <= len(beats) == len(beat_types) <= 3:
        return False
    if not all(_BEATS.fullmatch(b) for b in beats) or not all(t in _BEAT_TYPES for t in beat_types):
        return False
    shortest = max(_BEAT_TYPES[t] for t in beat_types)
    total = sum(sum(int(g) for g in b.split("+")) * shortest // _BEAT_TYPES[t] for b, t in zip(beats, beat_types))
    return 1 <= total <= 64


def _bad(path: Path, why: str) -> SketchbookError:
    return SketchbookError(f"cannot read MusicXML file {shown(path)}: {why}")


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
