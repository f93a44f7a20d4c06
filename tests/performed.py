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
from sketchbook.model import Meter, Motif, Note

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
        onset = take.lead_in + float(note.start) * quarter + rng.gauss(0, take.jitter)
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


# Whole-tempo factors: half or double time, and the dotted beat a triplet rhythm and compound metre
# share (a tune played in triplet eighths sounds the same as one in 12/8).
FACTORS = (Fraction(1, 2), Fraction(2, 3), Fraction(1), Fraction(3, 2), Fraction(2))


def recovered_share(source: Motif, heard: Motif) -> float:
    """Share of the source's notes heard with the right pitch and onset, onsets counted from the
    first note and allowing one whole-tempo factor (half, same or double time)."""
    best = 0.0
    first_heard = min(n.start for n in heard.notes)
    got = {(n.pitch, n.start - first_heard) for n in heard.notes}
    first = min(n.start for n in source.notes)
    for factor in FACTORS:
        hits = sum((n.pitch, (n.start - first) * factor) in got for n in source.notes)
        best = max(best, hits / len(source.notes))
    return best


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


def measure(seeds: int = 4) -> None:
    """Every tune at tempi from 70 to 130 bpm, each header, several seeds: the share of notes heard right."""
    import tempfile

    from sketchbook.formats.motif_files import read_midi_motif
    from sketchbook.load import Reading

    total = right = 0
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in TUNES:
            source = tune(name)
            notes = hits = metres = 0
            for seed in range(seeds):
                for bpm in (70, 85, 100, 115, 130):
                    take = Take(bpm=bpm, header=("daw", "none", "true")[seed % 3], lead_in=0.3 + seed, seed=seed)
                    path = Path(folder) / f"{name}.mid"
                    perform(source, take).save(path)
                    heard = read_midi_motif(path, Reading())
                    share = recovered_share(source, heard)
                    notes += len(source.notes)
                    hits += round(share * len(source.notes))
                    metres += heard.meter == source.meter and heard.pickup == source.pickup
            total += notes
            right += hits
            rows.append(f"{name:20} {hits / notes:6.1%} notes   metre and pickup {metres}/{seeds * 5}")
    print("\n".join(rows))
    print(f"{'all':20} {right / total:6.1%} of {total} notes")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        measure()
    else:
        build()
