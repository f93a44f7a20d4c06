"""Facts about a written MIDI or MusicXML file: tempo, bars, notes, range, ornaments, pedal, dynamics."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key
from sketchbook.music.theory import LETTERS, key_name, spell

MIDI_SUFFIXES = (".mid", ".midi")
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")
DRUM_CHANNEL = 9
ORNAMENT_KINDS = ("trill", "mordent", "inverted-mordent", "turn", "tremolo", "arpeggio", "grace")


def inspect_file(path: Path) -> dict:
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


def _facts(path: Path, kind: str, **facts) -> dict:
    # One place fixes the key order, so --json output stays stable across formats.
    keys = ("tempos", "bars", "duration_seconds", "notes", "onsets", "beats", "onsets_per_beat",
            "pitch_range", "ornaments", "pedal", "dynamics", "time_signatures", "key_signatures")
    out = {"file": str(path), "format": kind}
    out.update({k: facts[k] for k in keys})
    return out


def _pitch_range(lowest: int, highest: int, name) -> dict:
    return {"lowest": name(lowest), "highest": name(highest), "lowest_midi": lowest, "highest_midi": highest}


def _midi_key(text: str) -> Key:
    """mido's key text ('D', 'Bbm', 'F#') as a Key."""
    mode = "minor" if text.endswith("m") else "major"
    letter, accidentals = text[0], text.rstrip("m")[1:]
    pc = (0, 2, 4, 5, 7, 9, 11)[LETTERS.index(letter)] + accidentals.count("#") - accidentals.count("b")
    return Key(pc % 12, mode)


def _pitch_name(pitch: int, key: Key | None) -> str:
    letter, alter, octave = spell(pitch, key or Key(0))
    return f"{letter}{'#' * alter if alter > 0 else 'b' * -alter}{octave}"


def inspect_midi(path: Path) -> dict:
    """Facts about a MIDI file; MIDI notates no ornaments, dynamics or pickup, so a pickup counts as a bar."""
    from sketchbook.files import shown
    from sketchbook.formats.midi_scan import bar_finder, bar_lines, scan_midi

    path = Path(path)
    scan = scan_midi(path)
    tpb = scan.ticks_per_beat
    runs, beats = bar_lines(scan, shown(path))
    bar_at = bar_finder(runs)

    tempos = []
    for t, us in sorted(scan.tempos):
        bpm = round(60_000_000 / us, 2)
        if not tempos or tempos[-1]["bpm"] != bpm:
            tempos.append({"bar": bar_at(t), "bpm": bpm})
    tempos = tempos or [{"bar": 1, "bpm": 120.0}]  # the tempo MIDI assumes when none is set
    keys = [(t, _sharps_key(sharps, minor)) for t, sharps, minor in sorted(scan.keys)]
    key = keys[0][1] if keys else None

    starts = sorted(start for start, *_ in scan.notes)
    # Chord spread and hand offsets in a performance (tens of ticks) still make one onset.
    onsets = sum(1 for i, t in enumerate(starts) if i == 0 or t - starts[i - 1] > tpb / 12)
    notes = [n for n in scan.notes if n[4] != DRUM_CHANNEL]
    velocities = [n[3] for n in notes]
    # One pedal, however many channels repeat its CC64: it is down while any channel holds it.
    pedal_down, presses = set(), 0
    for _, channel, value, _track in sorted(scan.pedal, key=lambda e: e[0]):
        presses += value >= 64 and not pedal_down
        (pedal_down.add if value >= 64 else pedal_down.discard)(channel)
    pitches = [n[2] for n in notes]
    meters = sorted(scan.meters)
    if not meters or meters[0][0] > 0:
        meters.insert(0, (0, 4, 4))
    return _facts(
        path, "midi",
        tempos=tempos,
        bars=sum(count for *_, count in runs),
        duration_seconds=round(scan.duration(), 3),
        notes=len(notes),
        onsets=onsets,
        beats=beats,
        onsets_per_beat=round(onsets / beats, 3) if beats else 0.0,
        pitch_range=_pitch_range(min(pitches), max(pitches), lambda p: _pitch_name(p, key)) if pitches else None,
        ornaments=None,
        pedal={"presses": presses},
        dynamics={"marks": None,
                  "velocity": {"min": min(velocities), "max": max(velocities)} if velocities else None},
        time_signatures=_dedupe([{"bar": bar_at(t), "signature": f"{n}/{d}"} for t, n, d in meters], "signature"),
        key_signatures=_dedupe([{"bar": bar_at(t), "key": key_name(k)} for t, k in keys], "key"),
    )


def _sharps_key(sharps: int, minor: int) -> Key:
    """A MIDI key signature (sharps, or flats when negative; minor flag) as a Key."""
    major = (7 * sharps) % 12
    return Key((major + 9) % 12, "minor") if minor else Key(major, "major")


def _dedupe(marks: list[dict], field: str) -> list[dict]:
    """Drop marks that repeat the one before (each staff or track restates them)."""
    out = []
    for mark in sorted(marks, key=lambda m: m["bar"]):
        if not out or out[-1][field] != mark[field]:
            out.append(mark)
    return out


def _ornament_kind(expression) -> str | None:
    from music21 import expressions

    for cls, kind in ((expressions.Trill, "trill"), (expressions.InvertedMordent, "inverted-mordent"),
                      (expressions.GeneralMordent, "mordent"), (expressions.Turn, "turn"),
                      (expressions.Tremolo, "tremolo"), (expressions.ArpeggioMark, "arpeggio")):
        if isinstance(expression, cls):
            return kind
    return None


def _m21_range(pitches: list) -> dict | None:
    if not pitches:
        return None
    low, high = min(pitches, key=lambda p: p.ps), max(pitches, key=lambda p: p.ps)
    return {"lowest": low.nameWithOctave.replace("-", "b"), "highest": high.nameWithOctave.replace("-", "b"),
            "lowest_midi": low.midi, "highest_midi": high.midi}


def inspect_musicxml(path: Path) -> dict:
    """Facts about a MusicXML score (.musicxml, .xml or compressed .mxl) as music21 reads it."""
    from music21 import expressions, stream

    from sketchbook.formats.score_read import read_score

    path = Path(path)
    score = read_score(path)  # hardened: never music21's converter and its shared pickle cache
    if not isinstance(score, stream.Score):
        score = stream.Score([score])

    ornaments = Counter({kind: 0 for kind in ORNAMENT_KINDS})
    onsets, notes, pitches = set(), 0, []
    for part in score.parts:
        for n in part.flatten().notes:
            if n.duration.isGrace:
                ornaments["grace"] += 1
                continue
            for e in n.expressions:
                if kind := _ornament_kind(e):
                    ornaments[kind] += 1
            # A tied continuation sounds no new note.
            heads = n.notes if n.isChord else [n]
            attacks = [x for x in heads if not (x.tie and x.tie.type in ("stop", "continue"))]
            if attacks:
                onsets.add(n.offset)
            notes += len(attacks)
            pitches += [x.pitch for x in attacks]
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

    tempos, seconds = [], 0.0
    for start, stop, mm in score.metronomeMarkBoundaries():
        bpm = mm.getQuarterBPM() or 120.0
        seconds += (stop - start) * 60.0 / bpm
    for mm in score.recurse().getElementsByClass("MetronomeMark"):
        if (bpm := mm.getQuarterBPM()) is not None:
            tempos.append({"bar": mm.measureNumber or 1, "bpm": round(float(bpm), 2)})
    first = score.parts[0] if score.parts else score
    signatures = [{"bar": ts.measureNumber or 1, "signature": ts.ratioString}
                  for ts in first.recurse().getElementsByClass("TimeSignature")]
    keys = [{"bar": ks.measureNumber or 1, "key": _m21_key(ks)}
            for ks in first.recurse().getElementsByClass("KeySignature")]
    marks = Counter(d.value for d in score.recurse().getElementsByClass("Dynamic"))
    return _facts(
        path, "musicxml",
        tempos=_dedupe(tempos, "bpm"),
        bars=bars,
        duration_seconds=round(seconds, 3),
        notes=notes,
        onsets=len(onsets),
        beats=round(beats, 3),
        onsets_per_beat=round(len(onsets) / beats, 3) if beats else 0.0,
        pitch_range=_m21_range(pitches),
        ornaments=dict(ornaments),
        pedal={"presses": pedals},
        dynamics={"marks": dict(marks), "velocity": None},
        time_signatures=_dedupe(signatures, "signature"),
        key_signatures=_dedupe(keys, "key"),
    )


def _m21_key(ks) -> str:
    from music21 import key

    if isinstance(ks, key.Key):
        return f"{ks.tonic.name.replace('-', 'b')} {ks.mode}"
    major, minor = ks.asKey("major"), ks.asKey("minor")
    return f"{major.tonic.name.replace('-', 'b')} major / {minor.tonic.name.replace('-', 'b')} minor"
