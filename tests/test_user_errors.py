"""Every mistake a musician makes in the first hour is told in one line, in their words, and leaves nothing behind."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sketchbook import audio
from sketchbook.cli import app
from sketchbook.music.errors import SketchbookError
from tests.sketch_fixtures import needs_fluidsynth, write_midi, write_musicxml

# Words that belong to Python, not to music or to the command line.
INTERNALS = re.compile(r"\b(int|str|float|bool|NoneType|dict|list|tuple)\b|__\w+__|Error\b|instances of|Value error|"
                       r"Input should|Traceback|positional argument|\w+\(\)")
STORM = Path(__file__).resolve().parent.parent / "examples" / "storm.toml"


def _one_line(result, *expected: str) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert not INTERNALS.search(line.removeprefix("error: ")), line
    for text in expected:
        assert text in line, line
    return line


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def _preset(tmp_path: Path, **changes) -> Path:
    text = STORM.read_text(encoding="utf-8")
    for key, value in changes.items():
        if value is None:
            text = re.sub(rf"(?m)^{key} = .*\n", "", text)
        else:
            text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text, count=1)
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("changes, expected", [
    ({"tempo": '"fast"'}, ("mine.toml", "tempo", "20 to 400", '"fast"')),
    ({"density": '"lots"'}, ("mine.toml", "density", "0 to 1", '"lots"')),
    ({"rubato": "1.5"}, ("mine.toml", "rubato", "0 to 1", "1.5")),
    ({"dynamics": '["mp"]'}, ("mine.toml", "dynamics", "two marks", "pp")),
    ({"pedal": '"yes"'}, ("mine.toml", "pedal", "true or false")),
    ({"min_bars": '"eight"'}, ("mine.toml", "section 1 (gust)", "min_bars", "whole number")),
    ({"density": None, "colour": None, "rubato": None}, ("mine.toml", "missing density, colour and rubato")),
])
def test_a_preset_with_a_wrong_or_missing_field_names_the_file_and_field(runner, tmp_path, changes, expected):
    result = runner.invoke(app, ["develop", "--preset", str(_preset(tmp_path, **changes)), "--out",
                                 str(tmp_path / "out")])
    _one_line(result, *expected)
    assert _tree(tmp_path / "out") == []


def test_a_preset_with_almost_nothing_lists_what_it_needs(runner, tmp_path):
    (tmp_path / "bare.toml").write_text('name = "bare"\ntempo = 80\n')
    line = _one_line(runner.invoke(app, ["develop", "--preset", str(tmp_path / "bare.toml")]))
    assert "bare.toml is missing density, ornament, colour, articulation, rubato, dynamics and [[section]]" in line


def test_the_example_preset_still_develops(runner, tmp_path):
    result = runner.invoke(app, ["develop", "--preset", str(STORM), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "tide" / "storm.mid").is_file()


@pytest.mark.parametrize("args, expected", [
    (["--variation", "beachy"], ("--variation 'beachy'", "beach, photograph or all")),
    (["--seed", "abc"], ("--seed 'abc'", "whole number")),
    (["--seed=-3"], ("--seed '-3'", "at least 0")),
    (["--density", "lots"], ("--density 'lots'", "not a number")),
])
def test_a_bad_option_value_names_the_option_the_value_and_what_is_allowed(runner, tmp_path, args, expected):
    _one_line(runner.invoke(app, ["develop", *args, "--out", str(tmp_path)]), *expected)
    assert _tree(tmp_path) == []


@pytest.mark.parametrize("other", [["--morph", "0.5"], ["--preset", str(STORM)]])
def test_variation_with_morph_or_preset_is_refused_not_ignored(runner, tmp_path, other):
    result = runner.invoke(app, ["develop", *other, "--variation", "beach", "--out", str(tmp_path)])
    _one_line(result, other[0], "--variation beach")
    assert _tree(tmp_path) == []


def test_render_a_score_as_audio_says_to_give_the_midi(runner, tmp_path):
    score = write_musicxml(tmp_path / "beach.musicxml")
    line = _one_line(runner.invoke(app, ["render", str(score), "--format", "ogg"]), "beach.musicxml",
                     "MusicXML score", "beach.mid")
    assert "fluidsynth" not in line.lower()
    assert _tree(tmp_path) == ["beach.musicxml"]


def test_render_a_file_that_is_not_midi_is_refused(runner, tmp_path):
    (tmp_path / "fake.mid").write_text("not midi")
    _one_line(runner.invoke(app, ["render", str(tmp_path / "fake.mid")]), "fake.mid", "not a MIDI file")
    assert _tree(tmp_path) == ["fake.mid"]


@pytest.mark.parametrize("fmt", ["ogg", "flac"])
def test_render_without_an_encoder_says_what_to_install_before_writing_anything(runner, tmp_path, monkeypatch, fmt):
    def missing():
        raise SketchbookError("audio needs the soundfile package; install it with: pip install soundfile")

    monkeypatch.setattr(audio, "_soundfile", missing)
    midi = write_midi(tmp_path / "tune.mid")
    _one_line(runner.invoke(app, ["render", str(midi), "--format", fmt]), "pip install soundfile")
    assert _tree(tmp_path) == ["tune.mid"]


@needs_fluidsynth
def test_render_keeps_an_existing_file_unless_forced(runner, tmp_path):
    midi = write_midi(tmp_path / "tune.mid")
    (tmp_path / "tune.ogg").write_bytes(b"mine")
    _one_line(runner.invoke(app, ["render", str(midi), "--format", "ogg"]), "tune.ogg", "--force")
    assert (tmp_path / "tune.ogg").read_bytes() == b"mine" and _tree(tmp_path) == ["tune.mid", "tune.ogg"]
    result = runner.invoke(app, ["render", str(midi), "--format", "ogg", "--force"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "tune.ogg").read_bytes()[:4] == b"OggS" and _tree(tmp_path) == ["tune.mid", "tune.ogg"]


def test_levers_are_recorded_as_written_and_still_regenerate_the_same_files(runner, tmp_path):
    result = runner.invoke(app, ["develop", "--morph", "0.3", "--density", "0.35", "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.stderr
    record = (tmp_path / "a" / "tide" / "sketch.json").read_text()
    parameters = json.loads(record)["variations"]["morph"]["parameters"]
    for lever in ("density", "ornament", "colour", "articulation", "rubato"):
        assert len(repr(parameters[lever])) <= 8, parameters  # 0.405, never 0.40500000000000003
    assert not re.search(r"\d\.\d*0000000\d", record) and not re.search(r"\d\.\d*9999999\d", record)
    result = runner.invoke(app, ["develop", "--from", str(tmp_path / "a" / "tide" / "sketch.json"),
                                 "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.stderr
    for name in ("morph.mid", "morph.musicxml", "sketch.json"):
        assert (tmp_path / "a" / "tide" / name).read_bytes() == (tmp_path / "b" / "tide" / name).read_bytes()


def test_render_into_a_missing_folder_is_one_line(runner, tmp_path):
    midi = write_midi(tmp_path / "tune.mid")
    _one_line(runner.invoke(app, ["render", str(midi), "--out", str(tmp_path / "no" / "tune.ogg")]),
              "does not exist")
    assert _tree(tmp_path) == ["tune.mid"]
