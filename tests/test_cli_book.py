"""The book, render and inspect commands, run through Typer's CliRunner on real files."""

from __future__ import annotations

import json
import subprocess
import sys
import wave

import pytest
from typer.testing import CliRunner

from sketchbook import audio
from sketchbook.cli import app
from tests.sketch_fixtures import BASS, TUNE, make_sketch, needs_fluidsynth, write_midi, write_musicxml

COMMANDS = ("book", "render", "inspect")


@pytest.fixture
def runner():
    return CliRunner()


def _one_line_error(result, text):
    assert result.exit_code == 2
    assert text in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_an_example(runner, command):
    info = next(c for c in app.registered_commands if c.name == command or c.callback.__name__ == command)
    assert info.callback.__doc__ and "Example: sketchbook " + command in info.callback.__doc__
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.stdout


def test_help_does_not_load_heavy_libraries():
    code = ("import sys\nfrom sketchbook.cli import app\n"
            "for args in (['--help'], ['book', '--help'], ['render', '--help'], ['inspect', '--help']):\n"
            "    try:\n        app(args)\n    except SystemExit:\n        pass\n"
            "heavy = ('music21', 'numpy', 'pretty_midi', 'matplotlib', 'verovio')\n"
            "print(sorted(m for m in heavy if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_book_writes_the_page(runner, tmp_path):
    make_sketch(tmp_path / "tide")
    result = runner.invoke(app, ["book", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert page.count('<div class="score"') == 2 and page.count('href="tide/beach.mid"') == 1


def test_book_on_a_missing_folder_is_one_line(runner, tmp_path):
    _one_line_error(runner.invoke(app, ["book", str(tmp_path / "nowhere")]), "no such folder")


def test_inspect_json_for_both_formats(runner, tmp_path):
    for path in (write_midi(tmp_path / "t.mid"), write_musicxml(tmp_path / "t.musicxml")):
        result = runner.invoke(app, ["inspect", str(path), "--json"])
        assert result.exit_code == 0, result.stderr
        facts = json.loads(result.stdout)
        assert facts["bars"] == 4 and facts["tempos"] == [{"bar": 1, "bpm": 90.0}]
        assert facts["time_signatures"] == [{"bar": 1, "signature": "3/4"}]
    assert facts["ornaments"]["trill"] == 1 and facts["notes"] == 9


def test_inspect_table_reads_like_the_file(runner, tmp_path):
    result = runner.invoke(app, ["inspect", str(write_musicxml(tmp_path / "t.musicxml"))], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    for text in ("90 bpm (bar 1)", "3/4 (bar 1)", "D major (bar 1)", "trill 1, arpeggio 1, grace 1", "p ×1, mf ×1",
                 "B3 – D5", "1 press marked"):
        assert text in result.stdout
    result = runner.invoke(app, ["inspect", str(write_midi(tmp_path / "t.mid"))], env={"COLUMNS": "120"})
    for text in ("none notated", "4 presses (CC64)", "velocity 40–90", f"{len(TUNE) + len(BASS)}"):
        assert text in result.stdout


@pytest.mark.parametrize("name, content, message", [
    ("gone.mid", None, "no such file"), ("bad.mid", b"MThd", "not a readable MIDI file"),
    ("bad.xml", b"<nope", "not a readable MusicXML file"), ("song.abc", b"X:1", "not a MIDI or MusicXML file")])
def test_inspect_bad_files_are_one_line(runner, tmp_path, name, content, message):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    _one_line_error(runner.invoke(app, ["inspect", str(tmp_path / name)]), message)


@needs_fluidsynth
def test_render_writes_a_wav_beside_the_midi(runner, tmp_path):
    midi = write_midi(tmp_path / "tune.mid", tempo=120)
    result = runner.invoke(app, ["render", str(midi)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "tune.wav")
    with wave.open(str(tmp_path / "tune.wav"), "rb") as w:
        assert 5.9 <= w.getnframes() / w.getframerate() <= 10


@needs_fluidsynth
def test_render_to_a_folder_and_to_flac(runner, tmp_path):
    midi = write_midi(tmp_path / "tune.mid")
    (tmp_path / "audio").mkdir()
    result = runner.invoke(app, ["render", str(midi), "--out", str(tmp_path / "audio")])
    assert result.exit_code == 0 and (tmp_path / "audio" / "tune.wav").is_file()
    result = runner.invoke(app, ["render", str(midi), "--out", str(tmp_path / "x.flac")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "x.flac") and (tmp_path / "x.flac").read_bytes()[:4] == b"fLaC"
    assert not (tmp_path / "x.wav").exists()  # the FLAC is written straight from fluidsynth's samples


def test_render_without_fluidsynth_says_what_to_install(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(audio.shutil, "which", lambda name: None)
    result = runner.invoke(app, ["render", str(write_midi(tmp_path / "tune.mid"))])
    _one_line_error(result, "apt-get install fluidsynth fluid-soundfont-gm")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tune.mid"]


def test_render_a_missing_midi_is_one_line(runner, tmp_path):
    _one_line_error(runner.invoke(app, ["render", str(tmp_path / "gone.mid")]), "no such MIDI file")
