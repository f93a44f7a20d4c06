"""Facts about a written MIDI or MusicXML file: tempo, bars, notes, range, ornaments, pedal, dynamics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Generic, TypeVar

from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key
from sketchbook.music.theory import LETTERS, key_name, spell

MIDI_SUFFIXES = (".mid", ".midi")
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")
DRUM_CHANNEL = 9
ORNAMENT_KINDS = ("trill", "mordent", "inverted-mordent", "turn", "tremolo", "arpeggio", "grace")

V = TypeVar("V", float, str)


@dataclass(frozen=True, slots=True)
class Marked(Generic[V]):
    """A mark and the bar it first stands in: a tempo (bpm), a time signature or a key."""

    bar: int
    value: V


@dataclass(frozen=True, slots=True)
class PitchRange:
    lowest: str
    highest: str
    lowest_midi: int
    highest_midi: int


@dataclass(frozen=True, slots=True)
class Facts:
    """What inspect reports about a file. MIDI notates no ornaments or dynamic marks (None); a score
    sounds no velocities (None)."""

    file: str
    format: str  # "midi" or "musicxml"
    tempos: tuple[Marked[float], ...]
    bars: int
    duration_seconds: float
    notes: int
    onsets: int
    beats: float
    onsets_per_beat: float
    pitch_range: PitchRange | None
    ornaments: dict[str, int] | None
    pedal_presses: int
    dynamic_marks: dict[str, int] | None
    velocity: tuple[int, int] | None  # (lowest, highest)
    time_signatures: tuple[Marked[str], ...]
    key_signatures: tuple[Marked[str], ...]

    def as_json(self) -> dict[str, Any]:
        """The facts as inspect --json prints them; the key order is part of the format."""
        velocity = self.velocity
        return {
            "file": self.file,
            "format": self.format,
            "tempos": [{"bar": m.bar, "bpm": m.value} for m in self.tempos],
            "bars": self.bars,
            "duration_seconds": self.duration_seconds,
            "notes": self.notes,
            "onsets": self.onsets,
            "beats": self.beats,
            "onsets_per_beat": self.onsets_per_beat,
            "pitch_range": None if self.pitch_range is None else {
                "lowest": self.pitch_range.lowest, "highest": self.pitch_range.highest,
                "lowest_midi": self.pitch_range.lowest_midi, "highest_midi": self.pitch_range.highest_midi,
            },
            "ornaments": self.ornaments,
            "pedal": {"presses": self.pedal_presses},
            "dynamics": {"marks": self.dynamic_marks,
                         "velocity": None if velocity is None else {"min": velocity[0], "max": velocity[1]}},
            "time_signatures": [{"bar": m.bar, "signature": m.value} for m in self.time_signatures],
            "key_signatures": [{"bar": m.bar, "key": m.value} for m in self.key_signatures],
        }  # fmt: skip


def inspect_file(path: Path) -> Facts:
    """Inspect a MIDI or MusicXML file, chosen by its suffix."""
    from sketchbook.files import shown

    path = Path(path)
    if not path.exists():
        raise SketchbookError(f"{shown(path)}: no such file")
    if not path.is_file():  # a FIFO or device would block or never end
        raise SketchbookError(f"{shown(path)} is not a regular file")
    suffix = path.suffix.lower()
    if suffix in MIDI_SUFFIXES:
        return inspect_midi(path)
    if suffix in MUSICXML_SUFFIXES:
        return inspect_musicxml(path)
    raise SketchbookError(f"{path}: not a MIDI or MusicXML file (.mid, .midi, .musicxml, .xml, .mxl)")


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__


def _midi_key(text: str) -> Key:
    """mido's key text ('D', 'Bbm', 'F#') as a Key."""
    mode = "minor" if text.endswith("m") else "major"
    letter, accidentals = text[0], text.rstrip("m")[1:]
    pc = (0, 2, 4, 5, 7, 9, 11)[LETTERS.index(letter)] + accidentals.count("#") - accidentals.count("b")
    return Key(pc % 12, mode)


def _pitch_name(pitch: int, key: Key | None) -> str:
    letter, alter, octave = spell(pitch, key or Key(0))
    return f"{letter}{'#' * alter if alter > 0 else 'b' * -alter}{octave}"


def inspect_midi(path: Path) -> Facts:
    """Facts about a MIDI file; MIDI notates no ornaments, dynamics or pickup, so a pickup counts as a bar."""
    from sketchbook.files import shown
    from sketchbook.formats.midi_scan import bar_finder, bar_lines, scan_midi

    path = Path(path)
    scan = scan_midi(path)
    tpb = scan.ticks_per_beat
    runs, beats = bar_lines(scan, shown(path))
    bar_at = bar_finder(runs)

    tempos: list[Marked[float]] = []
    for t, us in sorted(scan.tempos):
        bpm = round(60_000_000 / us, 2)
        if not tempos or tempos[-1].value != bpm:
            tempos.append(Marked(bar_at(t), bpm))
    tempos = tempos or [Marked(1, 120.0)]  # the tempo MIDI assumes when none is set
    keys = [(t, _sharps_key(sharps, minor)) for t, sharps, minor in sorted(scan.keys)]
    key = keys[0][1] if keys else None

    starts = sorted(start for start, *_ in scan.notes)
    # Chord spread and hand offsets in a performance (tens of ticks) still make one onset.
    onsets = sum(1 for i, t in enumerate(starts) if i == 0 or t - starts[i - 1] > tpb / 12)
    notes = [n for n in scan.notes if n.channel != DRUM_CHANNEL]
    velocities = [n.velocity for n in notes]
    # One pedal, however many channels repeat its CC64: it is down while any channel holds it.
    pedal_down: set[int] = set()
    presses = 0
    for _, channel, value, _track in sorted(scan.pedal, key=lambda e: e[0]):
        presses += value >= 64 and not pedal_down
        (pedal_down.add if value >= 64 else pedal_down.discard)(channel)
    pitches = [n.pitch for n in notes]
    meters = sorted(scan.meters)
    if not meters or meters[0][0] > 0:
        meters.insert(0, (0, 4, 4))
    low, high = (min(pitches), max(pitches)) if pitches else (0, 0)
    return Facts(
        file=str(path),
        format="midi",
        tempos=tuple(tempos),
        bars=sum(count for *_, count in runs),
        duration_seconds=round(scan.duration(), 3),
        notes=len(notes),
        onsets=onsets,
        beats=beats,
        onsets_per_beat=round(onsets / beats, 3) if beats else 0.0,
        pitch_range=PitchRange(_pitch_name(low, key), _pitch_name(high, key), low, high) if pitches else None,
        ornaments=None,
        pedal_presses=presses,
        dynamic_marks=None,
        velocity=(min(velocities), max(velocities)) if velocities else None,
        time_signatures=_dedupe([Marked(bar_at(t), f"{n}/{d}") for t, n, d in meters]),
        key_signatures=_dedupe([Marked(bar_at(t), key_name(k)) for t, k in keys]),
    )


def _sharps_key(sharps: int, minor: int) -> Key:
    """A MIDI key signature (sharps, or flats when negative; minor flag) as a Key."""
    major = (7 * sharps) % 12
    return Key((major + 9) % 12, "minor") if minor else Key(major, "major")


def _dedupe(marks: list[Marked[V]]) -> tuple[Marked[V], ...]:
    """Drop marks that repeat the one before (each staff or track restates them)."""
    out: list[Marked[V]] = []
    for mark in sorted(marks, key=lambda m: m.bar):
        if not out or out[-1].value != mark.value:
            out.append(mark)
    return tuple(out)


def _ornament_kind(expression) -> str | None:
    from music21 import expressions

    for cls, kind in ((expressions.Trill, "trill"), (expressions.InvertedMordent, "inverted-mordent"),
                      (expressions.GeneralMordent, "mordent"), (expressions.Turn, "turn"),
                      (expressions.Tremolo, "tremolo"), (expressions.ArpeggioMark, "arpeggio")):
        if isinstance(expression, cls):
            return kind
    return None


def _m21_range(pitches: list) -> PitchRange | None:
    if not pitches:
        return None
    low, high = min(pitches, key=lambda p: p.ps), max(pitches, key=lambda p: p.ps)
    return PitchRange(low.nameWithOctave.replace("-", "b"), high.nameWithOctave.replace("-", "b"), low.midi, high.midi)


def inspect_musicxml(path: Path) -> Facts:
    """Facts about a MusicXML score (.musicxml, .xml or compressed .mxl) as music21 reads it."""
    from music21 import chord, expressions, note, stream

    from sketchbook.formats.score_read import read_score

    path = Path(path)
    score = read_score(path)  # hardened: never music21's converter and its shared pickle cache
    if not isinstance(score, stream.Score):
        score = stream.Score([score])

    ornaments = Counter({kind: 0 for kind in ORNAMENT_KINDS})
    onsets: set[float | Fraction] = set()
    notes = 0
    pitches: list = []
    for part in score.parts:
        for n in part.flatten().notes:
            if n.duration.isGrace:
                ornaments["grace"] += 1
                continue
            for e in n.expressions:
                if kind := _ornament_kind(e):
                    ornaments[kind] += 1
            # A tied continuation sounds no new note.
            heads = n.notes if isinstance(n, chord.Chord) else [n]
            attacks = [x for x in heads if not (x.tie and x.tie.type in ("stop", "continue"))]
            if attacks:
                onsets.add(n.offset)
            notes += len(attacks)
            pitches += [x.pitch for x in attacks if isinstance(x, note.Note)]
    for sp in score.spannerBundle:
        if isinstance(sp, expressions.TremoloSpanner):
            ornaments["tremolo"] += 1
        elif isinstance(sp, expressions.ArpeggioMarkSpanner):
            ornaments["arpeggio"] += 1
    # Each pedal line is one press, and each change (a notch in the line) one more.
    pedals = sum(1 + sum(isinstance(e, expressions.PedalBounce) for e in sp.getSpannedElements())
                 for sp in score.spannerBundle if isinstance(sp, expressions.PedalMark))

    measures = list(score.parts[0].getElementsByClass(stream.Measure)) if score.parts else []
    bars = sum(1 for m in measures if not (m is measures[0] and (m.number == 0 or m.paddingLeft > 0)))
    beats = 0.0
    for m in measures:
        ts = m.timeSignature or m.getContextByClass("TimeSignature")
        beats += m.duration.quarterLength / (ts.beatDuration.quarterLength if ts else 1.0)

    tempos: list[Marked[float]] = []
    seconds = 0.0
    for start, stop, mm in score.metronomeMarkBoundaries():
        bpm = mm.getQuarterBPM() or 120.0
        seconds += (stop - start) * 60.0 / bpm
    for mm in score.recurse().getElementsByClass("MetronomeMark"):
        if (bpm := mm.getQuarterBPM()) is not None:
            tempos.append(Marked(mm.measureNumber or 1, round(float(bpm), 2)))
    first = score.parts[0] if score.parts else score
    signatures = [Marked(ts.measureNumber or 1, ts.ratioString)
                  for ts in first.recurse().getElementsByClass("TimeSignature")]  # fmt: skip
    keys = [Marked(ks.measureNumber or 1, _m21_key(ks)) for ks in first.recurse().getElementsByClass("KeySignature")]
    marks = Counter(d.value for d in score.recurse().getElementsByClass("Dynamic"))
    return Facts(
        file=str(path),
        format="musicxml",
        tempos=_dedupe(tempos),
        bars=bars,
        duration_seconds=round(seconds, 3),
        notes=notes,
        onsets=len(onsets),
        beats=round(beats, 3),
        onsets_per_beat=round(len(onsets) / beats, 3) if beats else 0.0,
        pitch_range=_m21_range(pitches),
        ornaments=dict(ornaments),
        pedal_presses=pedals,
        dynamic_marks=dict(marks),
        velocity=None,
        time_signatures=_dedupe(signatures),
        key_signatures=_dedupe(keys),
    )


def _m21_key(ks) -> str:
    from music21 import key

    if isinstance(ks, key.Key):
        return f"{ks.tonic.name.replace('-', 'b')} {ks.mode}"
    major, minor = ks.asKey("major"), ks.asKey("minor")
    return f"{major.tonic.name.replace('-', 'b')} major / {minor.tonic.name.replace('-', 'b')} minor"
