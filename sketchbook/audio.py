"""Render MIDI to audio with the fluidsynth program and a General MIDI soundfont."""

from __future__ import annotations

import array
import os
import shutil
import subprocess
import wave
from pathlib import Path

from sketchbook.errors import SketchbookError

INSTALL_HINT = "apt-get install fluidsynth fluid-soundfont-gm"
SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/local/share/soundfonts/default.sf2",
    "/opt/homebrew/share/soundfonts/default.sf2",
)
FORMATS = ("wav", "flac", "ogg")
# Per format, the encoders tried in order, each as a command built from (wav, out).
ENCODERS = {
    "flac": (("flac", lambda w, o: ["flac", "--silent", "--force", "-o", o, w]),
             ("sox", lambda w, o: ["sox", w, "-t", "flac", o]),
             ("ffmpeg", lambda w, o: ["ffmpeg", "-loglevel", "error", "-y", "-i", w, "-f", "flac", o])),
    "ogg": (("oggenc", lambda w, o: ["oggenc", "--quiet", "-o", o, w]),
            ("sox", lambda w, o: ["sox", w, "-t", "ogg", o]),
            ("ffmpeg", lambda w, o: ["ffmpeg", "-loglevel", "error", "-y", "-i", w, "-c:a", "libvorbis",
                                     "-f", "ogg", o])),
}
SAMPLE_RATE = 44100
SILENCE = 3e-4  # RMS; fluidsynth's dither alone measures about 3e-5
GAIN = 0.6  # fluidsynth's default 0.2 leaves a solo piano very quiet


def find_fluidsynth() -> str:
    program = shutil.which("fluidsynth")
    if program is None:
        raise SketchbookError(f"fluidsynth is not installed; install it with: {INSTALL_HINT}")
    return program


def find_soundfont(soundfont: Path | None = None) -> Path:
    """The soundfont given, else $SKETCHBOOK_SOUNDFONT, else a General MIDI one in a usual place."""
    if soundfont is not None:
        if not Path(soundfont).is_file():
            raise SketchbookError(f"{soundfont}: no such soundfont file")
        with open(soundfont, "rb") as f:
            head = f.read(12)
        # fluidsynth skips a file that is not a soundfont and quietly plays its default one instead.
        if head[:4] != b"RIFF" or head[8:12] != b"sfbk":
            raise SketchbookError(f"{soundfont}: not a SoundFont (.sf2) file")
        return Path(soundfont)
    candidates = [os.environ.get("SKETCHBOOK_SOUNDFONT", ""), *SOUNDFONTS]
    for candidate in filter(None, candidates):
        if Path(candidate).is_file():
            return Path(candidate)
    raise SketchbookError(f"no General MIDI soundfont found; install one with: {INSTALL_HINT} (or pass --soundfont)")


def wav_stats(path: Path) -> tuple[float, float]:
    """Duration in seconds and RMS level (0..1) of a 16-bit WAV file."""
    with wave.open(str(path), "rb") as w:
        frames, rate, width = w.getnframes(), w.getframerate(), w.getsampwidth()
        if width != 2:
            raise SketchbookError(f"{path}: expected 16-bit samples, got {8 * width}-bit")
        samples = array.array("h", w.readframes(frames))
    if not samples:
        return 0.0, 0.0
    rms = (sum(s * s for s in samples[::7]) / len(samples[::7])) ** 0.5 / 32768
    return frames / rate, rms


def _atomic_tmp(out: Path) -> Path:
    return out.with_name(f".{out.stem}.tmp{os.getpid()}{out.suffix}")


def render_midi(midi_path: Path, wav_path: Path, *, soundfont: Path | None = None) -> Path:
    """Render a MIDI file to a 16-bit 44.1 kHz WAV; fails unless the result has sound in it."""
    midi_path, wav_path = Path(midi_path), Path(wav_path)
    if not midi_path.is_file():
        raise SketchbookError(f"{midi_path}: no such MIDI file")
    program, font = find_fluidsynth(), find_soundfont(soundfont)
    tmp = _atomic_tmp(wav_path)
    command = [program, "-ni", "-q", "-g", str(GAIN), "-T", "wav", "-O", "s16",
               "-F", str(tmp), "-r", str(SAMPLE_RATE), str(font), str(midi_path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size <= 44:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise SketchbookError(f"fluidsynth could not render {midi_path.name}: "
                                  f"{detail[-1] if detail else f'exit code {done.returncode}'}")
        seconds, rms = wav_stats(tmp)
        if seconds == 0 or rms < SILENCE:
            raise SketchbookError(f"fluidsynth rendered {midi_path.name} as silence; is it a General MIDI soundfont?")
        os.replace(tmp, wav_path)
    finally:
        tmp.unlink(missing_ok=True)
    return wav_path


def encode(wav_path: Path, fmt: str, out: Path | None = None) -> Path:
    """Encode a WAV as FLAC or OGG with the first of flac/oggenc, sox, ffmpeg that is installed."""
    if fmt not in ENCODERS:
        raise SketchbookError(f"unknown audio format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out) if out else Path(wav_path).with_suffix(f".{fmt}")
    for program, command in ENCODERS[fmt]:
        if shutil.which(program) is None:
            continue
        tmp = _atomic_tmp(out)
        try:
            done = subprocess.run(command(str(wav_path), str(tmp)), capture_output=True, text=True, timeout=600)
            if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
                raise SketchbookError(f"{program} could not encode {Path(wav_path).name} as {fmt}")
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
        return out
    tool = "flac" if fmt == "flac" else "vorbis-tools"
    raise SketchbookError(f"no {fmt} encoder found; install one with: apt-get install {tool} (or sox, ffmpeg)")
