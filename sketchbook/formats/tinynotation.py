"""Our own small reader for music21's tinyNotation, plus the `.tn` motif file format.

Written by hand rather than through music21 because importing music21 costs 0.3 s at start-up.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import NamedTuple

from sketchbook.formats.motif_text import motif_description
from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key, Meter, Motif, Note
from sketchbook.music.theory import estimate_key

GRID = Fraction(1, 24)  # quarter-note grid: fits triplets and sixteenths alike
MAX_TEXT_CHARS = 100_000
MAX_TOKEN_CHARS = 100  # long enough for any real token with a lyric; keeps the regexes linear in practice
MAX_TUPLET_DEPTH = 3  # trip{quad{trip{...}}} is already more than tinyNotation melodies use
MAX_NOTES = 5_000  # notes and rests in one melody

_STEPS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_ALTERS = {"": 0, "#": 1, "##": 2, "-": -1, "--": -2, "n": 0}
_TUPLETS = {"trip": Fraction(2, 3), "quad": Fraction(3, 4)}
_LENGTHS = {"1", "2", "4", "8", "16", "32", "64"}
_ACCIDENTAL = r"(?P<acc>##?|--?|n)?"
_LENGTH = r"(?P<length>\d+)?(?P<dots>\.*)"
_HIGH_NOTE = re.compile(rf"(?P<step>[a-g])(?P<up>'*){_ACCIDENTAL}(?P<up_after>'*){_LENGTH}")
_LOW_NOTE = re.compile(rf"(?P<step>([A-G])\2*){_ACCIDENTAL}{_LENGTH}")
_REST = re.compile(rf"r{_LENGTH}")
_METER = re.compile(r"(\d{1,9})/(\d{1,9})")
_OPEN = re.compile(r"(\w+)\{")
_MODIFIERS = re.compile(r"=[A-Za-z0-9]*|_.*")  # music21's id and lyric suffixes, ignored here
_KEY_LINE = re.compile(r"([A-Ga-g])([#b-]?)\s+(major|minor)", re.IGNORECASE)
_PICKUP_LINE = re.compile(r"\d{1,6}(/\d{1,6})?")


def quantise(time: Fraction) -> Fraction:
    """Round a time in quarter notes to the nearest point of the 1/24 grid (halves round up)."""
    return math.floor(Fraction(time) / GRID + Fraction(1, 2)) * GRID


class _Token(NamedTuple):
    pitch: int | None  # None for a rest
    spelling: tuple[str, int] | None  # (letter, alter) as written, kept for the score
    length: Fraction | None  # None: carry over the previous length
    dots: int
    tied: bool


def parse_tinynotation(
    text: str,
    *,
    name: str = "inline",
    description: str = "",
    key: Key | None = None,
    pickup: Fraction | None = None,
) -> Motif:
    """Read a tinyNotation melody such as '3/4 e4 f#8 g a2' into a Motif; time 0 is where the text starts."""
    if len(text) > MAX_TEXT_CHARS:
        raise SketchbookError(
            f"tinyNotation for {name!r} is too long ({len(text)} characters; at most {MAX_TEXT_CHARS})"
        )
    meter = Meter(4, 4)
    events: list[tuple[int | None, Fraction, Fraction, bool, str, tuple[str, int] | None]] = []
    tuplets: list[Fraction] = []
    last_length = Fraction(1)  # music21 starts with a quarter note
    time = Fraction(0)
    first_bar_line: Fraction | None = None
    for raw in text.replace("|", " | ").split():
        if raw == "|":
            # Bar lines are optional; the first one tells where a pickup ends.
            first_bar_line = time if first_bar_line is None else first_bar_line
            continue
        if len(raw) > MAX_TOKEN_CHARS:
            raise _bad(raw, f"tokens are limited to {MAX_TOKEN_CHARS} characters")
        if len(events) >= MAX_NOTES:
            raise SketchbookError(f"tinyNotation for {name!r} has more than {MAX_NOTES} notes and rests")
        t = raw
        while (found := _OPEN.match(t)) is not None:
            if found.group(1) not in _TUPLETS:
                raise _bad(raw, f"unknown bracket {found.group(1)!r} (use trip{{ or quad{{)")
            if len(tuplets) >= MAX_TUPLET_DEPTH:
                raise _bad(raw, f"brackets nest at most {MAX_TUPLET_DEPTH} deep")
            tuplets.append(_TUPLETS[found.group(1)])
            t = t[found.end() :]
        tied = "~" in t
        closes = t.count("}")
        t = _MODIFIERS.sub("", t.replace("~", "").replace("}", ""))
        if (found := _METER.fullmatch(t)) is not None:
            if events or tuplets:
                raise _bad(raw, "a time signature may only open the melody")
            meter = _meter(found, raw)
            continue
        token = _scan(t, raw, tied)
        length = last_length if token.length is None else token.length * (2 - Fraction(1, 2**token.dots))
        last_length = length  # music21 carries the untupleted length over
        for ratio in tuplets:
            length *= ratio
        events.append((token.pitch, time, length, token.tied, raw, token.spelling))
        time += length
        if closes > len(tuplets):
            raise _bad(raw, "closes a bracket that was never opened")
        del tuplets[len(tuplets) - closes :]
    if tuplets:
        raise SketchbookError(f"tinyNotation for {name!r} leaves a trip{{ or quad{{ bracket unclosed (add '}}')")
    notes = _merge_ties(events)
    if not notes:
        raise SketchbookError(f"tinyNotation for {name!r} has no notes")
    if pickup is None and first_bar_line is not None and 0 < first_bar_line < meter.bar_length:
        pickup = first_bar_line
    elif pickup is None and first_bar_line is None and events[0][0] is not None:
        # No bar line and no rest to place the notes: the rhythm tells where the first downbeat falls.
        from sketchbook.music.hear import written_pickup

        pickup = written_pickup(notes, meter)
    pickup = Fraction(pickup or 0)
    if not 0 <= pickup < meter.bar_length:
        raise SketchbookError(f"pickup {pickup} quarters must be shorter than a {meter} bar")
    try:
        return Motif(name, tuple(notes), key or estimate_key(notes, pickup), meter, pickup, description)
    except ValueError as error:
        raise SketchbookError(f"motif {name!r}: {error}") from None


def looks_like_tinynotation(text: str) -> bool:
    """True when the first word is a tinyNotation time signature, note, rest or bracket."""
    words = text.split()
    if not words or len(words[0]) > MAX_TOKEN_CHARS:
        return False
    t = _OPEN.sub("", words[0])
    t = _MODIFIERS.sub("", t.replace("~", "").replace("}", ""))
    if _METER.fullmatch(t):
        return True
    try:
        _scan(t, words[0], False)
    except SketchbookError:
        return False
    return True


def parse_motif_text(text: str, *, name: str) -> Motif:
    """Read a `.tn` motif file: '#' comment lines (the first is the description, plus optional
    '# key: D major' and '# pickup: 1/2' headers in quarter notes), then tinyNotation."""
    key = None
    pickup = None
    melody: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            melody.append(stripped)
            continue
        field, _, value = stripped.lstrip("#").partition(":")
        field = field.strip().lower()
        if field == "key":
            key = _key_header(value.strip(), name, number)
        elif field == "pickup":
            pickup = _pickup_header(value.strip(), name, number)
    return parse_tinynotation(
        " ".join(melody), name=name, description=motif_description(text), key=key, pickup=pickup
    )


def _scan(t: str, raw: str, tied: bool) -> _Token:
    if (found := _REST.fullmatch(t)) is not None:
        pitch, spelling = None, None
    elif (found := _HIGH_NOTE.fullmatch(t) or _LOW_NOTE.fullmatch(t)) is not None:
        marks = found.groupdict()
        if marks.get("up") and marks.get("up_after"):
            raise _bad(raw, "octave marks both before and after the accidental")
        step = found.group("step")
        if step.islower():
            octave = 4 + len(marks["up"]) + len(marks["up_after"])
        else:
            octave = 4 - len(step)
        alter = _ALTERS[found.group("acc") or ""]
        pitch = 12 * (octave + 1) + _STEPS[step[0].lower()] + alter
        spelling = (step[0].upper(), alter)
        if not 0 <= pitch <= 127:
            raise _bad(raw, f"pitch {pitch} is outside MIDI range 0..127")
    else:
        raise _bad(raw, "not a note, rest or time signature")
    digits, dots = found.group("length"), len(found.group("dots"))
    if digits is None:
        if dots:
            raise _bad(raw, "dots need a length before them, e.g. c4.")
        return _Token(pitch, spelling, None, 0, tied)
    if digits not in _LENGTHS:
        raise _bad(raw, f"length {digits} is not one of 1 2 4 8 16 32 64")
    if dots > 2:
        raise _bad(raw, "at most two dots")
    return _Token(pitch, spelling, Fraction(4, int(digits)), dots, tied)


def _merge_ties(events: list[tuple]) -> list[Note]:
    notes: list[Note] = []
    tied_from: str | None = None
    for pitch, start, length, tied, raw, spelling in events:
        begin, end = quantise(start), quantise(start + length)
        if tied_from is not None:
            if pitch is None or pitch != notes[-1].pitch:
                raise _bad(tied_from, f"a tie must join two notes of the same pitch, not {raw!r}")
            notes[-1] = Note(pitch, notes[-1].start, end - notes[-1].start, spelling=notes[-1].spelling)
        elif pitch is not None:
            if end <= begin:
                raise _bad(raw, "too short for the 1/24-quarter grid")
            notes.append(Note(pitch, begin, end - begin, spelling=spelling))
        tied_from = raw if tied and pitch is not None else None
    return notes


def _meter(found: re.Match[str], raw: str) -> Meter:
    try:
        return Meter(int(found.group(1)), int(found.group(2)))
    except ValueError as error:
        raise _bad(raw, str(error)) from None


def _key_header(value: str, name: str, number: int) -> Key:
    found = _KEY_LINE.fullmatch(value)
    if found is None:
        raise SketchbookError(
            f"motif {name!r} line {number}: key {_clip(value)!r} should look like 'D major' or 'F# minor'"
        )
    letter, accidental, mode = found.groups()
    alter = {"": 0, "#": 1, "b": -1, "-": -1}[accidental]
    return Key((_STEPS[letter.lower()] + alter) % 12, mode.lower())


def _pickup_header(value: str, name: str, number: int) -> Fraction:
    # A plain pattern first: Fraction() also takes '1e999999', which would build a huge number.
    try:
        if _PICKUP_LINE.fullmatch(value):
            return Fraction(value)
    except ZeroDivisionError:
        pass
    raise SketchbookError(
        f"motif {name!r} line {number}: pickup {_clip(value)!r} should be quarter notes such as 1 or 1/2"
    )


def _bad(raw: str, why: str) -> SketchbookError:
    return SketchbookError(f"cannot read tinyNotation token {_clip(raw)!r}: {why}")


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
