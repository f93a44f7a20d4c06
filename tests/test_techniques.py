"""Named techniques: every name in the vocabulary makes a phrase from the motif."""

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings

from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key, Meter, Note, Phrase
from sketchbook.music.techniques import TECHNIQUES, apply_technique
from tests.strategies import keyed_phrases

C_MAJOR = Key(0, "major")
BASE = Phrase(
    tuple(Note(p, Fraction(i), Fraction(1)) for i, p in enumerate((60, 64, 67, 65, 64, 62, 60, 59))),
    Fraction(8),
)


def develop(technique: str, level: int = 0, seed: int = 1):
    return apply_technique(technique, BASE, pickup=Fraction(0), meter=Meter(4, 4), key=C_MAJOR, level=level,
                           rng=random.Random(seed))


@pytest.mark.parametrize("technique", sorted(TECHNIQUES))
def test_every_technique_makes_a_phrase_that_fits(technique):
    made = develop(technique)
    assert made.phrase.notes, technique
    assert all(n.end <= made.phrase.length for n in made.phrase.notes)
    assert made.label.split(":")[0] == technique


@pytest.mark.parametrize(
    ("technique", "pitches"),
    [
        ("statement", (60, 64, 67, 65, 64, 62, 60, 59)),
        ("transpose:+7", (67, 71, 74, 72, 71, 69, 67, 66)),
        ("sequence:+1", (62, 65, 69, 67, 65, 64, 62, 60)),
        ("invert", (60, 57, 53, 55, 57, 59, 60, 62)),
        ("retrograde", (59, 60, 62, 64, 65, 67, 64, 60)),
    ],
)
def test_techniques_do_what_their_names_say(technique, pitches):
    assert develop(technique).phrase.pitches == pitches


def test_augment_doubles_and_diminish_halves_then_answers_a_step_higher():
    assert develop("augment").phrase.length == 16
    made = develop("diminish")
    assert made.phrase.length == 8
    assert made.phrase.pitches[8:] == tuple(p + (1 if p % 12 in (4, 11) else 2) for p in made.phrase.pitches[:8])


def test_sequences_climb_from_the_running_level():
    first = develop("sequence:+2", level=0)
    second = develop("sequence:+2", level=first.level)
    assert (first.level, second.level) == (2, 4)
    assert second.label == "sequence:+4"


def test_a_seed_chooses_the_degree_when_the_plan_gives_none():
    labels = {develop("transpose", seed=s).label for s in range(30)}
    assert len(labels) > 2
    assert develop("transpose", seed=5).label == develop("transpose", seed=5).label


@pytest.mark.parametrize("bad", ["whirl", "sequence:up", "transpose:1.5"])
def test_unknown_or_malformed_techniques_are_refused(bad):
    with pytest.raises(SketchbookError):
        develop(bad)


@settings(max_examples=40, deadline=None)
@given(keyed_phrases(min_notes=2))
def test_techniques_keep_notes_on_the_piano(keyed):
    key, phrase = keyed
    for technique in TECHNIQUES:
        made = apply_technique(technique, phrase, pickup=Fraction(0), meter=Meter(3, 4), key=key, level=0,
                               rng=random.Random(0))
        assert all(21 <= n.pitch <= 108 for n in made.phrase.notes)
        assert all(n.end <= made.phrase.length for n in made.phrase.notes)
