"""Performed MIDI heard as notation: real tunes, generated motifs played with human timing, arrangements."""

from __future__ import annotations

import random
from fractions import Fraction as F
from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sketchbook.formats.motif_files import read_midi_motif
from sketchbook.load import Reading, load_motif, parse_reading
from sketchbook.music.errors import SketchbookError
from sketchbook.music.hear import Played, hear, subdivisions_for, top_line
from sketchbook.music.model import Meter, Motif
from tests import performed
from tests.performed import PLAYED_METERS, Take, generated_tune, perform, played_notes, recovered_share, tune


def heard_from(tmp_path: Path, motif: Motif, take: Take, reading: Reading | None = None) -> Motif:
    path = tmp_path / "take.mid"
    perform(motif, take).save(path)
    return read_midi_motif(path, reading)


# --- real tunes ---------------------------------------------------------------------------------


def test_the_kept_corpus_is_what_the_script_builds(tmp_path, monkeypatch):
    """tests/performed holds one take of every tune plus the chorale; `python -m tests.performed` rebuilds it."""
    folder = performed.FOLDER
    kept = sorted(p.name for p in folder.glob("*.mid"))
    assert kept == sorted([*performed.corpus(), "old-hundredth-satb.mid"])
    monkeypatch.setattr(performed, "FOLDER", tmp_path)
    performed.build()
    for name in kept:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()


def test_the_kept_takes_come_back_as_their_tunes():
    """Each take in the corpus (70-130 bpm, DAW header, none, or the true one; lead-ins) is heard right."""
    total = right = 0
    for file, (name, _take) in performed.corpus().items():
        heard = read_midi_motif(performed.FOLDER / file)
        source = tune(name)
        share = recovered_share(source, heard)
        assert share >= 0.75, (file, share)
        total += len(source.notes)
        right += round(share * len(source.notes))
    assert right / total >= 0.9


@pytest.mark.parametrize("name", ["mozart-k545", "amazing-grace", "ode-to-joy"])
@pytest.mark.parametrize("bpm", [70, 100, 130])
def test_real_tunes_come_back_exactly_in_their_metre(tmp_path, name, bpm):
    """The plainer tunes come back note for note: pitch, onset, metre and pickup."""
    source = tune(name)
    heard = heard_from(tmp_path, source, Take(bpm=bpm, seed=bpm))
    assert heard.meter == source.meter and heard.pickup == source.pickup
    assert [(n.pitch, n.start) for n in heard.notes] == [(n.pitch, n.start) for n in source.notes]


def test_the_issue_s_mozart_keeps_all_fifteen_notes_at_a_daw_default_header(tmp_path):
    source = tune("mozart-k545")
    heard = heard_from(tmp_path, source, Take(bpm=72, header="daw", lead_in=2.0, seed=11))
    assert recovered_share(source, heard) == 1.0 and heard.meter == Meter(4, 4)
    assert heard.notes[0].pitch == 72 and heard.notes[0].duration == 2
    assert "heard at 7" in heard.description


def test_a_four_track_chorale_yields_its_soprano():
    path = performed.FOLDER / "old-hundredth-satb.mid"
    soprano = performed.parse_tinynotation(performed.CHORALE["Soprano"], name="s")
    for reading in (None, Reading(track="1"), Reading(track="soprano"), Reading(track="SOP")):
        heard = read_midi_motif(path, reading)
        assert recovered_share(soprano, heard) == 1.0
    bass = performed.parse_tinynotation(performed.CHORALE["Bass"], name="b")
    assert recovered_share(bass, read_midi_motif(path, Reading(track="Bass"))) == 1.0
    with pytest.raises(SketchbookError, match=r"no track '7' with notes .*1 'Soprano', 2 'Alto'"):
        read_midi_motif(path, Reading(track="7"))


def test_unnamed_voices_and_one_handed_piano_keep_the_top_line(tmp_path):
    """Unnamed SATB tracks, or both piano hands in one track, give the highest line."""
    parts = [("", played_notes(performed.parse_tinynotation(text, name="v"), Take(88, seed=i)))
             for i, text in enumerate(performed.CHORALE.values())]
    take = Take(bpm=88, header="none")
    performed.midi_file(parts, take).save(tmp_path / "unnamed.mid")
    merged = [("Piano", sorted(n for _, notes in parts for n in notes))]
    performed.midi_file(merged, take).save(tmp_path / "piano.mid")
    soprano = performed.parse_tinynotation(performed.CHORALE["Soprano"], name="s")
    for file in ("unnamed.mid", "piano.mid"):
        assert recovered_share(soprano, read_midi_motif(tmp_path / file)) == 1.0


def test_hints_override_what_is_heard(tmp_path):
    """Moonlight's triplets sound like 12/8; --meter 4/4 --grid 1/12 writes them as triplets."""
    source = tune("moonlight")
    path = tmp_path / "moonlight.mid"
    perform(source, Take(bpm=70, seed=3)).save(path)
    plain = read_midi_motif(path)
    assert plain.meter != Meter(4, 4)
    hinted = read_midi_motif(path, Reading(meter=(4, 4), grid=F(1, 12)))
    assert hinted.meter == Meter(4, 4)
    assert [(n.pitch, n.start) for n in hinted.notes] == [(n.pitch, n.start) for n in source.notes]


def test_bars_from_takes_later_bars(tmp_path):
    source = tune("ode-to-joy")
    heard = heard_from(tmp_path, source, Take(bpm=96, seed=5), Reading(bars=(3, 4)))
    assert heard.pickup == 0 and heard.bars == 2
    assert [n.pitch for n in heard.notes] == [n.pitch for n in source.notes if n.start >= 8]


def test_a_notated_file_keeps_the_exact_path(tmp_path):
    """Clean ticks on the grid are notation: its header's metre is kept even where hearing would differ."""
    source = tune("butterfly")
    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("time_signature", numerator=9, denominator=8)])
    now = 0
    for n in source.notes:
        track.append(mido.Message("note_on", note=n.pitch, velocity=80, time=int(n.start * 480) - now))
        track.append(mido.Message("note_off", note=n.pitch, time=int(n.duration * 480)))
        now = int(n.end * 480)
    midi.tracks.append(track)
    midi.save(tmp_path / "clean.mid")
    motif = read_midi_motif(tmp_path / "clean.mid")
    assert motif.meter == Meter(9, 8)
    assert [(n.pitch, n.start, n.duration) for n in motif.notes] == [
        (n.pitch, n.start, n.duration) for n in source.notes
    ]


@pytest.mark.parametrize(
    ("hints", "fragment"),
    [
        (dict(meter="3/5"), "time signature such as 3/4"),
        (dict(grid="1/5"), "grid '1/5' should be"),
        (dict(bars_from="4-2"), "range such as 5-8"),
        (dict(bars_from="1-20"), "at most 8 bars"),
        (dict(track=" "), "number or part of a name"),
    ],
)
def test_bad_hints_are_one_line(hints, fragment):
    with pytest.raises(SketchbookError, match=fragment):
        parse_reading(**hints)


def test_hints_on_the_wrong_kind_of_motif_are_refused():
    with pytest.raises(SketchbookError, match="not tinyNotation"):
        load_motif("tide", reading=Reading(track="1"))


# --- generated motifs, played by a humaniser -------------------------------------------------------

takes = st.builds(
    Take,
    bpm=st.integers(70, 130),
    jitter=st.sampled_from([0.0, 0.01, 0.018]),
    header=st.sampled_from(["daw", "none", "true"]),
    lead_in=st.sampled_from([0.0, 0.4, 2.5]),
    seed=st.integers(0, 1000),
)


# Derandomised: "most onsets right" is a quality bar, not a law, so CI checks the same tunes every run.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(tune_seed=st.integers(0, 10**6), take=takes)
def test_generated_tunes_played_by_a_human_come_back(tmp_path, tune_seed, take):
    """Every note is heard, in order (up to the eight-bar cut, which a tune heard in double time can reach),
    and most land on their onset (up to a whole-tempo factor); the share over many tunes is measured below."""
    source = generated_tune(random.Random(tune_seed))
    heard = heard_from(tmp_path, source, take, Reading(bars=(1, 8)))
    assert [n.pitch for n in heard.notes] == [n.pitch for n in source.notes][: len(heard.notes)]
    assert recovered_share(source, heard) >= 0.5
    assert heard.meter in PLAYED_METERS + [Meter(12, 8)]


def test_generated_tunes_played_by_a_human_come_back_nine_in_ten(tmp_path):
    """Over sixty generated tunes (every metre, pickups, triplets, ties), each played at 70-130 bpm with
    18 ms jitter, early and late releases, DAW, missing or true headers and a lead-in: 90% of notes right."""
    rng = random.Random(2026)
    total = right = 0
    for i in range(60):
        source = generated_tune(rng)
        take = Take(bpm=rng.randint(70, 130), header=("daw", "none", "true")[i % 3], lead_in=rng.uniform(0, 3), seed=i)
        heard = heard_from(tmp_path, source, take, Reading(bars=(1, 8)))
        total += len(source.notes)
        right += round(recovered_share(source, heard) * len(source.notes))
    assert right / total >= 0.9


@given(st.lists(st.tuples(st.integers(0, 127), st.floats(0, 1e6), st.floats(0, 100), st.integers(1, 127)),
                min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_any_played_notes_give_a_valid_line(notes):
    """Whatever the onsets, hearing returns notes in order on a grid, apart, and a valid metre and pickup."""
    line = top_line([Played(p, on, on + held, v) for p, on, held, v in notes])
    heard = hear(line)
    starts = [n.start for n in heard.notes]
    assert starts == sorted(set(starts)) and len(starts) == len(line)
    assert 0 <= heard.pickup < heard.meter.bar_length
    assert all(n.duration > 0 for n in heard.notes)


def test_grids_and_their_subdivisions():
    assert subdivisions_for(F(1, 16)) == (1, 2, 4)
    assert subdivisions_for(F(1, 12)) == (1, 3)
    with pytest.raises(ValueError):
        subdivisions_for(F(1, 5))


def test_top_line_keeps_legato_melody_and_drops_inner_voices():
    rng = random.Random(1)
    melody = [Played(72 - i, i * 0.5, i * 0.5 + 0.56, 80) for i in range(6)]  # overlapping a little, descending
    inner = [Played(60, i * 0.5 + 0.2 + rng.uniform(0, 0.05), i * 0.5 + 0.4, 60) for i in range(6)]
    assert [p.pitch for p in top_line(melody + inner)] == [72, 71, 70, 69, 68, 67]


# --- a written melody's upbeat ------------------------------------------------------------------


def test_a_melody_written_without_bar_lines_finds_its_clear_upbeats_and_invents_none():
    """The corpus's tunes with their bar lines taken out: an upbeat the rhythm makes plain is found (a jig,
    amazing grace, auld lang syne, greensleeves, the saints' three-beat lead), and no tune that opens on
    its downbeat is given one. An upbeat the rhythm leaves open stays unfound (nothing is moved)."""
    from sketchbook.formats.tinynotation import parse_tinynotation
    from sketchbook.music.hear import written_pickup

    found = {}
    for name, text in {**performed.TUNES, **performed.HELD_OUT}.items():
        truth = parse_tinynotation(text, name=name)
        unbarred = parse_tinynotation(text.replace("|", " "), name=name)
        assert unbarred.pickup in (truth.pickup, 0), (name, truth.pickup, unbarred.pickup)
        assert written_pickup(unbarred.phrase.notes, truth.meter) == unbarred.pickup
        found[name] = unbarred.pickup
    assert found["amazing-grace"] == 1 and found["auld-lang-syne"] == 1 and found["saints"] == 3
    assert found["greensleeves"] == F(1, 2)
    assert parse_tinynotation("6/8 d8 g4 b8 a4 g8 f#4 a8 d'4 c'8 b4 g8 e4 c8 d4. g4").pickup == F(1, 2)
    assert all(found[name] == 0 for name in ("mozart-k545", "ode-to-joy", "twinkle", "scarborough-fair"))


def test_a_lone_note_or_a_plain_line_has_no_upbeat():
    from sketchbook.music.hear import written_pickup
    from sketchbook.music.model import Note

    assert written_pickup([Note(60, F(0), F(1))], Meter(3, 4)) == 0
    assert written_pickup([Note(60 + k, F(k), F(1)) for k in range(8)], Meter(4, 4)) == 0
