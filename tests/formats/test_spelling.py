"""Spelling from harmony, read back from the written MusicXML: what letter and accidental each note gets."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.formats.motif_files import read_musicxml_motif
from sketchbook.formats.tinynotation import parse_tinynotation
from sketchbook.music.levers import Levers
from sketchbook.music.model import Harmony, Key, Meter, Note, Piece, Section
from sketchbook.music.theory import fifths
from tests.notation_facts import avoidable_clashes, letter_clashes, read_page
from tests.strategies import keys
from tests.writers import write_musicxml

F = Fraction
_KEY_ORDER_SHARPS, _KEY_ORDER_FLATS = "FCGDAEB", "BEADGCF"


def n(pitch: int, start, duration, **marks) -> Note:
    return Note(pitch, F(start), F(duration), **marks)


def written(tmp_path: Path, right=(), left=(), *, key=Key(0), harmony=(), bars=2) -> dict[tuple, tuple[str, int]]:
    """(staff, pitch, onset) -> (letter, alter) as the written score spells each note."""
    piece = Piece("Spelling", key, Meter(4, 4), tuple(right), tuple(left), (Section("", 0, bars, Levers(tempo=80)),),
                  harmony=tuple(harmony))  # fmt: skip
    path = tmp_path / "score.musicxml"
    write_musicxml(piece, path)
    return {(h.staff, h.pitch, h.onset): (h.letter, h.alter) for h in read_page(path).heads if not h.tie_stop}


def test_leading_tone_of_c_sharp_minor_is_b_sharp_over_the_dominant(tmp_path: Path):
    dominant = Harmony(F(0), F(4), 8, (0, 4, 7))  # G# major
    names = written(tmp_path, [n(60, 0, 2), n(61, 2, 2)], [n(44, 0, 4), n(56, 0, 4), n(63, 0, 4)],
                    key=Key(1, "minor"), harmony=[dominant])  # fmt: skip
    assert names[1, 60, 0] == ("B", 1)
    assert names[2, 56, 0] == ("G", 1) and names[2, 63, 0] == ("D", 1)


def test_chord_tones_stack_in_thirds_on_the_root(tmp_path: Path):
    # A minor with a major seventh in C major: G#, never Ab; F# minor seventh: F# A C# E.
    harmony = [Harmony(F(0), F(4), 9, (0, 3, 7, 11)), Harmony(F(4), F(8), 6, (0, 3, 7, 10))]
    left = [n(p, 0, 4) for p in (45, 60, 64, 68)] + [n(p, 4, 4) for p in (42, 57, 61, 64)]
    names = written(tmp_path, [n(80, 0, 4), n(73, 4, 4)], left, harmony=harmony)
    assert [names[2, p, 0] for p in (45, 60, 64, 68)] == [("A", 0), ("C", 0), ("E", 0), ("G", 1)]
    assert names[1, 80, 0] == ("G", 1)
    assert [names[2, p, 4] for p in (42, 57, 61, 64)] == [("F", 1), ("A", 0), ("C", 1), ("E", 0)]


def test_a_voicings_added_tones_stack_on_the_root_when_the_harmony_names_only_the_triad(tmp_path: Path):
    # F# major in D major, its voicing coloured with a major seventh the harmony does not list: E#, so the
    # bass stays F# (an F natural there once turned the bass into Gb under C# and A#: a pianist's review).
    triad = Harmony(F(0), F(4), 6, (0, 4, 7))
    left = [n(42, 0, 4, voice=2)] + [n(p, 1, 3) for p in (61, 65, 70)]
    names = written(tmp_path, [n(73, 0, 4)], left, key=Key(2), harmony=[triad])
    assert names[2, 42, 0] == ("F", 1)
    assert [names[2, p, 1] for p in (61, 65, 70)] == [("C", 1), ("E", 1), ("A", 1)]


def test_sharp_eleventh_and_added_ninth_keep_their_letters(tmp_path: Path):
    # Cmaj7#11 add9 in C major: F# (the eleventh raised), not Gb; D is the ninth.
    colour = Harmony(F(0), F(4), 0, (0, 4, 7, 11, 14, 18))
    names = written(tmp_path, [n(78, 0, 4)], [n(48, 0, 4), n(55, 0, 4), n(62, 0, 4), n(64, 0, 4)],
                    harmony=[colour])  # fmt: skip
    assert names[1, 78, 0] == ("F", 1)


def test_chromatic_neighbours_follow_the_line(tmp_path: Path):
    rising = written(tmp_path, [n(60, 0, 1), n(61, 1, 1), n(62, 2, 1)])
    assert rising[1, 61, 1] == ("C", 1)
    falling = written(tmp_path, [n(62, 0, 1), n(61, 1, 1), n(60, 2, 1)])
    assert falling[1, 61, 1] == ("D", -1)
    # In F major the raised fourth rising to the dominant is B natural, falling from C it stays Bb.
    assert written(tmp_path, [n(69, 0, 1), n(71, 1, 1), n(72, 2, 1)], key=Key(5))[1, 71, 1] == ("B", 0)


def test_the_motifs_own_spelling_is_kept_while_it_names_the_pitch(tmp_path: Path):
    # In E major the key would write A#; the motif file wrote Bb, so the score does too.
    kept = n(70, 0, 2, spelling=("B", -1))
    moved = kept.transposed(2)  # C: the old spelling no longer names it, so the key decides
    names = written(tmp_path, [kept, moved.shifted(F(2))], key=Key(4))
    assert names[1, 70, 0] == ("B", -1)
    assert names[1, 72, 2] == ("C", 0)


def test_no_sonority_mixes_one_letter_with_two_accidentals(tmp_path: Path):
    # D3 under a falling C#4/Db4: written C#, since Db beside D would be two Ds.
    names = written(tmp_path, [n(62, 0, 1), n(61, 1, 1), n(60, 2, 2)], [n(50, 0, 4)])
    assert names[1, 61, 1] == ("C", 1)


def test_one_key_sounding_in_both_hands_has_one_name(tmp_path: Path):
    # A tune falling through C#/Db (the flat, as a falling chromatic note) over a left hand rising through it
    # (the sharp): one key under two names in one sonority reads as two notes. The weaker gives way.
    names = written(tmp_path, [n(74, 0, 1), n(73, 1, 2), n(72, 3, 1)], [n(48, 0, 1), n(61, 1, 2), n(62, 3, 1)])
    assert names[1, 73, 1] == names[2, 61, 1]


def test_a_key_keeps_one_name_through_a_bar_in_one_hand(tmp_path: Path):
    # G#4 rising to A, then the same key falling to G: by direction alone that is G# then Ab two beats apart,
    # which reads as two notes (a pianist's review); the bar is an accidental's reach, so one name serves.
    c_major = Harmony(F(0), F(4), 0, (0, 4, 7))
    names = written(tmp_path, [n(68, 0, 1), n(69, 1, 1), n(68, 2, 1), n(67, 3, 1)], [n(48, 0, 4)],
                    harmony=[c_major])  # fmt: skip
    assert names[1, 68, 0] == names[1, 68, 2] == ("G", 1)


def test_a_cross_relation_the_music_holds_is_written_plainly_not_with_double_accidentals(tmp_path: Path):
    # Eb5 from the motif over E3 with D4 and F2 sounding: no single-accidental name can avoid two Es.
    names = written(tmp_path, [n(75, 0, 2, spelling=("E", -1))], [n(41, 0, 2), n(52, 0, 2), n(62, 0, 2)],
                    key=Key(10))  # fmt: skip
    assert names[1, 75, 0] == ("E", -1) and names[2, 52, 0] == ("E", 0)
    assert all(abs(alter) <= 1 for _, alter in names.values())


@settings(max_examples=25, deadline=None)
@given(keys)
def test_scale_notes_take_the_key_signatures_letters(tmp_path_factory, key: Key):
    tmp_path = tmp_path_factory.mktemp("keys")
    steps = (0, 2, 4, 5, 7, 9, 11) if key.mode == "major" else (0, 2, 3, 5, 7, 8, 10)
    pitches = [60 + key.tonic + s for s in steps]
    names = written(tmp_path, [n(p, k, 1) for k, p in enumerate(pitches)], key=key, bars=2)
    count = fifths(key)
    marked = _KEY_ORDER_SHARPS[:count] if count > 0 else _KEY_ORDER_FLATS[: -count]
    for k, p in enumerate(pitches):
        letter, alter = names[1, p, k]
        assert alter == ((1 if count > 0 else -1) if letter in marked else 0), (key, p, letter, alter)
    assert len({names[1, p, k][0] for k, p in enumerate(pitches)}) == 7  # each letter once: a real scale


chords = st.lists(st.lists(st.integers(40, 84), min_size=1, max_size=4, unique=True), min_size=2, max_size=8)


@settings(max_examples=40, deadline=None)
@given(keys, chords)
def test_random_chords_hold_no_letter_clash_a_speller_could_avoid(tmp_path_factory, key: Key, stacks):
    tmp_path = tmp_path_factory.mktemp("chords")
    right = [n(p, k, 1) for k, stack in enumerate(stacks) for p in stack if p >= 60]
    left = [n(p, k, 1) for k, stack in enumerate(stacks) for p in stack if p < 60]
    piece = Piece("Chords", key, Meter(4, 4), tuple(right), tuple(left), (Section("", 0, 2, Levers(tempo=80)),))
    path = tmp_path / "chords.musicxml"
    write_musicxml(piece, path)
    page = read_page(path)
    assert avoidable_clashes(page) == []
    # Double sharps only for the raised sixth and seventh of a sharp minor key (F## in G# minor).
    raised = {(key.tonic + 9) % 12, (key.tonic + 11) % 12} if key.mode == "minor" else set()
    assert all(abs(h.alter) <= 1 or h.pitch % 12 in raised for h in page.heads)


def test_tinynotation_records_how_each_note_was_spelled():
    motif = parse_tinynotation("3/4 b-4 a#8 c'#~ c'# d'n4 e")
    assert [note.spelling for note in motif.notes] == [("B", -1), ("A", 1), ("C", 1), ("D", 0), ("E", 0)]


def test_musicxml_motif_records_its_spelling(tmp_path: Path):
    from music21 import converter

    part = converter.parse("tinyNotation: 4/4 b-4 a#4 g-4 f#4")
    part.partName = "Melody"
    path = tmp_path / "motif.musicxml"
    part.write("musicxml", fp=str(path))
    motif = read_musicxml_motif(path)
    assert [note.spelling for note in motif.notes] == [("B", -1), ("A", 1), ("G", -1), ("F", 1)]


def test_a_motif_file_spelling_survives_into_the_score(tmp_path: Path):
    motif = parse_tinynotation("4/4 e4 g#4 b4 a#4 b1", key=Key(4))
    right = tuple(note.shifted(F(0)) for note in motif.notes)
    piece = Piece("Kept", motif.key, motif.meter, right, (), (Section("", 0, 2, Levers(tempo=80)),))
    path = tmp_path / "kept.musicxml"
    write_musicxml(piece, path)
    page = read_page(path)
    assert [(h.letter, h.alter) for h in page.sounding()] == [("E", 0), ("G", 1), ("B", 0), ("A", 1), ("B", 0)]
    assert letter_clashes(page) == []


def test_a_note_a_minor_seventh_over_the_chord_is_spelled_as_its_seventh(tmp_path: Path):
    # G minor, over Bb major: A, then the chromatic note between, then Bb. It rises, but it is heard as the
    # seventh of Bb7, so Ab (a pianist's review of a jig: "G# over a Bb bass is a misprint"); a C over
    # the D that follows is diatonic and stays C.
    bb, d = Harmony(F(0), F(4), 10, (0, 4, 7)), Harmony(F(4), F(8), 2, (0, 4, 7))
    right = [n(69, 0, 1), n(68, 1, 1), n(70, 2, 2), n(72, 4, 4)]
    names = written(tmp_path, right, [n(46, 0, 4), n(50, 4, 4)], key=Key(7, "minor"), harmony=[bb, d])
    assert names[1, 68, 1] == ("A", -1)
    assert names[1, 72, 4] == ("C", 0)


def test_a_chromatic_note_that_is_not_a_seventh_still_follows_its_line(tmp_path: Path):
    # Over Bb major in G minor, a rising C# (an augmented ninth, no seventh) keeps its sharp.
    bb = Harmony(F(0), F(4), 10, (0, 4, 7))
    names = written(tmp_path, [n(72, 0, 1), n(73, 1, 1), n(74, 2, 2)], [n(46, 0, 4)], key=Key(7, "minor"),
                    harmony=[bb])
    assert names[1, 73, 1] == ("C", 1)
