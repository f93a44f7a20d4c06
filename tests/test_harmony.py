"""Harmony: diatonic chords, the progression under a melody, open voicings and their colour."""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.music.harmony import (
    Chord,
    Span,
    as_the_chord_has_it,
    choose_progression,
    diatonic_chord,
    dissonant_onset_ratio,
    open_voicing,
)
from sketchbook.music.model import Key, Note
from sketchbook.music.streams import Streams
from sketchbook.music.theory import scale
from tests.strategies import grid_times, in_key_pitches, keys

F = Fraction
C_MAJOR, A_MINOR = Key(0), Key(9, "minor")
PROPERTY = settings(max_examples=50, deadline=None)
MAJOR, MINOR, DIMINISHED = (0, 4, 7), (0, 3, 7), (0, 3, 6)


@pytest.mark.parametrize(
    ("degree", "key", "root", "intervals"),
    [
        (0, C_MAJOR, 0, MAJOR),  # C
        (1, C_MAJOR, 2, MINOR),  # d
        (4, C_MAJOR, 7, MAJOR),  # G
        (5, C_MAJOR, 9, MINOR),  # a
        (6, C_MAJOR, 11, DIMINISHED),  # b dim
        (0, A_MINOR, 9, MINOR),  # a
        (3, A_MINOR, 2, MINOR),  # d
        (4, A_MINOR, 4, MAJOR),  # E, with the raised G#
        (6, A_MINOR, 7, MAJOR),  # G, the natural seventh
        (2, Key(2, "minor"), 5, MAJOR),  # F in D minor
        (4, Key(2, "minor"), 9, MAJOR),  # A (with C#) in D minor
    ],
)
def test_diatonic_chords(degree, key, root, intervals):
    assert diatonic_chord(degree, key) == Chord(root, degree, intervals)


@PROPERTY
@given(keys, st.integers(0, 6))
def test_diatonic_chords_are_stacked_thirds_from_the_scale(key, degree):
    chord = diatonic_chord(degree, key)
    assert chord.root == scale(key)[degree]
    assert chord.intervals[1] in (3, 4) and chord.intervals[2] in (6, 7)
    raised = (key.tonic + 11) % 12 if key.mode == "minor" else None
    assert all(pc in scale(key) or pc == raised for pc in chord.pitch_classes)


@st.composite
def melody_and_spans(draw):
    """Spans a half bar to two bars long, each under one melody note; the last span is a cadence."""
    key = draw(keys)
    lengths = draw(st.lists(st.sampled_from((F(2), F(3), F(4), F(8))), min_size=1, max_size=8))
    spans, melody, t = [], [], F(0)
    tonic_triad = diatonic_chord(0, key).pitch_classes
    for i, length in enumerate(lengths):
        cadence = "final" if i == len(lengths) - 1 else draw(st.sampled_from(["", "", "half", "full"]))
        spans.append(Span(t, t + length, cadence=cadence))
        pitch = draw(in_key_pitches(key, 60, 84))
        if i == len(lengths) - 1:
            pitch = draw(st.sampled_from([p for p in range(60, 85) if p % 12 in tonic_triad]))
        melody.append(Note(pitch, t, length))
        t += length
    return key, melody, spans


@PROPERTY
@given(melody_and_spans(), st.integers(0, 999))
def test_progression_has_one_chord_per_span_and_a_seed_fixes_it(case, seed):
    key, melody, spans = case
    chords = choose_progression(melody, spans, key, rng=random.Random(seed))
    assert len(chords) == len(spans)
    assert chords == choose_progression(melody, spans, key, rng=random.Random(seed))
    diatonic = [diatonic_chord(d, key) for d in range(7)]
    for span, chord in zip(spans, chords):
        if chord not in diatonic:  # only the minor key's dominant, made minor under the tune's lowered seventh
            assert key.mode == "minor" and chord == Chord(diatonic[4].root, 4, MINOR), chord
            assert any((n.pitch - chord.root) % 12 == 3 and n.start < span.end and n.end > span.start
                       for n in melody)
    assert chords[-1].degree == 0  # the closing cadence lands on the tonic
    for span, chord in zip(spans, chords):  # every cadence is kept, whatever the melody
        assert chord.degree == {"half": 4, "full": 0, "final": 0}.get(span.cadence, chord.degree)


@PROPERTY
@given(keys, st.lists(st.booleans(), min_size=1, max_size=10), st.integers(0, 999))
def test_without_a_melody_the_closing_cadence_is_the_tonic(key, cadences, seed):
    spans = [Span(F(2 * i), F(2 * i + 2), cadence="full" if c else "") for i, c in enumerate(cadences)]
    spans[-1] = Span(spans[-1].start, spans[-1].end, cadence="final")
    chords = choose_progression([], spans, key, rng=random.Random(seed))
    assert chords[-1] == diatonic_chord(0, key)


def test_progression_supports_the_melody():
    # C E | F A | G B | C G: the melody spells I, IV (or ii, which also holds F and A), V, I.
    melody = [Note(p, F(s), F(1)) for p, s in ((60, 0), (64, 1), (65, 2), (69, 3), (67, 4), (71, 5), (72, 6), (67, 7))]
    spans = [Span(F(2 * i), F(2 * i + 2), cadence="final" if i == 3 else "") for i in range(4)]
    for seed in range(10):
        degrees = [c.degree for c in choose_progression(melody, spans, C_MAJOR, rng=random.Random(seed))]
        assert degrees[0] == 0 and degrees[1] in (1, 3) and degrees[2:] == [4, 0]


def pc_intervals(pitches) -> set[int]:
    return {(b - a) % 12 for a, b in combinations(sorted(pitches), 2)}


chords = st.builds(lambda key, degree: diatonic_chord(degree, key), keys, st.sampled_from((0, 1, 3, 4, 5)))


@PROPERTY
@given(chords, st.booleans(), st.integers(0, 999))
def test_open_voicings_are_wide_with_the_root_in_the_bass(chord, coloured, seed):
    voicing = open_voicing(chord, coloured=coloured, rng=random.Random(seed))
    assert list(voicing) == sorted(set(voicing))
    assert voicing[0] % 12 == chord.root and 28 <= voicing[0] <= 47
    assert voicing[-1] - voicing[0] >= 15  # at least a tenth: root, fifth, tenth and an added tone
    assert set(chord.pitch_classes) <= {p % 12 for p in voicing}
    assert voicing[-1] <= 64


@PROPERTY
@given(chords, st.booleans(), st.integers(0, 999), st.integers(52, 76))
def test_open_voicings_fit_under_the_melody_and_keep_their_pitch_classes(chord, coloured, seed, top):
    voicing = open_voicing(chord, coloured=coloured, rng=random.Random(seed), top=top)
    roomy = open_voicing(chord, coloured=coloured, rng=random.Random(seed), top=127)
    assert voicing[-1] <= top and voicing[0] % 12 == chord.root and min(voicing) == voicing[0] >= 28
    assert {p % 12 for p in voicing} == {p % 12 for p in roomy}  # folded by octaves, never re-spelt


@PROPERTY
@given(chords, st.integers(0, 999))
def test_coloured_voicings_rub_and_plain_major_ones_do_not(chord, seed):
    coloured = open_voicing(chord, coloured=True, rng=random.Random(seed))
    assert pc_intervals(coloured) & {1, 6, 11}
    if not chord.is_minor:
        plain = open_voicing(chord, coloured=False, rng=random.Random(seed))
        assert not pc_intervals(plain) & {1, 6, 11}


@PROPERTY
@given(keys, st.sampled_from((0, 1, 2, 3, 4, 5, 6)), st.booleans(), st.integers(0, 999))
def test_added_tones_are_the_keys_own(key, degree, coloured, seed):
    # A pianist reads a B natural over F in G minor (a #11) or an F# over E minor in C (a ninth) as a wrong
    # note: the colour may rub, but with a tone the key has (minor's raised seventh among them).
    chord = diatonic_chord(degree, key)
    own = set(scale(key)) | ({(key.tonic + 11) % 12} if key.mode == "minor" else set())
    voicing = open_voicing(chord, coloured=coloured, rng=random.Random(seed), key=key)
    assert {p % 12 for p in voicing} <= own | set(chord.pitch_classes)
    assert set(chord.pitch_classes) <= {p % 12 for p in voicing}


def test_without_its_key_a_chord_keeps_every_colour_and_with_it_only_the_keys():
    f_in_g_minor = diatonic_chord(6, Key(7, "minor"))  # VII: F A C
    free = {p % 12 for s in range(40) for p in open_voicing(f_in_g_minor, coloured=True, rng=random.Random(s))}
    kept = {p % 12 for s in range(40)
            for p in open_voicing(f_in_g_minor, coloured=True, rng=random.Random(s), key=Key(7, "minor"))}
    assert 11 in free and 4 in free  # B (#11) and E (maj7) without the key
    assert not {11, 4} & kept and 7 in kept  # with it, a soft G (the ninth) instead


@PROPERTY
@given(chords, st.booleans(), st.integers(0, 999))
def test_a_plain_voicing_is_the_open_triad_alone(chord, coloured, seed):
    voicing = open_voicing(chord, coloured=coloured, rng=random.Random(seed), plain=True)
    assert {p % 12 for p in voicing} == set(chord.pitch_classes) and voicing[0] % 12 == chord.root


def test_a_c_major_voicing_spelled_out():
    c = diatonic_chord(0, C_MAJOR)
    voicings = {open_voicing(c, coloured=False, rng=random.Random(seed)) for seed in range(20)}
    assert voicings == {(36, 43, 50, 52), (36, 43, 52, 57)}  # C G D E (add9) and C G E A (added sixth)


@pytest.mark.parametrize(
    ("notes", "ratio"),
    [
        ([], 0.0),
        ([(60, 0, 1), (64, 0, 1), (67, 0, 1)], 0.0),  # a C major triad
        ([(60, 0, 1), (61, 0, 1)], 1.0),  # C against C#: both onsets rub
        ([(48, 0, 2), (71, 0, 2)], 1.0),  # a major seventh two octaves apart
        ([(60, 0, 2), (66, 1, 1)], 0.5),  # C held, then F# struck: only the F# onset is dissonant
        ([(60, 0, 1), (66, 1, 1)], 0.0),  # the C has stopped when the F# comes
        ([(60, 0, 1), (62, 0, 1), (64, 0, 1)], 0.0),  # whole steps are soft
        ([(36, 0, 4), (60, 1, 1), (65, 2, 1), (71, 3, 1)], 0.25),  # C pedal; only the B rubs
    ],
)
def test_dissonant_onset_ratio_examples(notes, ratio):
    assert dissonant_onset_ratio((p, F(s), F(s) + F(d)) for p, s, d in notes) == ratio


triples = st.lists(st.tuples(st.integers(36, 96), grid_times(0, 96), grid_times(1, 48)), max_size=20).map(
    lambda xs: [(p, s, s + d) for p, s, d in xs]
)


@PROPERTY
@given(triples, st.integers(-12, 12), st.integers(-2, 2))
def test_dissonant_onset_ratio_is_a_share_blind_to_transposition(notes, shift, octaves):
    ratio = dissonant_onset_ratio(notes)
    assert 0.0 <= ratio <= 1.0
    assert dissonant_onset_ratio([(p + shift, s, e) for p, s, e in notes]) == ratio
    if notes:  # moving one voice by octaves changes no interval class
        p, s, e = notes[0]
        assert dissonant_onset_ratio([(p + 12 * octaves, s, e), *notes[1:]]) == ratio


@PROPERTY
@given(keys, st.integers(1, 11), st.integers(0, 999))
def test_chords_move_with_a_phrase_transposed_to_another_key(key, shift, seed):
    moved = Key((key.tonic + shift) % 12, key.mode)
    spans = [Span(F(2 * i), F(2 * i + 2), cadence="final" if i == 7 else "") for i in range(8)]
    local = [key] * 2 + [moved] * 4 + [key] * 2
    chords = choose_progression([], spans, key, rng=random.Random(seed), keys=local)
    for chord, here in zip(chords, local):
        assert chord in [diatonic_chord(d, here) for d in range(7)], (chord, here)
    assert chords[-1] == diatonic_chord(0, key)


def test_compose_gives_a_transposed_phrase_its_own_key():
    from sketchbook.load import load_motif
    from sketchbook.music.compose import compose
    from sketchbook.style_files import load_style

    motif = load_motif("3/4 g4 | c'4 c' d' | e'2 c'4 | f'4 e' d' | c'2.")
    piece = compose(motif, load_style("beach"), streams=Streams.named(1, "test"))
    moved = [s for s in piece.sections[0].techniques if s.startswith("transpose:")]
    assert moved, piece.sections[0].techniques
    shift = int(moved[0].split(":")[1]) % 12
    there = Key((motif.key.tonic + shift) % 12, motif.key.mode)
    start = piece.phrases[1]  # the transposed phrase follows the re-barred statement
    under = [h for h in piece.harmony if start + piece.meter.bar_length <= h.start < piece.phrases[2]]
    assert under and all((h.root, h.intervals) in {(c.root, c.intervals) for c in
                         (diatonic_chord(d, there) for d in range(7))} for h in under)


def test_a_dominant_under_the_tunes_lowered_seventh_takes_the_minor_third():
    """G minor, a half cadence under a tune falling through F natural: v (D F A), not V's F# against the F."""
    g_minor = Key(7, "minor")
    melody = [Note(70, F(0), F(1)), Note(69, F(1), F(1)), Note(67, F(2), F(1)), Note(65, F(3), F(1)),
              Note(67, F(4), F(4))]
    spans = [Span(F(0), F(2)), Span(F(2), F(4), cadence="half"), Span(F(4), F(8), cadence="final")]
    chords = choose_progression(melody, spans, g_minor, rng=random.Random(1))
    assert chords[1].degree == 4 and chords[1].intervals == MINOR
    # The same cadence under a tune that rises through the leading tone keeps the major dominant.
    rising = [*melody[:3], Note(66, F(3), F(1)), melody[4]]
    assert choose_progression(rising, spans, g_minor, rng=random.Random(1))[1] == diatonic_chord(4, g_minor)


def test_a_scale_step_the_chord_raises_is_raised_with_it():
    g_minor, d_major = Key(7, "minor"), diatonic_chord(4, Key(7, "minor"))
    assert as_the_chord_has_it(65, d_major, g_minor) == 66  # F under D major: the leading tone F#
    assert as_the_chord_has_it(63, d_major, g_minor) == 63  # Eb: D major raises no E
    assert as_the_chord_has_it(65, diatonic_chord(3, g_minor), g_minor) == 65  # under C minor F stays


def test_a_coloured_dominant_takes_its_seventh_not_a_sharp_eleventh_or_major_seventh():
    """D-G#-F#-A on the dominant of G "should be D7" (a pianist's review): V's colour is its own seventh."""
    for key in (Key(7, "major"), Key(7, "minor"), Key(1, "minor")):
        dominant = diatonic_chord(4, key)
        for seed in range(20):
            voicing = open_voicing(dominant, coloured=True, rng=random.Random(seed))
            above = {(p - voicing[0]) % 12 for p in voicing[1:]}
            assert 10 in above and not above & {6, 11}, (key, voicing)
