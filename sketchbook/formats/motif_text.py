"""The header of a bundled `.tn` motif file, read without parsing the melody (for a fast `motifs` listing)."""

from __future__ import annotations

from itertools import pairwise


def motif_description(text: str) -> str:
    """The first comment line of a `.tn` file (before the melody) that is not a key or pickup header."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        comment = stripped.lstrip("#").strip()
        if comment and comment.partition(":")[0].strip().lower() not in ("key", "pickup"):
            return comment
    return ""


def motif_to_text(motif, *, source: str = "") -> str:
    """A motif as a `.tn` file: a description, its key and pickup headers, then one line of tinyNotation
    that also reads back on its own (the pickup shown by the first bar line)."""
    from sketchbook.music.theory import key_name

    pickup = motif.pickup
    heading = source or motif.description or motif.name
    pickup_words = f", pickup {_quarters(pickup)}" if pickup else ""
    lines = [
        f"# {heading}: {key_name(motif.key)}, {motif.meter}{pickup_words}",
        f"# key: {key_name(motif.key)}",
    ]
    if pickup:
        lines.append(f"# pickup: {pickup}")
    lines.append(tinynotation_line(motif))
    return "\n".join(lines) + "\n"


def tinynotation_line(motif) -> str:
    """The motif's notes as tinyNotation, split at bar lines with ties, triplets in trip{...}."""
    from fractions import Fraction

    bar = motif.meter.bar_length
    tokens: list[tuple[str, bool, Fraction]] = [(str(motif.meter), False, Fraction(0))]
    time = Fraction(0)
    bar_lines = [motif.pickup] if motif.pickup else []
    end = motif.length
    line = motif.pickup + bar
    while line <= end:
        bar_lines.append(line)
        line += bar
    events = []  # (start, end, pitch or None, spelling)
    for note in sorted(motif.notes, key=lambda n: n.start):
        if note.start > time:
            events.append((time, note.start, None, None))
        events.append((note.start, note.end, note.pitch, note))
        time = max(time, note.end)
    for start, stop, pitch, note in events:
        cuts = [start] + [b for b in bar_lines if start < b < stop] + [stop]
        for a, b in pairwise(cuts):
            if a in bar_lines:
                tokens.append(("|", False, Fraction(0)))
            pieces = _note_values(b - a)
            for i, (written, triplet, value) in enumerate(pieces):
                word = ("r" if pitch is None else _pitch_word(note, motif.key)) + written
                tied = pitch is not None and (i < len(pieces) - 1 or b < stop)
                tokens.append((word + ("~" if tied else ""), triplet, value))
    # Neighbouring triplet values share a bracket until they fill whole beats, as a score groups them.
    words = []
    filled: Fraction | None = None  # time inside the open bracket, None when none is open
    for i, (word, triplet, value) in enumerate(tokens):
        opens = triplet and filled is None
        filled = (filled or Fraction(0)) + value if triplet else None
        last = i + 1 == len(tokens) or not tokens[i + 1][1]
        closes = filled is not None and (last or filled.denominator == 1)
        words.append(("trip{" if opens else "") + word + ("}" if closes else ""))
        if closes:
            filled = None
    return " ".join(words)


_BINARY = [(4, "1"), (3, "2."), (2, "2"), (1.5, "4."), (1, "4"), (0.75, "8."), (0.5, "8"), (0.375, "16."),
           (0.25, "16"), (0.125, "32"), (0.0625, "64")]
_TRIPLET = [(4 / 3, "2"), (2 / 3, "4"), (1 / 3, "8"), (1 / 6, "16"), (1 / 12, "32"), (1 / 24, "64")]


def _note_values(length):
    """Written values (tinyNotation length, in a triplet or not) that add up to ``length`` quarters."""
    from fractions import Fraction

    pieces = []
    left = Fraction(length)
    while left > 0:
        if left % Fraction(1, 16) == 0:
            value, word = next((Fraction(v).limit_denominator(24), w) for v, w in _BINARY if Fraction(v) <= left)
            pieces.append((word, False, value))
        else:
            options = [(Fraction(v).limit_denominator(24), w) for v, w in _TRIPLET]
            fitting = [o for o in options if o[0] <= left]
            value, word = next((o for o in fitting if (left - o[0]) % Fraction(1, 16) == 0), fitting[0])
            pieces.append((word, True, value))
        left -= value
    return pieces


def _pitch_word(note, key) -> str:
    from sketchbook.music.theory import spell

    if note.spelling is not None and _pitch_class(note.spelling) == note.pitch % 12:
        letter, alter = note.spelling
        octave = (note.pitch - alter) // 12 - 1
    else:
        letter, alter, octave = spell(note.pitch, key)
    accidental = "#" * alter if alter > 0 else "-" * -alter
    if octave >= 4:
        return letter.lower() + "'" * (octave - 4) + accidental  # music21 reads f'# as F#5, f#' as F#4
    return letter * (4 - octave) + accidental


def _pitch_class(spelling) -> int:
    return ("C D EF G A B".index(spelling[0]) + spelling[1]) % 12


def _quarters(value) -> str:
    return f"{value} quarter" + ("" if value <= 1 else "s")
