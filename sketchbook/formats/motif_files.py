"""Read a seed motif from a MIDI or MusicXML file: the top line of its first bars.

Both readers treat files as hostile: sizes and counts are bounded (see the MAX_ constants here
and in formats/safe_xml.py) and every failure is a one-line SketchbookError.
"""

from __future__ import annotations

import signal
import threading
import warnings
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sketchbook.errors import SketchbookError
from sketchbook.formats.smf import MidiError, midi_chunks, midi_events
from sketchbook.formats.tinynotation import quantise
from sketchbook.load import FILE_MOTIF_BARS, MAX_FILE_BYTES, read_limited, shown
from sketchbook.model import Key, Meter, Motif, Note
from sketchbook.theory import estimate_key

MAX_NOTES = 100_000  # MIDI note-ons read (the file size already bounds events to about a million)
MAX_SECONDS = 10.0  # a backstop around music21, whose run time we do not control
DRUM_CHANNEL = 9


@dataclass(frozen=True, slots=True)
class _Sound:
    """A note as read from a file, before it is trimmed into the motif."""

    pitch: int
    start: Fraction
    end: Fraction
    tied: bool = False  # tied on to the next note of the same pitch
    spelling: tuple[str, int] | None = None  # (letter, alter) as the file wrote it; MIDI has none


def read_midi_motif(path: Path | str) -> Motif:
    """The highest line of a MIDI file's non-drum tracks, cut to its first bars."""
    path = Path(path)
    data = read_limited(path, MAX_FILE_BYTES, "MIDI")
    try:
        return _midi_to_motif(data, path)
    except SketchbookError:
        raise
    except MidiError as error:
        raise SketchbookError(f"cannot read MIDI file {shown(path)}: {error}") from None
    except Exception as error:  # a bug on odd input still ends in one line
        raise SketchbookError(f"cannot read MIDI file {shown(path)}: {_one_line(error)}") from None


def read_musicxml_motif(path: Path | str) -> Motif:
    """The top line of a MusicXML file's first part (.musicxml, .xml or compressed .mxl)."""
    from sketchbook.formats.safe_xml import read_score_tree

    path = Path(path)
    root, cut = read_score_tree(path)
    if root.tag != "score-partwise":
        raise SketchbookError(
            f"cannot read MusicXML file {shown(path)}: it is not a partwise score (its root is <{root.tag[:40]}>)"
        )
    try:
        with warnings.catch_warnings(), _deadline(MAX_SECONDS):
            warnings.simplefilter("ignore")
            from music21.musicxml import xmlToM21

            importer = xmlToM21.MusicXMLImporter()
            importer.xmlRoot = root
            importer.xmlRootToScore(root, importer.stream)
            where = f" in {cut}" if cut else ""
            return _score_to_motif(importer.stream, path, where)
    except SketchbookError:
        raise
    except _Timeout:
        raise SketchbookError(f"gave up reading MusicXML file {shown(path)} after {MAX_SECONDS:g} s") from None
    except ZeroDivisionError:
        raise SketchbookError(
            f"cannot read MusicXML file {shown(path)}: it divides by zero (a <divisions> or time signature of 0?)"
        ) from None
    except Exception as error:  # music21 raises many kinds
        raise SketchbookError(f"cannot read MusicXML file {shown(path)}: {_one_line(error)}") from None


def _midi_to_motif(data: bytes, path: Path) -> Motif:
    tpb, tracks = midi_chunks(data)
    sounds: list[_Sound] = []
    meters: list[tuple[int, int, int]] = []
    keys: list[tuple[int, int, int]] = []
    count = 0
    for number, track in enumerate(tracks, start=1):
        tick = 0
        sounding: dict[tuple[int, int], deque[int]] = {}
        for delta, status, first, second in midi_events(track, number):
            tick += delta
            if status == 0xFF:
                if first == 0x58 and len(second) >= 2:
                    meters.append((tick, second[0], 2 ** min(second[1], 8)))
                elif first == 0x59 and len(second) >= 2:
                    keys.append((tick, second[0] - 256 * (second[0] > 127), second[1]))
                continue
            kind, channel = status & 0xF0, status & 0x0F
            if kind not in (0x80, 0x90) or channel == DRUM_CHANNEL:
                continue
            voice = (channel, first)
            if kind == 0x90 and second > 0:
                count += 1
                if count > MAX_NOTES:
                    raise SketchbookError(f"MIDI file {shown(path)} has more than {MAX_NOTES} notes")
                sounding.setdefault(voice, deque()).append(tick)
            elif sounding.get(voice):
                _add_on_grid(sounds, first, sounding[voice].popleft(), tick, tpb)
        # Notes never released last until the track ends.
        for (_, pitch), starts in sounding.items():
            for start in starts:
                _add_on_grid(sounds, pitch, start, tick, tpb)
    meter = Meter(4, 4)
    if meters:
        _, numerator, denominator = min(meters, key=lambda m: m[0])
        meter = _meter(numerator, denominator, path)
    key = _midi_key(*min(keys, key=lambda k: k[0])[1:]) if keys else None
    return _to_motif(sounds, meter, Fraction(0), key, path, pickup_from_rest=True)


def _add_on_grid(sounds: list[_Sound], pitch: int, start: int, end: int, tpb: int) -> None:
    """Quantise ticks to the 1/24-quarter grid in integers (as quantise() does, but far faster)."""
    begin, finish = (48 * start + tpb) // (2 * tpb), (48 * end + tpb) // (2 * tpb)
    if finish > begin:
        sounds.append(_Sound(pitch, Fraction(begin, 24), Fraction(finish, 24)))


class _Timeout(BaseException):
    """Not an Exception, so that music21's own ``except Exception`` cannot swallow it."""


@contextmanager
def _deadline(seconds: float):
    """Raise _Timeout after ``seconds`` of wall time (main thread on POSIX only; else no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # leave someone else's timer alone
        yield
        return

    def expire(_signum, _frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _score_to_motif(score, path: Path, where: str = "") -> Motif:
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
    """Keep the top line of sounds already on the grid, drop leading empty bars, cut to FILE_MOTIF_BARS
    bars, pick a key."""
    if not sounds:
        raise SketchbookError(f"{shown(path)} has no pitched notes")
    bar = meter.bar_length
    # Sounds this far past the first onset can neither enter the motif nor shorten a note in it.
    horizon = min(s.start for s in sounds) + (FILE_MOTIF_BARS + 2) * bar
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
    limit = pickup + FILE_MOTIF_BARS * bar
    notes = tuple(
        Note(s.pitch, s.start - shift, min(s.end, limit + shift) - s.start, spelling=s.spelling)
        for s in line
        if s.start - shift < limit
    )
    if isinstance(key, int):
        key = _mode_from_signature(key, notes)
    name = path.stem or "file"
    try:
        return Motif(name, notes, key or estimate_key(notes, pickup), meter, pickup, f"from {path.name}")
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
