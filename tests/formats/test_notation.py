"""The notation layout: what a reader of the written values, ties, tuplets, beams and accidentals would play."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings

from sketchbook.formats.notation import (
    ACCIDENTALS,
    BEAMS,
    TYPE_NAMES,
    Layout,
    NeedFinerGrid,
    divisions,
)
from sketchbook.music.levers import Levers
from sketchbook.music.model import Dynamic, Key, Meter, Note, Piece, Section
from tests.formats.test_musicxml import random_pieces

F = Fraction
PROPERTY = settings(max_examples=40, deadline=None)
QUARTERS = {name: F(2) ** exp for exp, name in TYPE_NAMES}  # a type's length in quarter notes
ALTERS = {name: alter for alter, name in ACCIDENTALS.items()}
STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def piece(right, *, meter=(4, 4), bars=1, pickup=0, **marks) -> Piece:
    return Piece("Study", Key(0), Meter(*meter), tuple(right), (), (Section("", 0, bars, Levers(tempo=90)),),
                 pickup=F(pickup),
                 **marks)  # fmt: skip


def laid_out(score: Piece) -> tuple[Layout, list[list]]:
    """Both staves, measure by measure, on the first grid that fits (doubling, as the writer does)."""
    grid = divisions(score)
    for _ in range(8):
        layout = Layout(score, grid)
        try:
            return layout, [list(layout.staff(hand)) for hand in (score.right_hand, score.left_hand)]
        except NeedFinerGrid:
            grid *= 2
    raise AssertionError("no grid fits")


def voices(layout: Layout, measures: list) -> dict[int, list[tuple[int, object]]]:
    """Each voice's items in order, with absolute start ticks."""
    out: dict[int, list] = {}
    for m, written in enumerate(measures):
        for v, items in written:
            out.setdefault(v, []).extend((layout.starts[m] + it.start, it) for it in items)
    return out


def sounding(layout: Layout, measures: list) -> Counter:
    """(pitch, start, length) of every note as played: tied items joined, in quarter notes."""
    notes: Counter = Counter()
    for timed in voices(layout, measures).values():
        start = None
        for at, it in timed:
            if it.chord is None:
                continue
            start = at if not it.tie_stop else start
            if not it.tie_start:
                for head in it.heads:
                    notes[head.pitch, F(start, layout.divisions), F(at + it.ticks - start, layout.divisions)] += 1
    return notes


def expected(notes, length) -> Counter:
    return Counter((x.pitch, x.start, min(x.end, length) - x.start) for x in notes if x.start < length)


@PROPERTY
@given(random_pieces())
def test_written_values_add_up_and_tied_notes_play_the_piece(score: Piece):
    layout, staves = laid_out(score)
    for hand, measures in zip((score.right_hand, score.left_hand), staves):
        assert len(measures) == len(layout.starts)
        for m, written in enumerate(measures):
            assert written[0][0] == 1, "voice 1 is written in every measure"
            for _, items in written:
                ends = [0] + [it.start + it.ticks for it in items]
                assert [it.start for it in items] == ends[:-1], "gapless"
                assert ends[-1] == layout.ends[m] - layout.starts[m], "each voice fills its measure"
                for it in items:
                    if it.type is None:  # a whole-measure rest
                        assert (it.chord, len(items), it.ticks) == (None, 1, layout.bar)
                        continue
                    value = QUARTERS[it.type] * (2 - F(1, 2**it.dots))
                    if it.tuplet:
                        value = value * it.tuplet.normal / it.tuplet.actual
                    assert value * layout.divisions == it.ticks, "the written value is exactly its length"
        assert sounding(layout, measures) == expected(hand, score.length)
        for timed in voices(layout, measures).values():
            chords = [(at, it) for at, it in timed if it.chord is not None]
            for (at, a), (bt, b) in pairwise(chords):
                assert a.tie_start == b.tie_stop
                if a.tie_start:
                    assert bt == at + a.ticks and [h.pitch for h in a.heads] == [h.pitch for h in b.heads]


@PROPERTY
@given(random_pieces())
def test_beams_open_and_close_within_a_measure(score: Piece):
    _, staves = laid_out(score)
    for measures in staves:
        for written in measures:
            for _, items in written:
                open_levels: set[str] = set()
                for it in items:
                    assert not open_levels or it.chord is not None, "a rest ends every beam"
                    if it.beams:
                        assert it.chord is not None and len(it.beams) == BEAMS[it.type]
                    for level, value in it.beams:
                        if value == "begin":
                            assert level not in open_levels
                            open_levels.add(level)
                        elif value in ("continue", "end"):
                            assert level in open_levels
                            if value == "end":
                                open_levels.discard(level)
                        else:
                            assert value in ("forward hook", "backward hook") and level != "1"
                assert not open_levels


@PROPERTY
@given(random_pieces())
def test_a_reader_of_the_accidentals_plays_every_pitch(score: Piece):
    layout, staves = laid_out(score)
    key_alter = layout.key_alter
    for measures in staves:
        for written in measures:
            order = []
            for v, items in enumerate(items for _, items in written):
                for it in items:
                    # Graces come before their note; the running count keeps heads from being compared.
                    order += [(it.start, 0, v, len(order) + k, head, None) for k, head in enumerate(it.graces)]
                    order += [(it.start, 1, v, len(order) + k, head, it) for k, head in enumerate(it.heads)]
            carried: dict[tuple[str, int], int] = {}  # accidentals hold to the bar line
            for *_, head, it in sorted(order):
                step, alter, octave, shown, pitch = head
                assert 12 * (octave + 1) + STEPS[step] + alter == pitch
                if it is not None and it.tie_stop:
                    assert shown is None, "a tied continuation shows no accidental"
                    continue
                if shown is not None:
                    carried[step, octave] = ALTERS[shown]
                assert carried.get((step, octave), key_alter[step]) == alter


def test_divisions_cover_every_time_in_the_piece():
    notes = [Note(60, F(0), F(1, 3)), Note(62, F(1, 3), F(1, 4))]
    assert divisions(piece(notes)) == 12
    assert divisions(piece(notes, dynamics=(Dynamic(F(1, 5), "p"),))) == 60
    assert divisions(piece([Note(60, F(0), F(3))], meter=(6, 8))) == 2  # a dotted-quarter beat


def test_locate_puts_a_stop_on_a_bar_line_in_the_bar_it_ends():
    layout = Layout(piece([], bars=2, pickup=1), 2)
    assert layout.starts == [0, 2, 10]
    assert [layout.locate(F(t)) for t in (0, 1, F(3, 2), 5)] == [(0, 0), (1, 0), (1, 1), (2, 0)]
    assert layout.locate(F(1), stop=True) == (0, 2)
    assert layout.locate(F(0), stop=True) == (0, 0)
    assert layout.locate(F(9)) is None and layout.locate(F(12)) is None
    assert layout.locate(F(9), stop=True) == (2, 8)


def test_five_quintuplet_sixteenths_are_one_bracketed_group():
    notes = [Note(60 + 2 * i, F(i, 5), F(1, 5)) for i in range(5)] + [Note(72, F(1), F(3))]
    items = laid_out(piece(notes))[1][0][0][0][1]
    assert [(it.type, it.dots, it.tuplet, it.bracket) for it in items] == [
        ("16th", 0, (5, 4, "16th"), "start"), *[("16th", 0, (5, 4, "16th"), None)] * 3,
        ("16th", 0, (5, 4, "16th"), "stop"), ("half", 1, None, None)]  # fmt: skip
    assert [it.beams for it in items[:5]] == [(("1", "begin"), ("2", "begin"))] + [
        (("1", "continue"), ("2", "continue"))] * 3 + [(("1", "end"), ("2", "end"))]  # fmt: skip


def test_a_rhythm_no_grid_can_split_asks_for_a_finer_one():
    # A quintuplet note inside a pickup of 12/7 quarters: no doubling of the grid ever fits it.
    score = piece([Note(60, F(43, 48), F(1, 5))], pickup=F(12, 7))
    grid = divisions(score)
    for _ in range(8):
        with pytest.raises(NeedFinerGrid):
            list(Layout(score, grid).staff(score.right_hand))
        grid *= 2
