"""What a pianist sees on the page, read back from a written MusicXML file independently of sketchbook.

Every printed notehead with its staff, onset, letter and accidental, the clef and ottava it is read in and
so the ledger lines it needs; rests and whether they print; slurs; metronome marks. Walked with lxml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from lxml import etree

LETTERS = "CDEFGAB"
_STEP_PCS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_LINES = {"G": (30, 38), "F": (18, 26)}  # diatonic steps of the bottom and top lines: E4-F5, G2-A3
_UNITS = {"whole": Fraction(4), "half": Fraction(2), "quarter": Fraction(1), "eighth": Fraction(1, 2)}


@dataclass
class Head:
    """One printed notehead: a tied continuation is a head of its own, as the eye meets it."""

    staff: int
    voice: str
    onset: Fraction
    duration: Fraction
    letter: str
    alter: int
    octave: int
    grace: bool
    tie_stop: bool
    clef: str = "G"
    ottava: int = 0  # octaves the notehead is printed below (8va: 1) or above (8vb: -1) its pitch
    slurs: list[tuple[str, str]] = field(default_factory=list)  # (type, number)

    @property
    def pitch(self) -> int:
        return 12 * (self.octave + 1) + _STEP_PCS[self.letter] + self.alter

    @property
    def step(self) -> int:
        """Where it is printed: the staff position after any ottava."""
        return self.octave * 7 + LETTERS.index(self.letter) - 7 * self.ottava

    @property
    def ledger_lines(self) -> int:
        bottom, top = _LINES[self.clef]
        return max((self.step - top) // 2, (bottom - self.step) // 2, 0)


@dataclass
class Page:
    title_texts: list[str] = field(default_factory=list)
    heads: list[Head] = field(default_factory=list)
    # (staff, voice, onset, shown, in a second voice)
    rests: list[tuple[int, str, Fraction, bool, bool]] = field(default_factory=list)
    clefs: dict[int, list[tuple[Fraction, str]]] = field(default_factory=dict)
    ottavas: dict[int, list[tuple[Fraction, str, int]]] = field(default_factory=dict)  # staff: (time, type, size)
    metronomes: list[tuple[str, int, float | None]] = field(default_factory=list)  # unit, per minute, sound tempo
    bar_lines: list[Fraction] = field(default_factory=list)  # where each measure starts
    length: Fraction = Fraction(0)
    fifths: int = 0
    mode: str = "major"

    def sounding(self) -> list[Head]:
        """Notes as heard: graces and tied continuations left out."""
        return [h for h in self.heads if not h.grace and not h.tie_stop]

    def bar_of(self, time: Fraction) -> int:
        return max(k for k, b in enumerate(self.bar_lines) if b <= time)


def _text(el, path: str, default: str = "") -> str:
    found = el.find(path)
    return found.text.strip() if found is not None and found.text else default


def read_page(path: Path | str) -> Page:
    root = etree.parse(str(path)).getroot()
    page = Page()
    page.title_texts = [t for t in (_text(root, "work/work-title"), _text(root, "movement-title")) if t]
    divisions, start = 1, Fraction(0)
    for measure in root.find("part").findall("measure"):
        page.bar_lines.append(start)
        cursor = longest = last_onset = Fraction(0)
        voices_seen: dict[int, list[str]] = {}
        for el in measure:
            if el.tag == "attributes":
                divisions = int(_text(el, "divisions", str(divisions)))
                for key in el.findall("key"):
                    page.fifths, page.mode = int(_text(key, "fifths")), _text(key, "mode", "major")
                for clef in el.findall("clef"):
                    staff = int(clef.get("number", "1"))
                    page.clefs.setdefault(staff, []).append((start + cursor, _text(clef, "sign")))
            elif el.tag in ("backup", "forward"):
                step = Fraction(int(_text(el, "duration")), divisions)
                cursor += -step if el.tag == "backup" else step
            elif el.tag == "direction":
                at = start + cursor + Fraction(int(_text(el, "offset", "0")), divisions)
                staff = int(_text(el, "staff", "1"))
                for shift in el.iter("octave-shift"):
                    page.ottavas.setdefault(staff, []).append((at, shift.get("type"), int(shift.get("size", "8"))))
                for metronome in el.iter("metronome"):
                    unit = _text(metronome, "beat-unit") + "." * len(metronome.findall("beat-unit-dot"))
                    sound = el.find("sound")
                    tempo = float(sound.get("tempo")) if sound is not None and sound.get("tempo") else None
                    page.metronomes.append((unit, int(float(_text(metronome, "per-minute"))), tempo))
            elif el.tag == "note":
                grace = el.find("grace") is not None
                chord = el.find("chord") is not None
                length = Fraction(0) if grace else Fraction(int(_text(el, "duration")), divisions)
                onset = last_onset if chord else cursor
                staff, voice = int(_text(el, "staff", "1")), _text(el, "voice", "1")
                order = voices_seen.setdefault(staff, [])
                if voice not in order:
                    order.append(voice)
                if el.find("rest") is not None:
                    shown = el.get("print-object") != "no"
                    page.rests.append((staff, voice, start + onset, shown, order.index(voice) > 0))
                elif el.find("pitch") is not None:
                    head = Head(staff, voice, start + onset, length, _text(el, "pitch/step"),
                                round(float(_text(el, "pitch/alter", "0"))), int(_text(el, "pitch/octave")), grace,
                                any(t.get("type") == "stop" for t in el.findall("tie")))  # fmt: skip
                    head.slurs = [(s.get("type"), s.get("number", "1")) for s in el.findall("notations/slur")]
                    page.heads.append(head)
                if not chord and not grace:
                    last_onset = cursor
                    cursor += length
            longest = max(longest, cursor)
        start += longest
    page.length = start
    for head in page.heads:
        head.clef = _clef_at(page.clefs.get(head.staff, []), head.onset, "G" if head.staff == 1 else "F")
        head.ottava = _ottava_at(page.ottavas.get(head.staff, []), head.onset)
    return page


def _clef_at(changes: list[tuple[Fraction, str]], time: Fraction, default: str) -> str:
    clef = default
    for at, sign in changes:
        if at <= time:
            clef = sign
    return clef


def _ottava_at(events: list[tuple[Fraction, str, int]], time: Fraction) -> int:
    """Octaves printed below the pitch under the ottava line in force (8va: type down, 1)."""
    shift = 0
    for at, kind, size in events:
        if at > time:
            break
        octaves = (size - 1) // 7
        shift = octaves if kind == "down" else -octaves if kind == "up" else 0
    return shift


def letter_clashes(page: Page) -> list[tuple[Fraction, str, set[int]]]:
    """Sonorities (notes sounding together, both staves) holding one letter with two accidentals."""
    spans = [span[:4] for span in _spans(page)]
    clashes = []
    for t in sorted({span[3] for span in spans}):
        alters: dict[str, set[int]] = {}
        for letter, alter, end, onset in spans:
            if onset <= t < end:
                alters.setdefault(letter, set()).add(alter)
        clashes += [(t, letter, a) for letter, a in alters.items() if len(a) > 1]
    return clashes


def enharmonic_pairs(page: Page) -> list[tuple[Fraction, set[tuple[str, int]]]]:
    """Sonorities (both staves) holding one key under two names: C# with Db, E# with F."""
    spans = _spans(page)
    pairs = []
    for t in sorted({span[3] for span in spans}):
        names: dict[int, set[tuple[str, int]]] = {}
        for letter, alter, end, onset, pitch, _ in spans:
            if onset <= t < end:
                names.setdefault(pitch % 12, set()).add((letter, alter))
        pairs += [(t, n) for n in names.values() if len(n) > 1]
    return pairs


def slur_pairs(page: Page) -> list[tuple[Head, Head]]:
    """Each slur as (start head, stop head), matched by number in document order; asserts good nesting."""
    open_: dict[str, Head] = {}
    pairs = []
    for h in sorted((h for h in page.heads if h.slurs), key=lambda h: h.onset):
        for kind, number in sorted(h.slurs, key=lambda s: s[0] != "stop"):  # a stop frees its number first
            if kind == "start":
                assert number not in open_, f"slur {number} opened twice at {h.onset}"
                open_[number] = h
            elif kind == "stop":
                assert number in open_, f"slur {number} stops at {h.onset} without a start"
                pairs.append((open_.pop(number), h))
    assert not open_, f"slurs left open: {sorted(open_)}"
    return pairs


def avoidable_clashes(page: Page, fixed: set = frozenset()) -> list[tuple[Fraction, str, set[int]]]:
    """Letter clashes a speller could have avoided: some note of the clashing letter has another plausible
    name (one accidental at most; a white key takes one only from the key signature or as minor's raised
    seventh) whose letter no note sounding with it at any moment holds differently. A cross-relation the
    music forces (E under Eb with D and F sounding) is left out, and so are right-hand notes spelled as
    ``fixed`` (pitch class, (letter, alter)) says, the motif's own spelling."""
    spans = _spans(page)
    signature = _signature(page.fifths)
    leading = (_tonic(page.fifths, page.mode) + 11) % 12 if page.mode == "minor" else None
    out = []
    for t, letter, alters in letter_clashes(page):
        candidates = [s for s in spans if s[3] <= t < s[2] and s[0] == letter]
        if any(_renamable(s, spans, fixed, signature, leading) for s in candidates):
            out.append((t, letter, alters))
    return out


def _renamable(span, spans, fixed, signature, leading) -> bool:
    letter, alter, end, onset, pitch, staff = span
    if staff == 1 and (pitch % 12, (letter, alter)) in fixed:
        return False
    during = [s for s in spans if s is not span and s[3] < end and s[2] > onset]
    for other in LETTERS:
        new = (pitch % 12 - _STEP_PCS[other] + 6) % 12 - 6
        white = pitch % 12 in _STEP_PCS.values()
        if other == letter or abs(new) > 1 or (white and new and new != signature[other] and pitch % 12 != leading):
            continue
        if all(s[1] == new for s in during if s[0] == other):
            return True
    return False


def _signature(fifths: int) -> dict[str, int]:
    marked = "FCGDAEB"[:fifths] if fifths > 0 else "BEADGCF"[:-fifths]
    return {s: (1 if fifths > 0 else -1) if s in marked else 0 for s in LETTERS}


def _tonic(fifths: int, mode: str) -> int:
    return (7 * fifths + (9 if mode == "minor" else 0)) % 12


def _spans(page: Page) -> list[list]:
    """[letter, alter, end, onset, pitch, staff] per sounding note, ties joined."""
    spans, open_ = [], {}
    for h in page.heads:
        if h.grace:
            continue
        key = (h.staff, h.voice, h.pitch)
        if h.tie_stop and key in open_:
            open_[key][2] = h.onset + h.duration
            continue
        open_[key] = span = [h.letter, h.alter, h.onset + h.duration, h.onset, h.pitch, h.staff]
        spans.append(span)
    return spans
