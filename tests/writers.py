"""Write a performance or a piece straight to a file, for tests that need one on disk."""

from pathlib import Path

from sketchbook.formats.midi import midi_bytes
from sketchbook.formats.musicxml import piece_to_musicxml


def write_midi(performance, path: Path) -> Path:
    Path(path).write_bytes(midi_bytes(performance))
    return Path(path)


def write_musicxml(piece, path: Path) -> Path:
    Path(path).write_bytes(piece_to_musicxml(piece))
    return Path(path)
