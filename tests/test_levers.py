"""The three levers and morph on real motifs: density, ornament and tempo follow the user's hand.

Measured on what the files would play and show: onsets per beat in the performance, ornaments in the score.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from sketchbook.load import load_motif
from sketchbook.music.levers import Levers
from sketchbook.request import Request, develop_variation
from sketchbook.style_files import load_style
from tests.generated_motifs import generated_motifs

MOTIFS = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "motifs").glob("*.tn"))
DENSITIES = (0.0, 0.25, 0.5, 0.75, 1.0)
ORNAMENT_LEVELS = (0.0, 0.25, 0.5, 0.75, 1.0)


def onsets_per_beat(result) -> float:
    return len(result.performance.notes) / float(result.performance.length)


def ornaments(result) -> int:
    return sum(1 for n in (*result.piece.right_hand, *result.piece.left_hand) if n.ornament)


def assert_non_decreasing(values, what):
    assert all(a <= b for a, b in itertools.pairwise(values)), f"{what} not monotonic: {values}"


@pytest.mark.parametrize("variation", ["beach", "photograph"])
@pytest.mark.parametrize("name", MOTIFS)
def test_density_and_ornament_levers_are_monotonic(name, variation):
    motif = load_motif(name)
    rates = [onsets_per_beat(develop_variation(motif, variation, seed=3, request=Request(Levers(density=d))))
             for d in DENSITIES]
    assert_non_decreasing(rates, f"{name} {variation} onsets per beat over density")
    assert rates[-1] > 2 * rates[0]
    counts = [ornaments(develop_variation(motif, variation, seed=3, request=Request(Levers(ornament=o))))
              for o in ORNAMENT_LEVELS]
    assert counts[0] == 0, "ornament 0 must give no ornaments at all"
    assert_non_decreasing(counts, f"{name} {variation} ornaments over the ornament lever")
    assert counts[-1] > 0


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(generated_motifs())
def test_levers_are_monotonic_on_generated_tunes(generated):
    motif = load_motif(generated.tinynotation())
    rates = [onsets_per_beat(develop_variation(motif, "photograph", seed=1, request=Request(Levers(density=d))))
             for d in (0.0, 0.5, 1.0)]
    assert_non_decreasing(rates, "onsets per beat over density")
    counts = [ornaments(develop_variation(motif, "photograph", seed=1, request=Request(Levers(ornament=o))))
              for o in (0.0, 0.5, 1.0)]
    assert counts[0] == 0
    assert_non_decreasing(counts, "ornaments over the ornament lever")


@pytest.mark.parametrize("name", ["tide", "kite", "ember"])
def test_tempo_lever_sets_the_metronome_and_the_midi(name):
    result = develop_variation(load_motif(name), "photograph", seed=1, request=Request(Levers(tempo=150)))
    assert result.piece.sections[0].tempo == 150
    assert result.performance.tempos[0] == (0, 150)
    assert result.piece.sections[-1].tempo == load_style("beach").levers.tempo  # the return keeps the beach tempo


@pytest.mark.parametrize("name", MOTIFS)
def test_morph_ends_match_beach_and_photograph(name):
    motif = load_motif(name)
    for t, variation in ((0.0, "beach"), (1.0, "photograph")):
        morphed = develop_variation(motif, "morph", seed=2, request=Request(morph=t))
        plain = develop_variation(motif, variation, seed=2)
        assert [s.tempo for s in morphed.piece.sections] == [s.tempo for s in plain.piece.sections]
        assert [s.levers.density for s in morphed.piece.sections] == [s.levers.density for s in plain.piece.sections]
        assert onsets_per_beat(morphed) == pytest.approx(onsets_per_beat(plain), rel=0.15)


def test_morph_moves_tempo_and_density_between_the_two():
    motif = load_motif("lantern")
    runs = [develop_variation(motif, "morph", seed=1, request=Request(morph=t)) for t in (0.0, 0.5, 1.0)]
    tempos = [r.piece.sections[0].tempo for r in runs]
    assert tempos[0] < tempos[1] < tempos[2]
    assert_non_decreasing([onsets_per_beat(r) for r in runs], "onsets per beat over morph")
