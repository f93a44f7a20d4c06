"""Motif development: the classic transformations keep the musical facts a teacher would check."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.music import transform as dev  # the transformations, as a teacher abbreviates them
from sketchbook.music.model import Key, Note, Phrase
from sketchbook.music.theory import degree_of, in_key
from tests.strategies import grid_times, in_key_pitches, keyed_phrases, keys, motifs, phrases

F = Fraction
C_MAJOR = Key(0)
A_MINOR = Key(9, "minor")
PROPERTY = settings(max_examples=50, deadline=None)

# Pitches within a tenth of middle C never reach the piano's edges when mirrored or moved a little.
middle = phrases(min_notes=1, pitch=st.integers(54, 78))
factors = st.builds(Fraction, st.integers(1, 6), st.integers(1, 6))


def phrase(*notes: tuple[int, float, float], length: float) -> Phrase:
    return Phrase(tuple(Note(p, F(s), F(d)) for p, s, d in notes), F(length))


def intervals(p: Phrase) -> list[int]:
    return [b - a for a, b in zip(p.pitches, p.pitches[1:])]


def degrees(p: Phrase, key: Key) -> list[int]:
    return [degree_of(n.pitch, key)[0] for n in p.notes]


# A readable example: the opening of "Frère Jacques" in C major (C D E C), four quarters in a 4/4 bar.
JACQUES = phrase((60, 0, 1), (62, 1, 1), (64, 2, 1), (60, 3, 1), length=4)


def test_examples_on_frere_jacques():
    assert dev.invert(JACQUES).pitches == (60, 58, 56, 60)
    assert dev.invert_diatonic(JACQUES, C_MAJOR).pitches == (60, 59, 57, 60)  # C B A C
    assert dev.sequence(JACQUES, 1, C_MAJOR).pitches == (62, 64, 65, 62)  # D E F D: the semitone moves
    assert dev.transpose(JACQUES, 7).pitches == (67, 69, 71, 67)
    assert dev.retrograde(JACQUES).pitches == (60, 64, 62, 60)
    assert dev.retrograde_inversion(JACQUES).pitches == (60, 56, 58, 60)
    assert [n.duration for n in dev.augment(JACQUES).notes] == [F(2)] * 4
    assert dev.diminish(JACQUES).length == F(2)
    assert dev.head(JACQUES).pitches == (60, 62)
    # Expanded by a degree: the steps become thirds and the falling third a fourth.
    assert dev.scale_intervals(JACQUES, 1, C_MAJOR).pitches == (60, 64, 67, 62)
    assert dev.extend(JACQUES, C_MAJOR, notes=2).pitches == (60, 62, 64, 60, 57, 53)  # the falling third goes on
    assert dev.fit_register(JACQUES, 72, 96).pitches == (84, 86, 88, 84)


def test_augment_refuses_a_non_positive_factor():
    with pytest.raises(ValueError, match="positive"):
        dev.augment(JACQUES, F(0))


def test_transformations_of_an_empty_phrase_are_empty():
    empty = Phrase((), F(4))
    for transform in (dev.invert, dev.retrograde, dev.retrograde_inversion, dev.augment):
        assert transform(empty).notes == ()
    assert dev.invert_diatonic(empty, C_MAJOR) == empty
    assert dev.fit_register(empty, 60, 72) == empty


@PROPERTY
@given(middle)
def test_invert_twice_is_identity(p):
    assert dev.invert(dev.invert(p)) == p


@PROPERTY
@given(middle, st.integers(60, 72))
def test_invert_mirrors_every_interval(p, axis):
    inverted = dev.invert(p, axis)
    assert intervals(inverted) == [-i for i in intervals(p)]
    assert all(a.pitch + b.pitch == 2 * axis for a, b in zip(p.notes, inverted.notes))
    assert dev.invert(inverted, axis) == p


@PROPERTY
@given(st.data())
def test_diatonic_inversion_twice_is_identity_and_stays_in_key(data):
    key = data.draw(keys)
    p = data.draw(phrases(min_notes=1, pitch=in_key_pitches(key, 54, 78)))
    once = dev.invert_diatonic(p, key)
    assert all(in_key(x, key) for x in once.pitches)
    axis = degrees(p, key)[0]
    assert degrees(once, key) == [2 * axis - d for d in degrees(p, key)]
    assert dev.invert_diatonic(once, key) == p


@PROPERTY
@given(phrases(chords=True))
def test_retrograde_twice_is_identity_and_keeps_pitches_and_length(p):
    back = dev.retrograde(p)
    assert back.length == p.length
    assert Counter(back.pitches) == Counter(p.pitches)
    assert sorted(n.duration for n in back.notes) == sorted(n.duration for n in p.notes)
    # Each note now ends where its mirror image started.
    assert sorted((p.length - n.end, n.pitch) for n in back.notes) == sorted((n.start, n.pitch) for n in p.notes)
    assert dev.retrograde(back) == p


@PROPERTY
@given(middle)
def test_retrograde_inversion_is_the_inversion_played_backwards(p):
    ri = dev.retrograde_inversion(p)
    axis = p.notes[0].pitch
    assert ri == dev.retrograde(dev.invert(p))
    assert Counter(ri.pitches) == Counter(2 * axis - x for x in p.pitches)
    assert [n.start for n in ri.notes] == [n.start for n in dev.retrograde(p).notes]


@PROPERTY
@given(phrases(chords=True), factors)
def test_augment_scales_every_onset_duration_and_the_length(p, factor):
    slow = dev.augment(p, factor)
    assert slow.length == p.length * factor
    assert [(n.pitch, n.start, n.duration) for n in slow.notes] == [
        (n.pitch, n.start * factor, n.duration * factor) for n in p.notes
    ]
    assert dev.diminish(slow, factor) == p
    assert dev.augment(dev.diminish(p, factor), factor) == p


@PROPERTY
@given(phrases(min_notes=1), st.integers(-12, 12))
def test_transpose_keeps_intervals_and_rhythm(p, semitones):
    moved = dev.transpose(p, semitones)
    assert intervals(moved) == intervals(p)
    assert [x - y for x, y in zip(moved.pitches, p.pitches)] == [semitones] * len(p.notes)
    assert [(n.start, n.duration) for n in moved.notes] == [(n.start, n.duration) for n in p.notes]


def test_transpose_folds_notes_back_onto_the_keyboard():
    top = phrase((100, 0, 1), length=1)
    assert dev.transpose(top, 12).pitches == (100,)  # 112 is off the keyboard: an octave lower


@PROPERTY
@given(keyed_phrases(), st.integers(-7, 7))
def test_tonal_sequence_moves_every_note_by_the_same_scale_steps(key_phrase, steps):
    key, p = key_phrase
    moved = dev.sequence(p, steps, key)
    assert all(in_key(x, key) for x in moved.pitches)
    assert [b - a for a, b in zip(degrees(p, key), degrees(moved, key))] == [steps] * len(p.notes)
    assert dev.sequence(moved, -steps, key) == p


@PROPERTY
@given(st.data(), st.integers(-9, 9))
def test_tonal_sequence_keeps_chromatic_notes_a_semitone_above_their_scale_tone(data, steps):
    key = data.draw(keys)
    p = data.draw(phrases(min_notes=1, pitch=st.integers(48, 84)))
    moved = dev.sequence(p, steps, key).pitches
    below = dev.sequence(dev.transpose(p, -1), steps, key).pitches
    for before, after, lower in zip(p.pitches, moved, below):
        if not in_key(before, key):
            assert after == lower + 1  # C# in C major moved up a third is E#, sounding F


@PROPERTY
@given(st.data())
def test_expansion_never_shrinks_a_leap_and_contraction_never_turns_one(data):
    key = data.draw(keys)
    p = data.draw(phrases(min_notes=2, max_notes=8, pitch=in_key_pitches(key, 55, 77)))
    wider, narrower = dev.scale_intervals(p, 1, key), dev.scale_intervals(p, -1, key)
    same_way = lambda a, b: (a > 0) == (b > 0) and (a < 0) == (b < 0)
    for old, new in zip(intervals(p), intervals(wider)):
        assert abs(new) >= abs(old) and same_way(old, new)  # in semitones too: a third never becomes a second
    # Contraction is counted in scale steps: a third may shrink to a whole step where a semitone was.
    steps = lambda q: [b - a for a, b in zip(degrees(q, key), degrees(q, key)[1:])]
    for old, new in zip(steps(p), steps(narrower)):
        assert abs(new) == max(1, abs(old) - 1) if old else new == 0
    assert all(same_way(old, new) for old, new in zip(intervals(p), intervals(narrower)))
    assert all(in_key(x, key) for x in wider.pitches + narrower.pitches)


@PROPERTY
@given(st.data())
def test_scaling_intervals_by_nothing_changes_nothing(data):
    key = data.draw(keys)
    p = data.draw(phrases(min_notes=1, max_notes=8, pitch=st.integers(55, 77)))
    assert dev.scale_intervals(p, 0, key) == p


@PROPERTY
@given(phrases(chords=True), grid_times(0, 96), grid_times(1, 96))
def test_fragment_holds_just_the_notes_that_begin_inside_it(p, start, span):
    end = start + span
    cut = dev.fragment(p, start, end)
    assert cut.length == span
    assert all(n.start >= 0 and n.end <= span for n in cut.notes)
    inside = [n for n in p.notes if start <= n.start < end]
    assert [(n.pitch, n.start + start) for n in cut.notes] == [(n.pitch, n.start) for n in inside]
    assert all(c.duration <= n.duration for c, n in zip(cut.notes, inside))


@PROPERTY
@given(phrases(chords=True), st.sampled_from((F(1, 4), F(1, 2), F(1, 3), F(1, 2), F(1))))
def test_head_is_an_opening_fragment_with_at_least_two_notes(p, fraction):
    opening = dev.head(p, fraction)
    assert opening.length <= max(p.length, F(1))
    assert len(opening.notes) >= min(2, len(p.notes))
    assert opening.notes == dev.fragment(p, F(0), opening.length).notes


@PROPERTY
@given(keyed_phrases(min_notes=2), st.integers(1, 4))
def test_liquidation_is_shrinking_heads_each_a_step_lower(key_phrase, stages):
    key, p = key_phrase
    result = dev.liquidate(p, key, stages=stages)
    heads = [dev.sequence(dev.head(p, F(1, 2**(s + 1))), -s, key) for s in range(stages)]
    assert result == dev.concatenate(heads)
    assert all(in_key(x, key) for x in result.pitches)
    assert all(a.length >= b.length for a, b in pairwise(heads))


@PROPERTY
@given(keyed_phrases(min_notes=2, low=48, high=84), st.integers(1, 5))
def test_extension_continues_the_last_step(key_phrase, count):
    key, p = key_phrase
    longer = dev.extend(p, key, notes=count)
    assert len(longer.notes) == len(p.notes) + count
    assert longer.notes[: len(p.notes) - 1] == p.notes[:-1]
    assert longer.length >= p.length
    tail = longer.notes[len(p.notes) - 1 :]  # the shortened last note and what follows it
    assert all(a.end == b.start for a, b in pairwise(tail))  # legato, no overlaps
    ds = degrees(Phrase(tail, longer.length), key)
    steps = {b - a for a, b in pairwise(ds)}
    assert len(steps) == 1 and 0 < abs(steps.pop()) <= 2
    assert all(in_key(x, key) for x in longer.pitches)


@PROPERTY
@given(phrases(chords=True), grid_times(0, 48))
def test_displace_shifts_every_onset(p, offset):
    late = dev.displace(p, offset)
    assert late.length == p.length + offset
    assert [(n.pitch, n.start) for n in late.notes] == [(n.pitch, n.start + offset) for n in p.notes]


@PROPERTY
@given(phrases(min_notes=1, pitch=st.integers(48, 84)), st.integers(-1, 1), st.integers(1, 3), st.integers(0, 99))
def test_register_displacement_moves_notes_by_whole_octaves(p, octaves, every, seed):
    moved = dev.displace_register(p, octaves, every=every)
    expected = [x + 12 * octaves if i % every == every - 1 else x for i, x in enumerate(p.pitches)]
    assert list(moved.pitches) == expected
    a = dev.displace_register(p, octaves, every=every, rng=random.Random(seed))
    b = dev.displace_register(p, octaves, every=every, rng=random.Random(seed))
    assert a == b and all((x - y) in (0, 12 * octaves) for x, y in zip(a.pitches, p.pitches))


@PROPERTY
@given(st.lists(phrases(chords=True), max_size=4), st.integers(1, 4))
def test_concatenate_and_repeat_add_lengths(parts, times):
    joined = dev.concatenate(parts)
    assert joined.length == sum((q.length for q in parts), F(0))
    assert joined.pitches == tuple(x for q in parts for x in q.pitches)
    if parts:
        again = dev.repeat(parts[0], times)
        assert again.length == parts[0].length * times
        assert again == dev.concatenate([parts[0]] * times)


@PROPERTY
@given(phrases(min_notes=1, pitch=st.integers(48, 72)), st.integers(36, 72), st.integers(12, 36))
def test_fit_register_centres_the_phrase_in_the_window(p, low, width):
    high = low + width
    fitted = dev.fit_register(p, low, high)
    shifts = {a - b for a, b in zip(fitted.pitches, p.pitches)}
    assert len(shifts) == 1 and shifts.pop() % 12 == 0
    centre = (min(fitted.pitches) + max(fitted.pitches)) / 2
    assert abs(centre - (low + high) / 2) <= 6


@PROPERTY
@given(motifs())
def test_a_motif_head_is_cut_on_its_beat_and_fills_whole_bars_when_repeated(motif):
    p, beat = motif.phrase, motif.meter.beat
    assert (p.length - motif.pickup) % motif.meter.bar_length == 0
    opening = dev.head(p, grid=beat)
    assert opening.length % beat == 0 or opening.length == p.length
    assert (dev.repeat(p, 3).length - 3 * motif.pickup) % motif.meter.bar_length == 0
    assert dev.augment(p).length == 2 * motif.length


def test_doctests_of_develop_and_model_pass():
    import doctest

    from sketchbook.music import model as model

    for module in (dev, model):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0
