"""Write a Performance as a type-1 MIDI file with mido: a conductor track and one track per hand."""

from __future__ import annotations

import io
from fractions import Fraction

import mido

from sketchbook.music.model import Performance, SoundingNote
from sketchbook.music.theory import tonic_spelling

HANDS = ((0, "Right hand"), (1, "Left hand"))  # (channel, track name), indexed by SoundingNote.hand
SUSTAIN = 64
# Sort order of events sharing a tick: a note ends before the same pitch strikes again,
# and a pedal lets go before it catches the new notes.
_ORDER = {"program_change": 0, "note_off": 1, "release": 2, "press": 3, "note_on": 4}


def midi_bytes(perf: Performance, *, ticks_per_beat: int = 480) -> bytes:
    """The performance as the bytes of a standard MIDI file."""
    buffer = io.BytesIO()
    performance_to_midi(perf, ticks_per_beat=ticks_per_beat).save(file=buffer)
    return buffer.getvalue()


def performance_to_midi(perf: Performance, *, ticks_per_beat: int = 480) -> mido.MidiFile:
    """The performance as a mido MidiFile: conductor, right hand (channel 0), left hand (channel 1)."""
    if any(n.hand not in (0, 1) for n in perf.notes):
        raise ValueError("a sounding note's hand must be 0 (right) or 1 (left)")
    end = to_ticks(perf.length, ticks_per_beat)
    midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    midi.tracks.append(_conductor(perf, ticks_per_beat, end))
    pedals = _pedal_ticks(perf, ticks_per_beat)
    for hand, (channel, name) in enumerate(HANDS):
        events: list[tuple[int, int, int, mido.Message]] = [
            (0, _ORDER["program_change"], 0, mido.Message("program_change", channel=channel, program=0))
        ]
        for press, release in pedals:
            events.append((press, _ORDER["press"], 0, _sustain(channel, 127)))
            events.append((release, _ORDER["release"], 0, _sustain(channel, 0)))
        # SoundingNote has checked pitch and velocity already; mido's own check would double the writer's time.
        for pitch, on, off, velocity in _note_ticks([n for n in perf.notes if n.hand == hand], ticks_per_beat):
            note_on = mido.Message("note_on", skip_checks=True, channel=channel, note=pitch, velocity=velocity)
            events.append((on, _ORDER["note_on"], pitch, note_on))
            note_off = mido.Message("note_off", skip_checks=True, channel=channel, note=pitch, velocity=0)
            events.append((off, _ORDER["note_off"], pitch, note_off))
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
        track.extend(to_delta(events, end))
        midi.tracks.append(track)
    return midi


def to_ticks(offset: Fraction, ticks_per_beat: int) -> int:
    """Quarter notes from the start to absolute ticks, rounded to the nearest tick (halves up)."""
    if not isinstance(offset, (int, Fraction)):
        offset = Fraction(offset)
    # floor(n/d * tpb + 1/2) in integers: the same tick, without building Fractions for every note.
    return (2 * offset.numerator * ticks_per_beat + offset.denominator) // (2 * offset.denominator)


def to_delta(events: list[tuple[int, int, int, mido.Message | mido.MetaMessage]], end: int) -> list:
    """Absolute (tick, order, pitch, message) events to messages timed in delta ticks, closed by end_of_track."""
    messages = []
    now = 0
    for tick, _, _, message in sorted(events, key=lambda e: e[:3]):
        if message.is_meta:
            messages.append(message.copy(time=tick - now))
        else:  # checked when it was made; a fresh check per copy tripled the writer's time
            messages.append(message.copy(skip_checks=True, time=tick - now))
        now = tick
    messages.append(mido.MetaMessage("end_of_track", time=max(end - now, 0)))
    return messages


def _conductor(perf: Performance, ticks_per_beat: int, end: int) -> mido.MidiTrack:
    letter, alter = tonic_spelling(perf.key)
    key = letter + ("#" * alter if alter > 0 else "b" * -alter) + ("m" if perf.key.mode == "minor" else "")
    meter = perf.meter
    events = [
        # MIDI text is Latin-1 for most readers (mido and pretty_midi included).
        (0, 0, 0, mido.MetaMessage("track_name", name=perf.title.encode("latin-1", "replace").decode("latin-1"))),
        (0, 1, 0, mido.MetaMessage("time_signature", numerator=meter.numerator, denominator=meter.denominator,
                                   clocks_per_click=24, notated_32nd_notes_per_beat=8)),
        (0, 2, 0, mido.MetaMessage("key_signature", key=key)),
    ]
    # A later tempo at the same tick wins: keep only the last one per tick.
    tempos = {to_ticks(offset, ticks_per_beat): bpm for offset, bpm in sorted(perf.tempos, key=lambda t: t[0])}
    for tick, bpm in tempos.items():
        events.append((tick, 3, 0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))))
    return mido.MidiTrack(to_delta(events, end))


def _note_ticks(notes: list[SoundingNote], ticks_per_beat: int) -> list[tuple[int, int, int, int]]:
    """(pitch, on tick, off tick, velocity) per note, with no overlaps of one pitch and no zero lengths."""
    by_pitch: dict[int, list[tuple[int, int, int]]] = {}
    for n in notes:
        on = to_ticks(n.start, ticks_per_beat)
        by_pitch.setdefault(n.pitch, []).append((on, to_ticks(n.start + n.duration, ticks_per_beat), n.velocity))
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


def _sustain(channel: int, value: int) -> mido.Message:
    return mido.Message("control_change", channel=channel, control=SUSTAIN, value=value)
