"""The develop and motifs commands through Typer's CliRunner: output, bad input, overwriting, help, README."""

from __future__ import annotations

import json
import re
from pathlib import Path

import mido
import pytest
import typer

from sketchbook.cli import app
from tests.musical_facts import read_midi, read_score

REPO = Path(__file__).resolve().parents[1]
MOTIF_FILES = sorted((REPO / "motifs").glob("*.tn"))
FILES = ["beach.mid", "beach.musicxml", "photograph.mid", "photograph.musicxml", "sketch.json"]
TWENTY_BARS = "4/4 " + " ".join(["c4 d4 e4 f4"] * 20)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.rglob("*")), f"files were written: {list(out.rglob('*'))}"


def _one_line_error(result, *mentions: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"stderr is not one line: {result.stderr!r}"
    assert "Traceback" not in result.stderr + result.stdout
    for text in mentions:
        assert text.lower() in lines[0].lower(), f"{text!r} not named in {lines[0]!r}"


# --- what develop writes and prints ---------------------------------------------------------------


def test_develop_writes_five_files_and_summarises_them(runner, out_dir):
    result = runner.invoke(app, ["develop", "tide", "--out", str(out_dir), "--seed", "3"])
    assert result.exit_code == 0, result.stderr
    folder = out_dir / "tide"
    assert _files(folder) == sorted(FILES)
    lines = result.stdout.strip().splitlines()
    for variation in ("beach", "photograph"):
        summary = next(line for line in lines if line.startswith(f"tide/{variation}:"))
        score, midi = read_score(folder / f"{variation}.musicxml"), read_midi(folder / f"{variation}.mid")
        tempos = sorted({round(q) for _, q in score.quarter_tempos}, reverse=True)  # the marked tempos
        assert {round(bpm) for _, bpm in midi.tempos} >= set(tempos)
        assert f"{'/'.join(map(str, tempos))} bpm" in summary
        assert f"{score.full_bars} bars" in summary
        assert f"{len(score.sounding())} notes" in summary
    for name in FILES:
        assert str(folder / name) in lines, f"{name} path not printed"
    record = json.loads((folder / "sketch.json").read_text(encoding="utf-8"))
    assert record["seed"] == 3 and record["motif"]["name"] == "tide"


def test_one_variation_writes_only_its_files(runner, out_dir):
    result = runner.invoke(app, ["develop", "kite", "--variation", "beach", "--out", str(out_dir)])
    assert result.exit_code == 0, result.stderr
    assert _files(out_dir / "kite") == ["beach.mid", "beach.musicxml", "sketch.json"]


def test_inline_tinynotation_with_a_name(runner, out_dir):
    result = runner.invoke(app, ["develop", "3/4 a4 c'8 e' d'4 c' b a2.", "--name", "waltz", "--out", str(out_dir)])
    assert result.exit_code == 0, result.stderr
    assert _files(out_dir / "waltz") == sorted(FILES)
    assert read_score(out_dir / "waltz" / "beach.musicxml").times[0] == (3, 4)


def test_a_midi_motif_file(runner, out_dir, tmp_path):
    path = tmp_path / "tune.mid"
    track = mido.MidiTrack([mido.MetaMessage("time_signature", numerator=3, denominator=4)])
    for pitch in (62, 66, 69, 74, 73, 71):
        track += [mido.Message("note_on", note=pitch, velocity=70), mido.Message("note_off", note=pitch, time=480)]
    midi = mido.MidiFile(ticks_per_beat=480)
    midi.tracks.append(track)
    midi.save(str(path))
    result = runner.invoke(app, ["develop", str(path), "--out", str(out_dir)])
    assert result.exit_code == 0, result.stderr
    assert _files(out_dir / "tune") == sorted(FILES)


def test_bare_develop_writes_the_default_motif_into_output(runner, tmp_path, monkeypatch):
    """The README's first command: `sketchbook develop` with no arguments fills output/tide/."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["develop"])
    assert result.exit_code == 0, result.stderr
    assert _files(tmp_path / "output" / "tide") == sorted(FILES)


def test_python_dash_m_runs_the_app():
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sketchbook", "motifs"], capture_output=True, text=True,
                          cwd=REPO, timeout=60, env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    assert all(p.stem in done.stdout for p in MOTIF_FILES)


# --- bad input: one line, exit 2, nothing written -------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _midi_bytes(*messages, channel: int = 0) -> bytes:
    import io

    track = mido.MidiTrack([m.copy(channel=channel) if not m.is_meta else m for m in messages])
    midi = mido.MidiFile(ticks_per_beat=480)
    midi.tracks.append(track)
    buffer = io.BytesIO()
    midi.save(file=buffer)
    return buffer.getvalue()


DRUMS = (mido.Message("note_on", note=36, velocity=90), mido.Message("note_off", note=36, time=480),
         mido.Message("note_on", note=38, velocity=90), mido.Message("note_off", note=38, time=480))


def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (develop arguments, a word the error line must name)."""
    corrupt_midi = _write(tmp / "corrupt.mid", b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\xff\xff\xff\xffjunk")
    no_notes = _write(tmp / "silent.mid", _midi_bytes(mido.MetaMessage("set_tempo", tempo=500000)))
    drums = _write(tmp / "drums.mid", _midi_bytes(*DRUMS, channel=9))
    corrupt_xml = _write(tmp / "corrupt.musicxml", b"<?xml version='1.0'?><score-partwise><part id='P1'><measure")
    empty_xml = _write(tmp / "empty.musicxml", b"")
    empty_midi = _write(tmp / "empty.mid", b"")
    empty_tn = _write(tmp / "empty.tn", b"")
    not_music = _write(tmp / "notes.txt", b"hello")
    return {
        "unknown motif": (["no-such-motif"], "no-such-motif"),
        "missing file": ([str(tmp / "missing.mid")], "missing.mid"),
        "missing musicxml": ([str(tmp / "missing.musicxml")], "missing.musicxml"),
        "unparsable tinyNotation": (["4/4 c4 d4 x9 e4", "--name", "bad"], "x9"),
        "corrupt MIDI": ([str(corrupt_midi)], "corrupt.mid"),
        "MIDI without notes": ([str(no_notes)], "silent.mid"),
        "empty MIDI": ([str(empty_midi)], "empty.mid"),
        "drums only": ([str(drums)], "drums.mid"),
        "corrupt MusicXML": ([str(corrupt_xml)], "corrupt.musicxml"),
        "empty MusicXML": ([str(empty_xml)], "empty.musicxml"),
        "empty .tn": ([str(empty_tn)], "empty"),
        "not a music file": ([str(not_music)], "notes.txt"),
        "twenty bars inline": ([TWENTY_BARS, "--name", "long"], "bars"),
        "inline without a name": (["4/4 c4 d4 e4 f4"], "--name"),
        "a path as name": (["tide", "--name", "../escape"], "name"),
        "density 2": (["tide", "--density", "2"], "--density"),
        "ornament -0.5": (["tide", "--ornament=-0.5"], "--ornament"),
        "tempo 5": (["tide", "--tempo", "5"], "--tempo"),
        "morph 1.5": (["tide", "--morph", "1.5"], "--morph"),
        "bars 0": (["tide", "--bars", "0"], "--bars"),
        "missing preset": (["tide", "--preset", str(tmp / "none.toml")], "none.toml"),
        "missing sketch.json": (["--from", str(tmp / "sketch.json")], "sketch.json"),
    }


BAD_NAMES = ["unknown motif", "missing file", "missing musicxml", "unparsable tinyNotation", "corrupt MIDI",
             "MIDI without notes", "empty MIDI", "drums only", "corrupt MusicXML", "empty MusicXML", "empty .tn",
             "not a music file", "twenty bars inline", "inline without a name", "a path as name", "density 2",
             "ornament -0.5", "tempo 5", "morph 1.5", "bars 0", "missing preset", "missing sketch.json"]


@pytest.mark.parametrize("case", BAD_NAMES)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(runner, tmp_path, case):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    arguments, mention = _bad_inputs(inputs)[case]
    out = tmp_path / "out"
    result = runner.invoke(app, ["develop", *arguments, "--out", str(out)])
    _one_line_error(result, mention)
    _nothing_written(out)


def test_the_bad_input_table_is_complete(tmp_path):
    assert sorted(_bad_inputs(tmp_path)) == sorted(BAD_NAMES)


# Typer/click reject these before our code runs; they draw a boxed usage error over several lines.
USAGE_ERRORS = {
    "seed -1": (["tide", "--seed", "-1"], "--seed"),
    "seed abc": (["tide", "--seed", "abc"], "--seed"),
    "variation nope": (["tide", "--variation", "nope"], "--variation"),
    "density abc": (["tide", "--density", "abc"], "--density"),
    "unknown option": (["tide", "--loud"], "--loud"),
}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_exit_2_without_a_traceback(runner, tmp_path, case):
    arguments, mention = USAGE_ERRORS[case]
    out = tmp_path / "out"
    result = runner.invoke(app, ["develop", *arguments, "--out", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert mention in result.stderr
    _nothing_written(out)


# --- existing output ----------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_existing_files_are_kept_without_force_and_replaced_with_it(runner, out_dir):
    assert runner.invoke(app, ["develop", "tide", "--out", str(out_dir), "--seed", "1"]).exit_code == 0
    folder = out_dir / "tide"
    before = _snapshot(folder)
    result = runner.invoke(app, ["develop", "tide", "--out", str(out_dir), "--seed", "2"])
    _one_line_error(result, "--force")
    assert _snapshot(folder) == before, "files changed without --force"
    result = runner.invoke(app, ["develop", "tide", "--out", str(out_dir), "--seed", "2", "--force"])
    assert result.exit_code == 0, result.stderr
    after = _snapshot(folder)
    assert sorted(after) == sorted(before)
    for name in FILES:
        assert after[name][0] != before[name][0], f"{name} was not rewritten for seed 2"


def test_one_existing_file_blocks_the_whole_sketch(runner, out_dir):
    folder = out_dir / "tide"
    folder.mkdir(parents=True)
    (folder / "photograph.mid").write_bytes(b"mine")
    result = runner.invoke(app, ["develop", "tide", "--out", str(out_dir)])
    _one_line_error(result, "photograph.mid")
    assert _files(folder) == ["photograph.mid"] and (folder / "photograph.mid").read_bytes() == b"mine"


# --- motifs and help ----------------------------------------------------------------------------


def test_motifs_lists_every_bundled_motif_with_its_description(runner):
    result = runner.invoke(app, ["motifs"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(MOTIF_FILES)
    for path, line in zip(MOTIF_FILES, lines):
        description = next(row.lstrip("#").strip() for row in path.read_text(encoding="utf-8").splitlines()
                           if row.startswith("#") and not re.match(r"#\s*(key|pickup)\s*:", row))
        assert line.startswith(path.stem) and description in line, line


def test_motifs_stays_one_line_each_in_a_narrow_pipe(runner, monkeypatch):
    """The README promises one line per motif; a pipe or an 80-column terminal must not wrap them."""
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["motifs"])
    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) == len(MOTIF_FILES), result.stdout


def _commands():
    return sorted(typer.main.get_command(app).commands.items())


def test_the_app_has_develop_and_motifs():
    assert {"develop", "motifs"} <= {name for name, _ in _commands()}


@pytest.mark.parametrize("name", [name for name, _ in _commands()])
def test_every_command_and_option_has_help(runner, name):
    command = dict(_commands())[name]
    assert (command.help or "").strip(), f"{name} has no help text"
    for param in command.params:
        if param.param_type_name == "option":  # typer vendors its own click: test by kind, not class
            assert (param.help or "").strip(), f"{name} {param.opts} has no help text"
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0 and "Usage" in result.stdout


def test_top_level_help(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name, _ in _commands():
        assert name in result.stdout


# --- README -------------------------------------------------------------------------------------


def _fenced_blocks(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^```[^\n]*\n(.*?)^```", text, flags=re.M | re.S)]


def test_readme_opens_with_the_two_fresh_machine_commands():
    blocks = _fenced_blocks((REPO / "README.md").read_text(encoding="utf-8"))
    install, tests = blocks[0], blocks[1]
    assert install.count("\n") == 0 and tests.count("\n") == 0, "each is a single command line"
    assert install.startswith("pip install") and install.endswith("sketchbook develop")
    assert tests.startswith("pip install") and "pytest" in tests
    # CI runs the README's test command step by step, with the lint and type checks between install and tests.
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    install_step, test_step = (step.strip() for step in tests.split("&&"))
    assert install_step in ci and test_step in ci, ".ci/run runs the README's test command"
    lint = ci.index("ruff check sketchbook tests benchmarks .ci"), ci.index("mypy")
    assert ci.index(install_step) < min(lint) and max(lint) < ci.index(test_step)
    assert "set -euo pipefail" in ci, "a failing step fails CI"
