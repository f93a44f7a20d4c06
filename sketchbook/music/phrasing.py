"""Phrasing: phrases of four and eight bars, and the cadences that close them.

A developed phrase rarely comes out a round number of bars. It is padded to four or eight (its last
note held into the cadence bar), and the cadence bar resolves the melody onto the cadence chord: a
half cadence onto V, a full cadence onto I. Statements keep every note of the motif: the resolution
is a new note after it, never a changed one.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from sketchbook.music.harmony import diatonic_chord
from sketchbook.music.model import Key, Note, Phrase

KEEPS_THE_MOTIF = ("statement", "repetition", "remeter", "transpose", "sequence")


def phrase_bars(bars: int) -> int:
    """The round length a phrase of ``bars`` bars grows to: 4, 8, then whole fours."""
    if bars <= 4:
        return 4
    if bars <= 8:
        return 8
    return -(-bars // 4) * 4


def pad(phrase: Phrase, anacrusis: Fraction, bar: Fraction, bars: int) -> Phrase:
    """The phrase stretched to ``bars`` bars after its pickup, its last notes held to the new end."""
    length = anacrusis + bars * bar
    if length <= phrase.length or not phrase.notes:
        return phrase
    last = max(n.start for n in phrase.notes)
    notes = tuple(replace(n, duration=length - n.start) if n.start == last else n for n in phrase.notes)
    return Phrase(notes, length)


def cadence_kinds(counts: list[int]) -> list[str]:
    """Per phrase (``counts`` phrases per section): half and full cadences in turn, each section closing
    full and the piece closing on its final cadence."""
    kinds: list[str] = []
    for count in counts:
        kinds.extend("half" if i % 2 == 0 and i < count - 1 else "full" for i in range(count))
    if kinds:
        kinds[-1] = "final"
    return kinds


def cadence_pitch_classes(kind: str, key: Key) -> set[int]:
    """The notes a melody may land on: the V triad for a half cadence, the I triad (and its added ninth,
    the eerie colour) for a full one, and the tonic itself at the very end: a piece stops on its home note."""
    if kind == "final":
        return {key.tonic}
    chord = diatonic_chord(4 if kind == "half" else 0, key)
    pcs = set(chord.pitch_classes)
    if kind != "half":
        pcs.add((key.tonic + 2) % 12)
    return pcs


def land_cadence(melody: list[Note], cadence_bar: Fraction, end: Fraction, kind: str, key: Key, *,
                 free: bool, beat: Fraction, begin: Fraction = Fraction(0), added: list[Note] | None = None,
                 window: range | None = None) -> None:
    """Land the phrase ending at ``end``: its last melody note moves onto the cadence chord.

    A note held into the cadence bar is split at the bar line and resolves there; a long last note
    resolves halfway; otherwise a ``free`` (developed) phrase may bend its last note, a statement not.
    New notes go to ``added`` (default: the melody itself); ``window``, the indices of the notes that
    start in [begin, end) in a melody sorted by onset, keeps a long piece from being searched per phrase.
    """
    pcs = cadence_pitch_classes(kind, key)
    added = melody if added is None else added
    indices = window if window is not None else range(len(melody))
    inside = [i for i in indices if begin <= melody[i].start < end and melody[i].end > cadence_bar - beat]
    if not inside:
        return
    last_start = max(melody[i].start for i in inside)
    top = max((i for i in inside if melody[i].start == last_start), key=lambda i: melody[i].pitch)
    note = melody[top]
    if note.pitch % 12 in pcs:
        return
    target = nearest_tone(note.pitch, pcs)
    if note.start < cadence_bar < min(note.end, end):
        melody[top] = replace(note, duration=cadence_bar - note.start)
        added.append(Note(target, cadence_bar, min(note.end, end) - cadence_bar, voice=note.voice))
    elif note.duration >= 2 * beat and note.end <= end:
        half = max(beat, (note.duration / 2 // beat) * beat)
        melody[top] = replace(note, duration=half)
        added.append(Note(target, note.start + half, note.duration - half, voice=note.voice))
    elif free or kind == "final":
        melody[top] = replace(note, pitch=target, ornament=None, graces=())


def nearest_tone(pitch: int, pcs: set[int]) -> int:
    """The closest pitch in ``pcs``, by step first, downward on a tie (a resolution falls)."""
    for distance in range(1, 7):
        for candidate in (pitch - distance, pitch + distance):
            if candidate % 12 in pcs and 21 <= candidate <= 108:
                return candidate
    return pitch
