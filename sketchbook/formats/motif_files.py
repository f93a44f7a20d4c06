"""Read a seed motif from a MIDI or MusicXML file: the top line of its first bars.

Both readers treat files as hostile: sizes and counts are bounded (see the MAX_ constants here
and in formats/safe_xml.py) and every failure is a one-line SketchbookError.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sketchbook.files import read_limited, shown
from sketchbook.formats.midi_lines import MAX_NOTES, choose_lines, is_notation, read_midi_content, seconds
from sketchbook.formats.reading import FILE_MOTIF_BARS, MAX_FILE_BYTES, MAX_MOTIF_BARS, Reading
from sketchbook.formats.smf import MidiError
from sketchbook.formats.tinynotation import quantise
from sketchbook.music.errors import SketchbookError
from sketchbook.music.hear import DEFAULT_SUBDIVISIONS, Played, hear, subdivisions_for, top_line
from sketchbook.music.model import Key, Meter, Motif, Note
from sketchbook.music.theory import estimate_key

__all__ = ["MAX_NOTES", "read_midi_motif", "read_musicxml_motif"]
MAX_SECONDS = 10.0  # a backstop around music21, whose run time we do not control


@dataclass(frozen=True, slots=True)
class _Sound:
    """A note as read from a file, before it is trimmed into the motif."""

    pitch: int
    start: Fraction
    end: Fraction
    tied: bool = False  # tied on to the next note of the same pitch
    spelling: tuple[str, int] | None = None  # (letter, alter) as the file wrote it; MIDI has none


def read_midi_motif(path: Path | str, reading: Reading | None = None) -> Motif:
    """The melody of a MIDI file, cut to its first bars: notation as written, or a performance as heard."""
    path = Path(path)
    data = read_limited(path, MAX_FILE_BYTES, "MIDI")
    try:
        return _midi_to_motif(data, path, reading or Reading())
    except SketchbookError:
        raise
    except MidiError as error:
        raise SketchbookError(f"cannot read MIDI file {shown(path)}: {error}") from None
    except Exception as error:  # a bug on odd input still ends in one line
        raise SketchbookError(f"cannot read MIDI file {shown(path)}: {_one_line(error)}") from None


def read_musicxml_motif(path: Path | str, reading: Reading | None = None) -> Motif:
    """The top line of a MusicXML file's first part (.musicxml, .xml or compressed .mxl)."""
    from sketchbook.formats.safe_xml import read_score_tree

    path = Path(path)
    reading = reading or Reading()
    root, cut = read_score_tree(path, reading.part)
    if root.tag != "score-partwise":
        raise SketchbookError(
            f"cannot read MusicXML file {shown(path)}: it is not a partwise score (its root is <{root.tag[:40]}>)"
        )
    from sketchbook.limits import TimeLimit

    try:
        where = f" in {cut}" if cut else ""
        return _score_to_motif(music21_stream(root, MAX_SECONDS), path, where, reading.bars)
    except SketchbookError:
        raise
    except TimeLimit:
        raise SketchbookError(f"gave up reading MusicXML file {shown(path)} after {MAX_SECONDS:g} s") from None
    except ZeroDivisionError:
        raise SketchbookError(
            f"cannot read MusicXML file {shown(path)}: it divides by zero (a <divisions> or time signature of 0?)"
        ) from None
    except Exception as error:  # music21 raises many kinds
        raise SketchbookError(f"cannot read MusicXML file {shown(path)}: {_one_line(error)}") from None


def _midi_to_motif(data: bytes, path: Path, reading: Reading) -> Motif:
    content = read_midi_content(data, shown(path))
    lines = choose_lines(content, reading.track, shown(path))
    notes = [n for line in lines for n in line.notes]
    tpq = content.ticks_per_quarter
    hinted = _meter(*reading.meter, path) if reading.meter else None
    if notes and is_notation(notes, tpq) and reading.grid is None:
        sounds: list[_Sound] = []
        for pitch, start, end, _ in notes:
            _add_on_grid(sounds, pitch, start, end, tpq)
        meter = hinted or Meter(4, 4)
        if content.meters and not hinted:
            _, numerator, denominator = min(content.meters, key=lambda m: m[0])
            meter = _meter(numerator, denominator, path)
        key = _midi_key(*min(content.keys, key=lambda k: k[0])[1:]) if content.keys else None
        return _to_motif(sounds, meter, Fraction(0), key, path, pickup_from_rest=True, bars=reading.bars)
    if not notes:
        raise SketchbookError(f"{shown(path)} has no pitched notes")
    # A performance: its header is whatever the recorder wrote, so the notes alone tell the metre.
    at = seconds(content)
    played = [Played(p, at(on), at(max(off, on + 1)), v) for p, on, off, v in notes]
    subdivisions = subdivisions_for(reading.grid) if reading.grid else DEFAULT_SUBDIVISIONS
    heard = hear(top_line(played), meter=hinted, subdivisions=subdivisions)
    sounds = [_Sound(n.pitch, n.start, n.end) for n in heard.notes]
    # A take played in is meant whole (up to the longest motif), not cut like an arrangement's first bars.
    bars = reading.bars or (1, MAX_MOTIF_BARS)
    return _to_motif(sounds, heard.meter, heard.pickup, None, path, pickup_from_rest=False, bars=bars,
                     tempo=round(heard.bpm))


def _add_on_grid(sounds: list[_Sound], pitch: int, start: int, end: int, tpb: int) -> None:
    """Quantise ticks to the 1/24-quarter grid in integers (as quantise() does, but far faster)."""
    begin, finish = (48 * start + tpb) // (2 * tpb), (48 * end + tpb) // (2 * tpb)
    if finish > begin:
        sounds.append(_Sound(pitch, Fraction(begin, 24), Fraction(finish, 24)))


def music21_stream(root, seconds: float):
    """A parsed score tree handed to music21's importer (never its converter and pickle cache), under a
    wall-clock deadline: raises safety.TimeLimit when music21 runs away."""
    from sketchbook.limits import deadline

    with warnings.catch_warnings(), deadline(seconds):
        warnings.simplefilter("ignore")
        from music21.musicxml import xmlToM21

        importer = xmlToM21.MusicXMLImporter()
        importer.xmlRoot = root
        importer.xmlRootToScore(root, importer.stream)
        return importer.stream


def _score_to_motif(score, path: Path, where: str = "", bars: tuple[int, int] | None = None) -> Motif:
    from music21 import chord, harmony, key, meter, note, stream

    parts = list(score.parts)
    if not parts:
        raise SketchbookError(f"MusicXML file {shown(path)} has no parts")
    part = parts[0]
    signature = part.recurse().getElementsByClass(meter.TimeSignature).first()
    time = _meter(signature.numerator, signature.denominator, path) if signature else Meter(4, 4)
    pickup = Fraction(0)
    measures = list(part.getElementsByClass(stream.Measure))
    if len(measures) > 1:
        first = Fraction(measures[0].duration.quarterLength).limit_denominator(10_000)
        if 0 < first < time.bar_length:
            pickup = first
    sounds: list[_Sound] = []
    for element in part.flatten().notes:
        if element.duration.isGrace or isinstance(element, harmony.ChordSymbol):
            continue
        if isinstance(element, note.Note):
            top, tie = element.pitch, element.tie
        elif isinstance(element, chord.Chord) and element.pitches:
            top = max(element.pitches, key=lambda p: p.ps)
            tie = element.getTie(top)
        else:
            continue  # unpitched percussion
        start = Fraction(element.offset).limit_denominator(10_000)
        end = quantise(start + Fraction(element.duration.quarterLength).limit_denominator(10_000))
        tied = tie is not None and tie.type in ("start", "continue")
        if end > quantise(start):
            sounds.append(_Sound(_fold(round(top.ps)), quantise(start), end, tied, _spelling(top)))
    if not sounds and where:
        raise SketchbookError(f"{shown(path)} has no pitched notes{where}")
    signature_key = part.recurse().getElementsByClass(key.KeySignature).first()
    sharps = signature_key.sharps if signature_key is not None else None
    return _to_motif(sounds, time, pickup, sharps, path, pickup_from_rest=False, bars=bars)


def _to_motif(
    sounds: list[_Sound],
    meter: Meter,
    pickup: Fraction,
    key: Key | int | None,
    path: Path,
    *,
    pickup_from_rest: bool,
    bars: tuple[int, int] | None = None,
    tempo: int | None = None,
) -> Motif:
    """Keep the top line of sounds already on the grid, drop leading empty bars, cut to the chosen bars
    (the first FILE_MOTIF_BARS by default), pick a key."""
    if not sounds:
        raise SketchbookError(f"{shown(path)} has no pitched notes")
    bar = meter.bar_length
    first_bar, last_bar = bars or (1, FILE_MOTIF_BARS)
    # Sounds this far past the first onset can neither enter the motif nor shorten a note in it.
    horizon = min(s.start for s in sounds) + (last_bar + 2) * bar
    line = _merge_ties(_top_line([s for s in sounds if s.start < horizon]))
    first = line[0].start
    if first >= pickup:
        # Leading silence goes up to the bar line before the first note.
        shift = pickup + (first - pickup) // bar * bar
        pickup = Fraction(0)
        if pickup_from_rest and first - shift >= bar / 2:
            # A long rest before the first note makes the notes up to the next bar line a pickup.
            pickup = bar - (first - shift)
            shift = first
    else:
        shift = Fraction(0)
    if first_bar > 1:  # a later span of bars: it starts on its bar line, with no pickup
        shift += pickup + (first_bar - 1) * bar
        pickup = Fraction(0)
    limit = pickup + (last_bar - first_bar + 1) * bar
    notes = tuple(
        Note(s.pitch, s.start - shift, min(s.end, limit + shift) - s.start, spelling=s.spelling)
        for s in line
        if s.start - shift < limit and (first_bar == 1 or s.start >= shift)
    )
    if not notes:  # only a later span of bars can be empty: the first bars hold the first note
        raise SketchbookError(f"{shown(path)} has no notes in bars {first_bar}-{last_bar}")
    if isinstance(key, int):
        key = _mode_from_signature(key, notes)
    name = path.stem or "file"
    heard = f", heard at {tempo} bpm" if tempo else ""
    try:
        return Motif(name, notes, key or estimate_key(notes, pickup), meter, pickup, f"from {path.name}{heard}")
    except ValueError as error:
        raise SketchbookError(f"{shown(path)}: {error}") from None


def _top_line(sounds: list[_Sound]) -> list[_Sound]:
    """Skyline: the highest note at each onset, skipping notes that start under a higher held note."""
    line: list[_Sound] = []
    for s in sorted(sounds, key=lambda s: (s.start, -s.pitch)):
        if line and s.start < line[-1].end:
            last = line[-1]
            if s.start == last.start or s.pitch < last.pitch:
                continue
            line[-1] = _Sound(last.pitch, last.start, s.start, False, last.spelling)
        line.append(s)
    return line


def _merge_ties(line: list[_Sound]) -> list[_Sound]:
    merged: list[_Sound] = []
    for s in line:
        last = merged[-1] if merged else None
        if last is not None and last.tied and last.pitch == s.pitch and last.end == s.start:
            merged[-1] = _Sound(s.pitch, last.start, s.end, s.tied, last.spelling)
        else:
            merged.append(s)
    return merged


def _spelling(pitch) -> tuple[str, int] | None:
    """A music21 pitch's letter and whole-tone alteration; None for microtones or triple accidentals."""
    alter = pitch.alter
    if alter != int(alter) or not -2 <= alter <= 2 or pitch.step not in "CDEFGAB":
        return None
    return pitch.step, int(alter)


def _mode_from_signature(sharps: int, notes: tuple[Note, ...]) -> Key:
    """A key signature fixes the tonic up to major or relative minor; the melody decides which."""
    major = Key(7 * sharps % 12, "major")
    minor = Key((major.tonic + 9) % 12, "minor")
    guess = estimate_key(notes)
    if guess in (major, minor):
        return guess
    last = max(notes, key=lambda n: n.start)
    return minor if last.pitch % 12 == minor.tonic else major


def _midi_key(sharps: int, minor: int) -> Key | None:
    """A MIDI key signature (sharps, 0 major / 1 minor); None when it is out of range."""
    if not -7 <= sharps <= 7 or minor not in (0, 1):
        return None
    major = 7 * sharps % 12
    return Key((major + 9) % 12, "minor") if minor else Key(major, "major")


def _meter(numerator: int, denominator: int, path: Path) -> Meter:
    try:
        return Meter(int(numerator), int(denominator))
    except ValueError as error:
        raise SketchbookError(f"{shown(path)}: unsupported time signature: {error}") from None


def _fold(pitch: int) -> int:
    """Bring a pitch into MIDI range by whole octaves (in one step: the pitch may be absurd)."""
    if pitch > 127:
        return 127 - (127 - pitch) % 12
    return pitch % 12 if pitch < 0 else pitch


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."
