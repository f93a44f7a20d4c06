"""Cadences: where a phrase lands, and how the piece's last note comes home."""

from __future__ import annotations

from fractions import Fraction as F

from sketchbook.music.model import Key, Note
from sketchbook.music.phrasing import land_the_end

G_MAJOR = Key(7, "major")
BAR, BEAT = F(3), F(1)  # 3/4: the last bar begins at 9 in a piece ending at 12


def landed(melody: list[Note]) -> list[tuple[int, F, F]]:
    melody = list(melody)
    land_the_end(melody, F(12), BAR, BEAT, G_MAJOR)
    return sorted((n.pitch, n.start, n.duration) for n in melody if n.start >= 6)


def test_a_home_note_struck_a_bar_early_is_led_home_on_the_last_downbeat():
    """G struck in the dominant's bar would sound over D: that bar takes A, and G comes on the downbeat."""
    melody = [Note(71, F(6), F(1)), Note(67, F(7), F(1))]
    assert landed(melody) == [(67, F(9), F(3)), (69, F(7), F(2)), (71, F(6), F(1))]


def test_after_the_step_above_the_leading_tone_leads_home():
    melody = [Note(69, F(6), F(1)), Note(67, F(7), F(1))]
    assert landed(melody) == [(66, F(7), F(2)), (67, F(9), F(3)), (69, F(6), F(1))]


def test_another_note_held_over_the_dominant_resolves_at_the_bar_line_with_its_octave():
    melody = [Note(69, F(6), F(2)), Note(57, F(6), F(2)), Note(62, F(6), F(2))]  # A in octaves, D inside
    assert landed(melody) == [(55, F(9), F(3)), (57, F(6), F(3)), (62, F(6), F(3)), (67, F(9), F(3)),
                              (69, F(6), F(3))]


def test_a_note_of_the_last_bar_becomes_the_tonic_and_rings_to_the_end():
    assert landed([Note(71, F(6), F(3)), Note(69, F(9), F(1))]) == [(67, F(9), F(3)), (71, F(6), F(3))]
    assert landed([Note(71, F(6), F(3)), Note(67, F(9), F(1))]) == [(67, F(9), F(3)), (71, F(6), F(3))]


def test_a_home_note_struck_late_in_the_last_bar_moves_onto_its_downbeat():
    """A run up to a late tonic ("d e | g") gives way: the tonic comes on the last downbeat, and a note held
    over the bar line stops there."""
    melody = [Note(64, F(7), F(3)), Note(62, F(10), F(1) / 2), Note(64, F(21, 2), F(1) / 2), Note(67, F(11), F(1))]
    assert landed(melody) == [(64, F(7), F(2)), (67, F(9), F(3))]


def test_in_minor_a_lowered_seventh_held_into_the_end_rises_to_the_leading_tone():
    """F held over two bars in G minor: F, then F# for the dominant's bar, then G on the last downbeat."""
    melody = [Note(77, F(3), F(4))]
    land_the_end(melody, F(12), BAR, BEAT, Key(7, "minor"))
    assert sorted((n.pitch, n.start, n.duration) for n in melody) == [(77, F(3), F(3)), (78, F(6), F(3)),
                                                                       (79, F(9), F(3))]


def test_in_minor_the_dominants_bar_sings_the_melodic_minor_going_up():
    """F G A into A minor's last bar: F# G# A; a seventh falling to the sixth stays natural (no E#-D)."""
    a_minor = Key(9, "minor")
    melody = [Note(64, F(6), F(1)), Note(65, F(7), F(1)), Note(67, F(8), F(1)), Note(69, F(9), F(1))]
    land_the_end(melody, F(12), BAR, BEAT, a_minor)
    assert [n.pitch for n in sorted(melody, key=lambda n: n.start)] == [64, 66, 68, 69]
    melody = [Note(67, F(6), F(1)), Note(65, F(7), F(1)), Note(64, F(8), F(1))]
    land_the_end(melody, F(12), BAR, BEAT, a_minor)
    assert [n.pitch for n in sorted(melody, key=lambda n: n.start)][:2] == [67, 65]


def test_the_seventh_held_over_the_dominant_walks_down_to_the_tonic():
    """C held over D7 into G major's last bar: C, then B A in the last beat, then G on the downbeat (a
    pianist's review: the seventh leapt down a fourth and never resolved). In G minor, C Bb A G."""
    assert landed([Note(72, F(6), F(3))]) == [(67, F(9), F(3)), (69, F(17, 2), F(1, 2)), (71, F(8), F(1, 2)),
                                              (72, F(6), F(2))]
    melody = [Note(72, F(6), F(3))]
    land_the_end(melody, F(12), BAR, BEAT, Key(7, "minor"))
    assert [n.pitch for n in sorted(melody, key=lambda n: n.start)] == [72, 70, 69, 67]


def test_in_six_eight_the_seventh_walks_down_in_sixteenths_a_score_can_write():
    # Bars of 3 quarters, beat unit an eighth: C held, then B A as sixteenths in the last eighth, then G.
    melody = [Note(72, F(3), F(6))]
    land_the_end(melody, F(9), BAR, F(1, 2), G_MAJOR)
    assert sorted((n.pitch, n.start, n.duration) for n in melody) == [
        (67, F(6), F(3)), (69, F(23, 4), F(1, 4)), (71, F(11, 2), F(1, 4)), (72, F(3), F(5, 2))]


def test_a_seventh_struck_on_the_last_beat_and_another_tone_of_v_are_left_alone():
    assert landed([Note(72, F(8), F(1))]) == [(67, F(9), F(3)), (72, F(8), F(1))]  # no beat left to walk in
    assert landed([Note(69, F(6), F(3))]) == [(67, F(9), F(3)), (69, F(6), F(3))]  # A steps home as it is
