"""Bar lines in tinyNotation: ignored for timing, and the first one marks a pickup."""

from fractions import Fraction

from sketchbook.formats.tinynotation import parse_tinynotation


def test_bar_lines_do_not_change_the_notes():
    plain = parse_tinynotation("3/4 a4 b c' d'2.")
    barred = parse_tinynotation("3/4 a4 b c' | d'2. |")
    assert [(n.pitch, n.start, n.duration) for n in barred.notes] == [
        (n.pitch, n.start, n.duration) for n in plain.notes
    ]
    assert barred.pickup == 0


def test_the_first_bar_line_marks_a_pickup():
    motif = parse_tinynotation("6/8 e8 | a4 b8 c'4 d'8 | e'4.")
    assert motif.pickup == Fraction(1, 2)
    assert motif.notes[1].start == Fraction(1, 2)  # the first downbeat, A4


def test_an_explicit_pickup_wins_over_the_bar_line():
    motif = parse_tinynotation("4/4 g4 | c'1", pickup=Fraction(0))
    assert motif.pickup == 0


def test_bar_lines_glued_to_notes():
    motif = parse_tinynotation("2/4 g8 a|b4 c'|d'2")
    assert [n.pitch for n in motif.notes] == [67, 69, 71, 72, 74]
    assert motif.pickup == Fraction(1)
