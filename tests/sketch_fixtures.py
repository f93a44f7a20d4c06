"""Small real sketch folders for the book, render and inspect tests, written with mido and music21."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest


def _renderer_ready() -> bool:
    from sketchbook.audio import find_soundfont
    from sketchbook.music.errors import SketchbookError

    try:
        return shutil.which("fluidsynth") is not None and find_soundfont() is not None
    except SketchbookError:
        return False


needs_fluidsynth = pytest.mark.skipif(
    not _renderer_ready(),
    reason="needs fluidsynth and a General MIDI soundfont (apt-get install fluidsynth fluid-soundfont-gm)")

# (pitch, start, duration, velocity) in quarter notes: a D major tune over a left-hand drone, 3/4.
TUNE = ((62, 0, 1.5, 70), (66, 1.5, 0.5, 64), (69, 2, 1, 80), (74, 3, 2, 90), (73, 5, 1, 60),
        (71, 6, 1, 58), (69, 7, 1, 66), (66, 8, 1, 72), (62, 9, 3, 50))
BASS = ((50, 0, 3, 45), (45, 3, 3, 45), (47, 6, 3, 45), (50, 9, 3, 40))
PEDALS = ((0, 2.9), (3, 5.9), (6, 8.9), (9, 11.9))  # four presses
TEMPO = 90
TPB = 480


def write_midi(path: Path, *, tempo: int = TEMPO, notes=TUNE + BASS, pedals=PEDALS) -> Path:
    """A type-1 piano MIDI file: tempo, 3/4, D major, notes and CC64 presses on one track."""
    import mido

    events = []
    for pitch, start, duration, velocity in notes:
        events.append((round(start * TPB), 1, mido.Message("note_on", note=pitch, velocity=velocity)))
        events.append((round((start + duration) * TPB), 0, mido.Message("note_off", note=pitch, velocity=0)))
    for down, up in pedals:
        events.append((round(down * TPB), 2, mido.Message("control_change", control=64, value=127)))
        events.append((round(up * TPB), 0, mido.Message("control_change", control=64, value=0)))
    meta = mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(tempo)),
        mido.MetaMessage("time_signature", numerator=3, denominator=4),
        mido.MetaMessage("key_signature", key="D"),
    ])
    track, now = mido.MidiTrack([mido.Message("program_change", program=0)]), 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    mf = mido.MidiFile(ticks_per_beat=TPB)
    mf.tracks += [meta, track]
    mf.save(path)
    return path


def write_musicxml(path: Path, *, tempo: int = TEMPO) -> Path:
    """A four-bar 3/4 piano score in D major with a trill, grace note, arpeggio, dynamics and a pedal mark."""
    from music21 import chord, dynamics, expressions, key, meter, note, pitch, stream
    from music21 import tempo as m21_tempo

    part = stream.Part(id="P1")
    part.partName = "Piano"
    bars = [stream.Measure(number=i + 1) for i in range(4)]
    bars[0].append([meter.TimeSignature("3/4"), key.Key("D"), m21_tempo.MetronomeMark(number=tempo),
                    dynamics.Dynamic("p")])
    trill = note.Note("D4", quarterLength=1.5)
    trill.expressions.append(expressions.Trill())
    bars[0].append([trill, note.Note("F#4", quarterLength=0.5), note.Note("A4")])
    grace = note.Note("C#5").getGrace()
    bars[1].append([grace, note.Note("D5", quarterLength=2), note.Note("C#5")])
    arpeggio = chord.Chord([pitch.Pitch(midi=m) for m in (59, 62, 67)], quarterLength=3)
    arpeggio.expressions.append(expressions.ArpeggioMark())
    bars[2].append([dynamics.Dynamic("mf"), arpeggio])
    last = note.Note("D4", quarterLength=3)
    bars[3].append(last)
    part.append(bars)
    part.insert(0, expressions.PedalMark(trill, last))
    score = stream.Score([part])
    score.write("musicxml", fp=str(path))
    return path


def make_sketch(folder: Path, *, name: str = "tide", seed: int = 1, metadata: bool = True) -> Path:
    """A sketch folder as `sketchbook develop` writes it: beach and photograph as MIDI and MusicXML."""
    folder.mkdir(parents=True, exist_ok=True)
    variations = {}
    for variation, tempo in (("beach", 66), ("photograph", 52)):
        write_midi(folder / f"{variation}.mid", tempo=tempo)
        write_musicxml(folder / f"{variation}.musicxml", tempo=tempo)
        variations[variation] = {
            "parameters": {"tempo": tempo, "density": 0.2, "ornament": 0.1, "dynamics": ["pp", "mp"]},
            "files": {"midi": f"{variation}.mid", "musicxml": f"{variation}.musicxml"},
            "summary": {"tempo": tempo, "tempos": [tempo, tempo - 10, tempo], "bars": 4,
                        "notes": len(TUNE) + len(BASS), "seconds": 66.5},
        }
    if metadata:
        sketch = {
            "sketchbook": "0.1.0", "name": name, "seed": seed, "levers": {"density": 0.2, "tempo": None},
            "motif": {"name": name, "description": "A rising sixth that falls back home.", "key": "D major",
                      "meter": "3/4", "pickup": "0",
                      "notes": [{"pitch": 62, "start": "0", "duration": "3/2"},
                                {"pitch": 66, "start": "3/2", "duration": "1/2"},
                                {"pitch": 69, "start": "2", "duration": "1"},
                                {"pitch": 74, "start": "3", "duration": "3"}]},
            "variations": variations,
        }
        (folder / "sketch.json").write_text(json.dumps(sketch, indent=2))
    return folder
