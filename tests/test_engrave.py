"""Printable scores: `render FILE.musicxml` engraves a PDF with MuseScore or LilyPond, or says what to install."""

from __future__ import annotations

import shutil

import pytest

from sketchbook import engrave
from sketchbook.cli import app
from sketchbook.engrave import pages

HAVE = {"musescore": any(shutil.which(n) for n in engrave.MUSESCORE),
        "lilypond": bool(shutil.which("musicxml2ly") and shutil.which("lilypond"))}


def _one_line(result, *expected):
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(text in lines[0] for text in expected), result.stderr


@pytest.mark.parametrize("engraver", ["musescore", "lilypond"])
def test_a_score_engraves_as_a_pdf(runner, tide_sketch, tmp_path, engraver):
    if not HAVE[engraver]:
        pytest.skip(f"{engraver} is not installed")
    shutil.copy(tide_sketch / "photograph.musicxml", tmp_path)
    shutil.copy(tide_sketch / "beach.musicxml", tmp_path)
    for name in ("beach", "photograph"):
        result = runner.invoke(app, ["render", str(tmp_path / f"{name}.musicxml"), "--engraver", engraver])
        assert result.exit_code == 0, result.stderr
        assert result.stdout.strip() == str(tmp_path / f"{name}.pdf")
    beach, photograph = tmp_path / "beach.pdf", tmp_path / "photograph.pdf"
    assert beach.read_bytes()[:5] == b"%PDF-" and pages(beach) >= 1
    # 36 busy bars take more paper than 21 sparse ones.
    assert pages(photograph) > pages(beach)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["beach.musicxml", "beach.pdf", "photograph.musicxml",
                                                          "photograph.pdf"]


@pytest.mark.skipif(not any(HAVE.values()), reason="needs MuseScore or LilyPond")
def test_an_existing_pdf_is_kept_unless_forced(runner, tide_sketch, tmp_path):
    shutil.copy(tide_sketch / "beach.musicxml", tmp_path)
    (tmp_path / "beach.pdf").write_bytes(b"mine")
    _one_line(runner.invoke(app, ["render", str(tmp_path / "beach.musicxml")]), "beach.pdf", "--force")
    assert (tmp_path / "beach.pdf").read_bytes() == b"mine"
    result = runner.invoke(app, ["render", str(tmp_path / "beach.musicxml"), "--force", "--out", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "beach.pdf").read_bytes()[:5] == b"%PDF-"


def test_without_an_engraver_one_line_names_what_to_install(runner, tide_sketch, tmp_path, monkeypatch):
    monkeypatch.setattr(engrave.shutil, "which", lambda name: None)
    shutil.copy(tide_sketch / "beach.musicxml", tmp_path)
    _one_line(runner.invoke(app, ["render", str(tmp_path / "beach.musicxml"), "--format", "pdf"]),
              "no engraver found", "apt-get install musescore3", "apt-get install lilypond")
    _one_line(runner.invoke(app, ["render", str(tmp_path / "beach.musicxml"), "--engraver", "lilypond"]),
              "LilyPond is not installed", "apt-get install lilypond")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["beach.musicxml"]


def test_an_engraver_that_writes_nothing_is_caught_and_leaves_nothing(runner, tide_sketch, tmp_path, monkeypatch):
    # MuseScore exits 0 even when it could not read a file: a stand-in that does just that.
    fake = tmp_path / "bin" / "mscore3"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'could not read' >&2\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setattr(engrave.shutil, "which", lambda name: str(fake) if name == "mscore3" else None)
    shutil.copy(tide_sketch / "beach.musicxml", tmp_path)
    _one_line(runner.invoke(app, ["render", str(tmp_path / "beach.musicxml")]), "MuseScore could not engrave",
              "beach.musicxml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["beach.musicxml", "bin"]


def test_pdf_is_for_scores_and_audio_for_midi(runner, tide_sketch):
    _one_line(runner.invoke(app, ["render", str(tide_sketch / "beach.mid"), "--format", "pdf"]),
              "--format pdf engraves a MusicXML score", "beach.musicxml")
    _one_line(runner.invoke(app, ["render", str(tide_sketch / "beach.musicxml"), "--out", "x.mp3"]),
              "--out x.mp3", ".pdf")
