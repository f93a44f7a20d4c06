"""Metric transformation: a motif re-barred keeps its pitches in order and its downbeats on downbeats."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.music.metre import remeter, spread_for
from sketchbook.music.model import Meter, Note, Phrase

F = Fraction
METERS = [Meter(2, 4), Meter(3, 4), Meter(4, 4), Meter(6, 8), Meter(9, 8), Meter(2, 2), Meter(4, 2), Meter(12, 8)]
VALUES = [F(1, 4), F(1, 3), F(1, 2), F(3, 4), F(1), F(3, 2), F(2), F(3)]


@st.composite
def tunes(draw):
    """A melody filling 1-4 bars of a metre after an optional pickup, in values from sixteenths to dotted halves."""
    meter = draw(st.sampled_from(METERS))
    bar = meter.bar_length
    pickup = draw(st.sampled_from([F(0), F(1, 2), F(1), meter.beat])) % bar
    bars = draw(st.integers(1, 4))
    length = pickup + bars * bar
    notes, t = [], F(0)
    while t < length:
        value = min(draw(st.sampled_from(VALUES)), length - t)
        if draw(st.integers(0, 5)):  # now and then a rest
            notes.append(Note(draw(st.integers(55, 84)), t, value))
        t += value
    if not notes:
        notes.append(Note(60, F(0), length))
    return Phrase(tuple(notes), length), pickup, meter


@settings(max_examples=150, deadline=None)
@given(tunes(), st.sampled_from([Meter(3, 4), Meter(6, 8), Meter(4, 4)]), st.integers(1, 3))
def test_remetering_keeps_the_pitches_in_order_and_the_downbeats(tune, target, spread):
    phrase, pickup, source = tune
    new, new_pickup = remeter(phrase, pickup, source, target, spread=spread)
    assert [n.pitch for n in sorted(new.notes, key=lambda n: (n.start, n.pitch))] == [
        n.pitch for n in sorted(phrase.notes, key=lambda n: (n.start, n.pitch))]
    assert 0 <= new_pickup < target.bar_length
    bars = -(-(phrase.length - pickup) // source.bar_length)
    assert new.length == new_pickup + bars * spread * target.bar_length
    assert all(n.duration > 0 and n.end <= new.length for n in new.notes)
    starts = sorted({n.start for n in new.notes})
    assert len(starts) == len({n.start for n in phrase.notes}), "onsets stay apart"
    for old, moved in zip(sorted(phrase.notes, key=lambda n: n.start), sorted(new.notes, key=lambda n: n.start)):
        if old.start >= pickup and (old.start - pickup) % source.bar_length == 0:
            assert (moved.start - new_pickup) % target.bar_length == 0, "a downbeat stays a downbeat"


@settings(max_examples=100, deadline=None)
@given(tunes())
def test_a_wider_spread_slows_the_melody(tune):
    phrase, pickup, source = tune
    onsets = len({n.start for n in phrase.notes})
    spread = spread_for(phrase, pickup, source, Meter(3, 4), rate=0.55, most=4)
    bars = -(-(phrase.length - pickup) // source.bar_length)
    assert 1 <= spread <= 4
    assert spread == 4 or onsets / (bars * spread * 3) <= 0.55


def test_a_common_time_tune_walks_in_three():
    tune = Phrase(tuple(Note(60 + i, F(i), F(1)) for i in range(8)), F(8))
    waltz, pickup = remeter(tune, F(0), Meter(4, 4), Meter(3, 4), spread=2)
    assert pickup == 0 and waltz.length == 12
    assert [n.start for n in waltz.notes][:4] == [F(0), F(1), F(3), F(4)]  # quarter, half | quarter, half
