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
from sketchbook.music.theory import scale

KEEPS_THE_MOTIF = ("statement", "repetition", "remeter", "transpose", "sequence")


def phrase_bars(bars: int) -> int:
    """The round length a phrase of ``bars`` bars grows to: 4, 8, then whole fours."""
    if bars <= 4:
        return 4
    if bars <= 8:
        return 8
    return -(-bars // 4) * 4


def pad(phrase: Phrase, anacrusis: Fraction, bar: Fraction, bars: int, *, rest: bool = False) -> Phrase:
    """The phrase stretched to ``bars`` bars after its pickup, its last notes held to the new end.

    With ``rest`` (a slow, sparse texture) they ring to the bar line a bar and a half on at most and the
    tune rests over the accompaniment after that: a piano tone held for four slow bars has died long before
    it is let go, and the bars of accompaniment alone breathe as a Gymnopedie's do.
    """
    length = anacrusis + bars * bar
    if length <= phrase.length or not phrase.notes:
        return phrase
    last = max(n.start for n in phrase.notes)
    held_to = length
    if rest:  # the first bar line a bar and a half on, or the phrase's own end if that is later
        line = anacrusis + -(-(last + bar * 3 / 2 - anacrusis) // bar) * bar
        held_to = min(length, max(line, max(n.end for n in phrase.notes)))
    notes = tuple(replace(n, duration=held_to - n.start) if n.start == last and n.end < held_to else n
                  for n in phrase.notes)
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
                 window: range | None = None, bar: Fraction | None = None) -> None:
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
        if kind == "final" and note.start <= cadence_bar - beat < cadence_bar < note.end:
            lead_home(melody, top, cadence_bar, end, added, bar=bar)
        return
    target = nearest_tone(note.pitch, pcs)
    if note.start < cadence_bar < min(note.end, end):
        melody[top] = replace(note, duration=cadence_bar - note.start)
        added.append(Note(target, cadence_bar, min(note.end, end) - cadence_bar, voice=note.voice))
        if kind == "final":
            _sing_the_dominant(melody, top, cadence_bar, key, added, bar=bar)
    elif kind == "final" and note.start >= cadence_bar:
        # The last bar's own note: the home note on its downbeat, not a step above resolving a beat late.
        melody[top] = replace(note, pitch=target, ornament=None, graces=())
    elif note.duration >= 2 * beat and note.end <= end:
        half = max(beat, (note.duration / 2 // beat) * beat)
        melody[top] = replace(note, duration=half)
        added.append(Note(target, note.start + half, note.duration - half, voice=note.voice))
    elif free or kind == "final":
        melody[top] = replace(note, pitch=target, ornament=None, graces=())


def lead_home(melody: list[Note], top: int, cadence_bar: Fraction, end: Fraction, added: list[Note], *,
              bar: Fraction | None) -> None:
    """The home note ``melody[top]``, struck a bar early, would sound over the dominant: that bar takes
    the step above it (the dominant's fifth; the leading tone after a step above already), and home
    arrives on the last downbeat."""
    note = melody[top]
    before = max((n for n in melody if n.end <= note.start and n.voice == note.voice), key=lambda n: n.start,
                 default=None)
    step = -1 if before is not None and before.pitch == note.pitch + 2 else 2
    lead_from = max(note.start, cadence_bar - bar) if bar is not None else note.start
    if lead_from > note.start:  # the home note holds over its own chord until the dominant's bar
        melody[top] = replace(note, duration=lead_from - note.start)
        added.append(Note(note.pitch + step, lead_from, cadence_bar - lead_from, voice=note.voice))
    else:
        melody[top] = replace(note, pitch=note.pitch + step, duration=cadence_bar - note.start, ornament=None,
                              graces=())
    added.append(Note(note.pitch, cadence_bar, min(note.end, end) - cadence_bar, voice=note.voice))


def nearest_tone(pitch: int, pcs: set[int]) -> int:
    """The closest pitch in ``pcs``, by step first, downward on a tie (a resolution falls)."""
    for distance in range(1, 7):
        for candidate in (pitch - distance, pitch + distance):
            if candidate % 12 in pcs and 21 <= candidate <= 108:
                return candidate
    return pitch


def land_the_end(melody: list[Note], end: Fraction, bar: Fraction, beat: Fraction, key: Key) -> None:
    """The piece's last melody note rings to the final bar line, and the tonic lands on the last downbeat.

    A last note struck in the bar before (over the dominant) is held to the bar line and resolves there:
    a home note struck that early is led home (lead_home); any other note takes a tone of the dominant for
    its bar (dominant_tone) and falls to the nearest tonic, octaves doubling it moving with it. A note
    struck in the last bar simply becomes the tonic (embellishment may have left a passing note there).
    In minor the dominant's bar sings the melodic minor going up: its seventh raised, and a sixth rising
    to it raised too (F G A into A minor's tonic grates on E major; F# G# A leads home).
    """
    if not melody:
        return
    _last_note(melody, end, bar, beat, key)
    _walk_down_from_the_seventh(melody, end - bar, beat, key)
    if key.mode == "minor":
        bar_of_v = sorted((k for k, n in enumerate(melody) if end - 2 * bar <= n.start < end - bar),
                          key=lambda k: melody[k].start)
        sixth, seventh = (key.tonic + 8) % 12, (key.tonic + 10) % 12
        for k, after in zip(bar_of_v, [*bar_of_v[1:], None]):
            n = melody[k]
            nxt = melody[after].pitch if after is not None else None
            rising = nxt is not None and nxt > n.pitch and nxt % 12 in (seventh, (seventh + 1) % 12)
            falling = nxt is not None and nxt < n.pitch and nxt % 12 == sixth  # E# to D: an augmented second
            if (n.pitch % 12 == seventh and not falling) or (n.pitch % 12 == sixth and rising):
                melody[k] = replace(n, pitch=n.pitch + 1)


def _last_note(melody: list[Note], end: Fraction, bar: Fraction, beat: Fraction, key: Key) -> None:
    last = max(n.start for n in melody)
    here = [i for i, n in enumerate(melody) if n.start == last]
    top = max(here, key=lambda i: melody[i].pitch)
    for i in here:
        if melody[i].end < end:
            melody[i] = replace(melody[i], duration=end - last)
    note, home = melody[top], cadence_pitch_classes("final", key)
    final_bar = end - bar
    if last > final_bar - beat or note.end <= final_bar:
        if note.pitch % 12 not in home:
            melody[top] = replace(note, pitch=nearest_tone(note.pitch, home), ornament=None, graces=())
        if last > final_bar:
            _onto_the_downbeat(melody, here, final_bar, end)
        return
    if note.pitch % 12 in home:
        lead_home(melody, top, final_bar, end, melody, bar=bar)
        return
    tonic = nearest_tone(note.pitch, home)
    for i in here:
        n = melody[i]
        melody[i] = replace(n, duration=final_bar - n.start)
        if (note.pitch - n.pitch) % 12 == 0:  # the tune and its octaves resolve; inner notes stop at the bar
            melody.append(Note(tonic - (note.pitch - n.pitch), final_bar, end - final_bar, voice=n.voice))
            _sing_the_dominant(melody, i, final_bar, key, melody, bar=bar)


def dominant_tone(pitch: int, key: Key) -> int:
    """What the tune may hold over the last V: a tone of V7 as it is; anything else the nearest one by step
    (downward on a tie), so minor's lowered seventh rises to the leading tone (F over D major, in G minor,
    makes a modal v that cannot pull home) and its sixth falls to the fifth (F over E major grates).

    >>> dominant_tone(65, Key(7, "minor")), dominant_tone(65, Key(9, "minor")), dominant_tone(62, Key(9, "minor"))
    (66, 64, 62)
    """
    root = (key.tonic + 7) % 12
    seventh = {root, (root + 4) % 12, (root + 7) % 12, (root + 10) % 12}
    return pitch if pitch % 12 in seventh else nearest_tone(pitch, seventh)


def _sing_the_dominant(melody: list[Note], i: int, cadence_bar: Fraction, key: Key, added: list[Note], *,
                       bar: Fraction | None) -> None:
    """``melody[i]``, ending at the last bar line, takes a dominant tone for the dominant's bar (see
    dominant_tone); held from earlier, it keeps its own pitch until that bar."""
    note = melody[i]
    pitch = dominant_tone(note.pitch, key)
    if pitch == note.pitch or bar is None:
        return
    if note.start < cadence_bar - bar:
        melody[i] = replace(note, duration=cadence_bar - bar - note.start)
        added.append(Note(pitch, cadence_bar - bar, bar, voice=note.voice))
    else:
        melody[i] = replace(note, pitch=pitch, ornament=None, graces=())


def _walk_down_from_the_seventh(melody: list[Note], final_bar: Fraction, beat: Fraction, key: Key) -> None:
    """V7's seventh held over the dominant's bar falls to the tonic a fourth below by step, in its last beat
    (C, then B A, then G in G major): leapt, it leaves the seventh unresolved (a pianist's review)."""
    last_beat = final_bar - beat
    held = [k for k, n in enumerate(melody) if n.end == final_bar and n.start < last_beat]
    home = [n for n in melody if n.start == final_bar]
    if len(held) != 1 or len(home) != 1 or home[0].pitch != melody[held[0]].pitch - 5:
        return
    note, tones = melody[held[0]], scale(key)
    if note.pitch % 12 != tones[3] or any(n.start < final_bar < n.end for n in melody):
        return
    third = max(p for p in range(note.pitch - 2, note.pitch) if p % 12 in tones)  # the tonic's third
    steps = [third, max(p for p in range(third - 2, third) if p % 12 in tones)]
    melody[held[0]] = replace(note, duration=last_beat - note.start)
    # Halves of the beat unit: two eighths in 3/4, two sixteenths in the last eighth of 6/8.
    melody.append(Note(steps[0], last_beat, beat / 2, voice=note.voice))
    melody.append(Note(steps[1], final_bar - beat / 2, beat / 2, voice=note.voice))


def _onto_the_downbeat(melody: list[Note], last: list[int], final_bar: Fraction, end: Fraction) -> None:
    """The home note struck after the last bar line moves onto it: the notes between, a run or a step
    above resolving late, give way, and anything held over the bar line stops there."""
    keep = set(last)
    for i, n in enumerate(melody):
        if i in keep:
            melody[i] = replace(n, start=final_bar, duration=end - final_bar)
        elif n.start < final_bar < n.end:
            melody[i] = replace(n, duration=final_bar - n.start)
    melody[:] = [n for i, n in enumerate(melody) if i in keep or n.start < final_bar]
