"""Write a Performance as a type-1 MIDI file: a conductor track and one track per hand."""

from __future__ import annotations

import io
import struct
from fractions import Fraction
from typing import TYPE_CHECKING

from sketchbook.music.model import Performance, SoundingNote
from sketchbook.music.theory import fifths

if TYPE_CHECKING:
    import mido

HANDS = ((0, "Right hand"), (1, "Left hand"))  # (channel, track name), indexed by SoundingNote.hand
SUSTAIN = 64
# Sort order of events sharing a tick: a note ends before the same pitch strikes again,
# and a pedal lets go before it catches the new notes.
_ORDER = {"program_change": 0, "note_off": 1, "release": 2, "press": 3, "note_on": 4}


def midi_bytes(perf: Performance, *, ticks_per_beat: int = 480) -> bytes:
    """The performance as the bytes of a type-1 standard MIDI file: conductor, right hand (channel 0), left
    hand (channel 1). Written here rather than through mido: the format is small, and mido's import alone
    cost a tenth of `sketchbook develop`."""
    if any(n.hand not in (0, 1) for n in perf.notes):
        raise ValueError("a sounding note's hand must be 0 (right) or 1 (left)")
    end = to_ticks(perf.length, ticks_per_beat)
    tracks = [_conductor(perf, ticks_per_beat, end)]
    pedals = _pedal_ticks(perf, ticks_per_beat)
    for hand, (channel, name) in enumerate(HANDS):
        events: list[tuple[int, int, int, bytes]] = [(0, _ORDER["program_change"], 0, bytes((0xC0 | channel, 0)))]
        for press, release in pedals:
            events.append((press, _ORDER["press"], 0, bytes((0xB0 | channel, SUSTAIN, 127))))
            events.append((release, _ORDER["release"], 0, bytes((0xB0 | channel, SUSTAIN, 0))))
        for pitch, on, off, velocity in _note_ticks([n for n in perf.notes if n.hand == hand], ticks_per_beat):
            events.append((on, _ORDER["note_on"], pitch, bytes((0x90 | channel, pitch, velocity))))
            events.append((off, _ORDER["note_off"], pitch, bytes((0x80 | channel, pitch, 0))))
        tracks.append(_track([(0, -1, 0, _meta(0x03, name.encode("latin-1")))] + events, end))
    header = b"MThd" + struct.pack(">LHHH", 6, 1, len(tracks), ticks_per_beat)
    return header + b"".join(b"MTrk" + struct.pack(">L", len(t)) + t for t in tracks)


def performance_to_midi(perf: Performance, *, ticks_per_beat: int = 480) -> mido.MidiFile:
    """The performance as mido reads our file back (for tests and tools that want mido's messages)."""
    import mido

    return mido.MidiFile(file=io.BytesIO(midi_bytes(perf, ticks_per_beat=ticks_per_beat)))


def to_ticks(offset: Fraction, ticks_per_beat: int) -> int:
    """Quarter notes from the start to absolute ticks, rounded to the nearest tick (halves up)."""
    if not isinstance(offset, (int, Fraction)):
        offset = Fraction(offset)
    # floor(n/d * tpb + 1/2) in integers: the same tick, without building Fractions for every note.
    return (2 * offset.numerator * ticks_per_beat + offset.denominator) // (2 * offset.denominator)


def _track(events: list[tuple[int, int, int, bytes]], end: int) -> bytes:
    """Absolute (tick, order, pitch, message) events as a track's bytes in delta ticks, closed by end of track.

    Channel messages share a status byte while it repeats (running status), as every writer does."""
    data = bytearray()
    now, running = 0, None
    for tick, _, _, message in sorted(events, key=lambda e: e[:3]):
        data += _varlen(tick - now)
        now = tick
        if message[0] == running:
            data += message[1:]
        else:
            data += message
        running = message[0] if message[0] < 0xF0 else None
    data += _varlen(max(end - now, 0)) + _meta(0x2F, b"")
    return bytes(data)


def _meta(kind: int, payload: bytes) -> bytes:
    return bytes((0xFF, kind)) + _varlen(len(payload)) + payload


def _varlen(value: int) -> bytes:
    """A MIDI variable-length number: seven bits a byte, most significant first."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _conductor(perf: Performance, ticks_per_beat: int, end: int) -> bytes:
    meter = perf.meter
    # MIDI text is Latin-1 for most readers (mido and pretty_midi included).
    title = perf.title.encode("latin-1", "replace")
    sharps = fifths(perf.key)
    events = [
        (0, 0, 0, _meta(0x03, title)),
        (0, 1, 0, _meta(0x58, bytes((meter.numerator, meter.denominator.bit_length() - 1, 24, 8)))),
        (0, 2, 0, _meta(0x59, bytes((sharps & 0xFF, 1 if perf.key.mode == "minor" else 0)))),
    ]
    # A later tempo at the same tick wins: keep only the last one per tick.
    tempos = {to_ticks(offset, ticks_per_beat): bpm for offset, bpm in sorted(perf.tempos, key=lambda t: t[0])}
    for tick, bpm in tempos.items():
        events.append((tick, 3, 0, _meta(0x51, round(60_000_000 / bpm).to_bytes(3, "big"))))
    return _track(events, end)


def _note_ticks(notes: list[SoundingNote], ticks_per_beat: int) -> list[tuple[int, int, int, int]]:
    """(pitch, on tick, off tick, velocity) per note, with no overlaps of one pitch and no zero lengths."""
    by_pitch: dict[int, list[tuple[int, int, int]]] = {}
    tpb = ticks_per_beat
    for n in notes:
        start, length = n.start, n.duration
        on = to_ticks(start, tpb)
        # The end rounded as to_ticks rounds it, from start + length as one unreduced fraction (the
        # rounding holds for any form of the same number): no Fraction built per note.
        top = start.numerator * length.denominator + length.numerator * start.denominator
        bottom = start.denominator * length.denominator
        by_pitch.setdefault(n.pitch, []).append((on, (2 * top * tpb + bottom) // (2 * bottom), n.velocity))
    result = []
    for pitch, spans in sorted(by_pitch.items()):
        merged: list[tuple[int, int, int]] = []
        for on, off, velocity in sorted(spans):
            off = max(off, on + 1)
            if merged and merged[-1][0] == on:
                # One key struck twice at once sounds once: keep the louder, longer strike.
                _, last_off, last_velocity = merged[-1]
                merged[-1] = (on, max(off, last_off), max(velocity, last_velocity))
                continue
            if merged and merged[-1][1] > on:
                # A key cannot sound twice: the earlier note lets go as the later one strikes.
                merged[-1] = (merged[-1][0], on, merged[-1][2])
            merged.append((on, off, velocity))
        result += [(pitch, on, off, velocity) for on, off, velocity in merged]
    return result


def _pedal_ticks(perf: Performance, ticks_per_beat: int) -> list[tuple[int, int]]:
    """(press, release) ticks; a press at or inside the previous pedal is a change: up, then down a moment later."""
    lift = min(max(ticks_per_beat // 48, 1), 10)
    spans: list[tuple[int, int]] = []
    for pedal in sorted(perf.pedals, key=lambda p: (p.start, p.end)):
        press, release = to_ticks(pedal.start, ticks_per_beat), to_ticks(pedal.end, ticks_per_beat)
        if spans and press <= spans[-1][1]:
            last_press, last_release = spans[-1]
            spans[-1] = (last_press, max(min(last_release, press), last_press + 1))
            press = spans[-1][1] + lift
        if release > press:
            spans.append((press, release))
    return spans
