"""Spelling from harmony: each note's letter and accidental chosen by its function in key and chord.

A motif file's own spelling is kept; chord tones stack in thirds on the root's letter; other notes take
the key's letter, or (chromatic) the raised letter below when the line rises and the lowered letter above
when it falls. Last, no sonority may hold one letter with two accidentals (C with C#, Db with D).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from fractions import Fraction

from sketchbook.music.model import Harmony, Key, Note, Piece, last_begun, ticks
from sketchbook.music.theory import LETTER_PCS, LETTERS, fifths, scale, spell

Spelling = tuple[str, int]  # (letter, alter)

# How firmly a note holds its spelling when a sonority needs one respelled: the weakest gives way.
_MOTIF, _CHORD, _KEY, _CHROMATIC = 3, 2, 1, 0


def alter_for(letter: str, pitch: int) -> int:
    """The alteration that makes ``letter`` name ``pitch``'s pitch class, in -6..5."""
    return (pitch - LETTER_PCS[LETTERS.index(letter)] + 6) % 12 - 6


def names_pitch(spelling: Spelling, pitch: int) -> bool:
    return alter_for(spelling[0], pitch) == spelling[1]


def octave_of(pitch: int, spelling: Spelling) -> int:
    """The written octave: B#3 sounds as C4 (60), Cb4 as B3 (59)."""
    return (pitch - spelling[1]) // 12 - 1


def key_alters(key: Key) -> dict[str, int]:
    """The key signature's alteration of each letter."""
    count = fifths(key)
    marked = "FCGDAEB"[:count] if count > 0 else "BEADGCF"[:-count]
    return {s: (1 if count > 0 else -1) if s in marked else 0 for s in LETTERS}


def chord_letter_steps(interval: int, intervals: Iterable[int]) -> int:
    """Letters above the root for a chord tone ``interval`` semitones up: stacked thirds (3rd, 5th, 7th, 9th...)."""
    has = {i % 12 for i in intervals}
    i = interval % 12
    if i == 3:
        return 1 if 4 in has else 2  # a sharp ninth beside a major third, else the minor third
    if i == 6:
        return 3 if 7 in has else 4  # a sharp eleventh beside a perfect fifth, else the diminished fifth
    if i == 8:
        return 4 if 4 in has and 7 not in has else 5  # augmented fifth, else a flat thirteenth/sixth
    if i == 9:
        return 6 if {3, 6} <= has and not {10, 11} & has else 5  # the diminished seventh, else the sixth
    return {0: 0, 1: 1, 2: 1, 4: 2, 5: 3, 7: 4, 10: 6, 11: 6}[i]


# Tones the left hand's voicings add to a chord for colour (add9, #11, the sixth, the sevenths): spelled as
# stacked thirds on the root too, so F#-A#-C# takes E#, not an F that would turn the bass into Gb.
COLOUR_TONES = frozenset({2, 6, 9, 10, 11})


def chord_tone_spelling(pitch: int, harmony: Harmony, key: Key, *, colour: bool = False) -> Spelling | None:
    """The note as a third-stacked member of the chord (or, with ``colour``, of the chord with its added
    tones), or None when it is not one (or would need a double sharp or flat)."""
    return _chord_tone(pitch % 12, harmony.root, harmony.intervals, key, colour)


@functools.cache  # a piece asks of a few dozen chords at every note
def _chord_tone(pitch_class: int, root: int, intervals: tuple[int, ...], key: Key, colour: bool) -> Spelling | None:
    interval = (pitch_class - root) % 12
    members = {i % 12 for i in intervals}
    if interval not in members and not (colour and interval in COLOUR_TONES):
        return None
    root_letter = spell(root + 60, key)[0]
    letter = LETTERS[(LETTERS.index(root_letter) + chord_letter_steps(interval, intervals)) % 7]
    alter = alter_for(letter, pitch_class)
    return (letter, alter) if abs(alter) <= 1 else None


def diatonic(pitch: int, key: Key) -> bool:
    """In the key's scale, or the raised sixth and seventh of minor."""
    degree = (pitch - key.tonic) % 12
    return pitch % 12 in scale(key) or (key.mode == "minor" and degree in (9, 11))


def chromatic_spelling(pitch: int, rising: bool | None, key: Key) -> Spelling:
    """A note outside the key: rising, the raised letter below; falling, the lowered letter above.

    Where that would write E#, B#, Fb or Cb for a white key, the plain natural reads better.
    """
    if rising is None:
        letter, alter, _ = spell(pitch, key)
        return letter, alter
    alters = key_alters(key)
    for letter in LETTERS:
        alter = alter_for(letter, pitch)
        if alter == (alters[letter] + 1 if rising else alters[letter] - 1) and abs(alter) <= 1:
            if abs(alter) == 1 and LETTER_PCS[(LETTERS.index(letter) + (1 if rising else -1)) % 7] == (
                pitch % 12
            ):
                break  # E#, B#, Fb, Cb against a plain white key
            return letter, alter
    letter, alter, _ = spell(pitch, key)
    return letter, alter


def grace_spelling(grace: int, main: int, key: Key) -> Spelling:
    """A grace note leans onto its main note: from below it rises, from above it falls."""
    if diatonic(grace, key):
        letter, alter, _ = spell(grace, key)
        return letter, alter
    return chromatic_spelling(grace, grace < main if grace != main else None, key)


def spell_piece(piece: Piece) -> dict[Note, Spelling]:
    """Every note of both hands spelled, with no sonority holding one letter under two accidentals."""
    key = piece.key
    harmony = sorted(piece.harmony, key=lambda h: h.start)
    began = last_begun([h.start for h in harmony])
    names: dict[Note, Spelling] = {}
    firmness: dict[Note, int] = {}
    under: dict[Fraction, Harmony | None] = {}
    for hand in (piece.right_hand, piece.left_hand):
        directions: dict[Note, bool | None] | None = None  # only a chromatic note asks: worked out then
        colour = hand is piece.left_hand
        for note in hand:
            if note in names:
                continue
            if note.spelling is not None and names_pitch(note.spelling, note.pitch):
                names[note], firmness[note] = note.spelling, _MOTIF
                continue
            if note.start not in under:  # a chord's notes share an onset: look its harmony up once
                k = began(note.start)
                under[note.start] = harmony[k] if k >= 0 and note.start < harmony[k].end else None
            chord = under[note.start]
            tone = chord_tone_spelling(note.pitch, chord, key, colour=colour) if chord else None
            if tone is not None:
                names[note], firmness[note] = tone, _CHORD
            elif diatonic(note.pitch, key):
                letter, alter, _ = spell(note.pitch, key)
                names[note], firmness[note] = (letter, alter), _KEY
            elif chord and (seventh := _seventh(note.pitch, chord, key)):
                names[note], firmness[note] = seventh, _CHORD
            else:
                directions = _directions(hand) if directions is None else directions
                names[note], firmness[note] = chromatic_spelling(note.pitch, directions.get(note), key), _CHROMATIC
    _one_name_a_bar(piece, names, firmness)
    _untangle(_written_spans(piece), names, firmness, key)
    return names


def _seventh(pitch: int, chord: Harmony, key: Key) -> Spelling | None:
    """A note outside the key a minor seventh over the chord's root is heard as the chord's seventh, and
    stacks in thirds on it: Ab over Bb (Bb7) in G minor, not the G# its rising line would ask for."""
    if (pitch - chord.root) % 12 != 10:
        return None
    return _chord_tone(pitch % 12, chord.root, (*chord.intervals, 10), key, False)


def _one_name_a_bar(piece: Piece, names: dict[Note, Spelling], firmness: dict[Note, int]) -> None:
    """In each bar of each hand a chromatic note takes the name its key already has there (from the firmest
    note on it): G# then Ab two sixteenths later reads as two notes, and the bar is an accidental's reach."""
    for hand in (piece.right_hand, piece.left_hand):
        # Bars counted in whole ticks: the line from the pickup first, the bar's length last.
        *at, pickup, bar = ticks([n.start for n in hand] + [piece.pickup, piece.meter.bar_length])
        keys: dict[tuple[int, int], list[Note]] = {}  # (bar, pitch class) -> its notes
        for note, t in zip(hand, at):
            if note in names:
                keys.setdefault(((t - pickup) // bar, note.pitch % 12), []).append(note)
        for notes in keys.values():
            if len({names[n] for n in notes}) < 2:
                continue
            firmest = max(notes, key=lambda n: firmness[n])  # the first of the firmest
            for n in notes:
                if firmness[n] == _CHROMATIC and names_pitch(names[firmest], n.pitch):
                    names[n] = names[firmest]


def _directions(hand: tuple[Note, ...]) -> dict[Note, bool | None]:
    """Per note, whether its line rises to the next note (or, at the end of a line, rose into it)."""
    out: dict[Note, bool | None] = {}
    for voice in (1, 2):
        onsets: dict = {}
        for n in hand:
            if n.voice == voice:
                onsets.setdefault(n.start, []).append(n)
        times = sorted(onsets)
        for k, t in enumerate(times):
            after = [n.pitch for n in onsets[times[k + 1]]] if k + 1 < len(times) else None
            before = [n.pitch for n in onsets[times[k - 1]]] if k else None
            for n in onsets[t]:
                out[n] = _step(n.pitch, after, before)
    return out


def _step(pitch: int, after: list[int] | None, before: list[int] | None) -> bool | None:
    for neighbours, sign in ((after, 1), (before, -1)):
        if neighbours:
            nearest = min(neighbours, key=lambda p: (abs(p - pitch), p))
            if nearest != pitch:
                return (nearest > pitch) == (sign > 0)
    return None


def _written_spans(piece: Piece) -> dict[Note, Fraction]:
    """Each note's end as the score writes it: cut where the next chord of its voice begins."""
    ends: dict[Note, Fraction] = {}
    for hand in (piece.right_hand, piece.left_hand):
        for voice in (1, 2):
            notes = [n for n in hand if n.voice == voice and n.start < piece.length]
            at = ticks([n.start for n in notes])
            order = sorted(range(len(notes)), key=at.__getitem__)
            cut: dict[int, Fraction] = {}  # per onset, where the next one begins
            later = piece.length
            for k in reversed(order):
                cut.setdefault(at[k], later)
                later = notes[k].start
            for k in order:
                ends[notes[k]] = min(notes[k].end, cut[at[k]], piece.length)
    return ends


def sonorities(starts: list[Fraction], ends: list[Fraction]) -> list[list[int]]:
    """Indices of the notes sounding at each onset (both hands together): note k from starts[k] to ends[k]."""
    instants = ticks([*starts, *ends])
    begin, stop = instants[: len(starts)], instants[len(starts):]
    ordered = sorted(range(len(begin)), key=begin.__getitem__)
    out, active, i = [], [], 0
    for t in sorted(set(begin)):
        while i < len(ordered) and begin[ordered[i]] <= t:
            active.append(ordered[i])
            i += 1
        active = [k for k in active if stop[k] > t]
        out.append(list(active))
    return out


def _names(pitch: int, key: Key) -> list[Spelling]:
    """Plausible names: one accidental at most, and a white key takes one only from the key signature or
    as minor's raised seventh (B# in C# minor), never Cb for a plain B in E major."""
    alters = key_alters(key)
    leading = (key.tonic + 11) % 12 if key.mode == "minor" else None
    out = []
    for letter in LETTERS:
        alter = alter_for(letter, pitch)
        white = pitch % 12 in LETTER_PCS
        if abs(alter) <= 1 and not (white and alter and alter != alters[letter] and pitch % 12 != leading):
            out.append((letter, alter))
    return out


def _untangle(ends: dict[Note, Fraction], names: dict[Note, Spelling], firmness: dict[Note, int], key: Key) -> None:
    """Respell the weakest note of each clash until no sonority holds a letter with two accidentals (C with
    C#) or one key under two names (C# with Db).

    Never into a double sharp or flat: a cross-relation the music really holds (E against Eb with F and D
    sounding) reads better as written than as D## or Fb.
    """
    notes = list(ends)  # worked on by index: hashing notes (Fractions inside) would dominate the run time
    spelled = [names[n] for n in notes]
    firm = [firmness[n] for n in notes]
    groups = sonorities([n.start for n in notes], list(ends.values()))
    member: list[list[int]] = [[] for _ in notes]
    for g, group in enumerate(groups):
        for k in group:
            member[k].append(g)

    # Per sonority, how many of its notes take each letter, and each (letter, alter): a clash is then two
    # lookups, not a walk over the sonority, and a respelling moves the counts of its own sonorities only.
    letters: list[dict[str, int]] = [{} for _ in groups]
    named: list[dict[Spelling, int]] = [{} for _ in groups]
    keys: list[dict[int, int]] = [{} for _ in groups]  # by pitch class
    pcs = [n.pitch % 12 for n in notes]

    def count(k: int, step: int) -> None:
        for g in member[k]:
            letters[g][spelled[k][0]] = letters[g].get(spelled[k][0], 0) + step
            named[g][spelled[k]] = named[g].get(spelled[k], 0) + step
            keys[g][pcs[k]] = keys[g].get(pcs[k], 0) + step

    for k in range(len(notes)):
        count(k, 1)

    def clashes(k: int, spelling: Spelling) -> int:
        """Sonorities in which note ``k`` so spelled would share its letter with another accidental."""
        letter = spelling[0]
        return sum(letters[g].get(letter, 0) > named[g].get(spelling, 0) for g in member[k])

    def doubled(k: int, spelling: Spelling) -> int:
        """Sonorities in which another note on k's key would bear another name than ``spelling``."""
        own = spelled[k] == spelling
        return sum(keys[g].get(pcs[k], 0) - 1 > named[g].get(spelling, 0) - own for g in member[k])

    def respell(k: int, spelling: Spelling) -> None:
        count(k, -1)
        spelled[k] = spelling
        count(k, 1)

    for _ in range(3):
        changed = False
        for group in groups:
            for k in sorted(group, key=lambda k: (firm[k], notes[k].pitch)):
                now = clashes(k, spelled[k]) if firm[k] != _MOTIF else 0
                if not now:
                    continue
                best = min(_names(notes[k].pitch, key), key=lambda o: (clashes(k, o), o != spelled[k]))
                if clashes(k, best) < now:
                    respell(k, best)
                    changed = True
        if not changed:
            break
    # Then one key under two names (C# in one hand, Db in the other): the weaker takes the other's name,
    # where that makes no letter clash.
    for group in groups:
        for k in sorted(group, key=lambda k: (firm[k], notes[k].pitch)):
            now = doubled(k, spelled[k]) if firm[k] != _MOTIF else 0
            if now:
                best = min(_names(notes[k].pitch, key), key=lambda o: (doubled(k, o), o != spelled[k]))
                if doubled(k, best) < now and clashes(k, best) <= clashes(k, spelled[k]):
                    respell(k, best)
    names.update(zip(notes, spelled))
