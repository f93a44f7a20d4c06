"""Texture and voicing facts read back from written scores: what a pianist checks by eye.

Independent of sketchbook's writer: it reads the MusicXML with lxml (through musical_facts) and counts.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

from lxml import etree

from tests.musical_facts import ScoreFacts, read_score

TENTH = 16


@dataclass
class Bars:
    """Where each measure starts (offsets in quarters from the score's start) and its length."""

    starts: list[Fraction]
    lengths: list[Fraction]
    implicit: list[bool]

    def index(self, offset: Fraction) -> int:
        k = 0
        for i, s in enumerate(self.starts):
            if s <= offset:
                k = i
        return k


def read_bars(path: Path | str) -> Bars:
    root = etree.parse(str(path)).getroot()
    part = root.find("part")
    starts, lengths, implicit = [], [], []
    divisions, start = 1, Fraction(0)
    for measure in part.findall("measure"):
        cursor = longest = Fraction(0)
        for el in measure:
            if el.tag == "attributes" and el.find("divisions") is not None:
                divisions = int(el.findtext("divisions"))
            elif el.tag in ("backup", "forward"):
                step = Fraction(int(el.findtext("duration")), divisions)
                cursor += -step if el.tag == "backup" else step
            elif el.tag == "note" and el.find("chord") is None and el.find("grace") is None:
                cursor += Fraction(int(el.findtext("duration")), divisions)
            longest = max(longest, cursor)
        starts.append(start)
        lengths.append(longest)
        implicit.append(measure.get("implicit") == "yes")
        start += longest
    return Bars(starts, lengths, implicit)


def beat_of(times: list[tuple[int, int]]) -> Fraction:
    numerator, denominator = times[0]
    unit = Fraction(4, denominator)
    return unit * 3 if denominator >= 8 and numerator % 3 == 0 and numerator > 3 else unit


def left_hand_on_the_beat(path: Path | str) -> tuple[float, float]:
    """Of the full bars where the left hand strikes: the share that strike on beat 1, and the share whose
    lowest bass note is struck on a beat."""
    s, bars = read_score(path), read_bars(path)
    beat = beat_of(s.times)
    by_bar: dict[int, list] = {}
    for n in s.sounding(2):
        by_bar.setdefault(bars.index(n.offset), []).append(n)
    playing = [(i, notes) for i, notes in by_bar.items() if not bars.implicit[i]]
    if not playing:
        return 1.0, 1.0
    downbeat = sum(1 for i, notes in playing if any(n.offset == bars.starts[i] for n in notes))
    lowest_on_beat = 0
    for i, notes in playing:
        low = min(n.pitch for n in notes)
        if all((n.offset - bars.starts[i]) % beat == 0 for n in notes if n.pitch == low):
            lowest_on_beat += 1
    return downbeat / len(playing), lowest_on_beat / len(playing)


def widest_struck(path: Path | str, staff: int) -> int:
    """The widest span in semitones of notes struck together in one staff, rolled (arpeggiated) chords aside."""
    s = read_score(path)
    groups: dict[Fraction, list] = {}
    for n in s.sounding(staff):
        groups.setdefault(n.offset, []).append(n)
    widest = 0
    for notes in groups.values():
        if any("arpeggiate" in n.ornaments for n in notes):
            continue
        widest = max(widest, max(n.pitch for n in notes) - min(n.pitch for n in notes))
    return widest


def melody_collisions(path: Path | str) -> float:
    """Share of melody onsets (top of the right hand) a minor second or ninth above a sounding left-hand note."""
    s = read_score(path)
    top: dict[Fraction, int] = {}
    for n in s.sounding(1):
        top[n.offset] = max(top.get(n.offset, 0), n.pitch)
    left = s.sounding(2)
    bad = 0
    for offset, pitch in top.items():
        if any(n.offset <= offset < n.end and pitch > n.pitch and (pitch - n.pitch) % 12 == 1 for n in left):
            bad += 1
    return bad / len(top) if top else 0.0


def chromatic_clashes(path: Path | str) -> float:
    """Share of right-hand notes sounding against a left-hand note a chromatic semitone above them: a scale
    degree against its own raised form (F in the tune, F# in the chord, in G minor), which the ear hears as
    a wrong note. The key is the score's own signature."""
    s = read_score(path)
    fifths, mode = s.keys[0]
    tonic = (7 * fifths + (9 if mode == "minor" else 0)) % 12
    steps = (0, 2, 4, 5, 7, 9, 11) if mode != "minor" else (0, 2, 3, 5, 7, 8, 10)
    scale = {(tonic + k) % 12 for k in steps}
    right, left = s.sounding(1), s.sounding(2)
    bad = sum(
        1 for r in right
        if r.pitch % 12 in scale and (r.pitch + 1) % 12 not in scale
        and any(n.pitch % 12 == (r.pitch + 1) % 12 and n.offset < r.end and r.offset < n.end for n in left)
    )  # fmt: skip
    return bad / len(right) if right else 0.0


def one_key_beats(path: Path | str, staff: int = 2) -> list[Fraction]:
    """Where a staff strikes four short onsets running (a sixteenth or less each) all on one pitch class
    (A2 A3 A3 A3): a figure that has lost its inner tones and drums one key in two octaves."""
    s = read_score(path)
    onsets: dict[Fraction, set[int]] = {}
    for n in s.sounding(staff):
        if 0 < n.duration <= Fraction(1, 4):
            onsets.setdefault(n.offset, set()).add(n.pitch % 12)
    times = sorted(onsets)
    return [times[k] for k in range(len(times) - 3) if len(set().union(*(onsets[t] for t in times[k:k + 4]))) == 1]


def final_sonority(path: Path | str) -> tuple[int, int]:
    """(lowest left-hand pitch, highest right-hand pitch) struck at the last onset of each hand."""
    s = read_score(path)
    last_left = max(n.offset for n in s.sounding(2))
    last_right = max(n.offset for n in s.sounding(1))
    bass = min(n.pitch for n in s.sounding(2) if n.offset == last_left)
    melody = max(n.pitch for n in s.sounding(1) if n.offset == last_right)
    return bass, melody


def right_hand_multi_share(path: Path | str) -> float:
    """Share of right-hand onsets that strike two notes or more (octaves, double notes, chords)."""
    s = read_score(path)
    counts = Counter(n.offset for n in s.sounding(1))
    return sum(1 for c in counts.values() if c > 1) / len(counts) if counts else 0.0


def left_hand_rhythms(path: Path | str) -> list[tuple[Fraction, ...]]:
    """Per full bar where the left hand plays, its onsets inside the bar: the bar's rhythm."""
    s, bars = read_score(path), read_bars(path)
    by_bar: dict[int, set] = {}
    for n in s.sounding(2):
        i = bars.index(n.offset)
        by_bar.setdefault(i, set()).add(n.offset - bars.starts[i])
    return [tuple(sorted(by_bar[i])) for i in sorted(by_bar) if not bars.implicit[i]]


def notes_per_bar(path: Path | str) -> list[int]:
    """Notes struck (both hands, chords and octaves counted) in each full bar."""
    s, bars = read_score(path), read_bars(path)
    counts = Counter(bars.index(n.offset) for n in s.sounding())
    return [counts.get(i, 0) for i in range(len(bars.starts)) if not bars.implicit[i]]


def climax_ratio(counts: list[int]) -> float:
    """Busiest four bars against the median four bars (sliding windows)."""
    windows = [sum(counts[i:i + 4]) for i in range(max(1, len(counts) - 3))]
    median = statistics.median(windows)
    return max(windows) / median if median else float("inf")


def longest_repeat(path: Path | str, staff: int = 1) -> int:
    """The longest run of consecutive full bars whose notes (pitches and places in the bar) are identical."""
    s, bars = read_score(path), read_bars(path)
    content: dict[int, list] = {}
    for n in s.sounding(staff):
        i = bars.index(n.offset)
        content.setdefault(i, []).append((n.offset - bars.starts[i], n.pitch, n.duration))
    seq = [tuple(sorted(content.get(i, []))) for i in range(len(bars.starts)) if not bars.implicit[i]]
    best = run = 1
    for a, b in pairwise(seq):
        run = run + 1 if a == b and a else 1
        best = max(best, run)
    return best


def longest_drum(path: Path | str, staff: int = 2) -> int:
    """The longest run of consecutive short onsets (a sixteenth or less) in a staff, held notes set aside,
    that strike one and the same single pitch: a figure that has collapsed into drumming one key."""
    s = read_score(path)
    onsets: dict[Fraction, set[int]] = {}
    for n in s.sounding(staff):
        if 0 < n.duration <= Fraction(1, 4):
            onsets.setdefault(n.offset, set()).add(n.pitch)
    best = run = 0
    previous: set[int] | None = None
    for offset in sorted(onsets):
        pitches = onsets[offset]
        run = run + 1 if len(pitches) == 1 and pitches == previous else 1
        previous = pitches
        best = max(best, run)
    return best


def facts(path: Path | str) -> ScoreFacts:
    return read_score(path)
