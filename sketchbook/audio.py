"""Render MIDI to audio with the fluidsynth program and a General MIDI soundfont, at a common peak level.

fluidsynth writes 32-bit float samples; they are scaled so every piece peaks at PEAK_DBFS (a pp beach
and an f photograph then both play at sensible levels side by side) and written as WAV, FLAC or Ogg Opus
by soundfile, whose wheels carry libsndfile with those encoders, so nothing else needs installing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sketchbook.files import exclusive_temp, remove_quietly, replacing
from sketchbook.limits import limited_child
from sketchbook.music.errors import SketchbookError

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
# What soundfile writes for each format: a container and its codec. Ogg holds Opus, the smallest that
# browsers play (about 0.9 MB a minute against 10 MB of WAV); Opus runs at 48 kHz, so everything does.
CODECS = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16"), "ogg": ("OGG", "OPUS")}
SAMPLE_RATE = 48000
PEAK_DBFS = -1.0  # room for the lossy codecs' small overshoot, and no clipping in any player
SILENCE = 3e-4  # RMS before scaling; fluidsynth's dither alone measures about 3e-5
GAIN = 0.6  # fluidsynth's default 0.2 leaves a solo piano very quiet (the peak is scaled afterwards anyway)
MAX_RENDER_SECONDS = 30 * 60  # the longest piece rendered: about 700 MB of raw samples on disk while it runs
TAIL_SECONDS = 10  # fluidsynth lets the last notes ring out after the MIDI ends
DISK_MARGIN = 64 * 2**20  # left free for everyone else
RENDER_TIMEOUT = 600
RENDER_MEMORY = 2 * 2**30  # fluidsynth's address space (the soundfont is about 150 MB of it)
BLOCK = 1 << 16  # frames scaled at a time: memory stays flat however long the piece


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


def check_format(fmt: str) -> None:
    """Refuse, before anything is rendered, a format this installation cannot write."""
    if fmt not in CODECS:
        raise SketchbookError(f"unknown audio format {fmt!r}; choose one of {', '.join(FORMATS)}")
    soundfile = _soundfile()
    container, codec = CODECS[fmt]
    if codec not in soundfile.available_subtypes(container):
        raise SketchbookError(f"this installation's libsndfile cannot write {fmt} ({codec}); "
                              "install the soundfile wheel with: pip install --force-reinstall soundfile")


def is_midi(path: Path) -> bool:
    """A Standard MIDI File starts with its header chunk, whatever the file is called."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"MThd"
    except OSError:
        return False


def render_midi(midi_path: Path, out_path: Path, *, soundfont: Path | None = None, force: bool = True) -> Path:
    """Render a MIDI file to WAV, FLAC or Ogg Opus (by out_path's suffix), peaking at PEAK_DBFS.

    Fails unless the result has sound in it; on any failure nothing is left behind, and without
    ``force`` an existing file is never replaced.
    """
    midi_path, out_path = Path(midi_path), Path(out_path)
    fmt = out_path.suffix.lower().lstrip(".")
    check_format(fmt)
    if not midi_path.is_file():
        raise SketchbookError(f"{midi_path}: no such MIDI file")
    if not is_midi(midi_path):
        raise SketchbookError(f"{midi_path}: not a MIDI file (it does not start with a MIDI header)")
    if not force and os.path.lexists(out_path):
        raise SketchbookError(f"{out_path} already exists (use --force to overwrite)")
    if not out_path.parent.is_dir():
        raise SketchbookError(f"cannot write {out_path}: the folder {out_path.parent} does not exist")
    program, font = find_fluidsynth(), find_soundfont(soundfont)
    seconds = _playing_time(midi_path)
    raw_bytes = int((seconds + TAIL_SECONDS) * SAMPLE_RATE * 2 * 4)  # stereo 32-bit float
    _check_disk(out_path, raw_bytes + raw_bytes // 2)
    raw = None
    try:
        with replacing(out_path, force=force) as tmp:
            raw = exclusive_temp(out_path, ".raw.wav")
            command = [program, "-ni", "-q", "-g", str(GAIN), "-T", "wav", "-O", "float",
                       "-F", str(raw), "-r", str(SAMPLE_RATE), str(font), str(midi_path)]
            done = _run_watched(command, raw, raw_bytes + (16 << 20), min(RENDER_TIMEOUT, 60 + seconds), midi_path)
            if done.returncode != 0 or not raw.is_file() or raw.stat().st_size <= 44:
                detail = done.stderr.strip().splitlines()
                if any("failed to open audio file" in line.lower() for line in detail):
                    raise SketchbookError(f"cannot write {out_path}: its folder does not take new files")
                raise SketchbookError(f"fluidsynth could not render {midi_path.name}: "
                                      f"{detail[-1] if detail else f'exit code {done.returncode}'}")
            _write_normalised(raw, tmp, fmt, midi_path.name)
    finally:  # every failure, Ctrl-C and SIGTERM (see limits.py) included
        remove_quietly(raw)
    return out_path


def _run_watched(command: list[str], raw: Path, limit: int, timeout: float, midi_path: Path):
    """Run fluidsynth, stopping it should its output outgrow ``limit`` bytes or its time ``timeout``.

    (RLIMIT_FSIZE would be simpler, but fluidsynth trips it while loading a large soundfont.)
    """
    import time

    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, stdin=subprocess.DEVNULL,
                                   preexec_fn=limited_child(memory=RENDER_MEMORY))
        try:
            stop = time.monotonic() + timeout
            while process.poll() is None:
                try:
                    grown = raw.stat().st_size > limit
                except OSError:
                    grown = False
                if grown or time.monotonic() > stop:
                    why = "wrote more audio than the MIDI lasts" if grown else f"took over {timeout:.0f} s"
                    raise SketchbookError(f"fluidsynth {why} rendering {midi_path.name}; it was stopped")
                time.sleep(0.05)
        finally:  # errors, Ctrl-C and SIGTERM alike: fluidsynth never outlives us
            if process.poll() is None:
                process.kill()
                process.wait()
        errors.seek(0)
        stderr = errors.read(1 << 16).decode("utf-8", "replace")
    return subprocess.CompletedProcess(command, process.returncode, "", stderr)


def _playing_time(midi_path: Path) -> float:
    """The MIDI's real length in seconds (its own tempo map), refused past MAX_RENDER_SECONDS."""
    from sketchbook.formats.midi_scan import scan_midi

    seconds = scan_midi(midi_path).duration()
    if seconds > MAX_RENDER_SECONDS:
        raise SketchbookError(f"{midi_path.name} plays for {_clock(seconds)}; render makes at most "
                              f"{MAX_RENDER_SECONDS // 60} minutes of audio")
    return seconds


def _clock(seconds: float) -> str:
    if seconds >= 360_000:
        return f"{seconds / 3600:,.0f} hours"
    whole = int(seconds)
    if whole >= 3600:
        return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{whole // 60}:{whole % 60:02d}"


def _check_disk(out_path: Path, needed: int) -> None:
    """Refuse before rendering when the folder's disk cannot hold the raw render and the result."""
    try:
        free = shutil.disk_usage(out_path.parent).free
    except OSError:
        return
    if free < needed + DISK_MARGIN:
        raise SketchbookError(f"cannot write {out_path}: rendering it needs about {needed // 2**20 + 1} MB "
                              f"of free disk space and {free // 2**20} MB are free")


def _write_normalised(raw: Path, out: Path, fmt: str, name: str) -> None:
    """Scale to PEAK_DBFS a block at a time (two passes), so a long piece never sits in memory whole."""
    import numpy as np

    soundfile = _soundfile()
    peak, squares, frames = 0.0, 0.0, 0
    with soundfile.SoundFile(str(raw)) as source:
        rate, channels = source.samplerate, source.channels
        for block in source.blocks(BLOCK, dtype="float32", always_2d=True):
            peak = max(peak, float(np.abs(block).max(initial=0.0)))
            squares += float(np.sum(np.square(block, dtype=np.float64)))
            frames += len(block)
    if not frames or (squares / (frames * channels)) ** 0.5 < SILENCE:
        raise SketchbookError(f"fluidsynth rendered {name} as silence; is it a General MIDI soundfont?")
    gain = np.float32(10 ** (PEAK_DBFS / 20) / peak)
    container, codec = CODECS[fmt]
    with soundfile.SoundFile(str(raw)) as source, soundfile.SoundFile(
            str(out), "w", rate, channels, subtype=codec, format=container) as target:
        for block in source.blocks(BLOCK, dtype="float32", always_2d=True):
            target.write(block * gain)


def _soundfile():
    try:
        import soundfile
    except (ImportError, OSError):  # OSError: the module is there but its libsndfile is not
        raise SketchbookError("audio needs the soundfile package; install it with: pip install soundfile") from None
    return soundfile
