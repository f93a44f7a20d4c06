"""Expression: accents that follow the metre, and dynamics that hold a climax before they taper."""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.music.expression import articulate, dynamics_for
from sketchbook.music.levers import Levers
from sketchbook.music.model import Meter, Note, Section
from sketchbook.music.styles import SectionPlan

F = Fraction
THREE_FOUR = Meter(3, 4)


def test_a_phrase_opening_on_an_upbeat_is_accented_on_its_first_downbeat():
    # Beat three leads into the bar line at 1 (shift 1 puts time 1 on the downbeat): the accent goes there.
    phrase = (Note(67, F(0), F(1)), Note(72, F(1), F(2)), Note(71, F(3), F(1)), Note(69, F(4), F(2)))
    marked = articulate(phrase, phrase, 1.0, THREE_FOUR, F(1), False, rng=random.Random(1))
    accented = [n.start for n in marked if "accent" in n.articulations]
    assert F(1) in accented and F(0) not in accented


def test_a_syncopation_keeps_its_accent():
    phrase = (Note(67, F(0), F(1)), Note(69, F(3, 2), F(3, 2)))  # a dotted quarter from the off-beat
    marked = articulate(phrase, phrase, 1.0, THREE_FOUR, F(0), False, rng=random.Random(1))
    assert "accent" in marked[1].articulations


def _plans_and_sections(bars: list[int], peaks: list[str | None], marks: list[str]):
    sections, start = [], 0
    for count in bars:
        sections.append(Section("s", start, count, Levers(tempo=120)))
        start += count
    plans = [SectionPlan("s", (), dynamic=m, peak=p) for m, p in zip(marks, peaks)]
    return sections, plans


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(2, 30), st.sampled_from([None, "f", "ff"]), st.sampled_from(["p", "mf", "f"])),
                min_size=1, max_size=4))
def test_a_peak_holds_and_tapers_only_over_the_last_two_bars_toward_a_softer_section(layout):
    sections, plans = _plans_and_sections([b for b, _, _ in layout], [p for _, p, _ in layout],
                                          [m for _, _, m in layout])
    marks, wedges = dynamics_for(sections, plans, lambda bar: F(3 * bar))
    order = ["ppp", "pp", "p", "mp", "mf", "f", "ff", "fff"]
    for index, (section, plan) in enumerate(zip(sections, plans)):
        end = F(3 * section.end_bar)
        fading = [w for w in wedges if w.kind == "diminuendo" and F(3 * section.start_bar) <= w.start < end]
        for w in fading:
            assert w.end == end and end - w.start <= 6  # the last two bars at most
            assert all(m.offset != w.start for m in marks)  # never from the moment the peak arrives
        after = plans[index + 1].dynamic if index + 1 < len(plans) else None
        if after is not None and plan.peak and order.index(after) >= order.index(plan.peak):
            assert not fading  # no diminuendo toward a mark as loud as the peak


def test_no_dynamic_is_restated_where_nothing_moved_it():
    """The photographs restated f at the development under an f already sounding (a pianist's review): a
    mark is written where the level changes, or where a hairpin arrives."""
    from sketchbook.load import load_motif
    from sketchbook.request import develop_variation

    for name in ("tide", "kite", "moth", "lantern"):
        for variation in ("beach", "photograph"):
            piece = develop_variation(load_motif(name), variation, seed=3).piece
            arrivals = {h.end for h in piece.hairpins}
            for before, mark in zip(piece.dynamics, piece.dynamics[1:]):
                assert mark.mark != before.mark or mark.offset in arrivals, (name, variation, mark)


def test_no_accent_sounds_under_a_diminuendo():
    """The climax's accents ran on into the taper before the quiet return (a pianist's review)."""
    from sketchbook.load import load_motif
    from sketchbook.request import develop_variation

    tapered = 0
    for name in ("tide", "kite", "moth", "lantern", "ember"):
        piece = develop_variation(load_motif(name), "photograph", seed=1).piece
        fading = [(h.start, h.end) for h in piece.hairpins if h.kind == "diminuendo"]
        tapered += len(fading)
        for n in piece.right_hand:
            if any(lo <= n.start < hi for lo, hi in fading):
                assert not {"accent", "strong-accent"} & set(n.articulations), (name, n)
    assert tapered


def test_a_build_after_a_peak_starts_again_from_where_the_last_one_began():
    # The photograph's statement (mf, swelling to f) then its development (f, swelling to ff): the
    # development used to begin "cresc. poco a poco" at the f already sounding (a pianist's review). It
    # drops back to mf, subito, and builds to ff; a section without a peak keeps its own mark.
    sections, plans = _plans_and_sections([12, 20, 6], ["f", "ff", None], ["mf", "f", "p"])
    marks, wedges = dynamics_for(sections, plans, lambda bar: F(3 * bar))
    assert [(m.offset, m.mark) for m in marks] == [(0, "mf"), (F(3 * 9), "f"), (F(3 * 12), "mf"),
                                                   (F(3 * 27), "ff"), (F(3 * 32), "p")]
    assert any(w.kind == "crescendo" and w.start == 36 and w.end == 81 for w in wedges)
