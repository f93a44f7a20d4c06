"""Same motif, options and seed give byte-identical files, in any folder and any process; another seed
gives another piece; sketch.json regenerates its files exactly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sketchbook.cli import app
from tests.musical_facts import read_midi, read_score

REPO = Path(__file__).resolve().parents[1]
FILES = ("beach.mid", "beach.musicxml", "photograph.mid", "photograph.musicxml", "sketch.json")
MUSIC = FILES[:4]


def _develop(runner, out: Path, *arguments: str) -> dict[str, bytes]:
    result = runner.invoke(app, ["develop", *arguments, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 1
    return {p.name: p.read_bytes() for p in sorted(folders[0].iterdir())}


@pytest.mark.parametrize("arguments", [
    ("tide", "--seed", "5"),
    ("kite", "--seed", "11", "--tempo", "80", "--density", "0.4"),
    ("3/4 a4 c'8 e' d'4 c' b a2.", "--name", "waltz", "--seed", "2", "--morph", "0.5"),
])
def test_the_same_seed_gives_identical_bytes_in_another_folder(runner, tmp_path, arguments):
    first = _develop(runner, tmp_path / "one", *arguments)
    second = _develop(runner, tmp_path / "two" / "deeper", *arguments)
    assert sorted(first) == sorted(second)
    suffixes = {Path(name).suffix for name in first}
    assert "sketch.json" in first and {".mid", ".musicxml"} <= suffixes
    for name in first:
        assert first[name] == second[name], f"{name} differs between runs"


def test_another_seed_gives_other_music(runner, tmp_path):
    one = _develop(runner, tmp_path / "one", "tide", "--seed", "1")
    two = _develop(runner, tmp_path / "two", "tide", "--seed", "2")
    for name in MUSIC:
        assert one[name] != two[name], f"{name} is the same for seeds 1 and 2"
    notes = [[(n.pitch, n.offset) for n in read_score(tmp_path / f"{run}/tide/beach.musicxml").notes]
             for run in ("one", "two")]
    assert notes[0] != notes[1], "seeds 1 and 2 write the same notes"


def test_separate_processes_with_other_hash_seeds_agree(runner, tmp_path):
    """`python -m sketchbook` under two PYTHONHASHSEEDs writes what the in-process run writes."""
    expected = _develop(runner, tmp_path / "here", "lantern", "--seed", "4")
    for hash_seed in ("1", "2"):
        out = tmp_path / f"hash{hash_seed}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "NO_COLOR": "1", "COLUMNS": "200"}
        done = subprocess.run([sys.executable, "-m", "sketchbook", "develop", "lantern", "--seed", "4",
                               "--out", str(out)], capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        for name in FILES:
            assert (out / "lantern" / name).read_bytes() == expected[name], f"{name} differs (hash seed {hash_seed})"


def test_sketch_json_regenerates_every_file(runner, tmp_path):
    original = _develop(runner, tmp_path / "first", "moth", "--seed", "9", "--ornament", "0.3")
    again = _develop(runner, tmp_path / "again", "--from", str(tmp_path / "first/moth/sketch.json"))
    for name in MUSIC:
        assert again[name] == original[name], f"{name} is not regenerated from sketch.json"


def test_levers_change_the_music_they_name(runner, tmp_path):
    """A lever given on the command line reaches the files: --tempo sets the MIDI tempo and the metronome."""
    _develop(runner, tmp_path / "slow", "tide", "--variation", "beach", "--tempo", "60")
    midi = read_midi(tmp_path / "slow/tide/beach.mid")
    score = read_score(tmp_path / "slow/tide/beach.musicxml")
    assert {round(bpm) for _, bpm in midi.tempos} == {60}
    assert {round(q) for _, q in score.quarter_tempos} == {60}
