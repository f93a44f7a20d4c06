"""Rendering MIDI with fluidsynth: real WAVs checked with the stdlib wave module, and clear install hints."""

from __future__ import annotations

import os
import shutil
import wave

import mido
import pytest

from sketchbook import audio
from sketchbook.audio import encode, find_soundfont, render_midi, wav_stats
from sketchbook.errors import SketchbookError
from tests.sketch_fixtures import needs_fluidsynth, write_midi


@needs_fluidsynth
def test_render_writes_a_wav_as_long_as_the_midi_with_sound_in_it(tmp_path):
    midi = write_midi(tmp_path / "tune.mid", tempo=120)  # 12 quarters at 120 = 6 seconds
    wav = render_midi(midi, tmp_path / "tune.wav")
    assert wav == tmp_path / "tune.wav"
    with wave.open(str(wav), "rb") as w:
        assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (44100, 2, 2)
    seconds, rms = wav_stats(wav)
    midi_seconds = mido.MidiFile(midi).length
    assert midi_seconds == pytest.approx(6.0, abs=0.05)
    assert midi_seconds - 0.1 <= seconds <= midi_seconds + 4  # fluidsynth lets the last notes ring out
    assert rms > 1e-3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tune.mid", "tune.wav"]


@needs_fluidsynth
def test_a_midi_without_notes_is_refused_and_leaves_no_file(tmp_path):
    midi = write_midi(tmp_path / "empty.mid", notes=(), pedals=())
    with pytest.raises(SketchbookError, match="empty.mid.* silence"):
        render_midi(midi, tmp_path / "empty.wav")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.mid"]


def test_a_file_that_is_not_a_soundfont_is_refused(tmp_path):
    fake = tmp_path / "fake.sf2"
    fake.write_bytes(b"RIFF nonsense")
    with pytest.raises(SketchbookError, match="not a SoundFont"):
        find_soundfont(fake)


def test_missing_fluidsynth_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(audio.shutil, "which", lambda name: None)
    midi = write_midi(tmp_path / "tune.mid")
    with pytest.raises(SketchbookError, match="apt-get install fluidsynth fluid-soundfont-gm") as caught:
        render_midi(midi, tmp_path / "tune.wav")
    assert "\n" not in str(caught.value)


def test_missing_soundfont_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(audio, "SOUNDFONTS", (str(tmp_path / "nowhere.sf2"),))
    monkeypatch.delenv("SKETCHBOOK_SOUNDFONT", raising=False)
    with pytest.raises(SketchbookError, match="fluid-soundfont-gm"):
        find_soundfont()
    with pytest.raises(SketchbookError, match="no such soundfont"):
        find_soundfont(tmp_path / "given.sf2")


def test_soundfont_from_the_environment(tmp_path, monkeypatch):
    font = tmp_path / "mine.sf2"
    font.write_bytes(b"x")
    monkeypatch.setenv("SKETCHBOOK_SOUNDFONT", str(font))
    assert find_soundfont() == font


def _tiny_wav(path):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(b"\x00\x10" * 800)
    return path


def test_encode_uses_an_installed_encoder(tmp_path, monkeypatch):
    # A stand-in `flac` on PATH shows the command line the real one would get.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "flac"
    script.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\ncp "$5" "$4"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    wav = _tiny_wav(tmp_path / "tune.wav")
    out = encode(wav, "flac")
    assert out == tmp_path / "tune.flac"
    assert out.read_bytes() == wav.read_bytes()
    assert (bin_dir / "args").read_text().split()[:3] == ["--silent", "--force", "-o"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "tune.flac", "tune.wav"]


def test_encode_without_any_encoder_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(audio.shutil, "which", lambda name: None)
    wav = _tiny_wav(tmp_path / "tune.wav")
    with pytest.raises(SketchbookError, match="apt-get install vorbis-tools"):
        encode(wav, "ogg")
    assert wav_stats(wav) == (pytest.approx(0.1), pytest.approx(4096 / 32768))


@pytest.mark.skipif(shutil.which("flac") is None, reason="needs the flac encoder (apt-get install flac)")
@needs_fluidsynth
def test_real_flac(tmp_path):
    wav = render_midi(write_midi(tmp_path / "tune.mid"), tmp_path / "tune.wav")
    flac = encode(wav, "flac")
    assert flac.read_bytes()[:4] == b"fLaC"
