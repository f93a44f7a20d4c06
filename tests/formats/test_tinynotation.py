"""Our tinyNotation reader: hand examples, bad tokens, and a cross-check against music21."""

from __future__ import annotations

import math
from fractions import Fraction as F
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.formats.tinynotation import (
    GRID,
    MAX_NOTES,
    MAX_TOKEN_CHARS,
    MAX_TUPLET_DEPTH,
    looks_like_tinynotation,
    motif_description,
    parse_motif_text,
    parse_tinynotation,
    quantise,
)
from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import Key, Meter


def notes_of(text: str) -> list[tuple[int, F, F]]:
    return [(n.pitch, n.start, n.duration) for n in parse_tinynotation(text).notes]


@pytest.mark.parametrize(
    "text, pitch",
    [
        ("c", 60),
        ("c'", 72),
        ("c''", 84),
        ("C", 48),
        ("CC", 36),
        ("b", 71),
        ("BB", 47),
        ("c#", 61),
        ("c##", 62),
        ("e-", 63),
        ("e--", 62),
        ("fn", 65),
        ("f'#", 78),
        ("f#'", 78),  # music21 drops the octave here; we read what the writer meant
        ("B-", 58),
        ("AA-", 44),
    ],
)
def test_pitches(text, pitch):
    assert notes_of(text)[0][0] == pitch


@pytest.mark.parametrize(
    "text, length",
    [("c1", 4), ("c2", 2), ("c4", 1), ("c8", F(1, 2)), ("c16", F(1, 4)), ("c32", F(1, 8)),
     ("c4.", F(3, 2)), ("c4..", F(7, 4)), ("c2.", 3), ("c8.", F(3, 4))],
)
def test_lengths(text, length):
    assert notes_of(text)[0][2] == length


def test_length_carries_over_and_defaults_to_a_quarter():
    assert notes_of("c d8 e f4. g") == [
        (60, 0, 1), (62, 1, F(1, 2)), (64, F(3, 2), F(1, 2)), (65, 2, F(3, 2)), (67, F(7, 2), F(3, 2)),
    ]


def test_rests_move_time_and_make_no_notes():
    assert notes_of("r4 c8 r8 d2") == [(60, 1, F(1, 2)), (62, 2, 2)]


def test_ties_merge_into_one_note():
    assert notes_of("c4~ c8~ c8 d4") == [(60, 0, 2), (62, 2, 1)]


def test_triplets_and_quadruplets():
    third = F(1, 3)
    assert notes_of("trip{c8 d e} f4") == [(60, 0, third), (62, third, third), (64, 2 * third, third), (65, 1, 1)]
    quad = notes_of("quad{c8 d e f} g")
    assert [start for _, start, _ in quad] == [0, F(3, 8), F(3, 4), F(9, 8), F(3, 2)]
    # An untupleted eighth carries over after the bracket closes, as in music21.
    assert notes_of("trip{c8 d e} f")[-1][2] == F(1, 2)


def test_quad_sixteenths_snap_to_the_grid_without_gaps():
    notes = notes_of("quad{c16 d e f} g4")
    assert all(start % GRID == 0 and length % GRID == 0 for _, start, length in notes)
    assert all(a[1] + a[2] == b[1] for a, b in pairwise(notes))
    assert notes[-1][1] == F(3, 4)


def test_lyrics_and_ids_are_ignored():
    assert notes_of("c4_hel d=x1 e_lo~ e") == [(60, 0, 1), (62, 1, 1), (64, 2, 2)]


def test_time_signature_and_key():
    motif = parse_tinynotation("6/8 a8 c' e' a'4.", name="m", description="d")
    assert motif.meter == Meter(6, 8)
    assert motif.key == Key(9, "minor")
    assert (motif.name, motif.description, motif.bars) == ("m", "d", 1)
    assert parse_tinynotation("c d e").meter == Meter(4, 4)


def test_given_key_and_pickup_are_kept():
    motif = parse_tinynotation("3/4 g4 c' d' e'", key=Key(7, "major"), pickup=F(1))
    assert motif.key == Key(7, "major")
    assert motif.pickup == 1
    assert motif.bars == 1


def test_an_upbeat_is_heard_only_where_nothing_places_the_notes():
    """Without bar lines the rhythm places a jig's upbeat; a bar line, a pickup header or an opening rest
    place the notes themselves and are obeyed."""
    jig = "6/8 d8 g4 b8 a4 g8 f#4 a8 d'4 c'8 b4 g8 e4 c8 d4. g4"
    assert parse_tinynotation(jig).pickup == F(1, 2)
    assert parse_tinynotation(jig.replace("g4 b8", "| g4 b8", 1)).pickup == F(1, 2)
    assert parse_tinynotation("6/8 d8 g4 b8 a4 | g8 f#4 a8 d'4 c'8 b4 g8 e4 c8 d4. g4").pickup == 0  # a whole bar
    assert parse_tinynotation(jig, pickup=F(0)).pickup == 0
    assert parse_tinynotation(jig.replace("6/8 d8", "6/8 r8 d8")).pickup == 0
    assert parse_motif_text(f"# pickup: 0\n{jig}", name="jig").pickup == 0


def test_quantise_rounds_to_the_nearest_24th():
    assert quantise(F(3, 16)) == F(5, 24)
    assert quantise(F(1, 48)) == F(1, 24)
    assert quantise(F(1, 3)) == F(1, 3)


@pytest.mark.parametrize(
    "text, token",
    [
        ("c4 h4", "h4"),
        ("c4 d3", "d3"),
        ("c4 x", "x"),
        ("c4 aaa", "aaa"),
        ("ABC", "ABC"),
        ("c4 e;", "e;"),
        ("c. d", "c."),
        ("c4... d", "c4..."),
        ("c4 d 3/4 e", "3/4"),
        ("3/5 c", "3/5"),
        ("c4 sept{d e f}", "sept{d"),
        ("c4 d}", "d}"),
        ("c4~ d4", "c4~"),
        ("c4~ r4", "c4~"),
        ("c''''''' d", "c'''''''"),
        ("CCCCCC", "CCCCCC"),
        ("c#'# d", "c#'#"),
    ],
)
def test_bad_tokens_are_named_in_one_line(text, token):
    with pytest.raises(SketchbookError) as caught:
        parse_tinynotation(text)
    message = str(caught.value)
    assert "\n" not in message
    assert repr(token) in message


@pytest.mark.parametrize(
    "text, fragment",
    [("r4 r2", "no notes"), ("", "no notes"), ("trip{c8 d e", "unclosed"), ("c " * 60_000, "too long")],
)
def test_bad_melodies_fail_in_one_line(text, fragment):
    with pytest.raises(SketchbookError, match=fragment) as caught:
        parse_tinynotation(text)
    assert "\n" not in str(caught.value)


def test_pickup_must_fit_in_a_bar():
    with pytest.raises(SketchbookError, match="pickup"):
        parse_tinynotation("3/4 c d e", pickup=F(3))


def test_looks_like_tinynotation():
    assert looks_like_tinynotation("3/4 c d e")
    assert looks_like_tinynotation("trip{c8 d e}")
    assert looks_like_tinynotation("c")
    assert not looks_like_tinynotation("beach")
    assert not looks_like_tinynotation("my-motif")
    assert not looks_like_tinynotation("")


def test_motif_text_headers():
    text = "# A falling line.\n# key: F# minor\n# pickup: 1/2\n\n# a note to the reader\n4/4 c'#8\nb4 a g# f#1\n"
    motif = parse_motif_text(text, name="falling")
    assert motif.description == "A falling line."
    assert motif.key == Key(6, "minor")
    assert motif.pickup == F(1, 2)
    assert motif.name == "falling"
    assert [n.pitch for n in motif.notes] == [73, 71, 69, 68, 66]


@pytest.mark.parametrize(
    "header, fragment", [("# key: H major", "key 'H major'"), ("# pickup: soon", "pickup 'soon'")]
)
def test_bad_motif_headers(header, fragment):
    with pytest.raises(SketchbookError, match=fragment) as caught:
        parse_motif_text(f"# d\n{header}\nc d e", name="x")
    assert "line 2" in str(caught.value)


# --- cross-check against music21 on generated melodies ------------------------------------

pitch_names = st.builds(
    lambda step, octave, accidental: (step + "'" * (octave - 4) if octave >= 4 else step.upper() * (4 - octave))
    + accidental,
    st.sampled_from("cdefgab"),
    st.integers(1, 6),
    st.sampled_from(["", "#", "##", "-", "--", "n"]),
)
lengths = st.one_of(
    st.just(""),
    st.builds(
        lambda n, dots: n + dots,
        st.sampled_from(["1", "2", "4", "8", "16", "32", "64"]),
        st.sampled_from(["", ".", ".."]),
    ),
)
suffixes = st.sampled_from(["", "", "_la", "=id1"])
notes_text = st.builds(lambda p, n, s: p + n + s, pitch_names, lengths, suffixes)
rests_text = st.builds(lambda n: "r" + n, lengths)
tied_pairs = st.builds(lambda p, a, b: f"{p}{a}~ {p}{b}", pitch_names, lengths, lengths)


@st.composite
def tuplets(draw):
    inner = draw(st.lists(st.one_of(notes_text, notes_text, rests_text), min_size=1, max_size=4))
    bracket = draw(st.sampled_from(["trip", "quad"]))
    return f"{bracket}{{{' '.join(inner)}}}"


melodies = st.builds(
    lambda meter, first, rest: " ".join(([meter] if meter else []) + [first] + rest),
    st.sampled_from(["", "2/4", "3/4", "4/4", "6/8", "9/8", "5/4", "3/8"]),
    notes_text,
    st.lists(st.one_of(notes_text, rests_text, tied_pairs, tuplets()), max_size=10),
)


def _on_grid(value) -> F:
    x = F(value).limit_denominator(1_000_000)
    return F(math.floor(x * 24 + F(1, 2)), 24)


@settings(max_examples=60, deadline=None)
@given(melodies)
def test_agrees_with_music21(text):
    from music21 import converter

    motif = parse_tinynotation(text)
    stream = converter.parse("tinyNotation: " + text)
    expected = [
        (n.pitch.midi, _on_grid(n.offset), _on_grid(n.offset + n.quarterLength) - _on_grid(n.offset))
        for n in stream.flatten().stripTies().notes
    ]
    assert [(n.pitch, n.start, n.duration) for n in motif.notes] == expected
    signature = stream.recurse().getElementsByClass("TimeSignature").first()
    assert str(motif.meter) == signature.ratioString


def test_description_skips_blank_lines_and_headers():
    text = "\n# key: D major\n\n# Floating.\n# Another comment.\nd'2 a\n# after the melody\n"
    assert motif_description(text) == "Floating."
    assert parse_motif_text(text, name="x").description == "Floating."
    assert motif_description("c d e\n# too late\n") == ""


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("c" + "'" * 3000 + "x", f"limited to {MAX_TOKEN_CHARS} characters"),  # once a minutes-long regex backtrack
        ("trip{" * (MAX_TUPLET_DEPTH + 1) + "c8}", f"nest at most {MAX_TUPLET_DEPTH} deep"),
        ("c64 " * (MAX_NOTES + 1), f"more than {MAX_NOTES} notes"),
        ("9999999999/4 c", "not a note, rest or time signature"),
    ],
)
def test_hostile_melodies_are_refused_quickly(text, fragment):
    with pytest.raises(SketchbookError, match=fragment) as caught:
        parse_tinynotation(text)
    assert "\n" not in str(caught.value)


def test_deepest_allowed_tuplets_still_read():
    assert len(notes_of("trip{quad{trip{c8 d e f g a}}}")) == 6


@pytest.mark.parametrize("value", ["1e999999999", "1/0", "-1", "0x10", "1" * 50])
def test_odd_pickup_headers_are_refused(value):
    with pytest.raises(SketchbookError, match="pickup"):
        parse_motif_text(f"# pickup: {value}\nc d e", name="x")
