"""Rendering MIDI with fluidsynth: real WAVs checked with the stdlib wave module, and clear install hints."""

from __future__ import annotations

import wave

import mido
import pytest

from sketchbook import audio
from sketchbook.audio import find_soundfont, render_midi
from sketchbook.music.errors import SketchbookError
from tests.audio_facts import levels, wav_stats
from tests.sketch_fixtures import TUNE, needs_fluidsynth, write_midi


@needs_fluidsynth
def test_render_writes_a_wav_as_long_as_the_midi_with_sound_in_it(tmp_path):
    midi = write_midi(tmp_path / "tune.mid", tempo=120)  # 12 quarters at 120 = 6 seconds
    wav = render_midi(midi, tmp_path / "tune.wav")
    assert wav == tmp_path / "tune.wav"
    with wave.open(str(wav), "rb") as w:
        assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (48000, 2, 2)
    seconds, rms = wav_stats(wav)
    midi_seconds = mido.MidiFile(midi).length
    assert midi_seconds == pytest.approx(6.0, abs=0.05)
    assert midi_seconds - 0.1 <= seconds <= midi_seconds + 4  # fluidsynth lets the last notes ring out
    assert rms > 1e-3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tune.mid", "tune.wav"]


@needs_fluidsynth
def test_a_midi_without_notes_is_refused_and_leaves_no_file(tmp_path):
    midi = write_midi(tmp_path / "empty.mid", notes=(), pedals=())
    with pytest.raises(SketchbookError, match=r"empty.mid.* silence"):
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


@needs_fluidsynth
@pytest.mark.parametrize("fmt, magic", [("flac", b"fLaC"), ("ogg", b"OggS")])
def test_render_straight_to_a_compressed_file_at_a_common_peak(tmp_path, fmt, magic):
    quiet = write_midi(tmp_path / "quiet.mid", notes=tuple((p, s, d, 20) for p, s, d, _ in TUNE))
    loud = write_midi(tmp_path / "loud.mid", notes=tuple((p, s, d, 120) for p, s, d, _ in TUNE))
    peaks = []
    for midi in (quiet, loud):
        out = render_midi(midi, midi.with_suffix(f".{fmt}"))
        assert out.read_bytes()[:4] == magic
        seconds, peak, rms = levels(out)
        assert seconds > 4 and rms > -40
        peaks.append(peak)
    # Velocity 20 and 120 differ by over 20 dB as played; both files peak at about -1 dBFS.
    assert all(-1.5 <= p <= -0.5 for p in peaks), peaks
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["quiet.mid", "loud.mid", f"quiet.{fmt}",
                                                                 f"loud.{fmt}"])
