"""Audio measured for the tests: length, peak and loudness of the files sketchbook renders."""

from __future__ import annotations

import array
import wave
from pathlib import Path
from typing import NamedTuple

import soundfile


class Levels(NamedTuple):
    seconds: float
    peak_dbfs: float
    rms_dbfs: float


def levels(path: Path) -> Levels:
    """Duration in seconds, peak and RMS in dBFS of any audio file soundfile reads."""
    import numpy as np

    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    if not len(samples):
        return Levels(0.0, float("-inf"), float("-inf"))
    peak = float(np.abs(samples).max())
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return Levels(len(samples) / rate, float(20 * np.log10(max(peak, 1e-12))), float(20 * np.log10(max(rms, 1e-12))))


def wav_stats(path: Path) -> tuple[float, float]:
    """Duration in seconds and RMS level (0..1) of a 16-bit WAV file."""
    with wave.open(str(path), "rb") as w:
        frames, rate, width = w.getnframes(), w.getframerate(), w.getsampwidth()
        if width != 2:
            raise ValueError(f"{path}: expected 16-bit samples, got {8 * width}-bit")
        samples = array.array("h", w.readframes(frames))
    if not samples:
        return 0.0, 0.0
    rms = (sum(s * s for s in samples[::7]) / len(samples[::7])) ** 0.5 / 32768
    return frames / rate, rms
