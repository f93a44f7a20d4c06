"""Real tunes played as a pianist would into a keyboard: human timing, a recorder's header, a lead-in.

`python -m tests.performed` rebuilds tests/performed/*.mid (a small corpus, fixed seeds) and prints
how much of each tune comes back (`--measure` plays every tune at many tempi and seeds).
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import mido

from sketchbook.formats.tinynotation import parse_tinynotation
from sketchbook.music.model import Key, Meter, Motif, Note

FOLDER = Path(__file__).resolve().parent / "performed"
TPB = 480

# Openings of public-domain tunes, as notated (tinyNotation; '|' after a pickup).
TUNES = {
    "mozart-k545": "4/4 c'2 e'4 g' | b4. c'16 d' c'2 | a'2 g'4 c'' | g'4 f'8 e' f'2",
    "ode-to-joy": "4/4 e'4 e' f' g' | g' f' e' d' | c' c' d' e' | e'4. d'8 d'2",
    "saints": "4/4 c'4 e' f' | g'1 | r4 c' e' f' | g'1 | r4 c' e' f'",
    "yankee-doodle": "2/4 c'8 c' d' e' | c' e' d' g | c' c' d' e' | c'4 b",
    "oh-susanna": "2/4 c'8 d' | e' g' g'8. a'16 | g'8 e' c'8. d'16 | e'8 e' d' c' | d'4 r8",
    "amazing-grace": "3/4 d4 | g2 b8 g | b2 a4 | g2 e4 | d2 d4",
    "minuet-in-g": "3/4 d''4 g'8 a' b' c'' | d''4 g' g' | e''4 c''8 d'' e'' f#'' | g''4 g' g'",
    "happy-birthday": "3/4 g8. g16 | a4 g c' | b2 g8. g16 | a4 g d' | c'2",
    "silent-night": "3/4 g4. a8 g4 | e2. | g4. a8 g4 | e2.",
    "greensleeves": "6/8 a8 | c'4 d'8 e'8. f'16 e'8 | d'4 b8 g8. a16 b8 | c'4 a8 a8. g#16 a8 | b4 g#8 e4",
    "row-your-boat": "6/8 c'4. c'4. | c'4 d'8 e'4. | e'4 d'8 e'4 f'8 | g'2.",
    "butterfly": "9/8 b4 e8 g4 e8 f4. | b4 e8 g4 e8 f8 e d | b4 e8 g4 e8 f4. | b4 d'8 d'4 b8 a8 f d",
    "jesu-joy": "9/8 g8 a b d' c' c' e' d' d' | g' f#' g' d' b g a b c' | d' e' d' c' b a b g f# | g4.",
    "jesu-joy-triplets": "3/4 trip{g8 a b} trip{d' c' c'} trip{e' d' d'} | trip{g' f#' g'} trip{d' b g} "
    "trip{a b c'} | trip{d' e' d'} trip{c' b a} trip{b g f#} | g2.",
    "moonlight": "4/4 trip{G#8 c# e} trip{G# c# e} trip{G# c# e} trip{G# c# e} | trip{A c# e} trip{A c# e} "
    "trip{A d f#} trip{A d f#} | trip{G# B# f#} trip{G# c# e} trip{G# c# d#} trip{F# B# d#} | c#1",
}
# Written after the hearing was tuned on TUNES, and never tuned on: a check on unseen melodies (the
# last is a made-up triplet figure, the others are public-domain tunes).
HELD_OUT = {
    "twinkle": "4/4 c'4 c' g' g' | a' a' g'2 | f'4 f' e' e' | d' d' c'2",
    "frere-jacques": "4/4 f4 g a f | f g a f | a b- c'2 | a4 b- c'2",
    "auld-lang-syne": "4/4 c'4 | f'4. f'8 f'4 a' | g'4. f'8 g'4 a'8 g' | f'4. f'8 a'4 c'' | d''2.",
    "drunken-sailor": "2/4 a'8 a'16 a' a'8 a'16 a' | a'8 d' f' a' | g'8 g'16 g' g'8 g'16 g' | g'8 c' e' g'",
    "irish-washerwoman": "6/8 g'8 f'# | g'8 d' d' b d' d' | g' d' d' b d' d' | g' f'# g' a' g' a' | b' a' g' f'# e' d'",
    "augustin": "3/4 g4. a8 g f | e4 c c | d4 G G | e4 c c",
    "scarborough-fair": "3/4 d'2 d'4 | a'2 a'4 | e'4. f'8 e'4 | d'2.",
    "triplet-turns": "4/4 trip{c'8 d' e'} f'4 trip{e'8 d' c'} g'4 | e'2 c'2",
}
# Old Hundredth, in four parts: soprano, alto, tenor, bass (4/4, whole bars of half and quarter notes).
CHORALE = {
    "Soprano": "4/4 g'2 g'4 f#' | e'2 d' | g'2 a' | b'1",
    "Alto": "4/4 d'2 d'4 d' | c'2 b | d'2 d' | d'1",
    "Tenor": "4/4 b2 b4 a | g2 g | b2 c' | b1",
    "Bass": "4/4 g2 g4 d | e2 B | G2 f# | g1",
}


@dataclass(frozen=True)
class Take:
    """How a tune was played: tempo (quarters a minute), jitter, header, lead-in, seed."""

    bpm: float
    jitter: float = 0.018  # seconds, standard deviation of each onset
    header: str = "daw"  # "daw": 120 bpm 4/4 whatever was played; "none": no tempo or metre; "true"
    lead_in: float = 1.5  # seconds of silence before the first note
    seed: int = 0


SIMPLE_CELLS = [[Fraction(1)], [Fraction(1, 2)] * 2, [Fraction(3, 4), Fraction(1, 4)], [Fraction(1, 4)] * 4,
                [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)], [Fraction(1, 3)] * 3, [Fraction(2)],
                [Fraction(3, 2), Fraction(1, 2)]]
COMPOUND_CELLS = [[Fraction(3, 2)], [Fraction(1), Fraction(1, 2)], [Fraction(1, 2)] * 3,
                  [Fraction(3, 4), Fraction(1, 4), Fraction(1, 2)], [Fraction(3)]]
PLAYED_METERS = [Meter(2, 4), Meter(3, 4), Meter(4, 4), Meter(6, 8), Meter(9, 8)]


def generated_tune(rng: random.Random) -> Motif:
    """A melody built the way tunes are: 2-4 bars of rhythm cells of its metre (triplets among them),
    sometimes a pickup, sometimes a tie, moving mostly by step."""
    meter = rng.choice(PLAYED_METERS)
    beat = meter.beat
    cells = COMPOUND_CELLS if meter.is_compound else SIMPLE_CELLS
    pickup = rng.choice([Fraction(0), Fraction(0), beat / 2, beat] if meter.bar_length > beat else [Fraction(0)])
    lengths = [pickup] if pickup else []
    filled = Fraction(0)
    for _ in range(rng.randint(2, 4) * int(meter.bar_length / beat)):
        cell = rng.choice(cells)
        if filled % meter.bar_length + sum(cell) > meter.bar_length:
            cell = cells[0]  # a long cell would run over the bar line
        lengths.extend(cell)
        filled += sum(cell)
    if rng.random() < 0.5 and len(lengths) > 2:  # a tie: two notes become one
        i = rng.randrange(len(lengths) - 1)
        lengths[i : i + 2] = [lengths[i] + lengths[i + 1]]
    pitch = rng.randint(60, 72)
    notes, t = [], Fraction(0)
    for length in lengths:
        notes.append(Note(pitch, t, length))
        t += length
        pitch = max(48, min(84, pitch + rng.choice([-4, -2, -1, 1, 2, 3, 5])))
    return Motif("generated", tuple(notes), Key(0), meter, pickup)


def tune(name: str) -> Motif:
    return parse_tinynotation(TUNES[name], name=name)


def played_notes(motif: Motif, take: Take) -> list[tuple[int, float, float, int]]:
    """(pitch, onset s, release s, velocity) as a player gives them: timing jitter, early and late
    releases, a little accent on strong beats."""
    rng = random.Random(take.seed)
    quarter = 60.0 / take.bpm
    bar = motif.meter.bar_length
    beat = motif.meter.beat
    out = []
    for note in sorted(motif.notes, key=lambda n: n.start):
        where = (note.start - motif.pickup) % bar
        accent = 14 if where == 0 else 6 if where % beat == 0 else 0
        # Gaussian drift, kept within two deviations: a slip of more is a wrong note, not timing.
        slip = max(-2 * take.jitter, min(2 * take.jitter, rng.gauss(0, take.jitter)))
        onset = take.lead_in + float(note.start) * quarter + slip
        held = float(note.duration) * quarter * rng.uniform(0.7, 1.08) + rng.gauss(0, 0.02)
        out.append((note.pitch, max(0.0, onset), max(onset + 0.03, onset + held),
                    max(1, min(127, 70 + accent + round(rng.gauss(0, 6))))))
    return out


def midi_file(tracks: list[tuple[str, list[tuple[int, float, float, int]]]], take: Take) -> mido.MidiFile:
    """A recorder's file: ticks at the header's tempo (120 bpm unless 'true'), notes on channel 1."""
    header_bpm = take.bpm if take.header == "true" else 120.0
    ticks_per_second = TPB * header_bpm / 60.0
    midi = mido.MidiFile(ticks_per_beat=TPB)
    for index, (name, notes) in enumerate(tracks):
        track = mido.MidiTrack()
        if name:
            track.append(mido.MetaMessage("track_name", name=name))
        if index == 0 and take.header != "none":
            track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(header_bpm)))
            track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4))
        events = []
        for pitch, on, off, velocity in notes:
            events.append((round(on * ticks_per_second), 1, mido.Message("note_on", note=pitch, velocity=velocity)))
            events.append((round(off * ticks_per_second), 0, mido.Message("note_off", note=pitch)))
        now = 0
        for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
            track.append(message.copy(time=tick - now))
            now = tick
        midi.tracks.append(track)
    return midi


def perform(motif: Motif, take: Take) -> mido.MidiFile:
    return midi_file([("Piano", played_notes(motif, take))], take)


# Whole-tempo factors: the same rhythm written on another beat. Half or double time; the dotted beat
# that triplets and compound metre share (triplet eighths in 4/4 sound the same as eighths in 12/8);
# and a triplet beat heard as three sixteenths (4/4 triplets at 130 bpm = 3/4 sixteenths at 97.5).
FACTORS = tuple(map(Fraction, ("1/2", "2/3", "3/4", "1", "4/3", "3/2", "2")))


def recovered_share(source: Motif, heard: Motif, factors: tuple[Fraction, ...] = FACTORS) -> float:
    """Share of the source's notes heard with the right pitch and onset, counted from wherever the two
    line up best (one misplaced first note must not shift every other note) and allowing one whole-tempo
    factor (half, same or double time, or the dotted beat of triplets and compound metre)."""
    got = {(n.pitch, n.start) for n in heard.notes}
    best = 0
    for factor in factors:
        shifts = {h.start - s.start * factor for s in source.notes[:8] for h in heard.notes[:8] if h.pitch == s.pitch}
        for shift in shifts:
            best = max(best, sum((n.pitch, n.start * factor + shift) in got for n in source.notes))
    return best / len(source.notes)


def corpus() -> dict[str, tuple[str, Take]]:
    """The files kept in tests/performed: each tune once, tempi and headers varied."""
    tempi = (72, 84, 96, 108, 120, 130, 76, 90, 102, 114, 126, 80, 94, 110, 70)
    headers = ("daw", "none", "daw", "true")
    return {
        f"{name}.mid": (name, Take(bpm=tempi[i % len(tempi)], header=headers[i % 4], lead_in=0.5 + i % 3, seed=i))
        for i, name in enumerate(TUNES)
    }


def chorale_file(take: Take) -> mido.MidiFile:
    parts = [(name, played_notes(parse_tinynotation(text, name=name.lower()), Take(take.bpm, seed=i)))
             for i, (name, text) in enumerate(CHORALE.items())]
    return midi_file(parts, take)


def build() -> None:
    FOLDER.mkdir(exist_ok=True)
    for file, (name, take) in corpus().items():
        perform(tune(name), take).save(FOLDER / file)
    chorale_file(Take(bpm=88)).save(FOLDER / "old-hundredth-satb.mid")


def measure(seeds: int = 4, tunes: dict[str, str] | None = None) -> None:
    """Every tune at tempi from 70 to 130 bpm, each header, several seeds: the share of notes heard right."""
    import tempfile

    from sketchbook.formats.motif_files import read_midi_motif
    from sketchbook.load import Reading

    total = right = strict = 0
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, text in (tunes or TUNES).items():
            source = parse_tinynotation(text, name=name)
            notes = hits = metres = exact = 0
            for seed in range(seeds):
                for bpm in (70, 85, 100, 115, 130):
                    take = Take(bpm=bpm, header=("daw", "none", "true")[seed % 3], lead_in=0.3 + seed, seed=seed)
                    path = Path(folder) / f"{name}.mid"
                    perform(source, take).save(path)
                    heard = read_midi_motif(path, Reading())
                    share = recovered_share(source, heard)
                    notes += len(source.notes)
                    hits += round(share * len(source.notes))
                    exact += round(recovered_share(source, heard, (Fraction(1),)) * len(source.notes))
                    metres += heard.meter == source.meter and heard.pickup == source.pickup
            total += notes
            right += hits
            strict += exact
            rows.append(f"{name:20} {hits / notes:6.1%} notes ({exact / notes:6.1%} at the written tempo)"
                        f"   metre and pickup {metres}/{seeds * 5}")
    print("\n".join(rows))
    print(f"{'all':20} {right / total:6.1%} of {total} notes ({strict / total:6.1%} at the written tempo)")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        measure(tunes=HELD_OUT if "--held-out" in sys.argv else TUNES)
    else:
        build()
