"""Theory helpers: spelling in a key, key finding and counting in scale degrees."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sketchbook.music.model import MODES, Key, Note
from sketchbook.music.theory import (
    LETTER_PCS,
    LETTERS,
    degree_of,
    diatonic_transpose,
    estimate_key,
    fifths,
    in_key,
    key_name,
    pitch_of,
    scale,
    spell,
    tonic_spelling,
)
from tests.strategies import in_key_pitches, keys, phrases

F = Fraction
PROPERTY = settings(max_examples=60, deadline=None)
ALL_KEYS = [Key(t, m) for t in range(12) for m in MODES]


def name(pitch: int, key: Key) -> str:
    letter, alter, octave = spell(pitch, key)
    return f"{letter}{'#' * alter if alter > 0 else 'b' * -alter}{octave}"


@pytest.mark.parametrize(
    ("pitch", "key", "spelt"),
    [
        (60, Key(0), "C4"),
        (61, Key(2), "C#4"),  # the leading tone of D major
        (68, Key(9, "minor"), "G#4"),  # the raised seventh of A minor keeps its letter
        (61, Key(2, "minor"), "C#4"),  # and so does D minor's
        (66, Key(9, "minor"), "F#4"),  # the raised sixth of melodic minor
        (70, Key(5), "Bb4"),
        (63, Key(3), "Eb4"),
        (71, Key(3), "B4"),  # a chromatic note on a white key keeps its natural name
        (66, Key(3), "Gb4"),  # a black one takes the flat of a flat key
        (60, Key(1, "minor"), "B#3"),  # C# minor's leading tone, an octave number below C4
        (62, Key(3, "minor"), "C##4"),  # D# minor's leading tone
        (66, Key(0), "F#4"),  # C major's chromatic notes: the sharp fourth...
        (70, Key(0), "Bb4"),  # ...and the flat seventh
        (59, Key(6), "B3"),
        (65, Key(6), "E#4"),  # F# major's seventh degree
    ],
)
def test_spelling_examples(pitch, key, spelt):
    assert name(pitch, key) == spelt


def test_key_names_follow_the_key_signature():
    assert [key_name(Key(t)) for t in (0, 1, 6, 10)] == ["C major", "Db major", "F# major", "Bb major"]
    assert [key_name(Key(t, "minor")) for t in (9, 2, 3, 8)] == ["A minor", "D minor", "D# minor", "G# minor"]
    assert fifths(Key(2)) == 2 and fifths(Key(5, "minor")) == -4


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_name)
def test_every_scale_uses_each_letter_once_from_the_tonic(key):
    tonic_letter = LETTERS.index(tonic_spelling(key)[0])
    letters = [spell(60 + (pc - 60) % 12, key)[0] for pc in scale(key)]
    assert letters == [LETTERS[(tonic_letter + i) % 7] for i in range(7)]
    if key.mode == "minor":  # the raised sixth and seventh keep the natural ones' letters
        assert spell(key.tonic + 9 + 48, key)[0] == letters[5]
        assert spell(key.tonic + 11 + 48, key)[0] == letters[6]


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_name)
def test_every_pitch_spells_back_to_itself(key):
    for pitch in range(21, 109):
        letter, alter, octave = spell(pitch, key)
        assert (octave + 1) * 12 + LETTER_PCS[LETTERS.index(letter)] + alter == pitch
        assert abs(alter) <= (2 if key.mode == "minor" else 1)
        if in_key(pitch, key):
            assert abs(alter) <= 1


def notes_of(pitches, last_length=2) -> list[Note]:
    return [Note(p, F(i), F(last_length if i == len(pitches) - 1 else 1)) for i, p in enumerate(pitches)]


def test_estimate_key_finds_c_major_from_its_scale():
    assert estimate_key(notes_of([60, 62, 64, 65, 67, 69, 71, 72])) == Key(0)
    assert estimate_key(notes_of([72, 71, 69, 67, 65, 64, 62, 60])) == Key(0)


def test_estimate_key_finds_a_minor_from_its_harmonic_scale():
    assert estimate_key(notes_of([69, 71, 72, 74, 76, 77, 80, 81])) == Key(9, "minor")
    assert estimate_key(notes_of([81, 80, 77, 76, 74, 72, 71, 69])) == Key(9, "minor")


def test_estimate_key_of_nothing_is_still_a_key():
    assert estimate_key([]) in ALL_KEYS


@PROPERTY
@given(keys, st.integers(-12, 12))
def test_estimate_key_follows_a_transposed_scale(key, shift):
    run = notes_of([pitch_of(d, key) + 60 for d in range(8)])
    moved = Key((key.tonic + shift) % 12, key.mode)
    found = estimate_key(Note(n.pitch + shift, n.start, n.duration) for n in run)
    if key.mode == "major":
        assert found == moved
    else:  # a natural-minor scale ending on its tonic reads as minor or, at worst, its relative major
        assert found in (moved, Key((moved.tonic + 3) % 12))


@PROPERTY
@given(phrases(min_notes=1), st.integers(-24, 24))
def test_estimate_key_is_blind_to_transposition(p, shift):
    # A pitch-class pattern that maps onto itself (C and F# equally long) ties two keys, and ties go
    # to the lower tonic; distinct weights per pitch class rule that out.
    weights = Counter()
    for n in p.notes:
        weights[n.pitch % 12] += n.duration
    last = max(p.notes, key=lambda n: (n.start, n.pitch))
    weights[last.pitch % 12] += last.duration + 1
    assume(len(set(weights.values())) == len(weights))
    found = estimate_key(p.notes)
    moved = estimate_key(Note(n.pitch + shift, n.start, n.duration) for n in p.notes)
    assert moved == Key((found.tonic + shift) % 12, found.mode)


@PROPERTY
@given(keys, st.integers(21, 108))
def test_degree_of_and_pitch_of_are_inverse(key, pitch):
    degree, chroma = degree_of(pitch, key)
    assert pitch_of(degree, key, chroma) == pitch
    assert chroma == (0 if in_key(pitch, key) else 1)


@PROPERTY
@given(st.data(), st.integers(-14, 14))
def test_diatonic_transposition_stays_in_key_and_comes_back(data, steps):
    key = data.draw(keys)
    pitch = data.draw(in_key_pitches(key))
    moved = diatonic_transpose(pitch, steps, key)
    assert in_key(moved, key)
    assert degree_of(moved, key)[0] - degree_of(pitch, key)[0] == steps
    assert diatonic_transpose(moved, -steps, key) == pitch
    assert (moved > pitch) == (steps > 0) and (moved < pitch) == (steps < 0)
    if abs(steps) == 7:
        assert abs(moved - pitch) == 12


@pytest.mark.parametrize("tune, key", [
    ("3/4 d'4 | b-4 a g | f#2 g4 | a4 b- c''4 | d''2", "G minor"),  # ends on the dominant, Bb C F# in it
    ("4/4 e'4 e' f' g' g' f' e' d' c' c' d' e' e'4. d'8 d'2", "C major"),  # Ode to Joy: a half cadence on D
    ("4/4 b-4 | e-'4 g' b-' g' | f'2 e-'4 d' | c'4 e-' a-' g' | f'2.", "Eb major"),  # pickup, half cadence
    ("3/4 g#4 | c#'4 e' g#' | f#'2 e'4 | d#'4 c#' b# | c#'2", "C# minor"),
    ("6/8 d8 | g4 b8 a4 g8 | f#4 a8 d'4 c'8 | b4 g8 a4 f#8 | g4. r4", "G major"),
])
def test_real_tunes_find_their_keys(tune, key):
    from sketchbook.load import load_motif

    assert key_name(load_motif(tune).key) == key
