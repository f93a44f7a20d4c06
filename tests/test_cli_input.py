"""`sketchbook motifs show` and the reading options of `develop`: what was heard, ready to paste back."""

from __future__ import annotations

import random
from pathlib import Path

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sketchbook.cli import app
from sketchbook.formats.motif_files import read_midi_motif
from sketchbook.formats.motif_text import motif_to_text
from sketchbook.formats.tinynotation import parse_motif_text, parse_tinynotation
from sketchbook.load import bundled_motifs, load_motif
from sketchbook.music.model import Meter
from tests import performed
from tests.performed import generated_tune, recovered_share

CHORALE = performed.FOLDER / "old-hundredth-satb.mid"


def facts(motif):
    return [(n.pitch, n.start, n.duration) for n in motif.notes], motif.meter, motif.pickup


def one_error_line(result) -> str:
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("file", sorted(performed.FOLDER.glob("*.mid")), ids=lambda p: p.name)
def test_show_prints_what_develop_reads_and_it_pastes_back(runner, file):
    """The printed .tn text, and its last line alone as an inline motif, give the motif that was read."""
    result = runner.invoke(app, ["motifs", "show", str(file)])
    assert result.exit_code == 0, result.stderr
    read = read_midi_motif(file)
    as_file = parse_motif_text(result.stdout, name=read.name)
    assert facts(as_file) == facts(read) and as_file.key == read.key
    inline = result.stdout.strip().splitlines()[-1]
    assert facts(load_motif(inline)) == facts(read)
    assert result.stdout.startswith(f"# from {file.name}, heard at ")


def test_show_names_key_metre_and_pickup(runner):
    result = runner.invoke(app, ["motifs", "show", str(performed.FOLDER / "amazing-grace.mid")])
    assert result.exit_code == 0
    header, key, pickup, melody = result.stdout.splitlines()
    assert "G major, 3/4, pickup 1 quarter" in header
    assert (key, pickup) == ("# key: G major", "# pickup: 1")
    assert melody.startswith("3/4 d4 | g2 b8 g8 | b2 a4 |")


@pytest.mark.parametrize("motif", [m.name for m in bundled_motifs()])
def test_show_round_trips_every_bundled_motif(runner, motif):
    result = runner.invoke(app, ["motifs", "show", motif])
    assert result.exit_code == 0
    original = load_motif(motif)
    back = parse_motif_text(result.stdout, name=motif)
    assert facts(back) == facts(original) and back.key == original.key


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_written_tinynotation_reads_back_the_same(seed):
    """Any generated motif (every metre, pickups, triplets, ties) written as tinyNotation reads back the same."""
    motif = generated_tune(random.Random(seed))
    text = motif_to_text(motif)
    back = parse_motif_text(text, name="x")
    assert facts(back) == facts(motif)
    assert facts(parse_tinynotation(text.strip().splitlines()[-1])) == facts(motif)


def test_hints_on_show(runner, tmp_path):
    path = tmp_path / "moonlight.mid"
    performed.perform(performed.tune("moonlight"), performed.Take(bpm=72, seed=4)).save(path)
    result = runner.invoke(app, ["motifs", "show", str(path), "--meter", "4/4", "--grid", "1/12"])
    assert result.exit_code == 0, result.stderr
    melody = result.stdout.splitlines()[-1]
    assert melody.startswith("4/4 trip{G#8 c#8 e8} trip{G#8 c#8 e8}")
    assert parse_motif_text(result.stdout, name="m").meter == Meter(4, 4)


def test_show_chooses_tracks_and_bars(runner):
    soprano = runner.invoke(app, ["motifs", "show", str(CHORALE)])
    bass = runner.invoke(app, ["motifs", "show", str(CHORALE), "--track", "bass", "--bars-from", "2-3"])
    assert soprano.stdout.splitlines()[-1] == "4/4 g'2 g'4 f'#4 | e'2 d'2 | g'2 a'2 | b'1"
    assert bass.stdout.splitlines()[-1] == "4/4 e2 B2 | G2 f#2"


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--track", "12"], "no track '12' with notes (tracks with notes: 1 'Soprano', 2 'Alto', 3 'Tenor', 4 'Bass')"),
        (["--grid", "1/7"], "grid '1/7' should be"),
        (["--meter", "seven"], "metre 'seven' should be a time signature"),
        (["--bars-from", "9-30"], "at most 8 bars"),
        (["--bars-from", "40-41"], "no notes in bars 40-41"),
        (["--part", "1"], "a part is chosen in MusicXML files"),
    ],
)
def test_bad_reading_choices_are_one_line(runner, extra, fragment):
    line = one_error_line(runner.invoke(app, ["motifs", "show", str(CHORALE), *extra]))
    assert fragment in line


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["motifs", "show"], "motifs show MOTIF"),
        (["motifs", "play", "tide"], "motifs show MOTIF"),
        (["motifs", "show", "nowhere.mid"], "motif file not found"),
        (["motifs", "show", "tide", "--track", "1"], "not tinyNotation"),
        (["motifs", "show", str(Path(__file__).parent / "corpus" / "midi-track-cut.mid")], "cut short"),
    ],
)
def test_show_refuses_in_one_line(runner, args, fragment):
    assert fragment in one_error_line(runner.invoke(app, args))


def test_develop_reads_a_played_take_with_hints(runner, tmp_path):
    """The keyboard-to-sketch path: a take with a DAW header, its melody chosen, then developed."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["develop", str(CHORALE), "--track", "soprano", "--bars-from", "1-2",
                                 "--motif-meter", "2/2", "--out", str(out), "--variation", "beach"])
    assert result.exit_code == 0, result.stderr
    midi = mido.MidiFile(out / "old-hundredth-satb" / "beach.mid")
    assert any(m.type == "note_on" for track in midi.tracks for m in track)
    bad = runner.invoke(app, ["develop", str(CHORALE), "--grid", "1/5", "--out", str(out), "--force"])
    assert "grid '1/5'" in one_error_line(bad)


def test_show_then_develop_the_file_it_wrote(runner, tmp_path):
    """`motifs show take.mid > tune.tn`, then `develop tune.tn`: the developed motif is the one shown."""
    shown = runner.invoke(app, ["motifs", "show", str(performed.FOLDER / "greensleeves.mid")])
    tune_file = tmp_path / "tune.tn"
    tune_file.write_text(shown.stdout)
    heard = load_motif(str(tune_file))
    assert recovered_share(performed.tune("greensleeves"), heard) == 1.0
    result = runner.invoke(app, ["develop", str(tune_file), "--out", str(tmp_path / "out"), "--variation", "beach"])
    assert result.exit_code == 0, result.stderr


def write_parts(path: Path, parts: dict[str, str]) -> Path:
    """A partwise MusicXML score with one named part per tinyNotation line, written by music21."""
    from music21 import converter, stream

    score = stream.Score()
    for index, (name, text) in enumerate(parts.items()):
        melody = converter.parse("tinyNotation: " + text)
        part = stream.Part(list(melody.flatten().notesAndRests), id=f"P{index + 1}")
        part.partName = name
        part.makeMeasures(inPlace=True)
        score.insert(0, part)
    score.write("musicxml", fp=str(path))
    return path


def test_musicxml_parts_by_name_number_and_bars(runner, tmp_path):
    """The part named like a melody is read by default, even when it is not the first; --part chooses."""
    path = write_parts(tmp_path / "duet.musicxml", {
        "Alto": "4/4 c'2 d' | e'1 | f'1",
        "Violin 1": "4/4 g'4 a' b' c'' | d''1 | e''1",
    })
    assert [n.pitch for n in load_motif(str(path)).notes] == [79, 81, 83, 84, 86, 88]
    by_number = runner.invoke(app, ["motifs", "show", str(path), "--part", "1", "--bars-from", "2-3"])
    assert by_number.exit_code == 0, by_number.stderr
    assert by_number.stdout.splitlines()[-1] == "4/4 e'1 | f'1"
    line = one_error_line(runner.invoke(app, ["motifs", "show", str(path), "--part", "tenor"]))
    assert "no part 'tenor' (parts: 1 'Alto', 2 'Violin 1')" in line
    assert "reads MIDI files" in one_error_line(runner.invoke(app, ["motifs", "show", str(path), "--track", "2"]))


def test_the_readme_keyboard_path_runs_as_written(runner, tmp_path, monkeypatch):
    """The README's three commands from a take to a sketch, run on a kept take (its 3/4 hint included)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("### From a keyboard", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].split() for line in block.strip().splitlines()]
    assert len(commands) == 3 and all(c[0] == "sketchbook" for c in commands)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "take.mid").write_bytes((performed.FOLDER / "amazing-grace.mid").read_bytes())
    for words in commands:
        args, target = (words[1: words.index(">")], words[words.index(">") + 1]) if ">" in words else (words[1:], None)
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (words, result.stderr)
        if target:
            Path(target).write_text(result.stdout)
    developed = sorted(p.name for p in (tmp_path / "output" / "tune").iterdir())
    assert "beach.mid" in developed and "photograph.musicxml" in developed
    tune = load_motif("tune.tn")
    assert tune.meter == Meter(3, 4) and recovered_share(performed.tune("amazing-grace"), tune) == 1.0


@pytest.mark.parametrize("spec", [str(p) for p in sorted(performed.FOLDER.glob("*.mid"))] + ["tide", "ember"],
                         ids=lambda s: Path(s).name)
def test_music21_reads_the_printed_tinynotation_alike(spec):
    """What `motifs show` prints is music21's tinyNotation too: music21 finds the same pitches and onsets."""
    from fractions import Fraction

    from music21 import converter

    from sketchbook.formats.motif_text import tinynotation_line

    motif = load_motif(spec)
    score = converter.parse("tinyNotation: " + tinynotation_line(motif))
    heard = [(n.pitch.midi, Fraction(n.offset).limit_denominator(48)) for n in score.flatten().notes
             if n.tie is None or n.tie.type == "start"]
    assert heard == [(n.pitch, n.start) for n in motif.notes]
