"""inspect and render on the hostile files of issue 14, each run as a real process under a memory limit."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

from tests import hostile
from tests.bounded import MEMORY, one_line_refusal, sketchbook
from tests.sketch_fixtures import _renderer_ready, write_midi, write_musicxml

SECONDS = 20  # every refusal below comes in well under this; the reported cases took minutes or never ended


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return hostile.mxl_bomb(tmp_path_factory.mktemp("bomb") / "bomb.mxl")


@pytest.mark.parametrize(("build", "words"), [
    (hostile.huge_time_signature, ["time signature 255/2^255"]),
    (hostile.zero_time_signature, ["time signature 0/4"]),
    (hostile.zero_tempo, ["tempo of 0"]),
    (hostile.slowest_long_note, ["100,000 bars"]),
])
def test_inspect_refuses_hostile_midi_in_one_line_with_bounded_memory(tmp_path, build, words):
    path = tmp_path / "hostile.mid"
    path.write_bytes(build())
    run = sketchbook("inspect", str(path), memory=MEMORY // 2, timeout=SECONDS)
    one_line_refusal(run, "hostile.mid", *words)


def test_the_43_byte_midi_is_the_reported_one():
    data = hostile.huge_time_signature()
    assert len(data) == 43 and b"\xff\x58\x04\xff\xff" in data


def test_inspect_answers_2000_tempo_changes_quickly(tmp_path):
    path = tmp_path / "tempos.mid"
    path.write_bytes(hostile.many_tempos(2000))
    assert 13_000 < path.stat().st_size < 15_000
    run = sketchbook("inspect", str(path), "--json", memory=MEMORY // 2, timeout=SECONDS)
    assert run.code == 0, run.stderr
    facts = json.loads(run.stdout)
    assert facts["notes"] == 1 and facts["tempos"][0]["bpm"] == 150.0
    # 2,000 changes a tick apart, 400,000 + i microseconds a beat, listed when the rounded bpm changes.
    expected = sorted({round(60e6 / (400_000 + i), 2) for i in range(2000)}, reverse=True)
    assert [t["bpm"] for t in facts["tempos"]] == expected
    assert run.seconds < 10


def test_inspect_refuses_an_mxl_that_inflates_to_gigabytes(bomb):
    assert bomb.stat().st_size < 16 * 2**20
    run = sketchbook("inspect", str(bomb), memory=MEMORY, timeout=SECONDS)
    one_line_refusal(run, "bomb.mxl", "unpacks to")


HOSTILE_SCORES = [
    ("odd-time.musicxml", hostile.musicxml(hostile.WHOLE_NOTE, time=("<time><beats>0</beats><beat-type>0"
                                                                      "</beat-type></time>")),
     ["time signature '0/0'"]),
    ("huge-time.musicxml", hostile.musicxml(hostile.WHOLE_NOTE, time=("<time><beats>100000</beats><beat-type>4"
                                                                        "</beat-type></time>")), ["time signature"]),
    ("entities.musicxml", ('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">]><score-partwise>&a;'
                           "</score-partwise>"), ["entities"]),
    ("many-notes.musicxml", hostile.musicxml(hostile.WHOLE_NOTE * 30_000), ["25,000 notes"]),
    ("not-xml.musicxml", "<score-partwise><part", ["not a readable MusicXML file"]),
    ("timewise.musicxml", "<score-timewise/>", ["not a partwise score"]),
]


@pytest.mark.parametrize(("name", "body", "words"), HOSTILE_SCORES, ids=[case[0] for case in HOSTILE_SCORES])
def test_inspect_refuses_hostile_musicxml_in_one_line(tmp_path, name, body, words):
    path = tmp_path / name
    path.write_text(body)
    run = sketchbook("inspect", str(path), memory=MEMORY, timeout=SECONDS)
    one_line_refusal(run, name, *words)


@pytest.mark.parametrize("name", ["fifo.mid", "fifo.musicxml"])
def test_inspect_refuses_a_fifo_without_blocking(tmp_path, name):
    os.mkfifo(tmp_path / name)
    run = sketchbook("inspect", str(tmp_path / name), timeout=SECONDS)
    one_line_refusal(run, "not a regular file")


def test_inspect_never_loads_music21s_converter_or_its_pickles(tmp_path, runner, monkeypatch):
    """A pickle planted in music21's shared scratch folder would run code if the converter's cache read it."""
    from music21 import converter

    from sketchbook.cli import app

    def refuse(*_args, **_kwargs):
        raise AssertionError("music21.converter was used")

    for name in ("parse", "parseFile", "parseData"):
        monkeypatch.setattr(converter, name, refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    result = runner.invoke(app, ["inspect", str(write_musicxml(tmp_path / "t.musicxml")), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["notes"] > 0


def test_inspect_of_a_real_piece_stays_in_modest_memory(tmp_path):
    """A developed photograph (hundreds of notes) is read under half the usual limit."""
    folder = tmp_path / "out"
    assert sketchbook("develop", "tide", "--out", str(folder), "-q").code == 0
    for name in ("photograph.musicxml", "photograph.mid"):
        run = sketchbook("inspect", str(folder / "tide" / name), "--json", memory=MEMORY, timeout=SECONDS)
        assert run.code == 0, run.stderr
        assert json.loads(run.stdout)["notes"] > 100


needs_renderer = pytest.mark.skipif(not _renderer_ready(), reason="fluidsynth and a soundfont are needed")


@needs_renderer
def test_render_refuses_a_midi_longer_than_its_limit_before_writing(tmp_path):
    path = tmp_path / "slow.mid"
    path.write_bytes(hostile.slowest_long_note())
    assert path.stat().st_size == 44
    run = sketchbook("render", str(path), memory=MEMORY // 2, timeout=SECONDS)
    one_line_refusal(run, "slow.mid", "at most 30 minutes")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.mid"]


def test_render_length_comes_from_the_midis_own_tempo_map(tmp_path):
    from sketchbook.audio import MAX_RENDER_SECONDS
    from sketchbook.formats.midi_scan import scan_midi

    path = write_midi(tmp_path / "t.mid", tempo=60)
    import pretty_midi

    assert abs(scan_midi(path).duration() - pretty_midi.PrettyMIDI(str(path)).get_end_time()) < 1e-6
    (tmp_path / "slow.mid").write_bytes(hostile.slowest_long_note())
    assert scan_midi(tmp_path / "slow.mid").duration() > 1000 * MAX_RENDER_SECONDS


@needs_renderer
def test_render_refuses_when_the_disk_cannot_hold_it(tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    from sketchbook.audio import render_midi
    from sketchbook.music.errors import SketchbookError

    midi = write_midi(tmp_path / "t.mid")
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**9, 10**9 - 2**20, 2**20))
    with pytest.raises(SketchbookError, match="free disk space"):
        render_midi(midi, tmp_path / "t.wav")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.mid"]


@needs_renderer
def test_render_temp_files_are_exclusive_so_a_planted_symlink_is_never_followed(tmp_path, monkeypatch):
    """The old fixed name .t.tmp<pid>.wav is planted as a link to a victim; the victim stays untouched."""
    from sketchbook.audio import render_midi

    midi = write_midi(tmp_path / "t.mid")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for suffix in (".raw.wav", ".wav"):
        (tmp_path / f".t.tmp{os.getpid()}{suffix}").symlink_to(victim)
    render_midi(midi, tmp_path / "t.wav")
    assert victim.read_text() == "precious"
    assert (tmp_path / "t.wav").read_bytes()[:4] == b"RIFF"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and not p.is_symlink()]


@needs_renderer
def test_render_never_overwrites_without_force(tmp_path):
    midi = write_midi(tmp_path / "t.mid")
    (tmp_path / "mine.wav").write_bytes(b"my own recording")
    run = sketchbook("render", str(midi), "--out", str(tmp_path / "mine.wav"), timeout=60)
    one_line_refusal(run, "already exists", "--force")
    assert (tmp_path / "mine.wav").read_bytes() == b"my own recording"
    run = sketchbook("render", str(midi), "--out", str(tmp_path / "mine.wav"), "--force", timeout=60)
    assert run.code == 0 and (tmp_path / "mine.wav").read_bytes()[:4] == b"RIFF"


@needs_renderer
def test_develop_audio_never_overwrites_an_ogg_without_force(tmp_path):
    out = tmp_path / "out"
    (out / "tide").mkdir(parents=True)
    (out / "tide" / "beach.ogg").write_bytes(b"my own take")
    run = sketchbook("develop", "tide", "--variation", "beach", "--audio", "--out", str(out), timeout=120)
    one_line_refusal(run, "beach.ogg already exists", "--force")
    assert (out / "tide" / "beach.ogg").read_bytes() == b"my own take"
    assert sorted(p.name for p in (out / "tide").iterdir()) == ["beach.ogg"]


@pytest.mark.parametrize("command", ["render", "play"])
def test_render_and_play_refuse_a_fifo_and_an_oversized_midi_in_one_line(tmp_path, command):
    os.mkfifo(tmp_path / "pipe.mid")
    one_line_refusal(sketchbook(command, str(tmp_path / "pipe.mid"), timeout=SECONDS), "not a regular file")
    big = tmp_path / "big.mid"
    big.write_bytes(hostile.midi(b"\x00\xff\x01\x7f" + b"x" * 127) + b"\0" * (3 * 2**20))
    one_line_refusal(sketchbook(command, str(big), memory=MEMORY // 2, timeout=SECONDS), "limited to")


def test_play_refuses_a_tempo_of_zero_before_any_player_starts(tmp_path):
    path = tmp_path / "zero.mid"
    path.write_bytes(hostile.zero_tempo())
    one_line_refusal(sketchbook("play", str(path), "--port", "nowhere", timeout=SECONDS), "tempo of 0")
