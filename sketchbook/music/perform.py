"""Performance: how a pianist would play the written piece (MIDI only; the score stays clean).

Velocities follow the dynamics, hairpins, phrase arcs and metre; onsets breathe a little (rubato);
ornaments become notes; chords roll slightly.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable
from fractions import Fraction

from sketchbook.music.model import Dynamic, Note, Performance, Piece, SoundingNote, ticks
from sketchbook.music.ornament import realise, roll_offset
from sketchbook.music.streams import Touch
from sketchbook.music.transform import on_the_keys

VELOCITY = {"ppp": 24, "pp": 34, "p": 46, "mp": 58, "mf": 72, "f": 88, "ff": 102, "fff": 114}
TICK = Fraction(1, 480)


def perform(piece: Piece, *, touch: Touch, rubato: float = 0.5, velocity_span: tuple[int, int] | None = None
            ) -> Performance:
    """Sounding notes for the piece: velocity, timing and ornaments realised.

    Each written note takes one timing draw and one velocity draw (``touch``), in score order, whatever
    it carries: ornaments are realised without drawing, so they never move another note.
    """
    onset, release_at, tick, grid = _onsets(piece, rubato)
    sounding: list[SoundingNote] = []
    shortest, zero, latest = TICK * 10, Fraction(0), piece.length
    per_tick, least, last_end = grid // 480, 10 * (grid // 480), 0  # the plain notes' arithmetic, in grid ticks
    in_ticks: dict[int, Fraction] = {}  # timing moves whole ticks, a few dozen distinct ones: made once each

    def ticks_late(k: int) -> Fraction:
        if k not in in_ticks:
            in_ticks[k] = TICK * k
        return in_ticks[k]

    for hand, notes in ((0, piece.right_hand), (1, piece.left_hand)):
        ranks = _chord_ranks(notes, tick)
        for note in notes:
            at = tick(note.start)
            base, ritardando, tempo = onset(at)
            push = (touch.velocity.random() * 2 - 1) * rubato
            drift = (touch.timing.random() * 2 - 1) * rubato
            level = base
            level += 12 if "accent" in note.articulations or "strong-accent" in note.articulations else 0
            level += 6 if hand == 0 else -4
            level += push * 4
            velocity = round(max(8, min(120, level)))
            if velocity_span:
                velocity = max(velocity_span[0], min(velocity_span[1], velocity))
            late = ritardando + round(drift * 6)
            rolled = note.ornament == "arpeggio" or (len(ranks[at]) > 2 and rubato > 0.3)
            # A late or rolled note still lets go with the beat (held into the next chord it would
            # smear it); only the ritardando moves releases.
            let_go = release_at(tick(note.end))
            if not rolled and note.ornament is None and "staccato" not in note.articulations:
                # The written note as it stands, worked in whole ticks (every time here is on the grid):
                # the same numbers as the Fraction arithmetic below, at a fraction of its cost.
                begin_t = max(0, at + late * per_tick)
                length_t = max(tick(note.end) + let_go * per_tick - begin_t, least)
                last_end = max(last_end, begin_t + length_t)
                sounding.append(SoundingNote(on_the_keys(note.pitch), Fraction(begin_t, grid),
                                             Fraction(length_t, grid), velocity, hand))
                continue
            delay = ticks_late(late)
            if rolled:
                delay += roll_offset(ranks[at].index(note.pitch), tempo)
            release = ticks_late(let_go)
            staccato = "staccato" in note.articulations
            for pitch, start, duration in _realised(piece, note, tempo):
                pitch = on_the_keys(pitch)  # an ornament's neighbour above C8 or below A0 folds back
                if staccato:
                    duration = max(TICK * 30, duration / 2)
                begin = start + delay if delay else start
                if begin < 0:
                    begin = zero
                plain = start is note.start and duration is note.duration  # the written note itself
                written_end = note.end if plain else start + duration
                finish = written_end + (release if plain or written_end == note.end else delay)
                length = finish - begin
                if length > shortest:
                    latest = finish if finish > latest else latest
                else:
                    length = shortest
                    latest = max(latest, begin + shortest)
                sounding.append(SoundingNote(pitch, begin, length, velocity, hand))
    latest = max(latest, Fraction(last_end, grid))
    tempos = _tempo_map(piece)
    # Sorted on whole ticks (model.ticks): exact, and far cheaper than comparing Fractions.
    at = ticks([s.start for s in sounding])
    order = sorted(range(len(sounding)), key=lambda k: (at[k], sounding[k].hand, sounding[k].pitch))
    return Performance(piece.title, piece.key, piece.meter, tuple(sounding[k] for k in order), piece.pedals,
                       tempos, latest)


def _onsets(piece: Piece, rubato: float):
    """(velocity level before touch and jitter, ritardando in ticks, tempo) at an onset, worked out once per onset;
    and the ritardando alone at a release; both asked in ``tick``s of the returned grid (per quarter note).

    Worked on one grid of whole ticks that holds every instant asked about: a long piece asks at
    thousands of onsets, and integers compare, hash and divide exactly at a fraction of a Fraction's cost
    (a ratio of ticks is the same rational, so every float drawn from it is the same float).
    """
    meter, notes = piece.meter, piece.right_hand + piece.left_hand
    section_starts = [piece.bar_start(s.start_bar) if i else Fraction(0) for i, s in enumerate(piece.sections)]
    starts = sorted(set(piece.phrases) | set(section_starts))
    marks = sorted(piece.dynamics, key=lambda d: d.offset)
    # Denominators straight from the times: a set of thousands of Fractions would hash every one.
    denominators = {t.denominator for t in (piece.pickup, meter.bar_length, meter.beat, piece.length, *starts,
                                             *(d.offset for d in marks),
                                             *(t for h in piece.hairpins for t in (h.start, h.end)))}
    denominators |= {n.start.denominator for n in notes} | {n.end.denominator for n in notes}
    grid = 2 * math.lcm(TICK.denominator, *denominators)  # doubled: halves stay whole

    def tick(t: Fraction) -> int:
        return t.numerator * (grid // t.denominator)

    loudness = _loudness_curve(piece, marks, tick)
    pickup, bar, beat, tick_length = tick(piece.pickup), tick(meter.bar_length), tick(meter.beat), grid // 480
    # One shape per phrase (a phrase never spans two sections): its start, length, where its closing
    # ritardando begins, and its tempo.
    at_starts = [tick(t) for t in starts]
    shapes = []
    for start, end, written in zip(at_starts, [*at_starts[1:], tick(piece.length)], starts):
        length = max(end - start, tick_length)
        closing = end - min(bar, length // 2)
        shapes.append((start, length, closing, piece.tempo_at(written)))
    known: dict[int, tuple[float, int, int]] = {}
    late: dict[int, int] = {}

    def shape(t: int) -> tuple[int, int, int, int]:
        # The last phrase begun by then (bisection: a long piece has thousands of phrases).
        return shapes[max(0, bisect.bisect_right(at_starts, t) - 1)]

    def at(t: int) -> tuple[float, int, int]:
        if t not in known:
            start, phrase, closing, tempo = shape(t)
            into_bar = (t - pickup) % bar
            accent = 7 if into_bar == 0 else 3 if into_bar % beat == 0 else -3
            level = loudness(t) + accent + _arc(t - start, phrase)
            known[t] = (level, _ritardando(t - closing, start + phrase - closing, rubato), tempo)
        return known[t]

    def release_at(t: int) -> int:
        """Only the ritardando, for a release: its loudness would be worked out for nothing."""
        if t in known:
            return known[t][1]
        if t not in late:
            start, phrase, closing, _ = shape(t)
            late[t] = _ritardando(t - closing, start + phrase - closing, rubato)
        return late[t]

    return at, release_at, tick, grid


def _realised(piece: Piece, note: Note, tempo: int) -> list[tuple[int, Fraction, Fraction]]:
    if note.ornament is None or note.ornament == "arpeggio":
        return [(note.pitch, note.start, note.duration)]
    return realise(note, key=piece.key, tempo=tempo)


def _chord_ranks(notes: tuple[Note, ...], tick: Callable[[Fraction], int]) -> dict[int, list[int]]:
    """The pitches struck at each onset (in ticks: a Fraction is slow to hash), low to high."""
    ranks: dict[int, list[int]] = defaultdict(list)
    for n in notes:
        ranks[tick(n.start)].append(n.pitch)
    for pitches in ranks.values():
        pitches.sort()
    return ranks


def _loudness_curve(piece: Piece, marks: list[Dynamic], tick: Callable[[Fraction], int]) -> Callable[[int], float]:
    """Velocity level at any tick: the last dynamic mark, bent through any hairpin toward the next mark."""
    mark_ticks, levels = [tick(d.offset) for d in marks], [VELOCITY[d.mark] for d in marks]
    pins = [(tick(h.start), tick(h.end), h.kind) for h in piece.hairpins]

    def level(t: int) -> float:
        k = bisect.bisect_right(mark_ticks, t)
        current = levels[k - 1] if k else VELOCITY["p"]
        for start, end, kind in pins:
            if start <= t < end:
                k = bisect.bisect_left(mark_ticks, end)
                after = levels[k] if k < len(levels) else None
                goal = after if after is not None else current + (10 if kind == "crescendo" else -10)
                if kind == "diminuendo" and goal >= current:
                    goal = current - 10
                return current + (goal - current) * ((t - start) / (end - start))
        return current

    return level


def _arc(into: int, phrase: int) -> float:
    """A phrase swells toward its middle and relaxes at its end: about +-6 velocity, ``into`` it by then."""
    where = min(1.0, into / phrase) if phrase else 0.0
    return 12 * (where if where < 0.6 else (1 - where) * 1.5) - 4


def _ritardando(into: int, span: int, rubato: float) -> int:
    """Onsets ``into`` a phrase's closing ``span`` lean later and later, in ticks of 1/480 of a quarter: up
    to a tenth of a beat times the rubato."""
    if into < 0 or rubato <= 0 or span <= 0:
        return 0
    return round(48 * rubato * min(1.0, into / span))


def _tempo_map(piece: Piece) -> tuple[tuple[Fraction, int], ...]:
    """Each section's tempo from its first bar line, and a written ritardando eased beat by beat."""
    out: list[tuple[Fraction, int]] = []
    for s in piece.sections:
        offset = Fraction(0) if not out else piece.bar_start(s.start_bar)
        if not out or out[-1][1] != s.tempo:
            out.append((offset, s.tempo))
    for start, end in piece.ritardandos:
        before, after = piece.tempo_at(start), piece.tempo_at(end)
        steps = int((end - start) / piece.meter.beat)
        for k in range(1, steps):
            share = k / steps
            out.append((start + k * piece.meter.beat, round(before + (after - before) * share ** 1.5)))
    return tuple(sorted(out))

