"""The lines of a MIDI file (tracks, or channels of a one-track file), which one is the melody, and
whether its ticks are already notation or a performance.

Built on our own small reader (formats/smf.py), so the same bounds hold: tracks, notes and bytes.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from sketchbook.formats.smf import midi_chunks, midi_events
from sketchbook.music.errors import SketchbookError

MAX_NOTES = 100_000  # note-ons read (the file size already bounds events to about a million)
DRUM_CHANNEL = 9
DEFAULT_TEMPO = 500_000  # microseconds a quarter, when a file gives none (the standard's default)
# Names an arranger gives the tune's part; the first match wins, in file order.
MELODY_NAMES = re.compile(
    r"\b(soprano|sopran|melod(y|ie|ia)|lead|tune|air|voice|vocals?|treble|cantus|right\s*hand|rh|"
    r"(violin|vln|vl|violino)\.?\s*(1|i)|flute|piccolo|oboe|trumpet|solo)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Line:
    """One track (or one channel of a single-track file): its name and notes in ticks."""

    number: int  # 1-based among the lines that have notes
    name: str
    notes: list[tuple[int, int, int, int]] = field(default_factory=list)  # pitch, on, off, velocity

    @property
    def label(self) -> str:
        return f"{self.number} {self.name!r}" if self.name else str(self.number)


@dataclass(slots=True)
class MidiContent:
    """What a motif needs from a MIDI file: its lines, timing and the header's metre and key (if any)."""

    ticks_per_quarter: int
    lines: list[Line]
    tempos: list[tuple[int, int]]  # (tick, microseconds per quarter)
    meters: list[tuple[int, int, int]]  # (tick, numerator, denominator)
    keys: list[tuple[int, int, int]]  # (tick, sharps, minor)


def read_midi_content(data: bytes, where: str) -> MidiContent:
    """Every pitched, non-drum note of a Standard MIDI File, by track (by channel in a one-track file)."""
    tpq, tracks = midi_chunks(data)
    found: list[tuple[str, dict[int, list[tuple[int, int, int, int]]]]] = []
    tempos: list[tuple[int, int]] = []
    meters: list[tuple[int, int, int]] = []
    keys: list[tuple[int, int, int]] = []
    count = 0
    for number, track in enumerate(tracks, start=1):
        tick, name = 0, ""
        by_channel: dict[int, list[tuple[int, int, int, int]]] = {}
        sounding: dict[tuple[int, int], deque[tuple[int, int]]] = {}
        for delta, status, first, second, payload in midi_events(track, number):
            tick += delta
            if status == 0xFF:
                if first == 0x03 and not name:
                    name = " ".join(payload[:64].decode("latin-1").split())
                elif first == 0x51 and len(payload) >= 3:
                    tempos.append((tick, int.from_bytes(payload[:3], "big")))
                elif first == 0x58 and len(payload) >= 2:
                    meters.append((tick, payload[0], 2 ** min(payload[1], 8)))
                elif first == 0x59 and len(payload) >= 2:
                    keys.append((tick, payload[0] - 256 * (payload[0] > 127), payload[1]))
                continue
            kind, channel = status & 0xF0, status & 0x0F
            if kind not in (0x80, 0x90) or channel == DRUM_CHANNEL:
                continue
            voice = (channel, first)
            if kind == 0x90 and second > 0:
                count += 1
                if count > MAX_NOTES:
                    raise SketchbookError(f"MIDI file {where} has more than {MAX_NOTES} notes")
                sounding.setdefault(voice, deque()).append((tick, second))
            elif sounding.get(voice):
                start, velocity = sounding[voice].popleft()
                by_channel.setdefault(channel, []).append((first, start, tick, velocity))
        # Notes never released last until the track ends.
        for (channel, pitch), starts in sounding.items():
            for start, velocity in starts:
                by_channel.setdefault(channel, []).append((pitch, start, tick, velocity))
        if by_channel:
            found.append((name, by_channel))
    lines: list[Line] = []
    for name, by_channel in found:
        if len(found) == 1 and len(by_channel) > 1:  # a type 0 file: each channel is a part
            for channel in sorted(by_channel):
                lines.append(Line(len(lines) + 1, f"{name} channel {channel + 1}".strip(), by_channel[channel]))
        else:
            lines.append(Line(len(lines) + 1, name, [n for c in sorted(by_channel) for n in by_channel[c]]))
    return MidiContent(tpq, lines, tempos, meters, keys)


def choose_lines(content: MidiContent, track: str | None, where: str) -> list[Line]:
    """The line ``track`` names (a number or part of a name), else one named like a melody, else all."""
    lines = content.lines
    if track is None:
        named = [line for line in lines if MELODY_NAMES.search(line.name)]
        return named[:1] or lines
    if track.strip().isdigit():
        wanted = [line for line in lines if line.number == int(track)]
    else:
        wanted = [line for line in lines if track.strip().lower() in line.name.lower()][:1]
    if not wanted:
        listing = ", ".join(line.label for line in lines[:8]) + (", ..." if len(lines) > 8 else "")
        raise SketchbookError(
            f"MIDI file {where} has no track {track.strip()[:40]!r} with notes (tracks with notes: {listing or 'none'})"
        )
    return wanted


def is_notation(notes: list[tuple[int, int, int, int]], tpq: int) -> bool:
    """True when every onset sits exactly on the 1/24-quarter grid, most releases too (and, for a coarse
    file, most onsets on sixteenths or triplet eighths): what a notation program writes. A take played
    in time to a click can land its onsets on the grid; its releases still wander."""
    if any(24 * on % tpq for _, on, _, _ in notes):
        return False
    if sum(1 for _, _, off, _ in notes if 24 * off % tpq == 0) < 0.8 * len(notes):
        return False
    if tpq >= 96:
        return True
    plain = sum(1 for _, on, _, _ in notes if 4 * on % tpq == 0 or 3 * on % tpq == 0)
    return plain >= 0.9 * len(notes)


def seconds(content: MidiContent):
    """A function from ticks to seconds through the file's tempo map (each tempo from its tick on)."""
    tpq = content.ticks_per_quarter
    changes = sorted({tick: tempo for tick, tempo in sorted(content.tempos)}.items())
    if not changes or changes[0][0] > 0:
        changes.insert(0, (0, DEFAULT_TEMPO))
    marks: list[tuple[int, float, int]] = []  # tick, seconds there, tempo from there
    elapsed = 0.0
    for i, (tick, tempo) in enumerate(changes):
        if i:
            last_tick, last_seconds, last_tempo = marks[-1]
            elapsed = last_seconds + (tick - last_tick) * max(last_tempo, 1) / 1e6 / tpq
        marks.append((tick, elapsed, tempo))

    def at(tick: int) -> float:
        lo, hi = 0, len(marks) - 1
        while lo < hi:  # the last change at or before tick
            mid = (lo + hi + 1) // 2
            if marks[mid][0] <= tick:
                lo = mid
            else:
                hi = mid - 1
        mark_tick, mark_seconds, tempo = marks[lo]
        return mark_seconds + (tick - mark_tick) * max(tempo, 1) / 1e6 / tpq

    return at
