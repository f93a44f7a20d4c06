"""Performance: how a pianist would play the written piece (MIDI only; the score stays clean).

Velocities follow the dynamics, hairpins, phrase arcs and metre; onsets breathe a little (rubato);
ornaments become notes; chords roll slightly.
"""

from __future__ import annotations

import random
from collections import defaultdict
from fractions import Fraction

from sketchbook.model import DYNAMICS, Note, Performance, Piece, SoundingNote
from sketchbook.ornament import realise, roll_offset

VELOCITY = {"ppp": 24, "pp": 34, "p": 46, "mp": 58, "mf": 72, "f": 88, "ff": 102, "fff": 114}
TICK = Fraction(1, 480)


def perform(piece: Piece, *, rng: random.Random, rubato: float = 0.5, velocity_span: tuple[int, int] | None = None
            ) -> Performance:
    """Sounding notes for the piece: velocity, timing and ornaments realised, seeded by ``rng``."""
    loudness = _loudness_curve(piece)
    sounding: list[SoundingNote] = []
    for hand, notes in ((0, piece.right_hand), (1, piece.left_hand)):
        ranks = _chord_ranks(notes)
        for note in notes:
            section = _section_of(piece, note.start)
            jitter = (rng.random() * 2 - 1) * rubato
            level = loudness(note.start) + _metric_accent(piece, note) + _arc(piece, section, note.start)
            level += 12 if "accent" in note.articulations or "strong-accent" in note.articulations else 0
            level += 6 if hand == 0 else -4
            level += jitter * 4
            velocity = int(round(max(8, min(120, level))))
            if velocity_span:
                velocity = max(velocity_span[0], min(velocity_span[1], velocity))
            delay = _ritardando(piece, section, note.start, rubato) + TICK * round(jitter * 6)
            if note.ornament == "arpeggio" or (len(ranks[note.start]) > 2 and rubato > 0.3):
                delay += roll_offset(ranks[note.start].index(note.pitch), piece.tempo_at(note.start))
            for pitch, start, duration in _realised(piece, note):
                if "staccato" in note.articulations:
                    duration = max(TICK * 30, duration / 2)
                begin = max(Fraction(0), start + delay)
                sounding.append(SoundingNote(pitch, begin, duration, velocity, hand))
    tempos = _tempo_map(piece)
    sounding.sort(key=lambda s: (s.start, s.hand, s.pitch))
    end = max([piece.length] + [s.start + s.duration for s in sounding])
    return Performance(piece.title, piece.key, piece.meter, tuple(sounding), piece.pedals, tempos, end)


def _realised(piece: Piece, note: Note) -> list[tuple[int, Fraction, Fraction]]:
    if note.ornament is None or note.ornament == "arpeggio":
        return [(note.pitch, note.start, note.duration)]
    return realise(note, key=piece.key, tempo=piece.tempo_at(note.start))


def _chord_ranks(notes: tuple[Note, ...]) -> dict[Fraction, list[int]]:
    ranks: dict[Fraction, list[int]] = defaultdict(list)
    for n in notes:
        ranks[n.start].append(n.pitch)
    for pitches in ranks.values():
        pitches.sort()
    return ranks


def _section_of(piece: Piece, offset: Fraction):
    current = piece.sections[0]
    for s in piece.sections:
        if piece.bar_start(s.start_bar) <= offset:
            current = s
    return current


def _loudness_curve(piece: Piece):
    """Velocity level at any offset: the last dynamic mark, bent through any hairpin toward the next mark."""
    marks = sorted(piece.dynamics, key=lambda d: d.offset)

    def level(offset: Fraction) -> float:
        current = VELOCITY["p"]
        for d in marks:
            if d.offset <= offset:
                current = VELOCITY[d.mark]
        for h in piece.hairpins:
            if h.start <= offset < h.end:
                after = next((VELOCITY[d.mark] for d in marks if d.offset >= h.end), None)
                goal = after if after is not None else current + (10 if h.kind == "crescendo" else -10)
                if h.kind == "diminuendo" and goal >= current:
                    goal = current - 10
                share = float((offset - h.start) / (h.end - h.start))
                return current + (goal - current) * share
        return current

    return level


def _metric_accent(piece: Piece, note: Note) -> float:
    into_bar = (note.start - piece.pickup) % piece.meter.bar_length
    if into_bar == 0:
        return 7
    if into_bar % piece.meter.beat == 0:
        return 3
    return -3


def _arc(piece: Piece, section, offset: Fraction) -> float:
    """A phrase swells toward its middle and relaxes at its end: about +-6 velocity."""
    start = piece.bar_start(section.start_bar)
    length = piece.bar_start(section.end_bar) - start
    phrase = min(length, 4 * piece.meter.bar_length)
    where = float(((offset - start) % phrase) / phrase) if phrase else 0.0
    return 12 * (where if where < 0.6 else (1 - where) * 1.5) - 4


def _ritardando(piece: Piece, section, offset: Fraction, rubato: float) -> Fraction:
    """Onsets in a section's last bar lean later and later: up to a tenth of a beat times the rubato."""
    last_bar = piece.bar_start(section.end_bar - 1)
    if offset < last_bar or rubato <= 0:
        return Fraction(0)
    share = (offset - last_bar) / piece.meter.bar_length
    return TICK * round(48 * rubato * float(share))


def _tempo_map(piece: Piece) -> tuple[tuple[Fraction, int], ...]:
    out: list[tuple[Fraction, int]] = []
    for s in piece.sections:
        offset = Fraction(0) if not out else piece.bar_start(s.start_bar)
        if not out or out[-1][1] != s.tempo:
            out.append((offset, s.tempo))
    return tuple(out)


__all__ = ["perform", "VELOCITY", "DYNAMICS"]
