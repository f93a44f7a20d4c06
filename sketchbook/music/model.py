"""The pure musical model: notes, phrases, sections and pieces, with time in quarter notes."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from sketchbook.music.levers import Levers, tempo_of

ORNAMENTS = (
    "trill",
    "mordent",
    "inverted-mordent",
    "turn",
    "tremolo",
    "arpeggio",
    "acciaccatura",
    "appoggiatura",
)
GRACE_ORNAMENTS = ("acciaccatura", "appoggiatura")
ARTICULATIONS = ("accent", "staccato", "tenuto", "strong-accent")
DYNAMICS = ("ppp", "pp", "p", "mp", "mf", "f", "ff", "fff")
MODES = ("major", "minor")


def ticks(times: list[Fraction]) -> list[int]:
    """The same instants as whole numbers on one grid: exact, and cheap where a piece's onsets are
    compared, sorted or hashed thousands of times (a Fraction comparison costs a type check).

    >>> ticks([Fraction(1, 3), Fraction(1, 2), Fraction(0)])
    [2, 3, 0]
    """
    grid = math.lcm(*{t.denominator for t in times})
    return [t.numerator * (grid // t.denominator) for t in times]


def last_begun(starts: Sequence[Fraction]) -> Callable[[Fraction], int]:
    """The index of the last of ``starts`` (in time order) begun by a given time, -1 before the first.

    Bisected on floats, exact here: distinct times of a piece differ by a millionth of a beat at least,
    a float's error is 10^-11 of a beat. A Fraction comparison costs a type check, and every note asks.

    >>> last_begun([Fraction(0), Fraction(3), Fraction(6)])(Fraction(5, 2))
    0
    """
    keys = [float(t) for t in starts]
    return lambda t: bisect.bisect_right(keys, float(t)) - 1


def reading_order(notes: Sequence[Note]) -> list[int]:
    """Indices of the notes as a score reads them: by onset, then voice, then pitch (sorted on whole
    ticks, equal notes keeping their order)."""
    at = ticks([n.start for n in notes])
    return sorted(range(len(notes)), key=lambda k: (at[k], notes[k].voice, notes[k].pitch))


def score_order(notes: Iterable[Note]) -> list[Note]:
    """The notes sorted as a score reads them (see reading_order)."""
    notes = list(notes)
    return [notes[k] for k in reading_order(notes)]


@dataclass(frozen=True, slots=True)
class Note:
    """One written note: MIDI pitch, onset and length in quarter notes, plus its markings.

    >>> Note(60, Fraction(1), Fraction(1, 2)).end
    Fraction(3, 2)
    """

    pitch: int
    start: Fraction
    duration: Fraction
    voice: int = 1
    ornament: str | None = None
    graces: tuple[int, ...] = ()
    articulations: tuple[str, ...] = ()
    # How a motif file spelled this note (letter, alter), kept so a score never respells the user's Bb as A#.
    # Writers use it only while it still names the note's pitch class: a transposed copy falls back to harmony.
    spelling: tuple[str, int] | None = None
    # Where the note stops: kept rather than added up at every look, the most asked question in composing.
    end: Fraction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "end", self.start + self.duration)
        if not 0 <= self.pitch <= 127:
            raise ValueError(f"pitch {self.pitch} is outside MIDI range 0..127")
        if self.spelling is not None and (self.spelling[0] not in "CDEFGAB" or not -2 <= self.spelling[1] <= 2):
            raise ValueError(f"spelling {self.spelling!r} must be a letter C..B and an alter -2..2")
        # The numerators' signs: comparing a Fraction with 0 goes the long way round (every note asks).
        if self.duration.numerator <= 0:
            raise ValueError(f"duration {self.duration} must be positive")
        if self.start.numerator < 0:
            raise ValueError(f"start {self.start} must not be negative")
        if self.ornament is not None or self.graces:  # most notes carry neither: check them only when set
            if self.ornament is not None and self.ornament not in ORNAMENTS:
                raise ValueError(f"unknown ornament {self.ornament!r}")
            if self.graces and self.ornament not in GRACE_ORNAMENTS:
                raise ValueError("grace pitches need an acciaccatura or appoggiatura ornament")
            if self.ornament in GRACE_ORNAMENTS and not self.graces:
                raise ValueError(f"{self.ornament} needs at least one grace pitch")
            if any(not 0 <= g <= 127 for g in self.graces):
                raise ValueError("grace pitch outside MIDI range 0..127")
        for a in self.articulations:
            if a not in ARTICULATIONS:
                raise ValueError(f"unknown articulation {a!r}")
        if self.voice != 1 and self.voice != 2:
            raise ValueError(f"voice {self.voice} must be 1 or 2")

    def __hash__(self) -> int:
        # Notes key the spelling and layout tables. The generated hash would hash every field, Fractions
        # (slow to hash) among them; equal notes share pitch, voice and onset, so those alone will do.
        return hash((self.pitch, self.voice, self.start.numerator, self.start.denominator))

    def shifted(self, offset: Fraction) -> Note:
        # Spelled out rather than dataclasses.replace: composing shifts every phrase's notes into place.
        return Note(self.pitch, self.start + offset, self.duration, self.voice, self.ornament, self.graces,
                    self.articulations, self.spelling)

    def transposed(self, semitones: int) -> Note:
        return replace(
            self,
            pitch=self.pitch + semitones,
            graces=tuple(g + semitones for g in self.graces),
        )


@dataclass(frozen=True, slots=True)
class Phrase:
    """A run of notes in one hand; times are relative to the phrase's start."""

    notes: tuple[Note, ...]
    length: Fraction

    def __post_init__(self) -> None:
        if self.length < 0:
            raise ValueError(f"phrase length {self.length} must not be negative")
        for n in self.notes:
            if n.end > self.length:
                raise ValueError(f"note at {n.start} ends after the phrase length {self.length}")

    @property
    def pitches(self) -> tuple[int, ...]:
        return tuple(n.pitch for n in self.notes)

    def shifted(self, offset: Fraction) -> tuple[Note, ...]:
        return tuple(n.shifted(offset) for n in self.notes)


@dataclass(frozen=True, slots=True)
class Key:
    """A tonic pitch class (0 = C) and a mode."""

    tonic: int
    mode: str = "major"

    def __post_init__(self) -> None:
        if not 0 <= self.tonic <= 11:
            raise ValueError(f"tonic {self.tonic} must be a pitch class 0..11")
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} must be major or minor")


@dataclass(frozen=True, slots=True)
class Meter:
    """A time signature such as 3/4 or 6/8."""

    numerator: int
    denominator: int
    # The bar and the felt beat in quarter notes (a dotted quarter in 6/8, a quarter in 4/4): kept, not
    # worked out at each look, since composing asks for them thousands of times.
    bar_length: Fraction = field(init=False, repr=False, compare=False)
    beat: Fraction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.numerator <= 32:
            raise ValueError(f"time signature numerator {self.numerator} must be 1..32")
        if self.denominator not in (1, 2, 4, 8, 16, 32):
            raise ValueError(f"time signature denominator {self.denominator} must be a power of two up to 32")
        object.__setattr__(self, "bar_length", Fraction(4 * self.numerator, self.denominator))
        object.__setattr__(self, "beat", Fraction(4 * (3 if self.is_compound else 1), self.denominator))

    @property
    def is_compound(self) -> bool:
        return self.denominator >= 8 and self.numerator % 3 == 0 and self.numerator > 3

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


@dataclass(frozen=True, slots=True)
class Motif:
    """A seed melody: notes timed from the start of its pickup, in a key and metre."""

    name: str
    notes: tuple[Note, ...]
    key: Key
    meter: Meter
    pickup: Fraction = Fraction(0)
    description: str = ""

    def __post_init__(self) -> None:
        if not self.notes:
            raise ValueError("a motif needs at least one pitched note")
        if not 0 <= self.pickup < self.meter.bar_length:
            raise ValueError(f"pickup {self.pickup} must be shorter than a bar")

    @property
    def length(self) -> Fraction:
        """From the pickup's start to the end of the last bar the motif touches."""
        end = max(n.end for n in self.notes) - self.pickup
        bars = -(-end // self.meter.bar_length)
        return self.pickup + max(bars, 1) * self.meter.bar_length

    @property
    def bars(self) -> int:
        return int((self.length - self.pickup) / self.meter.bar_length)

    @property
    def phrase(self) -> Phrase:
        return Phrase(self.notes, self.length)


@dataclass(frozen=True, slots=True)
class Section:
    """A span of bars with one character: its name, its resolved levers and the techniques it applies."""

    name: str
    start_bar: int
    bars: int
    levers: Levers  # resolved: the section's own over its style's (a hand-made piece may give only the tempo)
    techniques: tuple[str, ...] = ()
    dynamic: str = "p"
    textures: tuple[str, ...] = ()  # the left-hand figures it uses, most used first

    def __post_init__(self) -> None:
        if self.bars < 1:
            raise ValueError(f"section {self.name!r} needs at least one bar")
        if self.levers.tempo is None:
            raise ValueError(f"section {self.name!r} needs a tempo")
        problem = self.levers.problem()
        if problem:
            raise ValueError(problem)
        if self.dynamic not in DYNAMICS:
            raise ValueError(f"unknown dynamic {self.dynamic!r}")

    @property
    def end_bar(self) -> int:
        return self.start_bar + self.bars

    # The score and the performance read a section's tempo everywhere: typed as always set.
    @property
    def tempo(self) -> int:
        return tempo_of(self.levers)

    @property
    def tempo_text(self) -> str:
        return self.levers.tempo_text or ""


@dataclass(frozen=True, slots=True)
class Dynamic:
    """A dynamic mark at an offset, e.g. pp."""

    offset: Fraction
    mark: str

    def __post_init__(self) -> None:
        if self.mark not in DYNAMICS:
            raise ValueError(f"unknown dynamic {self.mark!r}")


@dataclass(frozen=True, slots=True)
class Hairpin:
    """A crescendo or diminuendo wedge from start to end."""

    start: Fraction
    end: Fraction
    kind: str = "crescendo"

    def __post_init__(self) -> None:
        if self.kind not in ("crescendo", "diminuendo"):
            raise ValueError(f"hairpin kind {self.kind!r} must be crescendo or diminuendo")
        if self.end <= self.start:
            raise ValueError("a hairpin must end after it starts")


@dataclass(frozen=True, slots=True)
class Pedal:
    """One press of the sustain pedal, from start to release."""

    start: Fraction
    end: Fraction

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a pedal must be released after it is pressed")


@dataclass(frozen=True, slots=True)
class Harmony:
    """The chord sounding from start to end: its root pitch class and the intervals above the root.

    Notation spells the notes sounding over it as stacked thirds on the root's letter.
    """

    start: Fraction
    end: Fraction
    root: int
    intervals: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a harmony must end after it starts")
        if not 0 <= self.root <= 11:
            raise ValueError(f"root {self.root} must be a pitch class 0..11")


@dataclass(frozen=True, slots=True)
class Piece:
    """A finished piano piece: two hands on a grand staff, with its marks and plan.

    Offsets are quarter notes from the first bar line; a pickup sits before it at negative
    time, so here every offset is shifted by ``pickup`` (offset 0 = start of the pickup).
    """

    title: str
    key: Key
    meter: Meter
    right_hand: tuple[Note, ...]
    left_hand: tuple[Note, ...]
    sections: tuple[Section, ...]
    pickup: Fraction = Fraction(0)
    dynamics: tuple[Dynamic, ...] = ()
    hairpins: tuple[Hairpin, ...] = ()
    pedals: tuple[Pedal, ...] = ()
    phrases: tuple[Fraction, ...] = ()  # where each phrase begins: a performer breathes before these
    harmony: tuple[Harmony, ...] = ()  # the chords under the melody, in time order
    ritardandos: tuple[tuple[Fraction, Fraction], ...] = ()  # (start, end): the tempo eases toward the next
    # Kept, not recounted: the writers ask for the piece's length at nearly every note.
    bars: int = field(init=False, repr=False, compare=False)
    length: Fraction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bars = sum(s.bars for s in self.sections)
        object.__setattr__(self, "bars", bars)
        object.__setattr__(self, "length", self.pickup + bars * self.meter.bar_length)

    def bar_start(self, bar: int) -> Fraction:
        """Offset of bar ``bar`` (0-based, the pickup not counted)."""
        return self.pickup + bar * self.meter.bar_length

    def tempo_at(self, offset: Fraction) -> int:
        tempo = self.sections[0].tempo
        for s in self.sections:
            if self.bar_start(s.start_bar) <= offset:
                tempo = s.tempo
        return tempo


@dataclass(frozen=True, slots=True)
class SoundingNote:
    """A note as performed: onset and length in quarter notes (rubato included), and velocity."""

    pitch: int
    start: Fraction
    duration: Fraction
    velocity: int
    hand: int = 0  # 0 right, 1 left

    def __post_init__(self) -> None:
        if not 0 <= self.pitch <= 127:
            raise ValueError(f"pitch {self.pitch} is outside MIDI range 0..127")
        if not 1 <= self.velocity <= 127:
            raise ValueError(f"velocity {self.velocity} must be 1..127")
        # The numerators' signs: comparing a Fraction with 0 goes the long way round (every note asks).
        if self.duration.numerator <= 0:
            raise ValueError(f"duration {self.duration} must be positive")
        if self.start.numerator < 0:
            raise ValueError(f"start {self.start} must not be negative")


@dataclass(frozen=True, slots=True)
class Performance:
    """What the MIDI file plays: sounding notes per hand, pedal presses and a tempo map."""

    title: str
    key: Key
    meter: Meter
    notes: tuple[SoundingNote, ...]
    pedals: tuple[Pedal, ...]
    tempos: tuple[tuple[Fraction, int], ...]  # (offset, bpm in quarter notes)
    length: Fraction
