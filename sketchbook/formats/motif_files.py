"""Read a seed motif from a MIDI or MusicXML file: the top line of its first bars."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sketchbook.errors import SketchbookError
from sketchbook.formats.tinynotation import quantise
from sketchbook.load import FILE_MOTIF_BARS, MAX_FILE_BYTES
from sketchbook.model import Key, Meter, Motif, Note
from sketchbook.theory import estimate_key

MAX_NOTES = 100_000
DRUM_CHANNEL = 9
_TONICS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


@dataclass(frozen=True, slots=True)
class _Sound:
    """A note as read from a file, before it is trimmed into the motif."""

    pitch: int
    start: Fraction
    end: Fraction
    tied: bool = False  # tied on to the next note of the same pitch


def read_midi_motif(path: Path | str) -> Motif:
    """The highest line of a MIDI file's non-drum tracks, cut to its first bars."""
    path = Path(path)
    _check_size(path, "MIDI")
    try:
        import mido

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            midi = mido.MidiFile(str(path), clip=True)
        return _midi_to_motif(midi, path)
    except SketchbookError:
        raise
    except Exception as error:  # mido raises many kinds (OSError, EOFError, ValueError, KeyError...)
        raise SketchbookError(f"cannot read MIDI file {path}: {_one_line(error)}") from None


def read_musicxml_motif(path: Path | str) -> Motif:
    """The top line of a MusicXML file's first part (.musicxml, .xml or compressed .mxl)."""
    path = Path(path)
    _check_size(path, "MusicXML")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = _parse_musicxml(path)
            return _score_to_motif(score, path)
    except SketchbookError:
        raise
    except Exception as error:  # music21 and the XML parser raise many kinds
        raise SketchbookError(f"cannot read MusicXML file {path}: {_one_line(error)}") from None


def _midi_to_motif(midi, path: Path) -> Motif:
    tpb = midi.ticks_per_beat
    if not 0 < tpb < 0x8000:
        raise SketchbookError(f"MIDI file {path} uses SMPTE or zero timing, which is not supported")
    sounds: list[_Sound] = []
    meters: list[tuple[int, int, int]] = []
    keys: list[tuple[int, str]] = []
    count = 0
    for track in midi.tracks:
        tick = 0
        sounding: dict[tuple[int, int], list[int]] = {}
        for message in track:
            tick += message.time
            if message.type == "time_signature":
                meters.append((tick, message.numerator, message.denominator))
            elif message.type == "key_signature":
                keys.append((tick, message.key))
            elif message.type in ("note_on", "note_off") and message.channel != DRUM_CHANNEL:
                voice = (message.channel, message.note)
                if message.type == "note_on" and message.velocity > 0:
                    count += 1
                    if count > MAX_NOTES:
                        raise SketchbookError(f"MIDI file {path} has more than {MAX_NOTES} notes")
                    sounding.setdefault(voice, []).append(tick)
                elif sounding.get(voice):
                    start = sounding[voice].pop(0)
                    sounds.append(_Sound(message.note, Fraction(start, tpb), Fraction(tick, tpb)))
        # Notes never released last until the track ends.
        for (_, pitch), starts in sounding.items():
            sounds.extend(_Sound(pitch, Fraction(s, tpb), Fraction(tick, tpb)) for s in starts)
    meter = Meter(4, 4)
    if meters:
        _, numerator, denominator = min(meters, key=lambda m: m[0])
        meter = _meter(numerator, denominator, path)
    key = _midi_key(min(keys, key=lambda k: k[0])[1]) if keys else None
    return _to_motif(sounds, meter, Fraction(0), key, path, pickup_from_rest=True)


def _parse_musicxml(path: Path):
    from music21 import converter
    from music21.musicxml import xmlToM21

    importer = xmlToM21.MusicXMLImporter()
    if path.suffix.lower() == ".mxl":
        import zipfile

        with zipfile.ZipFile(path) as archive:
            # Refuse zip bombs before music21 unpacks the score into memory.
            if sum(info.file_size for info in archive.infolist()) > 20 * MAX_FILE_BYTES:
                raise SketchbookError(f"MusicXML file {path} unpacks to over {20 * MAX_FILE_BYTES} bytes")
        importer.xmlText = converter.ArchiveManager(path).getData()
        importer.parseXMLText()
    else:
        importer.readFile(str(path))
    return importer.stream


def _score_to_motif(score, path: Path) -> Motif:
    from music21 import chord, harmony, key, meter, note, stream

    parts = list(score.parts)
    if not parts:
        raise SketchbookError(f"MusicXML file {path} has no parts")
    part = parts[0]
    elements = list(part.recurse().notes)
    if len(elements) > MAX_NOTES:
        raise SketchbookError(f"MusicXML file {path} has more than {MAX_NOTES} notes")
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
        length = Fraction(element.duration.quarterLength).limit_denominator(10_000)
        tied = tie is not None and tie.type in ("start", "continue")
        sounds.append(_Sound(_fold(round(top.ps)), start, start + length, tied))
    signature_key = part.recurse().getElementsByClass(key.KeySignature).first()
    sharps = signature_key.sharps if signature_key is not None else None
    return _to_motif(sounds, time, pickup, sharps, path, pickup_from_rest=False)


def _to_motif(
    sounds: list[_Sound],
    meter: Meter,
    pickup: Fraction,
    key: Key | int | None,
    path: Path,
    *,
    pickup_from_rest: bool,
) -> Motif:
    """Quantise, keep the top line, drop leading empty bars, cut to FILE_MOTIF_BARS bars, pick a key."""
    line = _merge_ties(_top_line(sounds))
    if not line:
        raise SketchbookError(f"{path} has no pitched notes")
    bar = meter.bar_length
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
    limit = pickup + FILE_MOTIF_BARS * bar
    notes = tuple(
        Note(s.pitch, s.start - shift, min(s.end, limit + shift) - s.start)
        for s in line
        if s.start - shift < limit
    )
    if isinstance(key, int):
        key = _mode_from_signature(key, notes)
    name = path.stem or "file"
    try:
        return Motif(name, notes, key or estimate_key(notes), meter, pickup, f"from {path.name}")
    except ValueError as error:
        raise SketchbookError(f"{path}: {error}") from None


def _top_line(sounds: list[_Sound]) -> list[_Sound]:
    """Skyline: the highest note at each onset, skipping notes that start under a higher held note."""
    grid = []
    for s in sounds:
        start, end = quantise(s.start), quantise(s.end)
        if end > start:
            grid.append(_Sound(s.pitch, start, end, s.tied))
    grid.sort(key=lambda s: (s.start, -s.pitch))
    line: list[_Sound] = []
    for s in grid:
        if line and s.start < line[-1].end:
            last = line[-1]
            if s.start == last.start or s.pitch < last.pitch:
                continue
            line[-1] = _Sound(last.pitch, last.start, s.start, False)
        line.append(s)
    return line


def _merge_ties(line: list[_Sound]) -> list[_Sound]:
    merged: list[_Sound] = []
    for s in line:
        last = merged[-1] if merged else None
        if last is not None and last.tied and last.pitch == s.pitch and last.end == s.start:
            merged[-1] = _Sound(s.pitch, last.start, s.end, s.tied)
        else:
            merged.append(s)
    return merged


def _mode_from_signature(sharps: int, notes: tuple[Note, ...]) -> Key:
    """A key signature fixes the tonic up to major or relative minor; the melody decides which."""
    major = Key(7 * sharps % 12, "major")
    minor = Key((major.tonic + 9) % 12, "minor")
    guess = estimate_key(notes)
    if guess in (major, minor):
        return guess
    last = max(notes, key=lambda n: n.start)
    return minor if last.pitch % 12 == minor.tonic else major


def _midi_key(name: str) -> Key:
    mode = "minor" if name.endswith("m") else "major"
    tonic = _TONICS[name[0]] + name[1:].count("#") - name[1:].count("b")
    return Key(tonic % 12, mode)


def _meter(numerator: int, denominator: int, path: Path) -> Meter:
    try:
        return Meter(int(numerator), int(denominator))
    except ValueError as error:
        raise SketchbookError(f"{path}: unsupported time signature: {error}") from None


def _fold(pitch: int) -> int:
    """Bring a pitch into MIDI range by whole octaves."""
    while pitch > 127:
        pitch -= 12
    while pitch < 0:
        pitch += 12
    return pitch


def _check_size(path: Path, kind: str) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SketchbookError(f"motif file not found: {path}") from None
    except OSError as error:
        raise SketchbookError(f"cannot read {kind} file {path}: {_one_line(error)}") from None
    if not path.is_file():
        raise SketchbookError(f"{path} is not a file")
    if size == 0:
        raise SketchbookError(f"{kind} file {path} is empty")
    if size > MAX_FILE_BYTES:
        raise SketchbookError(
            f"{kind} file {path} is {size} bytes; motif files are limited to {MAX_FILE_BYTES} bytes"
        )


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."
