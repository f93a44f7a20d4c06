"""Composition: a plan of sections grown from the motif, of the asked length, with its marks in place."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings

from sketchbook.load import load_motif
from sketchbook.music.compose import compose, rhythm_factor
from sketchbook.music.streams import Streams
from sketchbook.style_files import load_style
from tests.strategies import motifs


@pytest.fixture(scope="module")
def styles():
    return {name: load_style(name) for name in ("beach", "photograph")}


def notes_fit(piece):
    for hand in (piece.right_hand, piece.left_hand):
        for n in hand:
            assert n.start >= 0 and n.end <= piece.length, n


@pytest.mark.parametrize("bars", [3, 17, 32, 101])
@pytest.mark.parametrize("variation", ["beach", "photograph"])
def test_bars_sets_the_exact_length(styles, variation, bars):
    piece = compose(load_motif("lantern"), styles[variation], streams=Streams.named(1, "test"), bars=bars)
    assert piece.bars == bars
    assert [s.start_bar for s in piece.sections] == [0] + [s.end_bar for s in piece.sections[:-1]]
    notes_fit(piece)


def test_too_few_bars_for_the_plan_is_a_clear_error(styles):
    from sketchbook.music.errors import SketchbookError

    with pytest.raises(SketchbookError, match="sections"):
        compose(load_motif("tide"), styles["photograph"], streams=Streams.named(1, "test"), bars=2)


def test_a_pickup_motif_opens_with_a_pickup_bar(styles):
    motif = load_motif("lantern")
    assert motif.pickup > 0
    piece = compose(motif, styles["photograph"], streams=Streams.named(1, "test"))
    assert piece.pickup == motif.pickup % piece.meter.bar_length
    assert min(n.start for n in piece.right_hand) == 0


def test_phrases_begin_at_their_statements_and_sections_hold_them(styles):
    piece = compose(load_motif("heron"), styles["beach"], streams=Streams.named(2, "test"))
    assert piece.phrases[0] == 0 and list(piece.phrases) == sorted(set(piece.phrases))
    for section in piece.sections:
        assert piece.bar_start(section.start_bar) in piece.phrases or section.start_bar == 0
        assert section.techniques


def test_pedal_presses_follow_the_harmony_without_gaps(styles):
    piece = compose(load_motif("tide"), styles["beach"], streams=Streams.named(1, "test"))
    assert piece.pedals[0].start == 0 and piece.pedals[-1].end == piece.length
    assert all(a.end == b.start for a, b in zip(piece.pedals, piece.pedals[1:]))


def test_sparse_styles_augment_dense_motifs_and_driven_ones_do_not(styles):
    dense = load_motif("pebbles")
    assert rhythm_factor(dense, 0.15) > 1
    assert rhythm_factor(dense, 0.9) <= 1


@settings(max_examples=25, deadline=None)
@given(motifs(max_notes=10))
def test_any_motif_grows_into_a_well_formed_piece(motif):
    for name in ("beach", "photograph"):
        piece = compose(motif, load_style(name), streams=Streams.named(0, "test"))
        notes_fit(piece)
        assert piece.right_hand and piece.left_hand
        assert len(piece.sections) == 3
        for hand in (piece.right_hand, piece.left_hand):
            for voice in (1, 2):
                line = sorted((n for n in hand if n.voice == voice), key=lambda n: n.start)
                # within a voice, notes that overlap must be a chord (same start)
                for a, b in itertools.pairwise(line):
                    assert b.start >= a.end or b.start == a.start, (a, b)
