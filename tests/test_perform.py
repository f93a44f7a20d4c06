"""Performance: the MIDI breathes (velocity, rubato, rolls, ornaments) while the score stays written."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from sketchbook.music.levers import Levers
from sketchbook.music.model import Dynamic, Key, Meter, Note, Piece, Section
from sketchbook.music.perform import TICK, perform
from sketchbook.music.streams import Touch


def piece(right, left=(), *, dynamics=(Dynamic(F(0), "p"),), tempo=66, phrases=(), bars=4, meter=Meter(4, 4)):
    return Piece(
        title="t", key=Key(0), meter=meter, right_hand=tuple(right), left_hand=tuple(left),
        sections=(Section("a", 0, bars, Levers(tempo=tempo, tempo_text="Lento")),), dynamics=tuple(dynamics),
        phrases=tuple(phrases),
    )  # fmt: skip


def played(p, *, rubato=0.0, seed=1, **kw):
    return perform(p, touch=Touch.named(seed, "test"), rubato=rubato, **kw).notes


def test_plain_notes_sound_as_written_without_rubato():
    notes = [Note(60 + i, F(i), F(1)) for i in range(8)]
    sounding = played(piece(notes), rubato=0.0)
    assert [(s.pitch, s.start, s.duration) for s in sounding] == [(n.pitch, n.start, n.duration) for n in notes]


def test_louder_marks_play_louder_and_accents_stand_out():
    soft = played(piece([Note(60, F(0), F(1))], dynamics=[Dynamic(F(0), "pp")]))[0].velocity
    loud = played(piece([Note(60, F(0), F(1))], dynamics=[Dynamic(F(0), "ff")]))[0].velocity
    accented = played(piece([Note(60, F(0), F(1), articulations=("accent",))], dynamics=[Dynamic(F(0), "pp")]))
    assert soft + 40 < loud
    assert accented[0].velocity > soft + 8


def test_downbeats_lean_heavier_than_offbeats():
    notes = [Note(64, F(i, 2), F(1, 2)) for i in range(16)]
    by_start = {s.start: s.velocity for s in played(piece(notes), rubato=0.0)}
    assert by_start[F(4)] > by_start[F(9, 2)]


def test_a_phrase_end_slows_and_the_next_phrase_starts_on_time():
    notes = [Note(67, F(i), F(1)) for i in range(16)]
    sounding = played(piece(notes, phrases=(F(0), F(8))), rubato=1.0, seed=3)
    late = {int(n.start): s.start - n.start for n, s in zip(notes, sorted(sounding, key=lambda s: s.start))}
    assert late[7] > late[5] + 8 * TICK  # the ritardando into bar 2's end
    assert abs(late[8]) <= 6 * TICK  # a new phrase: only the small jitter


def test_rolled_and_late_notes_still_release_with_the_beat():
    chord = [Note(p, F(0), F(2)) for p in (48, 55, 64, 71)]
    after = [Note(60, F(2), F(2))]
    sounding = played(piece(chord + after), rubato=1.0)
    starts = sorted({s.start for s in sounding if s.pitch != 60})
    assert len(starts) == 4  # the chord is rolled, bottom first
    for s in sounding:
        if s.pitch != 60:
            assert s.start + s.duration <= F(2) + 2 * TICK


def test_ornaments_become_notes_and_staccato_shortens():
    trill = Note(64, F(0), F(2), ornament="trill")
    short = Note(67, F(2), F(1), articulations=("staccato",))
    sounding = played(piece([trill, short]))
    trilled = [s for s in sounding if s.start < 2]
    assert len(trilled) >= 6 and {s.pitch for s in trilled} == {64, 65}
    assert next(s for s in sounding if s.pitch == 67).duration <= F(1, 2)


def test_the_tempo_map_follows_the_sections():
    p = Piece(
        title="t", key=Key(0), meter=Meter(3, 4), right_hand=(Note(60, F(0), F(3)),), left_hand=(),
        sections=(Section("a", 0, 2, Levers(tempo=126, tempo_text="Presto")),
                  Section("b", 2, 2, Levers(tempo=66, tempo_text="Lento"))),
    )  # fmt: skip
    assert perform(p, touch=Touch.named(1, "test")).tempos == ((0, 126), (F(6), 66))


def test_a_velocity_span_keeps_a_soft_piece_soft():
    notes = [Note(72, F(i), F(1), articulations=("accent",)) for i in range(8)]
    sounding = played(piece(notes, dynamics=[Dynamic(F(0), "ff")]), velocity_span=(22, 72))
    assert max(s.velocity for s in sounding) <= 72


@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_seed_performs_the_same(seed):
    notes = [Note(60 + i % 5, F(i, 2), F(1, 2)) for i in range(24)]
    assert played(piece(notes, bars=3), rubato=0.7, seed=seed) == played(piece(notes, bars=3), rubato=0.7, seed=seed)
