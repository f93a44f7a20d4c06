"""Embellishment: figures fill the skeleton's time but never move, hide or overlap its notes."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.music.embellish import chord_cascade, embellish, neighbour_tones, passing_tones
from sketchbook.music.harmony import diatonic_chord
from sketchbook.music.model import Key, Note, Phrase
from sketchbook.music.theory import degree_of, in_key, spell
from tests.strategies import keyed_phrases, keys, phrases

F = Fraction
C_MAJOR = Key(0)
PROPERTY = settings(max_examples=40, deadline=None)
units = st.sampled_from((F(1, 4), F(1, 2), F(1, 3)))
LEVELS = [i / 10 for i in range(1, 11)]


def filled(p: Phrase, key: Key, density: float, unit: Fraction, seed: int) -> Phrase:
    # The harmony changes every bar between I and V, as a plain accompaniment would.
    chord_at = lambda t: diatonic_chord(0 if int(t // 4) % 2 == 0 else 4, key)
    return embellish(p, density=density, key=key, chord_at=chord_at, unit=unit, rng=random.Random(seed))


def sounding_at_once(notes) -> bool:
    ordered = sorted(notes, key=lambda n: (n.start, n.pitch))
    return any(b.start < a.end for a, b in itertools.pairwise(ordered))


class AlwaysLow(random.Random):
    """Every draw is 0: every note is embellished, with the first figure its leap allows."""

    def random(self) -> float:
        return 0.0


def test_a_half_note_c_rising_to_e_gets_a_passing_d():
    skeleton = Phrase((Note(60, F(0), F(2)), Note(64, F(2), F(2))), F(4))
    out = embellish(skeleton, density=1.0, key=C_MAJOR, chord_at=lambda t: diatonic_chord(0, C_MAJOR),
                    unit=F(1), rng=AlwaysLow())
    assert [(n.pitch, n.start, n.duration) for n in out.notes] == [
        (60, F(0), F(1)), (62, F(1), F(1)),  # C, passing D
        (64, F(2), F(1)), (65, F(3), F(1)),  # E with its upper neighbour F: the melody ends here
    ]  # fmt: skip


def test_a_raised_leading_tone_steps_through_the_scale_not_its_sharps():
    a_minor = Key(9, "minor")
    assert passing_tones(68, 74, 2, a_minor) == [69, 71]  # G# A B on to D, not G# A# B#
    assert neighbour_tones(68, 2, a_minor) == [69, 68]  # G# A G#
    assert passing_tones(66, 60, 2, C_MAJOR) == [65, 64]  # F# F E down to C, every step in the key


def test_figure_helpers_move_by_scale_step_and_chord_tone():
    assert passing_tones(60, 67, 3, C_MAJOR) == [62, 64, 65]  # C D E F leads on to G
    assert passing_tones(60, 62, 2, C_MAJOR) == [62, 60]  # arrived early: turn back
    assert passing_tones(60, 64, 7, C_MAJOR) == [62, 64, 62, 60, 62, 64, 62]  # and sway between the two notes
    assert neighbour_tones(64, 3, C_MAJOR) == [65, 64, 65]
    assert neighbour_tones(64, 2, C_MAJOR, upper=False) == [62, 64]
    assert chord_cascade(72, 4, diatonic_chord(0, C_MAJOR), down=True) == [67, 64, 60, 64]  # turns at an octave
    assert chord_cascade(48, 3, diatonic_chord(0, C_MAJOR), down=True) == [52, 55, 60]  # climbs back to G3
    assert chord_cascade(60, 2, diatonic_chord(4, Key(9, "minor")), down=False) == [64, 68]  # E G#: the raised seventh


@PROPERTY
@given(keyed_phrases(min_notes=1, low=48, high=84), st.floats(0, 1), units, st.integers(0, 999))
def test_embellishment_keeps_the_skeleton_length_and_one_voice(key_phrase, density, unit, seed):
    key, p = key_phrase
    out = filled(p, key, density, unit, seed)
    assert out.length == p.length
    assert {(n.start, n.pitch) for n in p.notes} <= {(n.start, n.pitch) for n in out.notes}
    assert not sounding_at_once(out.notes)
    # Nothing sounds where the skeleton rested, and a skeleton note's time is fully used.
    assert sum(n.duration for n in out.notes) == sum(n.duration for n in p.notes)
    assert all(21 <= n.pitch <= 108 for n in out.notes)


@PROPERTY
@given(phrases(min_notes=1, chords=True), st.floats(0, 1), units, st.integers(0, 999), keys)
def test_chords_and_chromatic_notes_keep_their_onsets(p, density, unit, seed, key):
    out = filled(p, key, density, unit, seed)
    assert {(n.start, n.pitch) for n in p.notes} <= {(n.start, n.pitch) for n in out.notes}
    assert out.length == p.length


@PROPERTY
@given(keyed_phrases(min_notes=1, low=48, high=84), units, st.integers(0, 999))
def test_more_density_never_removes_an_onset(key_phrase, unit, seed):
    key, p = key_phrase
    onsets = [{n.start for n in filled(p, key, d, unit, seed).notes} for d in LEVELS]
    for sparse, dense in itertools.pairwise(onsets):
        assert sparse <= dense
    assert onsets[0] == {n.start for n in p.notes}  # 0.1 is below the threshold: the skeleton alone


@PROPERTY
@given(phrases(min_notes=1, pitch=st.integers(48, 84)), keys, units, st.integers(0, 999))
def test_figure_notes_belong_to_the_key_even_around_chromatic_notes(p, key, unit, seed):
    out = filled(p, key, 1.0, unit, seed)
    # Only the V chord's raised leading tone in minor may leave the natural scale, besides a return
    # to the (perhaps chromatic) note being decorated.
    leading_tone = (key.tonic + 11) % 12
    for n in out.notes:
        decorated = max((m for m in p.notes if m.start <= n.start), key=lambda m: m.start)
        assert in_key(n.pitch, key) or n.pitch % 12 == leading_tone or n.pitch == decorated.pitch


@PROPERTY
@given(phrases(min_notes=1, pitch=st.integers(36, 96)), keys, st.integers(0, 999))
def test_figures_stay_in_the_right_hands_register(p, key, seed):
    out = filled(p, key, 1.0, F(1, 4), seed)
    lowest = min(min(p.pitches), 55)  # cascades never sink below G3 nor below the melody's own floor
    assert all(lowest - 2 <= n.pitch <= 108 for n in out.notes)
    assert sum(n.duration for n in out.notes) == sum(n.duration for n in p.notes)


@PROPERTY
@given(keyed_phrases(min_notes=1, low=48, high=84), units, st.integers(0, 999), st.data())
def test_ornamented_notes_are_left_exactly_as_written(key_phrase, unit, seed, data):
    key, p = key_phrase
    marks = data.draw(st.lists(st.sampled_from((None, "trill", "mordent", "turn")), min_size=len(p.notes),
                               max_size=len(p.notes)))
    p = replace(p, notes=tuple(replace(n, ornament=m) for n, m in zip(p.notes, marks)))
    out = filled(p, key, 1.0, unit, seed)
    for n in p.notes:
        if n.ornament:
            assert n in out.notes


@PROPERTY
@given(st.integers(48, 84), st.integers(48, 84), st.integers(1, 6), keys)
def test_passing_tones_are_steps_within_the_key(start, target, count, key):
    run = passing_tones(start, target, count, key)
    path = [start, *run]
    assert len(run) == count
    assert all(1 <= abs(b - a) <= 2 for a, b in itertools.pairwise(path))
    assert all(in_key(x, key) for x in run)
    assert all(min(start, target) - 2 <= x <= max(start, target) + 2 for x in run)  # never wanders off
    d_start, d_target = degree_of(start, key)[0], degree_of(target, key)[0]
    if d_start != d_target:
        assert (run[0] > start) == (d_target > d_start)  # the run sets off toward its goal


@given(st.integers(0, 11), st.sampled_from(["major", "minor"]), st.integers(48, 84), st.booleans())
def test_a_neighbour_figure_never_wobbles_on_one_letter(tonic, mode, pitch, upper):
    # E# and E in F# minor (a review: "an accidental on every note; reads as a misprint"): a note and its
    # neighbour always carry two letters, whichever side the figure first asked for.
    key = Key(tonic, mode)
    away = neighbour_tones(pitch, 2, key, upper=upper)[0]
    assert away != pitch and 1 <= abs(away - pitch) <= 3
    assert spell(away, key)[0] != spell(pitch, key)[0]


@given(st.integers(0, 2**32 - 1))
def test_a_figure_run_on_past_its_chord_follows_the_next_one(seed):
    # A review heard C# major arpeggiated on over the F# minor it resolves to. Here a C held for two bars of
    # 4/4 spins out over C major, then F major: from the bar line no E or G (C's own tones, not F's) is struck.
    key = Key(0)
    tonic, subdominant = diatonic_chord(0, key), diatonic_chord(3, key)
    long = Phrase((Note(72, Fraction(0), Fraction(8)),), Fraction(8))
    out = embellish(long, density=1.0, key=key, chord_at=lambda t: tonic if t < 4 else subdominant,
                    unit=Fraction(1, 4), rng=random.Random(seed))
    after = [n.pitch % 12 for n in out.notes if n.start >= 4]
    assert after and not {4, 7} & set(after), after
