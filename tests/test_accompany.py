"""The left hand: a bass in voice 2, a figure above it in voice 1, busier as density rises."""

from __future__ import annotations

import random
from collections import defaultdict
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.accompany import accompany
from sketchbook.harmony import Span, diatonic_chord
from sketchbook.model import Key, Note
from tests.strategies import keys

F = Fraction
C_MAJOR = Key(0)
PROPERTY = settings(max_examples=40, deadline=None)
LEVELS = [i / 10 for i in range(1, 11)]


@st.composite
def settings_for_a_left_hand(draw, low: int = 60, high: int = 88):
    """Bar or half-bar spans with chords, colours and a melody note over each, and a beat."""
    key = draw(keys)
    beat = draw(st.sampled_from((F(1), F(1, 2), F(3, 2), F(2))))
    lengths = draw(st.lists(st.sampled_from((F(1), F(3, 2), F(2), F(3), F(4), F(6))), min_size=1, max_size=6))
    spans, melody, t = [], [], F(0)
    for i, length in enumerate(lengths):
        spans.append(Span(t, t + length, cadence=i == len(lengths) - 1))
        melody.append(Note(draw(st.integers(low, high)), t, length))
        t += length
    chords = [diatonic_chord(draw(st.sampled_from((0, 1, 3, 4, 5))), key) for _ in spans]
    coloured = draw(st.lists(st.booleans(), min_size=len(spans), max_size=len(spans)))
    return melody, spans, chords, coloured, beat


def left_hand(case, density: float, seed: int) -> tuple[Note, ...]:
    melody, spans, chords, coloured, beat = case
    return accompany(melody, spans, chords, [density] * len(spans), coloured, rng=random.Random(seed), beat=beat)


def onsets_per_span(notes, spans) -> list[int]:
    return [len({n.start for n in notes if s.start <= n.start < s.end}) for s in spans]


def test_a_sparse_bar_is_a_bass_then_an_open_chord_on_beat_two():
    spans = [Span(F(0), F(4)), Span(F(4), F(8), cadence=True)]
    melody = [Note(76, F(0), F(4)), Note(72, F(4), F(4))]
    chords = [diatonic_chord(4, C_MAJOR), diatonic_chord(0, C_MAJOR)]
    notes = accompany(melody, spans, chords, [0.1, 0.1], [False, False], rng=random.Random(0))
    first = [(n.pitch, n.start, n.duration, n.voice) for n in notes if n.start < 4]
    assert first[0] == (43, F(0), F(4), 2)  # G2 held through the bar
    assert {(s, d, v) for _, s, d, v in first[1:]} == {(F(1), F(3), 1)}  # the open chord enters on beat two
    assert {p % 12 for p, *_ in first} >= {7, 11, 2}  # G B D
    last = [n for n in notes if n.start >= 4]
    assert {n.start for n in last} == {F(4)}  # the final chord is struck together and held


@PROPERTY
@given(settings_for_a_left_hand(), st.integers(0, 999))
def test_more_density_never_means_fewer_onsets_in_a_span(case, seed):
    spans = case[1]
    counts = [onsets_per_span(left_hand(case, d, seed), spans) for d in LEVELS]
    for sparse, busy in zip(counts, counts[1:]):
        assert all(a <= b for a, b in zip(sparse, busy))


@PROPERTY
@given(settings_for_a_left_hand(), st.sampled_from(LEVELS), st.integers(0, 999))
def test_the_bass_is_in_voice_two_at_every_span_start(case, density, seed):
    spans, chords = case[1], case[2]
    notes = left_hand(case, density, seed)
    for span, chord in zip(spans, chords):
        inside = [n for n in notes if span.start <= n.start < span.end]
        lowest = min(inside, key=lambda n: n.pitch)
        assert lowest.voice == 2 and lowest.start == span.start and lowest.pitch % 12 == chord.root
        assert all(n.voice == 1 for n in inside if n.pitch > max(m.pitch for m in inside if m.voice == 2))


@PROPERTY
@given(settings_for_a_left_hand(), st.sampled_from(LEVELS), st.integers(0, 999))
def test_no_voice_overlaps_itself_and_nothing_spills_past_the_end(case, density, seed):
    spans = case[1]
    notes = left_hand(case, density, seed)
    by_voice = defaultdict(lambda: defaultdict(list))
    for n in notes:
        by_voice[n.voice][n.start].append(n)
    for chords_by_onset in by_voice.values():
        onsets = sorted(chords_by_onset)
        for now, nxt in zip(onsets, onsets[1:]):
            assert max(n.end for n in chords_by_onset[now]) <= nxt
    assert all(n.end <= spans[-1].end for n in notes)
    assert all(span.start <= n.start and n.end <= span.end for span in spans for n in notes
               if span.start <= n.start < span.end)


@PROPERTY
@given(settings_for_a_left_hand(low=48, high=88), st.sampled_from(LEVELS), st.integers(0, 999))
def test_the_left_hand_stays_below_the_melody(case, density, seed):
    melody, spans = case[0], case[1]
    notes = left_hand(case, density, seed)
    for span, tune in zip(spans, melody):
        # A step below the tune, though never squeezed above E3 when the tune itself dips low.
        ceiling = max(52, tune.pitch - 2)
        assert all(n.pitch <= ceiling for n in notes if span.start <= n.start < span.end)
    assert all(24 <= n.pitch for n in notes)
