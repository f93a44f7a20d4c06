"""The MIDI writer: what mido and pretty_midi read back from the files it writes."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import mido
import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.formats.midi import performance_to_midi
from sketchbook.music.model import Key, Meter, Pedal, Performance, SoundingNote
from tests.writers import write_midi

F = Fraction


def seconds(offset: Fraction, tempos) -> float:
    """Seconds at a quarter-note offset under a tempo map of (offset, bpm), 120 bpm before the first."""
    elapsed, at, bpm = 0.0, F(0), 120
    for change, new_bpm in sorted(tempos):
        if change >= offset:
            break
        elapsed += float(change - at) * 60 / bpm
        at, bpm = change, new_bpm
    return elapsed + float(offset - at) * 60 / bpm


def messages(lines: str) -> list[mido.Message]:
    return [mido.Message.from_str(line) for line in lines.strip().splitlines()]


def channel_messages(track: mido.MidiTrack) -> list[mido.Message]:
    return [m for m in track if not m.is_meta]


SKETCH = Performance(
    title="Sketch",
    key=Key(2),
    meter=Meter(3, 4),
    notes=(
        SoundingNote(62, F(0), F(1), 80),
        SoundingNote(66, F(1), F(1, 2), 72),
        SoundingNote(66, F(3, 2), F(3, 2), 70),  # repeated note, struck as the first lets go
        SoundingNote(50, F(0), F(3), 60, hand=1),
        SoundingNote(57, F(3), F(3), 58, hand=1),
    ),
    pedals=(Pedal(F(0), F(3)), Pedal(F(3), F(6))),
    tempos=((F(0), 90), (F(3), 60)),
    length=F(6),
)


def test_right_hand_track_reads_as_written():
    track = performance_to_midi(SKETCH).tracks[1]
    assert track[0] == mido.MetaMessage("track_name", name="Right hand")
    assert channel_messages(track) == messages("""
        program_change channel=0 program=0 time=0
        control_change channel=0 control=64 value=127 time=0
        note_on channel=0 note=62 velocity=80 time=0
        note_off channel=0 note=62 velocity=0 time=480
        note_on channel=0 note=66 velocity=72 time=0
        note_off channel=0 note=66 velocity=0 time=240
        note_on channel=0 note=66 velocity=70 time=0
        note_off channel=0 note=66 velocity=0 time=720
        control_change channel=0 control=64 value=0 time=0
        control_change channel=0 control=64 value=127 time=10
        control_change channel=0 control=64 value=0 time=1430
    """)
    assert track[-1] == mido.MetaMessage("end_of_track", time=0)


def test_left_hand_track_sustains_on_its_own_channel():
    track = performance_to_midi(SKETCH).tracks[2]
    assert track[0] == mido.MetaMessage("track_name", name="Left hand")
    assert channel_messages(track) == messages("""
        program_change channel=1 program=0 time=0
        control_change channel=1 control=64 value=127 time=0
        note_on channel=1 note=50 velocity=60 time=0
        note_off channel=1 note=50 velocity=0 time=1440
        control_change channel=1 control=64 value=0 time=0
        note_on channel=1 note=57 velocity=58 time=0
        control_change channel=1 control=64 value=127 time=10
        note_off channel=1 note=57 velocity=0 time=1430
        control_change channel=1 control=64 value=0 time=0
    """)


def test_conductor_track_holds_title_metre_key_and_tempo_map():
    midi = performance_to_midi(SKETCH)
    assert midi.type == 1 and midi.ticks_per_beat == 480 and len(midi.tracks) == 3
    assert list(midi.tracks[0]) == [
        mido.MetaMessage("track_name", name="Sketch"),
        mido.MetaMessage(
            "time_signature", numerator=3, denominator=4, clocks_per_click=24, notated_32nd_notes_per_beat=8
        ),
        mido.MetaMessage("key_signature", key="D"),
        mido.MetaMessage("set_tempo", tempo=666667),
        mido.MetaMessage("set_tempo", tempo=1000000, time=1440),
        mido.MetaMessage("end_of_track", time=1440),
    ]


@pytest.mark.parametrize(
    ("key", "name", "key_number"),
    [(Key(2), "D", 2), (Key(9, "minor"), "Am", 21), (Key(10), "Bb", 10), (Key(6, "minor"), "F#m", 18),
     (Key(8), "Ab", 8), (Key(1, "minor"), "C#m", 13), (Key(0), "C", 0)],
)
def test_key_signature(tmp_path, key, name, key_number):
    perf = Performance("k", key, Meter(4, 4), (SoundingNote(60, F(0), F(1), 64),), (), ((F(0), 100),), F(4))
    write_midi(perf, tmp_path / "k.mid")
    meta = [m for m in mido.MidiFile(tmp_path / "k.mid").tracks[0] if m.type == "key_signature"]
    assert [m.key for m in meta] == [name]
    assert [k.key_number for k in pretty_midi.PrettyMIDI(str(tmp_path / "k.mid")).key_signature_changes] == [key_number]


def test_pretty_midi_hears_the_same_piano_performance(tmp_path):
    path = tmp_path / "sketch.mid"
    write_midi(SKETCH, path)
    pm = pretty_midi.PrettyMIDI(str(path))
    assert [(i.name, i.program, i.is_drum) for i in pm.instruments] == [
        ("Right hand", 0, False), ("Left hand", 0, False)
    ]
    assert pretty_midi.program_to_instrument_name(0) == "Acoustic Grand Piano"
    for hand, instrument in enumerate(pm.instruments):
        heard = sorted((n.pitch, n.start, n.velocity) for n in instrument.notes)
        written = sorted((n.pitch, seconds(n.start, SKETCH.tempos), n.velocity) for n in SKETCH.notes if n.hand == hand)
        assert [(p, v) for p, _, v in heard] == [(p, v) for p, _, v in written]
        # The tempo map is stored in whole microseconds a beat, so seconds agree to a few microseconds.
        assert [t for _, t, _ in heard] == pytest.approx([t for _, t, _ in written], abs=1e-5)
        pedal = [(c.time, c.value) for c in instrument.control_changes if c.number == 64]
        assert [v for _, v in pedal] == [127, 0, 127, 0]
        assert [t for t, _ in pedal] == pytest.approx([0, 2, 2 + 10 / 480, 5], abs=1e-5)
    times, bpms = pm.get_tempo_changes()
    assert list(times) == pytest.approx([0, 2]) and list(bpms) == pytest.approx([90, 60], abs=1e-3)
    assert [(t.numerator, t.denominator) for t in pm.time_signature_changes] == [(3, 4)]
    assert pm.get_end_time() == pytest.approx(seconds(F(6), SKETCH.tempos))


def test_same_file_bytes_every_time(tmp_path):
    write_midi(SKETCH, tmp_path / "a.mid")
    write_midi(SKETCH, tmp_path / "b.mid")
    assert (tmp_path / "a.mid").read_bytes() == (tmp_path / "b.mid").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mid", "b.mid"]


def test_overlapping_strikes_of_one_key_never_stick():
    perf = Performance(
        "overlap", Key(0), Meter(4, 4),
        (
            SoundingNote(60, F(0), F(2), 70),
            SoundingNote(60, F(1), F(2), 80),  # struck again while still held
            SoundingNote(64, F(0), F(1), 50),
            SoundingNote(64, F(0), F(2), 90),  # struck twice at once: sounds once
            SoundingNote(67, F(0), F(1, 2000), 40),  # shorter than a tick
        ),
        (), (), F(4),
    )
    assert channel_messages(performance_to_midi(perf).tracks[1]) == messages("""
        program_change channel=0 program=0 time=0
        note_on channel=0 note=60 velocity=70 time=0
        note_on channel=0 note=64 velocity=90 time=0
        note_on channel=0 note=67 velocity=40 time=0
        note_off channel=0 note=67 velocity=0 time=1
        note_off channel=0 note=60 velocity=0 time=479
        note_on channel=0 note=60 velocity=80 time=0
        note_off channel=0 note=64 velocity=0 time=480
        note_off channel=0 note=60 velocity=0 time=480
    """)


def test_touching_pedals_lift_and_catch_again_a_moment_later():
    pedals = (Pedal(F(0), F(2)), Pedal(F(2), F(4)), Pedal(F(4), F(8)))
    perf = Performance("pedal", Key(0), Meter(4, 4), (), pedals, (), F(8))
    for ticks_per_beat in (96, 480, 960):
        midi = performance_to_midi(perf, ticks_per_beat=ticks_per_beat)
        for track in midi.tracks[1:]:
            now, pedal = 0, []
            for m in track:
                now += m.time
                if m.type == "control_change":
                    pedal.append((now, m.value))
            assert [v for _, v in pedal] == [127, 0] * 3
            for (release, _), (press, _) in zip(pedal[1::2], pedal[2::2]):
                assert release in (2 * ticks_per_beat, 4 * ticks_per_beat)
                assert 1 <= press - release <= 10


def test_unknown_hand_is_refused():
    perf = Performance("x", Key(0), Meter(4, 4), (SoundingNote(60, F(0), F(1), 64, hand=2),), (), (), F(4))
    with pytest.raises(ValueError, match="hand"):
        performance_to_midi(perf)


def test_unencodable_title_still_writes(tmp_path):
    perf = Performance("beach — étude", Key(0), Meter(4, 4), (), (), (), F(4))
    write_midi(perf, tmp_path / "t.mid")
    assert mido.MidiFile(tmp_path / "t.mid").tracks[0][0].name == "beach ? étude"


# --- round trip ------------------------------------------------------------------------------

grid = st.integers(0, 24 * 16).map(lambda i: F(i, 24))  # 24ths of a quarter: exact at 480 ticks a beat


@st.composite
def performances(draw) -> Performance:
    raw = draw(st.lists(
        st.tuples(st.integers(21, 108), grid, st.integers(1, 24 * 4).map(lambda i: F(i, 24)),
                  st.integers(1, 127), st.integers(0, 1)),
        max_size=40,
    ))
    # Keep notes that do not overlap an earlier strike of the same key in the same hand.
    notes, held = [], defaultdict(list)
    for pitch, start, duration, velocity, hand in raw:
        if all(start >= end or start + duration <= begin for begin, end in held[hand, pitch]):
            held[hand, pitch].append((start, start + duration))
            notes.append(SoundingNote(pitch, start, duration, velocity, hand))
    starts = draw(st.lists(grid, max_size=4, unique=True))
    tempos = tuple((start, draw(st.integers(30, 240))) for start in sorted({F(0), *starts}))
    pedal_bounds = sorted(draw(st.lists(grid, max_size=8, unique=True)))
    pedals = tuple(Pedal(a, b) for a, b in zip(pedal_bounds[::2], pedal_bounds[1::2]))
    length = max([F(16), *(n.start + n.duration for n in notes)])
    return Performance("round trip", Key(draw(st.integers(0, 11))), Meter(4, 4), tuple(notes), pedals, tempos, length)


def played(midi: mido.MidiFile) -> list[tuple[int, int, int, int, int]]:
    """(hand, pitch, on tick, off tick, velocity) per note, checking that no note-off comes first."""
    notes = []
    for hand, track in enumerate(midi.tracks[1:]):
        now, sounding = 0, {}
        for m in track:
            now += m.time
            if m.type == "note_on":
                assert m.note not in sounding, "note struck again while sounding"
                sounding[m.note] = (now, m.velocity)
            elif m.type == "note_off":
                on, velocity = sounding.pop(m.note)  # KeyError: a note-off before its note-on
                assert now > on
                notes.append((hand, m.note, on, now, velocity))
        assert not sounding, "stuck notes"
    return sorted(notes)


@settings(max_examples=40, deadline=None)
@given(perf=performances())
def test_round_trip_through_mido_and_pretty_midi(tmp_path_factory, perf):
    path = tmp_path_factory.mktemp("round") / "p.mid"
    write_midi(perf, path)
    midi = mido.MidiFile(path)
    assert played(midi) == sorted(
        (n.hand, n.pitch, n.start * 480, (n.start + n.duration) * 480, n.velocity) for n in perf.notes
    )
    pm = pretty_midi.PrettyMIDI(str(path))
    # pretty_midi leaves out a hand with no notes, so match hands by track name.
    heard = sorted((i.name, n.pitch, n.start, n.end, n.velocity) for i in pm.instruments for n in i.notes)
    written = sorted(
        (("Right hand", "Left hand")[n.hand], n.pitch, seconds(n.start, perf.tempos),
         seconds(n.start + n.duration, perf.tempos), n.velocity)
        for n in perf.notes
    )
    assert [h[:2] + h[4:] for h in heard] == [w[:2] + w[4:] for w in written]
    assert [t for h in heard for t in h[2:4]] == pytest.approx([t for w in written for t in w[2:4]], abs=1e-4)
    for instrument in pm.instruments:
        values = [c.value for c in instrument.control_changes if c.number == 64]
        assert values == [127, 0] * len(perf.pedals)
