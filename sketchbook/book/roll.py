"""A MIDI file as a piano roll in SVG: each hand in its own colour, every pedal press drawn on its own.

Drawn from our own bounded reading of the file alone, so the sketchbook page needs no plotting stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import NamedTuple

HAND_COLOURS = ("#3563b8", "#c0562f")  # right hand blue, left hand terracotta: apart for most colour vision
HAND_NAMES = ("right hand", "left hand")
PEDAL_COLOUR = "#8a6d1e"
MAX_NOTES = 20_000  # a piece of ours has a few thousand; the roll's SVG grows by about 60 bytes a note
MAX_BAR_LINES = 5_000
NAMES = ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B")


class RollNote(NamedTuple):
    """One sounding note as the roll draws it, in seconds."""

    start: float
    end: float
    pitch: int
    velocity: int
    hand: int  # 0 right (blue), 1 left (terracotta)


@dataclass(frozen=True, slots=True)
class Played:
    """What a MIDI file plays, in seconds: notes by hand, pedal presses, bar lines and the tempo path."""

    notes: tuple[RollNote, ...]
    pedals: tuple[tuple[float, float], ...]  # (press, release)
    bars: tuple[float, ...]
    tempos: tuple[int, ...]  # bpm in the order played, repeats of one tempo merged
    length: float


def read_played(midi: Path) -> Played:
    """Read a MIDI file; hands come from its channels or tracks (or middle C when it has only one).

    Read by the bounded scanner in midi_scan.py, as inspect and render read: a hostile file costs little.
    """
    from sketchbook.formats.midi_scan import scan_midi
    from sketchbook.music.errors import SketchbookError

    scan = scan_midi(midi)
    if len(scan.notes) > MAX_NOTES:
        raise SketchbookError(f"it has {len(scan.notes):,} notes; a piano roll draws at most {MAX_NOTES:,}")
    seconds = scan.seconds_at()
    raw_notes = [(on, off, pitch, velocity, (track, channel)) for on, off, pitch, velocity, channel, track
                 in scan.notes]
    pedal_events: dict[tuple[int, int], list[tuple[int, bool]]] = {}
    for tick, channel, value, track in scan.pedal:
        pedal_events.setdefault((track, channel), []).append((tick, value >= 64))
    groups = sorted({n[4] for n in raw_notes})
    notes = tuple(sorted(
        RollNote(seconds(on), seconds(max(off, on + 1)), pitch, velocity,
                 min(groups.index(group), 1) if len(groups) > 1 else int(pitch < 60))
        for on, off, pitch, velocity, group in raw_notes))
    # Our files repeat the pedal on both hands' channels: draw the busiest one once.
    events = max(pedal_events.values(), key=len, default=[])
    end_tick = max([off for _, off, *_ in raw_notes] + [t for t, _ in events] + [0])
    pedals, down = [], None
    for tick, pressed in sorted(events):
        if pressed and down is None:
            down = tick
        elif not pressed and down is not None:
            pedals.append((seconds(down), seconds(tick)))
            down = None
    if down is not None:
        pedals.append((seconds(down), seconds(end_tick)))
    signatures = sorted(scan.meters)
    numerator, denominator = (signatures[0][1], signatures[0][2]) if signatures else (4, 4)
    bar_ticks = max(1, scan.ticks_per_beat * 4 * numerator // denominator)
    # Bar lines only where they can be seen: an odd metre or thousands of bars would draw a solid block.
    drawn = not scan.odd_meter and end_tick // bar_ticks <= MAX_BAR_LINES
    bars = tuple(seconds(t) for t in range(0, end_tick + 1, bar_ticks)) if drawn else ()
    changes = sorted(scan.tempos)
    # A ritardando eases through a tempo a beat: the path names only tempos held for a bar or more.
    held = [(tick, t) for k, (tick, t) in enumerate(changes)
            if k == 0 or (changes[k + 1][0] if k + 1 < len(changes) else max(end_tick, tick + bar_ticks)) - tick
            >= bar_ticks]
    bpms = [round(60_000_000 / t) for _, t in held] or [120]
    tempos = tuple(b for i, b in enumerate(bpms) if i == 0 or b != bpms[i - 1])
    length = max([n.end for n in notes] + [p[1] for p in pedals] + [0.1])
    return Played(notes, tuple(pedals), bars, tempos, length)


def roll_svg(played: Played, *, label: str = "piano roll") -> str:
    """The roll as one SVG element: notes (opacity follows velocity), bar lines, pedal presses underneath."""
    width, left, top, key = 1100.0, 34.0, 4.0, 4.0
    pitches = [n.pitch for n in played.notes] or [60]
    low, high = min(pitches) - 1, max(pitches) + 1
    roll_height = key * (high - low + 1)
    pedal_y = top + roll_height + 6
    height = pedal_y + 26
    scale = (width - left - 4) / played.length

    def x(t: float) -> float:
        return left + t * scale

    # x0 and scale place a moment of the audio on the roll (a page's script moves the cursor with them).
    parts = [f'<svg class="roll-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'role="img" aria-label="{escape(label)}" data-x0="{left:g}" data-scale="{scale:.6f}">',
             '<style>.roll-svg text{font:9px system-ui,sans-serif;fill:#8a8f98}</style>']
    for t in played.bars:
        parts.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{top + roll_height:.0f}" '
                     'stroke="#8a8f98" stroke-opacity=".25" stroke-width=".7"/>')
    for pitch in range(low, high + 1):
        if pitch % 12 == 0:
            y = top + key * (high - pitch) + key / 2
            parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{NAMES[0]}{pitch // 12 - 1}</text>')
    for hand in (1, 0):  # the right hand on top where the hands cross
        notes = [n for n in played.notes if n.hand == hand]
        if not notes:
            continue
        parts.append(f'<g class="hand-{HAND_NAMES[hand].split()[0]}" fill="{HAND_COLOURS[hand]}">'
                     f'<title>{HAND_NAMES[hand]}</title>')
        for start, end, pitch, velocity, _ in notes:
            w = max((end - start) * scale - 0.6, 1.2)
            y = top + key * (high - pitch)
            parts.append(f'<rect x="{x(start):.1f}" y="{y:.0f}" width="{w:.1f}" height="{key - 0.6:.1f}" '
                         f'fill-opacity="{0.35 + 0.65 * velocity / 127:.2f}"/>')
        parts.append("</g>")
    parts.append(f'<g class="pedal" fill="{PEDAL_COLOUR}" stroke="{PEDAL_COLOUR}">')
    for number, (press, release) in enumerate(played.pedals, 1):
        # Each press is its own bar with a notch where it goes down, so back-to-back changes read apart.
        x0, x1 = x(press), max(x(release) - min(2.0, (release - press) * scale / 4), x(press) + 1.5)
        parts.append(f'<g><title>pedal {number}: {press:.1f}-{release:.1f} s</title>'
                     f'<rect x="{x0:.1f}" y="{pedal_y + 3:.1f}" width="{x1 - x0:.1f}" height="5" rx="1.5" '
                     f'fill-opacity=".55" stroke="none"/>'
                     f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="{pedal_y:.1f}" y2="{pedal_y + 8:.1f}" '
                     f'stroke-width="1.4"/></g>')
    parts.append("</g>")
    step = next(s for s in (5, 10, 15, 30, 60, 120, 300, 600, 10**9) if played.length / s <= 12)
    for t in range(0, int(played.length) + 1, step):
        parts.append(f'<text x="{x(t):.1f}" y="{height - 3:.0f}" text-anchor="middle">'
                     f'{t // 60}:{t % 60:02d}</text>')
    parts.append(f'<line class="cursor" x1="{left:g}" x2="{left:g}" y1="0" y2="{pedal_y + 10:.0f}" '
                 'stroke="#d04a02" stroke-width="1.5" visibility="hidden"/></svg>')
    return "".join(parts)
