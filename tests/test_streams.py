"""Independent random streams: turning --ornament changes ornaments and nothing else.

Every stage of a variation draws from its own stream (music/streams.py), and the places an ornament may
take are kept free of figures and doubling before the ornament level is read. So two developments that
differ only in the ornament lever must agree on everything but the ornaments: the left hand, the right
hand's notes, the marks, and in the performance every note that carries no ornament.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from fractions import Fraction

import pytest

from sketchbook.api import develop
from sketchbook.load import load_motif
from sketchbook.music.levers import Levers
from sketchbook.music.model import Key, Meter, Note, Piece, Section
from sketchbook.music.perform import perform
from sketchbook.music.streams import Touch
from sketchbook.request import Request, develop_variation
from tests.musical_facts import read_score

TUNES = {
    "waltz-pickup": "3/4 g4 | c'4 c' d' | e'2 c'4 | f'4 e' d' | c'2.",
    "jig-pickup": "6/8 d8 | g4 b8 a4 g8 | f#4 a8 d'4 c'8 | b4 g8 a4 f#8 | g4. r4",
    "g-minor-pickup": "3/4 d'4 | b-4 a g | f#2 g4 | a4 b- c'' | d''2",
}
MOTIFS = ["tide", "kite", "heron", *TUNES]
LEVELS = (0.2, 1.0)  # both above 0: at 0 the left hand's tremolo (an ornament) becomes repeated chords


def plain(note: Note) -> Note:
    return replace(note, ornament=None, graces=())


def developed(name: str, variation: str, ornament: float, seed: int = 1):
    return develop_variation(load_motif(TUNES.get(name, name)), variation, seed=seed,
                             request=Request(Levers(ornament=ornament)))


def sounding(performance, hand: int) -> Counter:
    return Counter((s.pitch, s.start, s.duration, s.velocity) for s in performance.notes if s.hand == hand)


def assert_plain_notes_sound_alike(a: Piece, b: Piece, perf_a, perf_b) -> None:
    """Every written note plain in both pieces sounds in both at the same time and velocity; whatever
    sounds in only one lies within one of that hand's ornamented notes."""
    for hand, (notes_a, notes_b) in enumerate(((a.right_hand, b.right_hand), (a.left_hand, b.left_hand))):
        in_a, in_b = sounding(perf_a, hand), sounding(perf_b, hand)
        common = in_a & in_b
        ornamented = [(n.start, n.end) for n in (*notes_a, *notes_b) if n.ornament]
        for only in (in_a - in_b, in_b - in_a):
            for pitch, start, _, _ in only:
                assert any(lo - Fraction(1, 4) <= start <= hi for lo, hi in ornamented), (hand, pitch, start)
        marked = {(n.start, n.pitch) for n in (*notes_a, *notes_b) if n.ornament}
        wanted = Counter(n.pitch for n in notes_a if (n.start, n.pitch) not in marked)
        found = Counter(pitch for pitch, *_ in common.elements())
        assert all(found[p] >= k for p, k in wanted.items()), hand


@pytest.mark.parametrize("variation", ["beach", "photograph"])
@pytest.mark.parametrize("name", MOTIFS)
def test_the_ornament_lever_moves_ornaments_and_nothing_else(name, variation):
    few, many = (developed(name, variation, level) for level in LEVELS)
    a, b = few.piece, many.piece
    # The lever did something: more ornaments at the higher level, on notes that exist in both.
    count = lambda piece: sum(1 for n in piece.right_hand if n.ornament)
    assert count(b) > count(a)
    # (a) the left hand, every mark of it
    assert a.left_hand == b.left_hand
    # (b) the right hand's notes, once ornament marks and grace notes are set aside
    assert [plain(n) for n in a.right_hand] == [plain(n) for n in b.right_hand]
    # (c) marks, harmony and sections, apart from the ornament lever's value
    assert (a.dynamics, a.hairpins, a.pedals, a.harmony, a.phrases, a.ritardandos, a.pickup) == (
        b.dynamics, b.hairpins, b.pedals, b.harmony, b.phrases, b.ritardandos, b.pickup)
    unturned = lambda piece: [replace(s, levers=replace(s.levers, ornament=None)) for s in piece.sections]
    assert unturned(a) == unturned(b)
    # (d) in the performance, notes without ornaments sound at the same time with the same velocity
    assert_plain_notes_sound_alike(a, b, few.performance, many.performance)
    assert few.performance.tempos == many.performance.tempos


def test_the_written_files_agree_apart_from_ornaments(tmp_path):
    """The same, read back from the MusicXML written: the left hand's staff identical, the right hand's
    notes identical once grace notes are set aside, and the same marks."""
    scores = []
    for level in LEVELS:
        develop("kite", seed=2, ornament=level).write(tmp_path / str(level))
        scores.append(read_score(tmp_path / str(level) / "photograph.musicxml"))
    few, many = scores
    staff = lambda facts, k: [(n.pitch, n.offset, n.duration, n.articulations, n.chord)
                              for n in facts.notes if n.staff == k and not n.grace]
    assert [n for n in few.notes if n.staff == 2] == [n for n in many.notes if n.staff == 2]
    assert staff(few, 1) == staff(many, 1)
    assert (few.dynamics, few.wedges, few.pedals, few.metronomes) == (
        many.dynamics, many.wedges, many.pedals, many.metronomes)
    ornaments = lambda facts: sum(len(n.ornaments) + n.grace for n in facts.notes)
    assert ornaments(many) > ornaments(few)


def test_a_trill_draws_nothing_from_the_touch():
    """perform: realising an ornament takes no draws, so the notes after it are played alike."""
    notes = [Note(60 + k % 5, Fraction(k), Fraction(1)) for k in range(12)]
    trilled = [replace(n, ornament="trill") if k == 3 else n for k, n in enumerate(notes)]
    section = (Section("a", 0, 3, Levers(tempo=80)),)
    pieces = [Piece("p", Key(0), Meter(4, 4), tuple(right), (), section) for right in (notes, trilled)]
    plays = [perform(p, touch=Touch(random.Random(5), random.Random(6)), rubato=0.6).notes for p in pieces]
    # From the next note on (a rubato pull is at most six ticks early; a trill's last tone starts a unit early).
    after = lambda play: [(s.pitch, s.start, s.duration, s.velocity) for s in play if s.start >= 4 - Fraction(1, 80)]
    assert after(plays[0]) == after(plays[1])
    assert len(plays[1]) > len(plays[0])  # the trill did sound as several notes
