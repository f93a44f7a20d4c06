"""The left hand: named figures laid out bar by bar from the bar line, within a hand's reach."""

from __future__ import annotations

import random
from collections import defaultdict
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.music.accompany import FIGURES, TENTH, Accompanist, accompany
from sketchbook.music.harmony import Span, diatonic_chord
from sketchbook.music.model import Key, Meter, Note
from tests.strategies import keys

F = Fraction
C_MAJOR = Key(0)
PROPERTY = settings(max_examples=40, deadline=None)
METERS = [Meter(3, 4), Meter(4, 4), Meter(2, 4), Meter(6, 8), Meter(9, 8), Meter(2, 2), Meter(4, 2)]


@st.composite
def settings_for_a_left_hand(draw, low: int = 60, high: int = 88):
    """Whole-bar spans after a pickup, with chords, colours and a melody note over each."""
    key = draw(keys)
    meter = draw(st.sampled_from(METERS))
    bar = meter.bar_length
    pickup = draw(st.sampled_from([F(0), F(1, 2), F(1), meter.beat])) % bar
    count = draw(st.integers(1, 6))
    spans, melody = [], [Note(draw(st.integers(low, high)), F(0), pickup)] if pickup else []
    for i in range(count):
        start = pickup + i * bar
        spans.append(Span(start, start + bar, cadence="final" if i == count - 1 else ""))
        melody.append(Note(draw(st.integers(low, high)), start, bar))
    chords = [diatonic_chord(draw(st.sampled_from((0, 1, 3, 4, 5))), key) for _ in spans]
    coloured = draw(st.lists(st.booleans(), min_size=len(spans), max_size=len(spans)))
    return melody, spans, chords, coloured, meter, pickup


def left_hand(case, figure: str, seed: int) -> tuple[Note, ...]:
    melody, spans, chords, coloured, meter, pickup = case
    return accompany(melody, spans, chords, [figure] * len(spans), coloured, rng=random.Random(seed), meter=meter,
                     pickup=pickup, phrase_starts=[pickup])


figures = st.sampled_from(sorted(FIGURES))


@PROPERTY
@given(settings_for_a_left_hand(), figures, st.integers(0, 999))
def test_every_bar_strikes_its_downbeat_and_its_lowest_note_on_a_beat(case, figure, seed):
    _melody, spans, _chords, _coloured, meter, pickup = case
    notes = left_hand(case, figure, seed)
    for span in spans:
        inside = [n for n in notes if span.start <= n.start < span.end]
        assert any(n.start == span.start for n in inside), f"{figure}: nothing on the downbeat at {span.start}"
        low = min(n.pitch for n in inside)
        assert all((n.start - pickup) % meter.beat == 0 for n in inside if n.pitch == low), figure
    assert all(n.start >= spans[0].start for n in notes), "the left hand waits for the first bar line"


@PROPERTY
@given(settings_for_a_left_hand(), figures, st.integers(0, 999))
def test_notes_struck_together_fit_in_one_hand(case, figure, seed):
    struck = defaultdict(list)
    for n in left_hand(case, figure, seed):
        struck[n.start].append(n.pitch)
    assert max(max(p) - min(p) for p in struck.values()) <= TENTH


@PROPERTY
@given(settings_for_a_left_hand(low=50, high=88), figures, st.integers(0, 999))
def test_the_left_hand_stays_below_the_melody_and_inside_its_spans(case, figure, seed):
    melody, spans, *_ = case
    notes = left_hand(case, figure, seed)
    assert notes == left_hand(case, figure, seed), "a seed fixes the voicing"
    for n in notes:
        assert spans[0].start <= n.start and n.end <= spans[-1].end
        over = [m.pitch for m in melody if m.start < n.end and m.end > n.start]
        assert not over or n.pitch <= max(52, min(over) - 2), (figure, n, over)


@PROPERTY
@given(settings_for_a_left_hand(), figures, st.integers(0, 999), st.data())
def test_colouring_one_span_changes_that_span_alone(case, figure, seed, data):
    # Composition steers the eerie rub by recolouring spans and keeps the spans already made: that is only
    # honest if a span's notes never depend on how the other spans were coloured.
    melody, spans, chords, coloured, meter, pickup = case
    flipped = data.draw(st.integers(0, len(spans) - 1))
    other = [c != (i == flipped) for i, c in enumerate(coloured)]

    def hand(colours):
        return Accompanist(melody, spans, chords, [figure] * len(spans), rng=random.Random(seed), meter=meter,
                           pickup=pickup).left_hand(colours)

    a, b = hand(coloured), hand(other)
    span = spans[flipped]
    outside = lambda notes: [n for n in notes if not span.start <= n.start < span.end]
    assert outside(a) == outside(b)
    assert hand(coloured) == a  # the same colouring, the same hand


@PROPERTY
@given(settings_for_a_left_hand(), st.integers(0, 999))
def test_no_left_hand_tone_sits_a_semitone_under_the_waltz_melody(case, seed):
    melody, spans, *_ = case
    free = [s for s in spans if not s.cadence]  # a cadence keeps its root: compose lands the tune on it
    for n in left_hand(case, "waltz", seed):
        if not any(s.start <= n.start < s.end for s in free):
            continue
        over = [m.pitch for m in melody if m.start < n.end and m.end > n.start and m.start >= spans[0].start]
        assert all((m - n.pitch) % 12 != 1 for m in over), (n, over)


def test_a_waltz_bar_is_a_low_bass_then_an_open_chord_on_beat_two():
    meter = Meter(3, 4)
    spans = [Span(F(1), F(4)), Span(F(4), F(7), cadence="final")]
    melody = [Note(79, F(0), F(1)), Note(76, F(1), F(3)), Note(72, F(4), F(3))]
    chords = [diatonic_chord(4, C_MAJOR), diatonic_chord(0, C_MAJOR)]
    notes = accompany(melody, spans, chords, ["waltz", "block"], [False, False], rng=random.Random(0), meter=meter,
                      pickup=F(1))
    first = [(n.pitch, n.start, n.duration, n.voice) for n in notes if n.start < 4]
    assert first[0] == (43, F(1), F(3), 2)  # G2 on the downbeat after the pickup, held through the bar
    assert {(s, d, v) for _, s, d, v in first[1:]} == {(F(2), F(2), 1)}  # the open chord enters on beat two
    assert {p % 12 for p, *_ in first} >= {7, 11, 2}  # G B D
    last = [n for n in notes if n.start >= 4]
    assert {n.start for n in last} == {F(4)} and min(n.pitch for n in last) % 12 == 0  # landed on C


G_MINOR_JIG = "6/8 d8 g4 b-8 a4 g8 f#4 a8 d'4 c'8 b-4 g8 e-4 c8 d4. g4"


@pytest.mark.parametrize("tune", ["tide", "ember", "lantern", G_MINOR_JIG])
@pytest.mark.parametrize("variation", ["beach", "photograph"])
def test_the_last_dominant_and_tonic_are_voiced_plain_and_every_added_tone_is_the_keys(tune, variation):
    from sketchbook.load import load_motif
    from sketchbook.music.compose import compose
    from sketchbook.music.streams import Streams
    from sketchbook.music.theory import scale
    from sketchbook.style_files import load_style

    piece = compose(load_motif(tune), load_style(variation), streams=Streams.named(2, variation))
    key = piece.key
    palette = set(scale(key)) | ({(key.tonic + 11) % 12} if key.mode == "minor" else set())
    chords = sorted(piece.harmony, key=lambda h: h.start)
    for index, chord in enumerate(chords):
        tones = {(chord.root + i) % 12 for i in chord.intervals}
        struck = {n.pitch % 12 for n in piece.left_hand if chord.start <= n.start < chord.end}
        if index >= len(chords) - 2:  # the final V (or IV) and I: the chord and nothing added
            assert struck <= tones, (chord, struck - tones)
        elif not piece.sections or all("transpose" not in t for s in piece.sections for t in s.techniques):
            assert struck <= tones | palette, (chord, struck - tones - palette)  # no B natural over F in G minor


@PROPERTY
@given(settings_for_a_left_hand(), st.integers(0, 3))
def test_repeated_staccato_chords_stay_within_an_octave(case, seed):
    # A review: E3+G4 tenths struck as four staccato eighths in a row at 132 bpm. The bass on the beat gives
    # the root; the repeated chord keeps to one hand's octave.
    chords: dict = defaultdict(list)
    for n in left_hand(case, "repeated", seed):
        if "staccato" in n.articulations:
            chords[n.start].append(n.pitch)
    assert all(max(ps) - min(ps) <= 12 for ps in chords.values()), dict(chords)
