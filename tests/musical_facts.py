"""Musical facts read back from written MIDI and MusicXML files, independently of sketchbook's code.

MusicXML is walked with lxml (offsets from divisions, backup and forward), MIDI with mido; pretty_midi
and music21 are used as second readers. Times are quarter notes as Fractions from the score's start.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

from lxml import etree

ORNAMENT_KINDS = ("trill", "mordent", "inverted-mordent", "turn", "grace", "arpeggiate", "tremolo")
ACCENTS = {"accent", "strong-accent", "staccato", "staccatissimo"}  # the marks that drive the photograph
_ORNAMENT_TAGS = {"trill-mark": "trill", "mordent": "mordent", "inverted-mordent": "inverted-mordent",
                  "turn": "turn", "inverted-turn": "turn", "delayed-turn": "turn", "tremolo": "tremolo"}
_STEP = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# Fifths of a major key on each tonic; G#, D# and A# only serve their relative minors (5, 6, 7 sharps).
_MAJOR_FIFTHS = {"Cb": -7, "Gb": -6, "Db": -5, "Ab": -4, "Eb": -3, "Bb": -2, "F": -1, "C": 0, "G": 1, "D": 2,
                 "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7, "G#": 8, "D#": 9, "A#": 10}
_UNIT_QUARTERS = {"whole": Fraction(4), "half": Fraction(2), "quarter": Fraction(1), "eighth": Fraction(1, 2),
                  "16th": Fraction(1, 4)}
DISSONANT_CLASSES = (1, 6, 11)  # minor second, tritone, major seventh (and their compounds)


def midi_key_fifths(key: str) -> tuple[int, str]:
    """A MIDI key_signature name such as 'F#m' or 'Bb' as (fifths, mode)."""
    if key.endswith("m"):
        return _MAJOR_FIFTHS[key[:-1]] - 3, "minor"
    return _MAJOR_FIFTHS[key], "major"


# --- MusicXML ---------------------------------------------------------------------------------


@dataclass
class ScoreNote:
    staff: int
    pitch: int
    offset: Fraction
    duration: Fraction  # 0 for grace notes
    grace: bool = False
    chord: bool = False
    ornaments: tuple[str, ...] = ()
    articulations: tuple[str, ...] = ()

    @property
    def end(self) -> Fraction:
        return self.offset + self.duration


@dataclass
class ScoreFacts:
    """What a MusicXML score says, as plain data."""

    parts: int = 0
    part_names: list[str] = field(default_factory=list)
    staves: int = 0
    title: str = ""
    divisions: list[int] = field(default_factory=list)
    metronomes: list[tuple[Fraction, str, int]] = field(default_factory=list)  # offset, beat unit, per minute
    quarter_tempos: list[tuple[Fraction, Fraction]] = field(default_factory=list)  # metronomes in quarters/minute
    sound_tempos: list[tuple[Fraction, float]] = field(default_factory=list)
    words: list[tuple[Fraction, str]] = field(default_factory=list)
    rehearsals: list[tuple[Fraction, str]] = field(default_factory=list)
    keys: list[tuple[int, str]] = field(default_factory=list)
    times: list[tuple[int, int]] = field(default_factory=list)
    dynamics: list[tuple[Fraction, str]] = field(default_factory=list)
    wedges: list[tuple[Fraction, str]] = field(default_factory=list)
    pedals: list[tuple[Fraction, str]] = field(default_factory=list)
    notes: list[ScoreNote] = field(default_factory=list)  # ties merged
    measures: int = 0  # every <measure>, an implicit pickup included
    full_bars: int = 0  # measures that are not implicit (pickups are implicit)
    length: Fraction = Fraction(0)

    def sounding(self, staff: int | None = None) -> list[ScoreNote]:
        return [n for n in self.notes if not n.grace and (staff is None or n.staff == staff)]

    @property
    def ornament_kinds(self) -> set[str]:
        kinds = {o for n in self.notes for o in n.ornaments}
        if any(n.grace for n in self.notes):
            kinds.add("grace")
        return kinds

    @property
    def articulated_notes(self) -> int:
        """Written notes or chords carrying an accent or staccato (a chord counts once)."""
        return sum(1 for n in self.notes if not n.chord and ACCENTS & set(n.articulations))

    def dynamics_between(self, start: Fraction, end: Fraction) -> list[str]:
        return [m for o, m in self.dynamics if start <= o < end]


def _text(el, path: str, default: str = "") -> str:
    found = el.find(path)
    return found.text.strip() if found is not None and found.text else default


def _pitch(note) -> int:
    p = note.find("pitch")
    alter = float(_text(p, "alter", "0"))
    return 12 * (int(_text(p, "octave")) + 1) + _STEP[_text(p, "step")] + round(alter)


def read_score(path: Path | str) -> ScoreFacts:
    """Walk a partwise MusicXML file: marks and notes with their offsets in quarter notes."""
    root = etree.parse(str(path)).getroot()
    facts = ScoreFacts()
    facts.title = _text(root, "work/work-title") or _text(root, "movement-title")
    parts = root.findall("part")
    facts.parts = len(parts)
    facts.part_names = [_text(sp, "part-name") for sp in root.findall("part-list/score-part")]
    open_ties: dict[tuple[int, str, int], ScoreNote] = {}
    for part in parts[:1]:
        divisions = 1
        start = Fraction(0)
        for measure in part.findall("measure"):
            facts.measures += 1
            if measure.get("implicit") != "yes":
                facts.full_bars += 1
            cursor = longest = Fraction(0)
            last_onset = Fraction(0)
            for el in measure:
                if el.tag == "attributes":
                    if el.find("divisions") is not None:
                        divisions = int(_text(el, "divisions"))
                        facts.divisions.append(divisions)
                    if el.find("staves") is not None:
                        facts.staves = max(facts.staves, int(_text(el, "staves")))
                    for key in el.findall("key"):
                        facts.keys.append((int(_text(key, "fifths")), _text(key, "mode", "major")))
                    for time in el.findall("time"):
                        facts.times.append((int(_text(time, "beats")), int(_text(time, "beat-type"))))
                elif el.tag in ("backup", "forward"):
                    step = Fraction(int(_text(el, "duration")), divisions)
                    cursor += -step if el.tag == "backup" else step
                elif el.tag == "direction":
                    at = start + cursor + Fraction(int(_text(el, "offset", "0")), divisions)
                    _direction(el, at, facts)
                elif el.tag == "note":
                    grace = el.find("grace") is not None
                    chord = el.find("chord") is not None
                    length = Fraction(0) if grace else Fraction(int(_text(el, "duration")), divisions)
                    onset = last_onset if chord else cursor
                    if el.find("pitch") is not None:
                        _note(el, facts, open_ties, start + onset, length, grace, chord)
                    if not chord and not grace:
                        last_onset = cursor
                        cursor += length
                longest = max(longest, cursor)
            start += longest
        facts.length = start
    return facts


def _direction(el, at: Fraction, facts: ScoreFacts) -> None:
    for kind in el.findall("direction-type"):
        for item in kind:
            if item.tag == "metronome":
                unit, per_minute = _text(item, "beat-unit"), int(float(_text(item, "per-minute")))
                dots = len(item.findall("beat-unit-dot"))
                facts.metronomes.append((at, unit + "." * dots, per_minute))
                quarters = _UNIT_QUARTERS[unit] * (2 - Fraction(1, 2**dots))
                facts.quarter_tempos.append((at, per_minute * quarters))
            elif item.tag == "words" and item.text:
                facts.words.append((at, item.text.strip()))
            elif item.tag == "rehearsal" and item.text:
                facts.rehearsals.append((at, item.text.strip()))
            elif item.tag == "dynamics":
                facts.dynamics += [(at, mark.tag) for mark in item]
            elif item.tag == "wedge":
                facts.wedges.append((at, item.get("type")))
            elif item.tag == "pedal":
                facts.pedals.append((at, item.get("type")))
    sound = el.find("sound")
    if sound is not None and sound.get("tempo"):
        facts.sound_tempos.append((at, float(sound.get("tempo"))))


def _note(el, facts, open_ties, onset, length, grace, chord) -> None:
    staff = int(_text(el, "staff", "1"))
    pitch = _pitch(el)
    key = (staff, _text(el, "voice", "1"), pitch)  # a tie joins notes of one voice
    ties = {t.get("type") for t in el.findall("tie")}
    ornaments = tuple(_ORNAMENT_TAGS[o.tag] for o in el.findall("notations/ornaments/*") if o.tag in _ORNAMENT_TAGS)
    if el.find("notations/arpeggiate") is not None:
        ornaments += ("arpeggiate",)
    articulations = tuple(a.tag for a in el.findall("notations/articulations/*"))
    held = open_ties.get(key)
    if "stop" in ties and held is not None and held.end == onset and not grace:
        held.duration += length
        held.ornaments += ornaments
        held.articulations += articulations
        if "start" not in ties:
            del open_ties[key]
        return
    note = ScoreNote(staff, pitch, onset, length, grace, chord, ornaments, articulations)
    facts.notes.append(note)
    for mark in el.findall("notations/dynamics/*"):
        facts.dynamics.append((onset, mark.tag))
    if "start" in ties and not grace:
        open_ties[key] = note


def staff_note_multiset(facts: ScoreFacts, staff: int) -> Counter:
    """(midi pitch, offset, duration) of every sounding written note on a staff, ties merged, graces left out."""
    return Counter((n.pitch, n.offset, n.duration) for n in facts.sounding(staff))


def music21_staff_note_multisets(path: Path | str) -> list[Counter]:
    """The same multisets as music21 reads the file: one per PartStaff, after stripTies."""
    from music21 import converter

    score = converter.parse(str(path), format="musicxml", forceSource=True)
    result = []
    for staff in score.parts:
        counter: Counter = Counter()
        # music21 10.5 traps: stripTies on a staff with two voices per measure joins notes across voices,
        # so each voice becomes its own part first; and a shown natural makes B-natural unequal to the
        # plain B it is tied to (Pitch('Bn4') != Pitch('B4')), so naturals are dropped before.
        for n in staff.recurse().notes:
            for p in n.pitches:
                if p.accidental is not None and p.accidental.name == "natural":
                    p.accidental = None
        for voice in staff.voicesToParts().parts:
            for n in voice.stripTies().flatten().notes:
                if n.duration.isGrace:
                    continue
                offset = Fraction(n.offset).limit_denominator(10_000)
                length = Fraction(n.quarterLength).limit_denominator(10_000)
                counter.update((p.midi, offset, length) for p in n.pitches)
        result.append(counter)
    return result


def music21_expression_kinds(path: Path | str) -> set[str]:
    """Ornament kinds music21 finds on notes: trill, mordent, inverted-mordent, turn, tremolo, arpeggiate, grace."""
    from music21 import converter, expressions

    score = converter.parse(str(path), format="musicxml", forceSource=True)
    kinds = set()
    for n in score.recurse().notes:
        if n.duration.isGrace:
            kinds.add("grace")
        for e in n.expressions:
            if isinstance(e, expressions.Trill):
                kinds.add("trill")
            elif isinstance(e, expressions.InvertedMordent):
                kinds.add("inverted-mordent")
            elif isinstance(e, expressions.Mordent):
                kinds.add("mordent")
            elif isinstance(e, expressions.Turn):
                kinds.add("turn")
            elif isinstance(e, expressions.Tremolo):
                kinds.add("tremolo")
            elif isinstance(e, expressions.ArpeggioMark):
                kinds.add("arpeggiate")
    for _spanner in score.recurse().getElementsByClass(expressions.ArpeggioMarkSpanner):
        kinds.add("arpeggiate")
    return kinds


def top_line(facts: ScoreFacts, staff: int = 1) -> list[tuple[Fraction, int]]:
    """(offset, pitch) of the highest written note at each onset on a staff: the melody the ear follows."""
    highest: dict[Fraction, int] = {}
    for n in facts.sounding(staff):
        highest[n.offset] = max(highest.get(n.offset, 0), n.pitch)
    return sorted(highest.items())


def intervals(pitches: list[int]) -> tuple[int, ...]:
    return tuple(b - a for a, b in pairwise(pitches))


def motif_statements(melody: list[tuple[Fraction, int]], motif_pitches: list[int]) -> list[tuple[Fraction, int]]:
    """(offset, first pitch) wherever the melody moves by exactly the motif's intervals, at any pitch and pace."""
    shape = intervals(motif_pitches)
    steps = intervals([p for _, p in melody])
    return [melody[i] for i in range(len(steps) - len(shape) + 1) if steps[i:i + len(shape)] == shape]


SKELETON_PACES = tuple(Fraction(x) for x in ("1/4", "1/3", "1/2", "2/3", "1", "3/2", "2", "3", "4"))


Melody = list[tuple[Fraction, int]]  # (onset, pitch) in time order


def motif_skeletons(melody: Melody, motif: Melody) -> Melody:
    """(offset, first pitch) wherever every motif note recurs, transposed, at its onset scaled by one pace
    (diminished or augmented), whatever embellishment fills the time between."""
    at = dict(melody)
    (t0, p0), rest = motif[0], motif[1:]
    found = []
    for offset, pitch in melody:
        for pace in SKELETON_PACES:
            if all(at.get(offset + pace * (t - t0)) == pitch + p - p0 for t, p in rest):
                found.append((offset, pitch))
                break
    return found


def motif_heard(melody: list[tuple[Fraction, int]], motif: list[tuple[Fraction, int]]) -> dict[Fraction, int]:
    """Every statement found either way, as offset -> first pitch."""
    found = dict(motif_statements(melody, [p for _, p in motif]))
    found.update(motif_skeletons(melody, motif))
    return found


def tinynotation_notes(text: str) -> list[tuple[Fraction, int]]:
    """(onset, pitch) of a tinyNotation melody as music21 reads it, tied notes as one, rests skipped."""
    from music21 import converter

    body = " ".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    stream = converter.parse("tinyNotation: " + body).stripTies()
    return [(Fraction(n.offset).limit_denominator(10_000), n.pitch.midi) for n in stream.flatten().notes]


# --- MIDI -------------------------------------------------------------------------------------


@dataclass
class MidiNote:
    track: str
    channel: int
    pitch: int
    start: int  # ticks
    end: int
    velocity: int


@dataclass
class MidiFacts:
    """What a MIDI file holds, read with mido; ticks and quarter notes."""

    type: int = 1
    ticks_per_beat: int = 480
    track_names: list[str] = field(default_factory=list)  # '' for a track without a name
    tempos: list[tuple[int, float]] = field(default_factory=list)  # tick, bpm
    time_signatures: list[tuple[int, int, int]] = field(default_factory=list)  # tick, numerator, denominator
    key_signatures: list[tuple[int, str]] = field(default_factory=list)
    programs: dict[int, set[int]] = field(default_factory=dict)  # channel -> programs
    sustain: list[tuple[int, int, int]] = field(default_factory=list)  # tick, channel, value
    notes: list[MidiNote] = field(default_factory=list)
    end: int = 0

    def quarters(self, tick: int) -> Fraction:
        return Fraction(tick, self.ticks_per_beat)

    @property
    def length(self) -> Fraction:
        return self.quarters(self.end)

    def notes_in(self, track: str) -> list[MidiNote]:
        return [n for n in self.notes if n.track == track]


def read_midi(path: Path | str) -> MidiFacts:
    import mido

    mf = mido.MidiFile(str(path))
    facts = MidiFacts(type=mf.type, ticks_per_beat=mf.ticks_per_beat)
    for track in mf.tracks:
        tick = 0
        name = ""
        sounding: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for msg in track:
            tick += msg.time
            if msg.type == "track_name":
                name = msg.name
            elif msg.type == "set_tempo":
                facts.tempos.append((tick, mido.tempo2bpm(msg.tempo)))
            elif msg.type == "time_signature":
                facts.time_signatures.append((tick, msg.numerator, msg.denominator))
            elif msg.type == "key_signature":
                facts.key_signatures.append((tick, msg.key))
            elif msg.type == "program_change":
                facts.programs.setdefault(msg.channel, set()).add(msg.program)
            elif msg.type == "control_change" and msg.control == 64:
                facts.sustain.append((tick, msg.channel, msg.value))
            elif msg.type == "note_on" and msg.velocity > 0:
                sounding.setdefault((msg.channel, msg.note), []).append((tick, msg.velocity))
            elif msg.type in ("note_on", "note_off"):
                started = sounding.get((msg.channel, msg.note))
                if started:
                    on, velocity = started.pop(0)
                    facts.notes.append(MidiNote(name, msg.channel, msg.note, on, tick, velocity))
        for (channel, pitch), left in sounding.items():  # never released: they end with the track
            facts.notes += [MidiNote(name, channel, pitch, on, tick, v) for on, v in left]
        facts.track_names.append(name)
        facts.end = max(facts.end, tick)
    facts.tempos.sort()
    facts.notes.sort(key=lambda n: (n.start, n.pitch))
    return facts


def pretty_midi_notes(path: Path | str) -> list:
    """Every note pretty_midi reads from the file, all instruments together."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(path))
    return [n for inst in pm.instruments for n in inst.notes]


def dissonant_onset_share(path: Path | str) -> float:
    """Share of note onsets at which another sounding note is a minor 2nd, tritone or major 7th away (mod 12)."""
    notes = sorted(pretty_midi_notes(path), key=lambda n: n.start)
    if not notes:
        return 0.0
    eps = 1e-6
    rubbing = 0
    for i, n in enumerate(notes):
        for j, other in enumerate(notes):
            if other.start > n.start + eps:
                break
            if j != i and other.end > n.start + eps and abs(other.pitch - n.pitch) % 12 in DISSONANT_CLASSES:
                rubbing += 1
                break
    return rubbing / len(notes)


def onset_clusters(ticks: list[int], window: int) -> int:
    """How many onsets there are when strikes closer than ``window`` ticks count as one (a rolled chord)."""
    count, last = 0, None
    for t in sorted(ticks):
        if last is None or t - last >= window:
            count += 1
            last = t
    return count


def felt_beat(numerator: int, denominator: int) -> Fraction:
    """The metre's beat in quarter notes: a dotted quarter in 6/8 and 9/8, a quarter in 3/4, a half in 2/2."""
    unit = Fraction(4, denominator)
    return unit * 3 if denominator >= 8 and numerator % 3 == 0 and numerator > 3 else unit


def upper_track(midi: MidiFacts) -> str:
    """The name of the note-bearing track with the highest average pitch: the right hand."""
    by_track: dict[str, list[int]] = {}
    for n in midi.notes:
        by_track.setdefault(n.track, []).append(n.pitch)
    return max(by_track, key=lambda t: sum(by_track[t]) / len(by_track[t]))


# The figure each ornament plays around its main note, as roles in time order.
ORNAMENT_FIGURES = {"trill": ("upper", "main"), "mordent": ("main", "lower", "main"),
                    "inverted-mordent": ("main", "upper", "main"), "turn": ("upper", "main", "lower", "main"),
                    "tremolo": ("main", "main")}


def plays_figure(main: int, kind: str, struck: list[int]) -> bool:
    """Whether pitches struck in time order hold the ornament's figure around ``main`` (a neighbour is
    one to three semitones away: three for the augmented second of harmonic minor)."""
    fits = {"main": lambda q: q == main, "upper": lambda q: 1 <= q - main <= 3, "lower": lambda q: 1 <= main - q <= 3}
    figure = ORNAMENT_FIGURES[kind]
    matched = 0
    for q in struck:
        if fits[figure[matched]](q):  # the earliest fit never spoils a later one
            matched += 1
            if matched == len(figure):
                return True
    return False
