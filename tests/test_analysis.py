"""Facts gathered from real MIDI and MusicXML files written with mido and music21."""

from __future__ import annotations

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.analysis import ORNAMENT_KINDS, Marked, inspect_file, inspect_midi, inspect_musicxml
from sketchbook.music.errors import SketchbookError
from tests.sketch_fixtures import BASS, TUNE, write_midi, write_musicxml


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysis")
    return write_midi(folder / "tune.mid"), write_musicxml(folder / "tune.musicxml")


def test_midi_facts(files):
    facts = inspect_midi(files[0]).as_json()  # inspect --json's very shape
    assert facts["format"] == "midi"
    assert facts["tempos"] == [{"bar": 1, "bpm": 90.0}]
    assert facts["bars"] == 4
    assert facts["duration_seconds"] == pytest.approx(12 * 60 / 90, abs=0.01)  # 12 quarters at 90
    assert facts["notes"] == len(TUNE) + len(BASS)
    assert facts["onsets"] == 9 and facts["beats"] == 12
    assert facts["onsets_per_beat"] == pytest.approx(0.75)
    # Spelled in the file's key signature: F# not Gb, C# not Db.
    assert facts["pitch_range"] == {"lowest": "A2", "highest": "D5", "lowest_midi": 45, "highest_midi": 74}
    assert facts["ornaments"] is None
    assert facts["pedal"] == {"presses": 4}
    assert facts["dynamics"] == {"marks": None, "velocity": {"min": 40, "max": 90}}
    assert facts["time_signatures"] == [{"bar": 1, "signature": "3/4"}]
    assert facts["key_signatures"] == [{"bar": 1, "key": "D major"}]


def test_musicxml_facts(files):
    facts = inspect_musicxml(files[1]).as_json()
    assert facts["format"] == "musicxml"
    assert facts["tempos"] == [{"bar": 1, "bpm": 90.0}]
    assert facts["bars"] == 4
    assert facts["duration_seconds"] == pytest.approx(8.0, abs=0.01)
    assert facts["notes"] == 9  # the grace note is counted as an ornament, the chord as three notes
    assert facts["onsets"] == 7
    assert facts["pitch_range"]["lowest"] == "B3" and facts["pitch_range"]["highest"] == "D5"
    assert facts["ornaments"] == {"trill": 1, "mordent": 0, "inverted-mordent": 0, "turn": 0,
                                  "tremolo": 0, "arpeggio": 1, "grace": 1}
    assert facts["pedal"] == {"presses": 1}
    assert facts["dynamics"] == {"marks": {"p": 1, "mf": 1}, "velocity": None}
    assert facts["time_signatures"] == [{"bar": 1, "signature": "3/4"}]
    assert facts["key_signatures"] == [{"bar": 1, "key": "D major"}]


def test_both_formats_share_keys_and_agree(files):
    midi, xml = inspect_file(files[0]), inspect_file(files[1])
    assert list(midi.as_json()) == list(xml.as_json())
    for fact in ("tempos", "bars", "beats", "time_signatures", "key_signatures"):
        assert getattr(midi, fact) == getattr(xml, fact), fact


@pytest.mark.parametrize("kind", [k for k in ORNAMENT_KINDS if k not in ("grace", "arpeggio")])
def test_each_ornament_kind_is_counted(tmp_path, kind):
    from music21 import expressions, note, stream

    made = {"trill": expressions.Trill, "mordent": expressions.Mordent, "turn": expressions.Turn,
            "inverted-mordent": expressions.InvertedMordent, "tremolo": expressions.Tremolo}[kind]
    part = stream.Part(id="P1")
    part.partName = "Piano"
    for pitch in ("C4", "E4"):
        n = note.Note(pitch, quarterLength=2)
        n.expressions.append(made())
        part.append(n)
    path = tmp_path / "one.musicxml"
    stream.Score([part]).write("musicxml", fp=str(path))
    ornaments = inspect_musicxml(path).ornaments
    assert ornaments is not None and ornaments[kind] == 2
    assert sum(ornaments.values()) == 2


def test_pickup_bar_is_not_counted_and_mxl_is_read(tmp_path):
    from music21 import meter, note, stream

    part = stream.Part(id="P1")
    part.partName = "Piano"
    pickup = stream.Measure(number=0)
    pickup.append([meter.TimeSignature("4/4"), note.Note("G4")])
    pickup.padAsAnacrusis()
    full = stream.Measure(number=1)
    full.append(note.Note("C5", quarterLength=4))
    part.append([pickup, full])
    path = tmp_path / "pickup.mxl"
    stream.Score([part]).write("mxl", fp=str(path))
    facts = inspect_file(path)
    assert facts.bars == 1
    assert facts.notes == 2
    assert facts.tempos == ()  # nothing marked; the duration still assumes 120 bpm
    assert facts.duration_seconds == pytest.approx(2.5)


def test_midi_tempo_change_and_compound_meter(tmp_path):
    tpb = 480
    bar = 3 * tpb  # a 6/8 bar is three quarters long
    meta = mido.MidiTrack([mido.MetaMessage("time_signature", numerator=6, denominator=8),
                           mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(60)),
                           mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120), time=2 * bar)])
    notes = mido.MidiTrack()
    for _ in range(4):
        notes.append(mido.Message("note_on", note=67, velocity=64))
        notes.append(mido.Message("note_off", note=67, time=bar))
    mf = mido.MidiFile(ticks_per_beat=tpb)
    mf.tracks += [meta, notes]
    mf.save(tmp_path / "six.mid")
    facts = inspect_midi(tmp_path / "six.mid")
    assert facts.tempos == (Marked(1, 60.0), Marked(3, 120.0))
    assert facts.bars == 4 and facts.beats == 8  # two dotted-quarter beats per 6/8 bar
    assert facts.duration_seconds == pytest.approx(6 * 1.0 + 6 * 0.5)
    assert facts.pedal_presses == 0 and facts.key_signatures == ()


def test_pedal_repeated_on_two_channels_is_one_pedal(tmp_path):
    track = mido.MidiTrack()
    for value in (127, 0, 127, 0):  # two presses, each sent to both hands' channels
        track += [mido.Message("control_change", channel=c, control=64, value=value, time=0 if c else 240)
                  for c in (0, 1)]
    track += [mido.Message("note_on", note=60, velocity=50), mido.Message("note_off", note=60, time=480)]
    mf = mido.MidiFile()
    mf.tracks.append(track)
    mf.save(tmp_path / "pedal.mid")
    assert inspect_midi(tmp_path / "pedal.mid").pedal_presses == 2


PEDAL_CHANGE = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0"><part-list><score-part id="P1"><part-name>Piano</part-name></score-part></part-list>
<part id="P1"><measure number="1"><attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type>
</time></attributes>
<direction><direction-type><pedal type="start" line="yes"/></direction-type></direction>
<note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration><type>half</type></note>
<direction><direction-type><pedal type="change" line="yes"/></direction-type></direction>
<note><pitch><step>E</step><octave>4</octave></pitch><duration>2</duration><type>half</type></note>
<direction><direction-type><pedal type="stop" line="yes"/></direction-type></direction>
</measure></part></score-partwise>"""


def test_a_pedal_change_counts_as_another_press(tmp_path):
    (tmp_path / "change.musicxml").write_text(PEDAL_CHANGE)
    facts = inspect_musicxml(tmp_path / "change.musicxml")
    assert facts.pedal_presses == 2 and facts.notes == 2


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(21, 108), st.integers(0, 32), st.integers(1, 8), st.integers(1, 127)),
                min_size=1, max_size=20))
def test_midi_notes_and_range_match_what_was_written(tmp_path_factory, notes):
    path = tmp_path_factory.mktemp("prop") / "p.mid"
    # Halves of a quarter note; overlapping same-pitch notes are dropped so each note_on pairs cleanly.
    kept, last_end = [], {}
    for pitch, start, length, velocity in notes:
        if start / 2 >= last_end.get(pitch, 0):
            kept.append((pitch, start / 2, length / 2, velocity))
            last_end[pitch] = (start + length) / 2
    write_midi(path, notes=tuple(kept), pedals=())
    facts = inspect_midi(path)
    assert facts.notes == len(kept)
    assert facts.pitch_range is not None
    assert facts.pitch_range.lowest_midi == min(k[0] for k in kept)
    assert facts.pitch_range.highest_midi == max(k[0] for k in kept)
    assert facts.velocity == (min(k[3] for k in kept), max(k[3] for k in kept))


@pytest.mark.parametrize("name, content, message", [
    ("missing.mid", None, "no such file"),
    ("broken.mid", b"MThd not really", "not a readable MIDI file"),
    ("broken.musicxml", b"<score-partwise><part", "not a readable MusicXML file"),
    ("notes.txt", b"C D E", "not a MIDI or MusicXML file"),
])
def test_bad_files_raise_one_line_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SketchbookError, match=message) as caught:
        inspect_file(path)
    assert "\n" not in str(caught.value)
