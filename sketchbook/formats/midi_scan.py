"""A whole MIDI file scanned for inspect and render, through the same bounded reader as motifs.

Everything is linear in the file's size: no message objects, tempo maps walked once, bar lines counted
by arithmetic rather than listed, and odd time signatures (255/2^255) refused instead of laid out.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sketchbook.music.errors import SketchbookError

MAX_MIDI_BYTES = 2 * 1024 * 1024  # the motif reader's limit: a piece of ours is tens of kilobytes
MAX_EVENTS = 1_000_000
MAX_BARS = 100_000
MAX_DENOMINATOR_POWER = 7  # x/128 is the shortest beat a score writes
DEFAULT_TEMPO = 500_000  # microseconds a quarter: 120 bpm, what MIDI assumes when no tempo is set
DRUM_CHANNEL = 9


class ScannedNote(NamedTuple):
    start: int  # ticks
    end: int
    pitch: int
    velocity: int
    channel: int
    track: int  # from 1


@dataclass
class Scan:
    """What inspect and render need from a MIDI file, in absolute ticks."""

    ticks_per_beat: int
    end: int = 0  # the last event's tick
    notes: list[ScannedNote] = field(default_factory=list)
    tempos: list[tuple[int, int]] = field(default_factory=list)  # tick, microseconds a quarter
    meters: list[tuple[int, int, int]] = field(default_factory=list)  # tick, numerator, denominator
    keys: list[tuple[int, int, int]] = field(default_factory=list)  # tick, sharps (negative: flats), minor
    pedal: list[tuple[int, int, int, int]] = field(default_factory=list)  # tick, channel, value, track
    other: list[int] = field(default_factory=list)  # ticks of other control and pitch-bend events
    odd_meter: str = ""  # a time signature no score can hold: refused by bar_lines, ignored by render

    def seconds_at(self):
        """A function from tick to seconds along this file's tempo map."""
        changes = sorted(self.tempos)
        if not changes or changes[0][0] > 0:
            changes.insert(0, (0, DEFAULT_TEMPO))
        ticks, starts = [t for t, _ in changes], [0.0]
        for (t0, us), (t1, _) in itertools.pairwise(changes):
            starts.append(starts[-1] + (t1 - t0) * us / 1e6 / self.ticks_per_beat)

        def to_seconds(tick: int) -> float:
            i = bisect.bisect_right(ticks, tick) - 1
            return starts[i] + (tick - ticks[i]) * changes[i][1] / 1e6 / self.ticks_per_beat

        return to_seconds

    def duration(self) -> float:
        """Seconds to the last event that sounds or changes the sound (note ends, pedal, controls, marks)."""
        ticks = [n.end for n in self.notes] + [t for t, *_ in self.pedal] + self.other
        ticks += [t for t, *_ in self.meters] + [t for t, *_ in self.keys]
        return self.seconds_at()(max(ticks, default=0))


def scan_midi(path: Path, data: bytes | None = None) -> Scan:
    """Read and scan a MIDI file (or its ``data``, already read within the limit), or stop with one line
    naming the file and the problem."""
    from sketchbook.files import read_limited, shown
    from sketchbook.formats.smf import MidiError, midi_chunks

    if data is None:
        data = read_limited(Path(path), MAX_MIDI_BYTES, "MIDI")
    try:
        tpb, tracks = midi_chunks(data)
        return _scan(tpb, tracks, shown(path))
    except MidiError as error:
        raise SketchbookError(f"{shown(path)}: not a readable MIDI file ({error})") from None


def _scan(tpb: int, tracks: list[bytes], name: str) -> Scan:
    from sketchbook.formats.smf import midi_events

    scan, count = Scan(tpb), 0
    for number, track in enumerate(tracks, start=1):
        tick = 0
        sounding: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for delta, status, first, second, payload in midi_events(track, number):
            tick += delta
            count += 1
            if count > MAX_EVENTS:
                raise SketchbookError(f"{name}: more than {MAX_EVENTS:,} MIDI events")
            scan.end = max(scan.end, tick)
            if status == 0xFF:
                _meta(scan, tick, first, payload, name)
                continue
            kind, channel = status & 0xF0, status & 0x0F
            if kind == 0x90 and second > 0:
                sounding.setdefault((channel, first), []).append((tick, second))
            elif kind in (0x80, 0x90):
                if starts := sounding.get((channel, first)):
                    start, velocity = starts.pop(0)  # first on, first off, as pretty_midi pairs them
                    scan.notes.append(ScannedNote(start, tick, first, velocity, channel, number))
            elif kind == 0xB0 and first == 64:
                scan.pedal.append((tick, channel, second, number))
            elif kind in (0xB0, 0xE0):
                scan.other.append(tick)
    scan.notes.sort()
    return scan


def _meta(scan: Scan, tick: int, kind: int, payload: bytes, name: str) -> None:
    if kind == 0x51 and len(payload) >= 3:
        tempo = int.from_bytes(payload[:3], "big")
        if tempo == 0:
            raise SketchbookError(f"{name}: a tempo of 0 microseconds a beat (an infinitely fast piece)")
        scan.tempos.append((tick, tempo))
    elif kind == 0x58 and len(payload) >= 2:
        numerator, power = payload[0], payload[1]
        if numerator == 0 or power > MAX_DENOMINATOR_POWER:
            shown_den = f"2^{power}" if power > MAX_DENOMINATOR_POWER else str(2**power)
            scan.odd_meter = scan.odd_meter or (f"{name}: its time signature {numerator}/{shown_den} is not one a "
                                                "score can hold (1-255 beats, each a whole note down to a 1/128 note)")
        else:
            scan.meters.append((tick, numerator, 2**power))
    elif kind == 0x59 and len(payload) >= 2:
        sharps = payload[0] - 256 * (payload[0] > 127)
        if -7 <= sharps <= 7:  # anything else names no key; ignore it as players do
            scan.keys.append((tick, sharps, int(payload[1] == 1)))


def bar_lines(scan: Scan, name: str = "this MIDI file") -> tuple[list[tuple[int, float, int]], float]:
    """Bar lines as (first bar's tick, ticks a bar, how many bars) runs, and the beats they hold."""
    if scan.odd_meter:
        raise SketchbookError(scan.odd_meter)
    meters = sorted(scan.meters)
    if not meters or meters[0][0] > 0:
        meters.insert(0, (0, 4, 4))  # the MIDI default
    end = scan.end
    runs, beats, total = [], 0.0, 0
    tpb = scan.ticks_per_beat
    for i, (start, num, den) in enumerate(meters):
        stop = meters[i + 1][0] if i + 1 < len(meters) else max(end, start + 1)
        bar_ticks = tpb * 4 * num / den
        # A humanised last note may ring a little past the final bar line without adding a bar.
        count = max(1, -int(-(stop - start - min(tpb / 2, bar_ticks / 4)) // bar_ticks))
        total += count
        if total > MAX_BARS:
            raise SketchbookError(f"{name}: more than {MAX_BARS:,} bars; pieces up to that length are read")
        runs.append((start, bar_ticks, count))
        beats += count * (num // 3 if den >= 8 and num % 3 == 0 and num > 3 else num)
    return runs, beats


def bar_finder(runs: list[tuple[int, float, int]]):
    """A function from tick to bar number (from 1), bisecting the runs rather than listing every bar."""
    starts = [start for start, _, _ in runs]
    before = [0]
    for _, _, count in runs:
        before.append(before[-1] + count)

    def bar_at(tick: int) -> int:
        i = bisect.bisect_right(starts, tick + 1e-9) - 1
        if i < 0:
            return 1
        start, bar_ticks, count = runs[i]
        return max(1, before[i] + min(count, int((tick + 1e-9 - start) // bar_ticks) + 1))

    return bar_at
