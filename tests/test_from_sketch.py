"""`develop --from sketch.json`: exact regeneration, and a hostile record refused in one line."""

import json

import pytest

from sketchbook.cli import app


def _develop(runner, *args):
    return runner.invoke(app, ["develop", *args])


def test_a_sketch_regenerates_byte_for_byte(runner, tmp_path):
    first = _develop(runner, "heron", "--seed", "4", "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    again = _develop(runner, "--from", str(tmp_path / "a" / "heron" / "sketch.json"), "--out", str(tmp_path / "b"))
    assert again.exit_code == 0, again.output
    for name in ("beach.mid", "beach.musicxml", "photograph.mid", "photograph.musicxml", "sketch.json"):
        assert (tmp_path / "a" / "heron" / name).read_bytes() == (tmp_path / "b" / "heron" / name).read_bytes()


def _record(tmp_path, runner, **changes):
    result = _develop(runner, "tide", "--variation", "beach", "--out", str(tmp_path / "src"))
    assert result.exit_code == 0, result.output
    path = tmp_path / "src" / "tide" / "sketch.json"
    record = json.loads(path.read_text())
    for key, value in changes.items():
        record[key] = value
    path.write_text(json.dumps(record))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"variations": {"../../etc/passwd": {}}}, "unknown variations"),
        ({"variations": {"storm": {}}}, "unknown variations"),
        ({"motif": {"name": "x"}}, "no usable motif"),
    ],
)
def test_hostile_records_are_refused(runner, tmp_path, change, message):
    path = _record(tmp_path, runner, **change)
    result = _develop(runner, "--from", str(path), "--out", str(tmp_path / "dst"))
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "dst").exists()


def test_an_overlong_motif_in_a_record_is_refused(runner, tmp_path):
    path = _record(tmp_path, runner)
    record = json.loads(path.read_text())
    record["motif"]["notes"] = [{"pitch": 60, "start": str(i), "duration": "1"} for i in range(4000)]
    path.write_text(json.dumps(record))
    result = _develop(runner, "--from", str(path), "--out", str(tmp_path / "dst"))
    assert result.exit_code == 2
    assert "at most 8" in result.stderr


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"[]", b"{}"])
def test_unreadable_records_are_refused(runner, tmp_path, content):
    path = tmp_path / "sketch.json"
    path.write_bytes(content)
    result = _develop(runner, "--from", str(path), "--out", str(tmp_path / "dst"))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_missing_record_is_named(runner, tmp_path):
    result = _develop(runner, "--from", str(tmp_path / "nope.json"), "--out", str(tmp_path / "dst"))
    assert result.exit_code == 2
    assert "nope.json" in result.stderr
