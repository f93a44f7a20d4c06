"""`--from` records and presets obey every limit the command line obeys, field by field, in one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sketchbook.cli import app
from tests.bounded import MEMORY, one_line_refusal, sketchbook

BEACH = (Path(__file__).resolve().parent.parent / "sketchbook" / "presets" / "beach.toml").read_text()
HEAD = BEACH.split("[[section]]")[0]


def refused(result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "internal error" not in line and "Traceback" not in result.output
    for word in words:
        assert word in line, line
    return line


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> dict:
    """A real sketch.json of tide's beach, to be spoiled one field at a time."""
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("src")
    result = CliRunner().invoke(app, ["develop", "tide", "--variation", "beach", "--out", str(out), "--bars", "8"])
    assert result.exit_code == 0, result.output
    return json.loads((out / "tide" / "sketch.json").read_text())


def spoiled(tmp_path: Path, record: dict, text: str | None = None, **changes) -> Path:
    path = tmp_path / "sketch.json"
    data = {**record, **changes}
    path.write_text(text if text is not None else json.dumps(data))
    return path


@pytest.mark.parametrize(("changes", "words"), [
    ({"levers": {"bars": 10**9}}, ["levers.bars 1000000000", "20000"]),
    ({"levers": {"density": "lots"}}, ["levers.density", "between 0 and 1"]),
    ({"levers": {"tempo": "fast"}}, ["levers.tempo"]),
    ({"levers": {"tempo": 66.5}}, ["levers.tempo"]),
    ({"levers": {"meter": 3}}, ["levers.meter"]),
    ({"levers": {"preset": 5}}, ["levers.preset"]),
    ({"levers": {"colour": 1}}, ["unknown lever 'colour'"]),
    ({"levers": [1, 2]}, ["levers must be a JSON object"]),
    ({"seed": -1}, ["seed must be a whole number"]),
    ({"seed": 2**64}, ["seed must be a whole number"]),
    ({"seed": "3"}, ["seed must be a whole number"]),
    ({"seed": True}, ["seed must be a whole number"]),
    ({"variations": ["beach", "beach"]}, ["'beach' twice"]),
    ({"variations": ["beach", "photograph", "beach"]}, ["1 or 2 variations"]),
    ({"variations": [1]}, ["variations must name the pieces"]),
    ({"variations": {"storm": {}}}, ["unknown variations"]),
])
def test_spoiled_records_are_refused_field_by_field(runner, tmp_path, record, changes, words):
    path = spoiled(tmp_path, record, **changes)
    result = runner.invoke(app, ["develop", "--from", str(path), "--out", str(tmp_path / "dst")])
    refused(result, *words)
    assert not (tmp_path / "dst").exists()


def test_a_seed_of_1e400_is_refused(runner, tmp_path, record):
    text = json.dumps({**record, "seed": 0}).replace('"seed": 0', '"seed": 1e400')
    result = runner.invoke(app, ["develop", "--from", str(spoiled(tmp_path, record, text)), "--out",
                                 str(tmp_path / "dst")])
    refused(result, "seed must be a whole number", "inf")


def test_twice_the_same_variation_leaves_no_part_files(runner, tmp_path, record):
    path = spoiled(tmp_path, record, variations={"beach": {}, "photograph": {}})
    text = path.read_text().replace('"photograph"', '"beach"')  # JSON keeps both keys as written
    path.write_text(text)
    result = runner.invoke(app, ["develop", "--from", str(path), "--out", str(tmp_path / "dst")])
    # A JSON object with a repeated key keeps the last: one beach, developed and written once.
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "dst" / "tide").iterdir()) == ["beach.mid", "beach.musicxml",
                                                                             "sketch.json"]


def test_a_regenerated_record_still_matches_its_source(runner, tmp_path, record):
    path = spoiled(tmp_path, record)
    result = runner.invoke(app, ["develop", "--from", str(path), "--out", str(tmp_path / "dst")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "dst" / "tide" / "sketch.json").read_text()) == record


def preset(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "style.toml"
    path.write_text(text)
    return path


def sections(count: int, min_bars: int | None = None) -> str:
    extra = f"min_bars = {min_bars}\n" if min_bars else ""
    return "".join(f'[[section]]\nname = "s{i}"\n{extra}' for i in range(count))


@pytest.mark.parametrize(("text", "words"), [
    (HEAD.replace('name = "beach"', "name = 5") + sections(1), ["name must be text"]),
    (HEAD + '[[section]]\nname = "a"\ntechniques = [1]\n', ["techniques must be a list of names"]),
    (HEAD + sections(65), ["65 sections", "at most 64"]),
    (HEAD + sections(21, 1000), ["add up to 21000 bars", "20000"]),
    (HEAD + sections(6, 4000), ["min_bars must be a whole number from 1 to 1000"]),
    (HEAD + sections(20_000), ["limited to 262144 bytes"]),
])
def test_hostile_presets_are_refused(runner, tmp_path, text, words):
    result = runner.invoke(app, ["develop", "tide", "--preset", str(preset(tmp_path, text)), "--out",
                                 str(tmp_path / "dst")])
    refused(result, *words)
    assert not (tmp_path / "dst").exists()


def test_a_record_naming_a_hostile_preset_is_refused_like_the_option(runner, tmp_path, record):
    style = preset(tmp_path, HEAD + sections(21, 1000))
    path = spoiled(tmp_path, record, levers={**record["levers"], "preset": str(style)})
    result = runner.invoke(app, ["develop", "--from", str(path), "--out", str(tmp_path / "dst")])
    refused(result, "add up to 21000 bars")


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "folder"])
@pytest.mark.parametrize("option", ["--preset", "--from"])
def test_presets_and_records_must_be_regular_files_and_never_block(tmp_path, kind, option):
    target = {"dev-zero": Path("/dev/zero"), "fifo": tmp_path / "pipe", "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    run = sketchbook("develop", "tide", option, str(target), "--out", str(tmp_path / "dst"), memory=MEMORY // 2,
                     timeout=20)
    one_line_refusal(run)
    assert run.seconds < 15
    assert not (tmp_path / "dst").exists()


def test_bars_past_the_cap_from_a_record_is_refused_quickly_in_a_real_process(tmp_path, record):
    path = spoiled(tmp_path, record, levers={**record["levers"], "bars": 10**9})
    run = sketchbook("develop", "--from", str(path), "--out", str(tmp_path / "dst"), memory=MEMORY // 2, timeout=20)
    one_line_refusal(run, "levers.bars")


@pytest.mark.parametrize(("args", "words"), [
    (["--jobs", "-1", "--seeds", "1-2"], ["--jobs", "at least 1"]),
    (["--jobs", "0", "--seeds", "1-2"], ["--jobs", "at least 1"]),
    (["--jobs", "100000", "--seeds", "1-2"], ["--jobs"]),
    (["--seeds", "9" * 5000], ["--seeds", "seeds run from 0 to"]),
    (["--seeds", "1-" + "9" * 5000], ["--seeds", "seeds run from 0 to"]),
    (["--seeds", "9223372036854775808"], ["seeds run from 0 to"]),
])
def test_batch_options_are_refused_in_one_line(runner, tmp_path, args, words):
    result = runner.invoke(app, ["develop", "tide", *args, "--out", str(tmp_path / "dst")])
    refused(result, *words)
