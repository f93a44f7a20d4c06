"""How a motif file is read: the reading hints and the motif limits, shared by the finder and the file readers.

They live apart from load.py (which finds a motif and calls the readers) so that the readers need not import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

MAX_FILE_BYTES = 2 * 1024 * 1024  # .tn and MIDI files (MusicXML has its own limit in formats/motif_files.py)
MAX_MOTIF_BARS = 8  # inline and bundled text motifs
FILE_MOTIF_BARS = 4  # MIDI and MusicXML files are cut to this many bars


@dataclass(frozen=True, slots=True)
class Reading:
    """How to read a motif file: hints that override what is heard, which line, which bars."""

    meter: tuple[int, int] | None = None  # a time signature to bar a performed MIDI file in
    grid: Fraction | None = None  # the finest note value a performed MIDI file is quantised to
    track: str | None = None  # a MIDI track: its number among tracks with notes, or part of its name
    part: str | None = None  # a MusicXML part: its number or part of its name
    bars: tuple[int, int] | None = None  # first and last bar (1 is the first full bar)
