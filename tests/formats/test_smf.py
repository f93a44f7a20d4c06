"""Our raw MIDI reader agrees with mido on every file mido writes, and reads running status."""

from __future__ import annotations

import io

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.formats.smf import MAX_TRACKS, MidiError, midi_chunks, midi_events, varlen
from tests.nasty import smf, track, vlq

channels = st.integers(0, 15)
values = st.integers(0, 127)
times = st.one_of(st.integers(0, 1000), st.just(0x0FFFFFFF))
messages = st.one_of(
    st.builds(lambda c, n, v, t: mido.Message("note_on", channel=c, note=n, velocity=v, time=t), channels, values,
              values, times),
    st.builds(lambda c, n, t: mido.Message("note_off", channel=c, note=n, time=t), channels, values, times),
    st.builds(lambda c, k, v, t: mido.Message("control_change", channel=c, control=k, value=v, time=t), channels,
              values, values, times),
    st.builds(lambda c, p, t: mido.Message("program_change", channel=c, program=p, time=t), channels, values, times),
    st.builds(lambda c, p, t: mido.Message("pitchwheel", channel=c, pitch=p, time=t), channels,
              st.integers(-8192, 8191), times),
    st.builds(lambda d, t: mido.Message("sysex", data=d, time=t), st.lists(values, max_size=20), times),
    st.builds(lambda n, d, t: mido.MetaMessage("time_signature", numerator=n, denominator=d, time=t),
              st.integers(1, 32), st.sampled_from([1, 2, 4, 8, 16, 32]), times),
    st.builds(lambda k, t: mido.MetaMessage("key_signature", key=k, time=t), st.sampled_from(["C", "Bb", "F#m"]),
              times),
    st.builds(lambda text, t: mido.MetaMessage("text", text=text, time=t), st.text("abc xyz", max_size=200),
              times),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(messages, max_size=20), min_size=1, max_size=4), st.integers(1, 0x7FFF))
def test_agrees_with_mido(tracks, ticks_per_beat):
    midi = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    midi.tracks.extend(mido.MidiTrack(t) for t in tracks)
    buffer = io.BytesIO()
    midi.save(file=buffer)
    division, chunks = midi_chunks(buffer.getvalue())
    assert division == ticks_per_beat
    assert len(chunks) == len(tracks)
    for number, (chunk, written) in enumerate(zip(chunks, tracks), start=1):
        read = list(midi_events(chunk, number))
        assert [e[0] for e in read] == [m.time for m in written]
        for (_, status, first, second, payload), message in zip(read, written):
            raw = message.bin()
            if message.is_meta:
                length, start = varlen(bytes(raw), 2)
                assert (status, first, second, payload) == (0xFF, raw[1], 0, bytes(raw[start : start + length]))
            elif message.type == "sysex":
                assert (status, payload) == (0xF0, b"")
            else:
                assert (status, first) == tuple(raw[:2]) and second == (raw[2] if len(raw) > 2 else 0)
                assert payload == b""


def test_running_status_repeats_the_last_channel_status():
    body = b"\x00\x90\x3c\x40" + b"\x60\x3e\x40" + b"\x60\x3c\x00" + b"\x00\xff\x01\x01x" + b"\x10\x3e\x00"
    _, (chunk,) = midi_chunks(smf(track(body)))
    assert list(midi_events(chunk, 1)) == [
        (0, 0x90, 60, 64, b""), (96, 0x90, 62, 64, b""), (96, 0x90, 60, 0, b""), (0, 0xFF, 1, 0, b"x"),
        (16, 0x90, 62, 0, b""),
    ]


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"MThd", "MIDI header"),
        (smf(division=0x8000 | 25 << 8 | 40), "SMPTE"),
        (smf(track(b"\x00\x3c\x40")), "data byte where a status byte belongs"),
        (smf(track(b"\x00\x90\x3c", end=False)), "cut short"),
        (smf(*[track() for _ in range(MAX_TRACKS + 1)]), f"more than {MAX_TRACKS} tracks"),
        (smf(track(b"\x80\x80\x80\x80\x00\x90\x3c\x40")), "over 4 bytes"),
    ],
)
def test_broken_files_name_their_fault(data, fragment):
    with pytest.raises(MidiError, match=fragment):
        _division, chunks = midi_chunks(data)
        for number, chunk in enumerate(chunks, start=1):
            list(midi_events(chunk, number))


@pytest.mark.parametrize("value", [0, 0x7F, 0x80, 0x3FFF, 0x4000, 0x0FFFFFFF])
def test_varlen_round_trip(value):
    assert varlen(vlq(value) + b"\x00", 0) == (value, len(vlq(value)))
