"""Reading seed motifs from MIDI (written here with mido) and MusicXML (written with music21)."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.formats.motif_files import read_midi_motif, read_musicxml_motif
from sketchbook.formats.safe_xml import MAX_XML_BYTES
from sketchbook.load import FILE_MOTIF_BARS, MAX_FILE_BYTES
from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key, Meter

TPB = 480


def write_midi(path: Path, tracks: list[list[tuple[int, F, F, int]]], meta: tuple = ()) -> Path:
    """Tracks of (pitch, start, length, channel) in quarter notes; meta messages open the first track."""
    midi = mido.MidiFile(ticks_per_beat=TPB)
    for index, notes in enumerate(tracks):
        events = []
        for pitch, start, length, channel in notes:
            events.append((int(start * TPB), 1, mido.Message("note_on", note=pitch, velocity=80, channel=channel)))
            # Releases sort before attacks at the same tick, except a zero-length note's own release.
            order = 2 if length == 0 else 0
            off = mido.Message("note_off", note=pitch, channel=channel)
            events.append((int((start + length) * TPB), order, off))
        track = mido.MidiTrack(meta if index == 0 else ())
        now = 0
        for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
            track.append(message.copy(time=tick - now))
            now = tick
        midi.tracks.append(track)
    midi.save(path)
    return path


def melody(*items: tuple[int, F | int, F | int]) -> list[tuple[int, F, F, int]]:
    return [(p, F(s), F(d), 0) for p, s, d in items]


def triples(motif) -> list[tuple[int, F, F]]:
    return [(n.pitch, n.start, n.duration) for n in motif.notes]


def test_midi_top_line_meter_and_key(tmp_path):
    tune = melody((72, 3, 1), (74, 4, F(1, 2)), (76, F(9, 2), F(1, 2)), (79, 5, 2), (77, 7, 1), (76, 8, 1))
    # The accompaniment plays under the tune and once alone; the drums sit higher but do not count.
    chords = [(p, F(s), F(1), 1) for s in (3, 5, 7) for p in (48, 55, 64)] + [(67, F(6), F(1), 1)]
    drums = [(81, F(s), F(1, 2), 9) for s in range(3, 9)]
    meta = (
        mido.MetaMessage("time_signature", numerator=3, denominator=4),
        mido.MetaMessage("key_signature", key="Bb"),
    )
    path = write_midi(tmp_path / "song.mid", [tune, chords, drums], meta)
    motif = read_midi_motif(path)
    assert motif.meter == Meter(3, 4)
    assert motif.key == Key(10, "major")
    assert motif.pickup == 0
    # The empty first bar is dropped, and the accompaniment's G at beat 6 stays hidden under the held G.
    assert triples(motif) == [
        (72, 0, 1), (74, 1, F(1, 2)), (76, F(3, 2), F(1, 2)), (79, 2, 2), (77, 4, 1), (76, 5, 1),
    ]
    assert motif.name == "song"


def test_midi_overlaps_are_cut_and_chords_keep_their_top(tmp_path):
    legato = melody((60, 0, F(3, 2)), (64, 1, F(3, 2)), (62, 2, 2)) + [(55, F(0), F(4), 0)]
    motif = read_midi_motif(write_midi(tmp_path / "legato.mid", [legato]))
    # A lower note that starts under a held higher one is hidden; a higher one cuts the held note.
    assert triples(motif) == [(60, 0, 1), (64, 1, F(3, 2))]
    assert motif.meter == Meter(4, 4)


def test_midi_is_cut_to_four_bars_at_a_bar_line(tmp_path):
    notes = melody(*((60 + i % 12, i, 1) for i in range(22)), (90, 15, 3))
    motif = read_midi_motif(write_midi(tmp_path / "long.mid", [notes]))
    assert motif.bars == FILE_MOTIF_BARS
    assert max(n.end for n in motif.notes) == 16
    assert triples(motif)[-1] == (90, 15, 1)
    assert len(motif.notes) == 16


def test_midi_long_leading_rest_becomes_a_pickup(tmp_path):
    notes = melody((67, 7, F(1, 2)), (69, F(15, 2), F(1, 2)), (71, 8, 4), (72, 12, 4))
    motif = read_midi_motif(write_midi(tmp_path / "upbeat.mid", [notes]))
    assert motif.pickup == 1
    assert triples(motif) == [(67, 0, F(1, 2)), (69, F(1, 2), F(1, 2)), (71, 1, 4), (72, 5, 4)]
    assert motif.bars == 2


def test_midi_short_leading_rest_stays_a_rest(tmp_path):
    notes = melody((67, 1, 1), (69, 2, 2))
    motif = read_midi_motif(write_midi(tmp_path / "rest.mid", [notes]))
    assert motif.pickup == 0
    assert triples(motif) == [(67, 1, 1), (69, 2, 2)]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(21, 108), st.integers(1, 12), st.integers(0, 4)), min_size=1, max_size=30),
    st.sampled_from([(2, 4), (3, 4), (4, 4), (6, 8), (9, 8)]),
)
def test_midi_monophonic_round_trip(tmp_path_factory, steps, signature):
    """A written melody (lengths and rests in sixteenths) reads back as itself, up to the 4-bar cut."""
    meter = Meter(*signature)
    start, notes = F(0), []
    for pitch, sixteenths, rest in steps:
        notes.append((pitch, start, F(sixteenths, 4), 0))
        start += F(sixteenths + rest, 4)
    meta = (mido.MetaMessage("time_signature", numerator=signature[0], denominator=signature[1]),)
    path = write_midi(tmp_path_factory.mktemp("midi") / "m.mid", [notes], meta)
    motif = read_midi_motif(path)
    limit = FILE_MOTIF_BARS * meter.bar_length
    expected = [(p, s, min(s + d, limit) - s) for p, s, d, _ in notes if s < limit]
    assert triples(motif) == expected
    assert motif.meter == meter
    assert motif.bars <= FILE_MOTIF_BARS


def write_score(path: Path, *, pickup: bool = True, bars: int = 2, flats: int = 2):
    """A 6/8 score in G minor (two flats) with a pickup, a tie, a chord and a grace note, plus a bass part."""
    from music21 import chord, key, meter, note, stream, tie

    score = stream.Score()
    part = stream.Part()
    part.partName = "Melody"
    first = stream.Measure(number=0 if pickup else 1)
    first.append(meter.TimeSignature("6/8"))
    first.append(key.KeySignature(-flats))
    if pickup:
        first.append(note.Note("D4", quarterLength=0.5))
        first.paddingLeft = 2.5
    else:
        first.append(note.Note("D4", quarterLength=3))
    part.append(first)
    for number in range(1, bars + 1):
        m = stream.Measure(number=number + (0 if pickup else 1))
        g = note.Note("G4", quarterLength=1.5)
        g.tie = tie.Tie("start")
        m.append(g)
        end = note.Note("G4", quarterLength=0.5)
        end.tie = tie.Tie("stop")
        m.append(end)
        grace = note.Note("C5").getGrace()
        m.append(grace)
        m.append(chord.Chord(["G4", "B-4"], quarterLength=0.5))
        m.append(note.Note("A4", quarterLength=0.5))
        part.append(m)
    bass = stream.Part()
    bass.partName = "Bass"
    bass.append(note.Note("G1", quarterLength=3 * (bars + 1)))
    score.append([part, bass])
    return score.write("musicxml", fp=path)


def test_musicxml_pickup_ties_chords_graces_and_key(tmp_path):
    path = write_score(tmp_path / "tune.musicxml")
    motif = read_musicxml_motif(path)
    assert motif.meter == Meter(6, 8)
    assert motif.pickup == F(1, 2)
    assert motif.key == Key(7, "minor")
    assert triples(motif) == [
        (62, 0, F(1, 2)),
        (67, F(1, 2), 2), (70, F(5, 2), F(1, 2)), (69, 3, F(1, 2)),
        (67, F(7, 2), 2), (70, F(11, 2), F(1, 2)), (69, 6, F(1, 2)),
    ]
    assert motif.name == "tune"


def test_musicxml_relative_major_from_the_same_signature(tmp_path):
    from music21 import key, meter, note, stream

    part = stream.Part()
    part.partName = "Tune"
    m = stream.Measure(number=1)
    m.append([meter.TimeSignature("3/4"), key.KeySignature(-2)])
    m.append([note.Note(p, quarterLength=1) for p in ("B-4", "D5", "F5")])
    part.append(m)
    m2 = stream.Measure(number=2)
    m2.append([note.Note("E-5"), note.Note("C5"), note.Note("B-4")])
    part.append(m2)
    motif = read_musicxml_motif(stream.Score([part]).write("musicxml", fp=tmp_path / "bb.xml"))
    assert motif.key == Key(10, "major")
    assert motif.pickup == 0
    assert motif.meter == Meter(3, 4)


def test_compressed_musicxml_is_cut_to_four_bars(tmp_path):
    path = write_score(tmp_path / "long.mxl", pickup=False, bars=6)
    assert path.suffix == ".mxl"
    motif = read_musicxml_motif(path)
    assert motif.pickup == 0
    assert motif.bars == FILE_MOTIF_BARS
    assert max(n.end for n in motif.notes) == FILE_MOTIF_BARS * 3
    assert triples(motif)[:2] == [(62, 0, 3), (67, 3, 2)]


def test_musicxml_with_no_pitched_notes(tmp_path):
    from music21 import note, stream

    part = stream.Part([note.Rest(quarterLength=4)])
    part.partName = "Silence"
    path = stream.Score([part]).write("musicxml", fp=tmp_path / "silent.musicxml")
    with pytest.raises(SketchbookError, match="no pitched notes"):
        read_musicxml_motif(path)


def _one_line_error(reader, path: Path) -> str:
    with pytest.raises(SketchbookError) as caught:
        reader(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


MIDI_HEADER = bytes.fromhex("4d546864 00000006 0001 0001 01e0")  # MThd, format 1, one track, 480 tpb


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "empty"),
        (b"this is not a MIDI file at all", "cannot read MIDI"),
        (MIDI_HEADER + bytes.fromhex("4d54726b 00000010 00903c40"), "cannot read MIDI"),  # track cut short
        (bytes.fromhex("4d546864 00000006 0000 0001 e728") + bytes.fromhex("4d54726b 00000004 00ff2f00"), "SMPTE"),
        (MIDI_HEADER + bytes.fromhex("4d54726b 00000004 00ff2f00"), "no pitched notes"),
    ],
)
def test_bad_midi_files(tmp_path, content, fragment):
    path = tmp_path / "bad.mid"
    path.write_bytes(content)
    assert fragment in _one_line_error(read_midi_motif, path)


def test_midi_with_only_drums_or_zero_length_notes(tmp_path):
    drums = [(38, F(s), F(1), 9) for s in range(4)]
    clicks = [(60, F(s), F(0), 0) for s in range(4)]
    path = write_midi(tmp_path / "drums.mid", [drums, clicks])
    assert "no pitched notes" in _one_line_error(read_midi_motif, path)


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("empty.musicxml", "", "empty"),
        ("junk.musicxml", "<score-partwise><part", "cannot read MusicXML"),
        ("page.xml", "<html><body>hello</body></html>", "cannot read MusicXML"),
        ("broken.mxl", "PK not really a zip", "cannot read MusicXML"),
        ("empty-score.musicxml", '<score-partwise version="4.0"><part-list/></score-partwise>', "no parts"),
    ],
)
def test_bad_musicxml_files(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_text(content)
    assert fragment in _one_line_error(read_musicxml_motif, path)


@pytest.mark.parametrize(
    "reader, name, limit",
    [(read_midi_motif, "big.mid", MAX_FILE_BYTES), (read_musicxml_motif, "big.musicxml", MAX_XML_BYTES),
     (read_musicxml_motif, "big.mxl", MAX_XML_BYTES)],
)
def test_oversized_and_missing_files(tmp_path, reader, name, limit):
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.truncate(limit + 1)
    assert f"limited to {limit} bytes" in _one_line_error(reader, path)
    assert "not found" in _one_line_error(reader, tmp_path / f"missing-{name}")


@pytest.mark.parametrize(
    "signature, key",
    [("Am", Key(9, "minor")), ("F#m", Key(6, "minor")), ("Eb", Key(3, "major")), (None, Key(0, "major"))],
)
def test_midi_key_signature_or_estimate(tmp_path, signature, key):
    meta = (mido.MetaMessage("key_signature", key=signature),) if signature else ()
    scale = melody(*((p, i, 1) for i, p in enumerate((60, 62, 64, 65, 67, 65, 64, 62, 60))))
    assert read_midi_motif(write_midi(tmp_path / "k.mid", [scale], meta)).key == key
