"""Random seed motifs for the contract tests, written as tinyNotation, .tn files, MIDI or MusicXML.

Each motif fills whole bars of 2/4, 3/4, 4/4 or 6/8 with beat cells (dotted rhythms, sixteenths,
triplets), walks a major or minor scale with the odd accidental, and may hold rests, ties and a pickup.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from hypothesis import assume
from hypothesis import strategies as st

F = Fraction
# (tonic letter, mode, tonic pitch class, spelled with flats)
KEYS = (
    ("C", "major", 0, False), ("G", "major", 7, False), ("D", "major", 2, False), ("A", "major", 9, False),
    ("E", "major", 4, False), ("F", "major", 5, True), ("Bb", "major", 10, True), ("Eb", "major", 3, True),
    ("A", "minor", 9, False), ("E", "minor", 4, False), ("B", "minor", 11, False), ("F#", "minor", 6, False),
    ("D", "minor", 2, True), ("G", "minor", 7, True), ("C", "minor", 0, True), ("F", "minor", 5, True),
)  # fmt: skip
METERS = ((2, 4), (3, 4), (4, 4), (6, 8))
MAJOR, MINOR = (0, 2, 4, 5, 7, 9, 11), (0, 2, 3, 5, 7, 8, 10)
# Cells filling one or more beats: (beats spanned, note values in quarters); "3" marks a triplet of eighths.
SIMPLE_CELLS = ((1, (F(1),)), (1, (F(1, 2), F(1, 2))), (1, (F(3, 4), F(1, 4))), (1, (F(1, 4), F(1, 4), F(1, 2))),
                (1, "3"), (2, (F(2),)), (2, (F(3, 2), F(1, 2))), (3, (F(3),)))  # fmt: skip
COMPOUND_CELLS = ((1, (F(3, 2),)), (1, (F(1), F(1, 2))), (1, (F(1, 2), F(1, 2), F(1, 2))),
                  (1, (F(3, 4), F(1, 4), F(1, 2))), (2, (F(3),)))  # fmt: skip
_TN_LENGTHS = {F(4): "1", F(3): "2.", F(2): "2", F(3, 2): "4.", F(1): "4", F(3, 4): "8.", F(1, 2): "8", F(1, 4): "16"}
_SHARPS = ("c", "c#", "d", "d#", "e", "f", "f#", "g", "g#", "a", "a#", "b")
_FLATS = ("c", "d-", "d", "e-", "e", "f", "g-", "g", "a-", "a", "b-", "b")


@dataclass(frozen=True)
class Event:
    pitch: int | None  # None: a rest
    length: Fraction
    tie: bool = False  # tied to the next event (same pitch)
    triplet: int = 0  # 1, 2, 3: place in a triplet of eighths


@dataclass(frozen=True)
class GeneratedMotif:
    key: tuple[str, str, int, bool]
    meter: tuple[int, int]
    pickup: Fraction
    events: tuple[Event, ...]

    @property
    def key_name(self) -> str:
        return f"{self.key[0]} {self.key[1]}"

    @property
    def notes(self) -> list[tuple[Fraction, int]]:
        """(onset, pitch) as the ear hears the motif: ties joined, rests left out."""
        notes, t, tied = [], F(0), False
        for e in self.events:
            if e.pitch is not None and not tied:
                notes.append((t, e.pitch))
            tied = e.tie
            t += e.length
        return notes

    @property
    def elided_notes(self) -> list[tuple[Fraction, int]]:
        """The notes that must survive each statement: the next statement's pickup may cut the last beat."""
        end = sum(e.length for e in self.events) - self.pickup
        return [(t, p) for t, p in self.notes if t < end]

    def tinynotation(self) -> str:
        words = [f"{self.meter[0]}/{self.meter[1]}"]
        for e in self.events:
            name = "r" if e.pitch is None else _spell(e.pitch, self.key[3])
            length = "8" if e.triplet else _TN_LENGTHS[e.length]
            word = ("trip{" if e.triplet == 1 else "") + name + length + ("~" if e.tie else "")
            words.append(word + ("}" if e.triplet == 3 else ""))
        return " ".join(words)

    def tn_file(self) -> str:
        header = [f"# A generated motif in {self.key_name}, {self.meter[0]}/{self.meter[1]}.",
                  f"# key: {self.key_name}"]
        if self.pickup:
            header.append(f"# pickup: {self.pickup}")
        return "\n".join(header + [self.tinynotation()]) + "\n"

    def write_midi(self, path: Path, ticks_per_beat: int = 480) -> Path:
        """A type-1 file: tempo, metre and key on a conductor track, the melody on a piano track."""
        import mido

        letter, mode = self.key[0], self.key[1]
        conductor = mido.MidiTrack([
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90)),
            mido.MetaMessage("time_signature", numerator=self.meter[0], denominator=self.meter[1]),
            mido.MetaMessage("key_signature", key=letter + ("m" if mode == "minor" else "")),
        ])
        melody = mido.MidiTrack([mido.MetaMessage("track_name", name="Melody"), mido.Message("program_change")])
        now, t = 0, F(0)
        spans = []
        for e in self.events:
            if e.pitch is not None and spans and spans[-1][3]:
                spans[-1] = (spans[-1][0], spans[-1][1], t + e.length, e.tie)  # a tie lengthens the note
            elif e.pitch is not None:
                spans.append((e.pitch, t, t + e.length, e.tie))
            t += e.length
        for pitch, start, end, _ in spans:
            on, off = round(start * ticks_per_beat), round(end * ticks_per_beat)
            melody.append(mido.Message("note_on", note=pitch, velocity=80, time=on - now))
            melody.append(mido.Message("note_off", note=pitch, velocity=0, time=off - on))
            now = off
        midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
        midi.tracks += [conductor, melody]
        midi.save(str(path))
        return path

    def write_musicxml(self, path: Path) -> Path:
        """The tinyNotation melody as music21 writes it in MusicXML, with the key signature."""
        from music21 import converter, key

        part = converter.parse("tinyNotation: " + self.tinynotation())
        tonic = self.key[0].replace("b", "-")
        part.measure(1).insert(0, key.Key(tonic.lower() if self.key[1] == "minor" else tonic, self.key[1]))
        part.partName = "Melody"
        part.write("musicxml", fp=str(path))
        return path


def _spell(pitch: int, flats: bool) -> str:
    name = (_FLATS if flats else _SHARPS)[pitch % 12]
    octave = pitch // 12 - 1
    if octave >= 4:
        return name[0] + "'" * (octave - 4) + name[1:]
    return name[0].upper() * (4 - octave) + name[1:]


@st.composite
def generated_motifs(draw, *, pickup: bool = True) -> GeneratedMotif:
    """A 2-4 bar melody in a key and metre; with ``pickup``, sometimes an upbeat before the first bar."""
    key = draw(st.sampled_from(KEYS))
    meter = draw(st.sampled_from(METERS))
    compound = meter == (6, 8)
    beats_per_bar = 2 if compound else meter[0]
    cells = COMPOUND_CELLS if compound else SIMPLE_CELLS
    lengths: list[tuple[Fraction, int]] = []
    upbeat = F(0)
    if pickup and draw(st.booleans()):
        upbeat = F(1, 2) if compound else F(1)
        lengths += [(F(1, 2), 0)] if compound else draw(st.sampled_from(([(F(1), 0)], [(F(1, 2), 0)] * 2)))
    for _ in range(draw(st.integers(2, 4))):
        left = beats_per_bar
        while left:
            span, values = draw(st.sampled_from([c for c in cells if c[0] <= left]))
            lengths += [(F(1, 3), i) for i in (1, 2, 3)] if values == "3" else [(v, 0) for v in values]
            left -= span
    scale = MINOR if key[1] == "minor" else MAJOR
    degree = draw(st.integers(0, 6))
    events: list[Event] = []
    for i, (length, triplet) in enumerate(lengths):
        if events and events[-1].tie:
            events.append(Event(events[-1].pitch, length, triplet=triplet))
            continue
        if i > 0 and draw(st.integers(0, 9)) == 0:
            events.append(Event(None, length, triplet=triplet))
            continue
        degree = max(-2, min(11, degree + draw(st.sampled_from((-2, -1, -1, 1, 1, 2, 3, -3, 4, -4, 0)))))
        octave, step = divmod(degree, 7)
        tonic = 60 + key[2] - (12 if key[2] > 6 else 0)  # G3..F#4, so the tunes sit around middle C to C6
        pitch = tonic + 12 * octave + scale[step]
        if key[1] == "minor" and step == 6 and draw(st.booleans()):
            pitch += 1  # the raised leading note
        elif draw(st.integers(0, 9)) == 0:
            pitch += draw(st.sampled_from((-1, 1)))  # a chromatic accidental
        nxt = lengths[i + 1] if i + 1 < len(lengths) else None
        tie = nxt is not None and not triplet and not nxt[1] and draw(st.integers(0, 6)) == 0
        events.append(Event(pitch, length, tie, triplet))
    motif = GeneratedMotif(key, meter, upbeat, tuple(events))
    pitches = [p for _, p in motif.notes]
    assume(len(pitches) >= 4 and len(set(pitches)) >= 3 and len(motif.elided_notes) >= 3)
    return motif
