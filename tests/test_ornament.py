"""Ornaments: where ornament_notes puts them, and how realise plays them."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import ORNAMENTS, Key, Meter, Note
from sketchbook.music.ornament import ornament_notes, ornament_unit, realise, roll_offset, tremolo_strokes
from sketchbook.music.theory import in_key

F = Fraction
C_MAJOR = Key(0)
D_MAJOR = Key(2)
THREE_FOUR = Meter(3, 4)
FOUR_FOUR = Meter(4, 4)


class AlwaysLow(random.Random):
    """Every draw is 0: every note that suits an ornament gets one, and the first candidate wins."""

    def random(self) -> float:
        return 0.0


def melody(*events: tuple[int | tuple[int, ...], Fraction]) -> tuple[Note, ...]:
    """Notes laid end to end from (pitch or chord, duration) pairs."""
    notes, start = [], F(0)
    for pitches, duration in events:
        for p in pitches if isinstance(pitches, tuple) else (pitches,):
            notes.append(Note(p, start, F(duration)))
        start += F(duration)
    return tuple(notes)


# D major in 3/4: D4 F#4 A4 | D5 (half) C#5 | B4 G4 F#4 (dotted half) ... | chord D3 F#3 A3
TUNE = melody((62, 1), (66, 1), (69, 1), (74, 2), (73, 1), (71, F(1, 2)), (67, F(1, 2)), (66, 2), ((50, 54, 57), 3))


# --- realise: one written note to the notes that play it -------------------------------------


@pytest.mark.parametrize(
    ("ornament", "expected"),
    [
        # At 120 bpm an ornament note is a sixth of a quarter (1/12 s).
        (None, [(64, F(4), F(1))]),
        ("mordent", [(64, F(4), F(1, 6)), (62, F(25, 6), F(1, 6)), (64, F(13, 3), F(2, 3))]),
        ("inverted-mordent", [(64, F(4), F(1, 6)), (65, F(25, 6), F(1, 6)), (64, F(13, 3), F(2, 3))]),
        ("turn", [(65, F(4), F(1, 6)), (64, F(25, 6), F(1, 6)), (62, F(13, 3), F(1, 6)), (64, F(9, 2), F(1, 2))]),
        ("trill", [(65 if i % 2 == 0 else 64, 4 + F(i, 6), F(1, 6)) for i in range(6)]),
        # 32nds at 120 would repeat one key 16 times a second: the tremolo goes in 16ths, two strokes.
        ("tremolo", [(64, 4 + F(i, 4), F(1, 4)) for i in range(4)]),
        ("arpeggio", [(64, F(4), F(1))]),
    ],
)
def test_realise_e4_quarter_in_c_major_at_120(ornament, expected):
    assert realise(Note(64, F(4), F(1), ornament=ornament), key=C_MAJOR, tempo=120) == expected


@pytest.mark.parametrize("tempo", [40, 57, 66, 75, 76, 100, 132, 150, 151, 200])
def test_a_tremolo_never_repeats_a_key_faster_than_a_hand_can(tempo):
    strokes = tremolo_strokes(tempo)
    played = realise(Note(48, F(0), F(4), ornament="tremolo"), key=C_MAJOR, tempo=tempo)
    gap = played[1][1] - played[0][1]
    assert gap == F(1, 2 ** strokes)  # the strokes written through the stem are the strokes played
    assert float(gap) * 60 / tempo >= 0.1  # ten a second at most
    assert strokes == 1 or float(gap / 2) * 60 / tempo < 0.1  # and no slower than it must be


def test_mordent_on_d_in_d_major_uses_the_leading_tone():
    tones = realise(Note(62, F(0), F(1), ornament="mordent"), key=D_MAJOR, tempo=120)
    assert [p for p, _, _ in tones] == [62, 61, 62]


def test_acciaccatura_is_crushed_in_just_before_the_beat():
    note = Note(64, F(2), F(1), ornament="acciaccatura", graces=(62,))
    assert realise(note, key=C_MAJOR, tempo=120) == [(62, F(2) - F(1, 6), F(1, 6)), (64, F(2), F(1))]


def test_acciaccatura_on_the_first_beat_steals_from_the_main_note():
    note = Note(64, F(0), F(1), ornament="acciaccatura", graces=(65,))
    assert realise(note, key=C_MAJOR, tempo=120) == [(65, F(0), F(1, 6)), (64, F(1, 6), F(5, 6))]


def test_appoggiatura_takes_half_the_main_note_on_the_beat():
    note = Note(64, F(3), F(2), ornament="appoggiatura", graces=(65,))
    assert realise(note, key=C_MAJOR, tempo=90) == [(65, F(3), F(1)), (64, F(4), F(1))]


def test_rolled_chord_notes_enter_from_the_bottom_and_release_together():
    chord = [Note(p, F(0), F(2), ornament="arpeggio") for p in (48, 52, 55, 60)]
    tones = [realise(n, key=C_MAJOR, tempo=72, rank=r)[0] for r, n in enumerate(chord)]
    starts = [start for _, start, _ in tones]
    assert starts[0] == 0 and starts == sorted(starts) and len(set(starts)) == 4
    assert {start + length for _, start, length in tones} == {F(2)}
    assert roll_offset(3, 72) * 60 / 72 < 0.2  # the whole roll is over within a fifth of a second


def test_ornament_notes_last_about_a_twelfth_of_a_second_at_every_tempo():
    units = [ornament_unit(tempo) for tempo in range(20, 401)]
    for tempo, unit in zip(range(20, 401), units):
        assert 1 / 15 < float(unit) * 60 / tempo < 1 / 9.5, tempo
    # Slower tempo: as fast in seconds, so shorter (or equal) in quarter notes.
    assert units == sorted(units)
    assert set(units) <= {F(1, d) for d in (2, 3, 4, 6, 8, 12, 16, 24, 32)}


def test_slower_tempo_packs_more_trill_notes_into_a_half_note():
    note = Note(67, F(0), F(2), ornament="trill")
    counts = [len(realise(note, key=C_MAJOR, tempo=tempo)) for tempo in (160, 120, 90, 60, 40)]
    assert counts == sorted(counts) and counts[-1] > counts[0]


notes_to_realise = st.builds(
    lambda pitch, start, duration, ornament, up: Note(
        pitch,
        start,
        duration,
        ornament=ornament,
        graces=((min(127, pitch + 2) if up else max(0, pitch - 2),)
                if ornament in ("acciaccatura", "appoggiatura") else ()),
    ),
    st.integers(0, 127),
    st.fractions(0, 16, max_denominator=12),
    st.fractions(F(1, 12), 8, max_denominator=12),
    st.sampled_from((None, *ORNAMENTS)),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(note=notes_to_realise, key=st.builds(Key, st.integers(0, 11), st.sampled_from(("major", "minor"))),
       tempo=st.integers(20, 400), rank=st.integers(0, 5))
def test_realisation_plays_the_written_note_within_its_time(note, key, tempo, rank):
    tones = realise(note, key=key, tempo=tempo, rank=rank)
    assert tones and all(0 <= p <= 127 and length > 0 for p, _, length in tones)
    starts = [start for _, start, _ in tones]
    assert starts == sorted(starts)
    # Everything sounds within the written note, save an acciaccatura's short lead-in.
    lead = ornament_unit(tempo) * len(note.graces) if note.ornament == "acciaccatura" else 0
    assert note.start - lead <= starts[0] and starts[0] >= 0
    assert max(start + length for _, start, length in tones) == note.end
    # Figures are legato: each tone starts as the one before ends.
    if note.ornament != "arpeggio":
        assert all(a[1] + a[2] == b[1] for a, b in itertools.pairwise(tones))
    assert tones[-1][0] == note.pitch
    if note.ornament in ("mordent", "inverted-mordent", "tremolo", "arpeggio", None):
        assert tones[0][0] == note.pitch
    written = {note.pitch, *note.graces}
    assert all(p in written or in_key(p, key) for p, _, _ in tones)
    assert all(abs(p - note.pitch) <= 2 for p, _, _ in tones if p not in written)


# --- ornament_notes: where ornaments go ------------------------------------------------------


def test_level_zero_returns_the_notes_untouched():
    assert ornament_notes(TUNE, level=0, key=D_MAJOR, meter=THREE_FOUR, rng=random.Random(1)) is TUNE


@pytest.mark.parametrize("level", [-0.1, 1.5])
def test_level_outside_zero_to_one_is_refused(level):
    with pytest.raises(SketchbookError, match="between 0 and 1"):
        ornament_notes(TUNE, level=level, key=D_MAJOR, meter=THREE_FOUR, rng=random.Random(1))


def test_unknown_kind_is_refused():
    with pytest.raises(SketchbookError, match="unknown ornament 'shake'"):
        ornament_notes(TUNE, level=1, key=D_MAJOR, meter=THREE_FOUR, rng=random.Random(1), kinds=("shake",))


def test_rng_advances_the_same_whatever_the_level():
    states = set()
    for level in (0, 0.3, 1):
        rng = random.Random(5)
        ornament_notes(TUNE, level=level, key=D_MAJOR, meter=THREE_FOUR, rng=rng)
        states.add(rng.random())
    assert len(states) == 1


def test_the_chord_is_rolled_whole():
    out = ornament_notes(TUNE, level=1, key=D_MAJOR, meter=THREE_FOUR, rng=AlwaysLow(), kinds=("arpeggio",))
    assert [n.pitch for n in out if n.ornament == "arpeggio"] == [50, 54, 57]


def test_trills_go_on_long_notes_only():
    out = ornament_notes(TUNE, level=1, key=D_MAJOR, meter=THREE_FOUR, rng=AlwaysLow(), kinds=("trill",))
    assert [(n.pitch, n.duration) for n in out if n.ornament == "trill"] == [
        (62, 1), (66, 1), (69, 1), (74, 2), (73, 1), (66, 2),
    ]


def test_appoggiaturas_lean_on_downbeats_from_the_step_above():
    out = ornament_notes(TUNE, level=1, key=D_MAJOR, meter=THREE_FOUR, rng=AlwaysLow(), kinds=("appoggiatura",))
    # B4 on the third downbeat is only an eighth: too short to lean on.
    assert [(n.start, n.pitch, n.graces) for n in out if n.ornament] == [(0, 62, (64,)), (3, 74, (76,))]


def test_acciaccaturas_come_from_below_an_upward_leap_and_above_a_downward_one():
    notes = melody((60, 1), (67, 1), (65, F(1, 2)), (60, F(3, 2)))
    out = ornament_notes(notes, level=1, key=C_MAJOR, meter=FOUR_FOUR, rng=AlwaysLow(), kinds=("acciaccatura",))
    assert [(n.pitch, n.graces) for n in out if n.ornament] == [(67, (65,)), (60, (62,))]


def test_turns_sit_before_a_step():
    notes = melody((60, 1), (62, 1), (67, 1), (69, 1))
    out = ornament_notes(notes, level=1, key=C_MAJOR, meter=FOUR_FOUR, rng=AlwaysLow(), kinds=("turn",))
    # C steps to D, G steps to A; D leaps; the last A ends the phrase, a long arrival.
    assert [n.pitch for n in out if n.ornament == "turn"] == [60, 67, 69]


def test_tremolo_only_on_long_sustained_notes():
    notes = melody((60, 4), (60, 2), (62, F(1, 2)), (64, F(3, 2)))
    out = ornament_notes(notes, level=1, key=C_MAJOR, meter=FOUR_FOUR, rng=AlwaysLow(), kinds=("tremolo",))
    assert [(n.pitch, n.duration) for n in out if n.ornament] == [(60, 4)]


def test_written_ornaments_are_kept():
    notes = (Note(60, F(0), F(2), ornament="mordent"), Note(64, F(2), F(2)))
    out = ornament_notes(notes, level=1, key=C_MAJOR, meter=FOUR_FOUR, rng=AlwaysLow(), kinds=("trill",))
    assert [n.ornament for n in out] == ["mordent", "trill"]


def test_only_the_upper_note_of_a_dyad_is_ornamented():
    notes = (Note(60, F(0), F(2)), Note(64, F(0), F(2)))
    out = ornament_notes(notes, level=1, key=C_MAJOR, meter=FOUR_FOUR, rng=AlwaysLow(), kinds=("trill",))
    assert [n.ornament for n in out] == [None, "trill"]


events = st.lists(
    st.tuples(
        st.lists(st.integers(0, 127), min_size=1, max_size=4, unique=True),
        st.sampled_from([F(1, 8), F(1, 4), F(1, 2), F(3, 4), F(1), F(3, 2), F(2), F(3), F(4)]),
        st.sampled_from([F(0), F(0), F(1, 2)]),  # rest before
    ),
    min_size=1,
    max_size=24,
)


def lay_out(evs) -> tuple[Note, ...]:
    notes, start = [], F(0)
    for pitches, duration, rest in evs:
        start += rest
        notes += [Note(p, start, duration) for p in pitches]
        start += duration
    return tuple(notes)


@settings(max_examples=50, deadline=None)
@given(evs=events, seed=st.integers(0, 2**32), low=st.floats(0, 1), high=st.floats(0, 1),
       key=st.builds(Key, st.integers(0, 11), st.sampled_from(("major", "minor"))),
       meter=st.sampled_from([Meter(3, 4), Meter(4, 4), Meter(6, 8), Meter(2, 2)]))
def test_a_higher_level_ornaments_a_superset_with_the_same_seed(evs, seed, low, high, key, meter):
    notes = lay_out(evs)
    low, high = sorted((low, high))
    fewer = ornament_notes(notes, level=low, key=key, meter=meter, rng=random.Random(seed))
    more = ornament_notes(notes, level=high, key=key, meter=meter, rng=random.Random(seed))
    for written, a, b in zip(notes, fewer, more):
        # The skeleton stays: only ornament and graces change.
        assert (a.pitch, a.start, a.duration, a.voice) == (b.pitch, b.start, b.duration, b.voice) == (
            written.pitch, written.start, written.duration, written.voice)
        if a.ornament:
            assert (a.ornament, a.graces) == (b.ornament, b.graces)
        for n in (a, b):
            if n.ornament == "trill":
                assert n.duration >= 1
            if n.ornament:
                assert n.duration >= F(1, 4)
            for g in n.graces:
                assert in_key(g, key) and 0 < abs(g - n.pitch) <= 2
    # Chords of three or more are rolled or shaken as one.
    for start in {n.start for n in notes}:
        chord = [n.ornament for n in more if n.start == start]
        if len(chord) >= 3:
            assert len(set(chord)) == 1 and chord[0] in (None, "arpeggio", "tremolo")


def test_ornaments_thicken_with_the_level_but_never_cover_everything():
    # Sixteen bars of a D major scale pattern in quarters and halves.
    rhythm = [F(1), F(1), F(2)] * 16
    notes = melody(*((62 + [0, 2, 4, 5, 7, 9, 11, 12][i % 8], d) for i, d in enumerate(rhythm)))
    shares = []
    for level in (0.25, 0.5, 1):
        out = ornament_notes(notes, level=level, key=D_MAJOR, meter=FOUR_FOUR, rng=random.Random(7))
        shares.append(sum(n.ornament is not None for n in out) / len(out))
    assert 0 < shares[0] < shares[1] < shares[2] < 0.7


@pytest.mark.parametrize("name", ["tide", "kite", "moth", "pebbles"])
def test_a_turn_sits_on_a_crotchet_or_longer(name):
    # Four notes before the main one settles: on an eighth at an Allegro a turn is a blur no hand plays (a
    # pianist's review of a reel's photograph: "five ornaments in one bar, two turns in a row").
    from sketchbook.load import load_motif
    from sketchbook.request import develop_variation

    for seed in (1, 2, 3):
        piece = develop_variation(load_motif(name), "photograph", seed=seed).piece
        turns = [n for n in piece.right_hand if n.ornament == "turn"]
        assert all(n.duration >= 1 for n in turns), [(n.start, n.duration) for n in turns if n.duration < 1]
