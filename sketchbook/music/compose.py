"""Composition: grow a motif into a piece by following a style's plan of sections.

The right hand carries the motif through the section's techniques, embellished and ornamented by the
section's density and ornament levers; the left hand voices a progression chosen under the melody.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

from sketchbook.music import transform
from sketchbook.music.accompany import Accompanist
from sketchbook.music.embellish import embellish
from sketchbook.music.errors import SketchbookError
from sketchbook.music.expression import articulate, dynamics_for, quiet_under_diminuendo, ritardandos
from sketchbook.music.harmony import Chord, Span, choose_progression, dissonant_onset_ratio
from sketchbook.music.levers import DOUBLED, DRIVEN, ORNATE, SPARSE, SPUN, level
from sketchbook.music.metre import remeter, spread_for
from sketchbook.music.model import (
    GRACE_ORNAMENTS,
    ORNAMENTS,
    Harmony,
    Key,
    Meter,
    Motif,
    Note,
    Pedal,
    Phrase,
    Piece,
    Section,
    last_begun,
    reading_order,
    score_order,
)
from sketchbook.music.ornament import Places, ensure_variety, ornament_places
from sketchbook.music.phrasing import KEEPS_THE_MOTIF, cadence_kinds, land_cadence, land_the_end
from sketchbook.music.sections import bars_of, place, section_phrases, section_targets, windows_in
from sketchbook.music.streams import Streams
from sketchbook.music.styles import Style, parse_meter
from sketchbook.music.texture import double, figure_names, in_climax
from sketchbook.music.transform import HIGHEST, LOWEST

LILT = 0.55  # onsets per quarter a re-barred motif moves at, at most: a waltz's unhurried pace
DISSONANCE_BAND = (0.16, 0.32)  # the beach's eerie colour: share of onsets that rub (played, up to ~+0.08)


def rhythm_factor(phrase: Phrase, density: float, meter: Meter | None = None) -> Fraction:
    """Augment sparse sections until the melody moves at most about once a beat; diminish driven ones.

    Only by a factor that keeps the tune's rhythm writable in ``meter``: a beat augmented must fill whole
    bars or divide one, so no note is tied over a bar line or across a beat. In 6/8 that leaves the tune's
    own rhythm (doubled, a jig's quarter-eighth would read as a 3/4 hemiola tied at every bar), in 9/8
    and 3/4 the triple, in 2/4 and 4/4 two and four; short of the factor asked, the next writable below.
    """
    onsets = len({n.start for n in phrase.notes})
    rate = onsets / float(phrase.length) if phrase.length else 0.0
    if density < SPARSE:
        cap = 0.4 + density
        factors = (Fraction(1), Fraction(2), Fraction(3), Fraction(4))
        wanted = next((f for f in factors if rate / f <= cap), factors[-1])
        return max(f for f in factors if f <= wanted and _writable(f, meter))  # never sparser than asked
    if density >= DOUBLED and rate < 0.6:
        return Fraction(1, 2)
    return Fraction(1)


def _writable(factor: Fraction, meter: Meter | None) -> bool:
    if factor == 1 or meter is None:
        return True
    if meter.is_compound:
        return factor == 3 and meter.bar_length == 3 * meter.beat
    span = factor * meter.beat
    return meter.bar_length % span == 0 or span % meter.bar_length == 0


def compose(motif: Motif, style: Style, *, streams: Streams, bars: int | None = None, title: str = "") -> Piece:
    """Develop ``motif`` into a piano piece in ``style``; ``bars`` asks for an exact length.

    Each decision family draws from its own stream (``streams``), so turning one lever never reshuffles
    another's choices.
    """
    plans, levers = style.sections, style.section_levers()
    density = [level(lever.density) for lever in levers]
    ornament = [level(lever.ornament) for lever in levers]
    if bars is not None and bars < len(levers):
        raise SketchbookError(f"--bars {bars} is too short: this variation has {len(levers)} sections")
    # A style that names its metre re-bars the motif even when the metres agree: re-barring also slows it
    # to the style's pace, a busy tune spreading over more bars (long motifs within eight a statement)
    # instead of being augmented into chains of tied notes. "source" keeps the motif's metre.
    wanted = parse_meter(style.meter, what=f"style {style.name!r}: meter")
    key, meter = motif.key, wanted or motif.meter
    bar = meter.bar_length
    seed_phrase, seed_pickup = motif.phrase, motif.pickup
    remetered = wanted is not None
    if remetered:
        spread = spread_for(motif.phrase, motif.pickup, motif.meter, meter, rate=LILT,
                            most=max(1, 8 // max(1, motif.bars)))
        seed_phrase, seed_pickup = remeter(motif.phrase, motif.pickup, motif.meter, meter, spread=spread)
    seed_phrase = transform.fit_register(seed_phrase, 62, 84)
    targets = section_targets(style, bars)

    right: list[Note] = []
    reach: list[Fraction] = []  # reach[i]: the latest end among right[: i + 1]
    sections: list[Section] = []
    windows: list[tuple[Fraction, str]] = []  # where each phrase starts and the technique that made it
    closes: list[int] = []  # the bar after each phrase's last bar
    counts: list[int] = []
    lead = None  # offset of the first downbeat, fixed by the first phrase's pickup
    bar_index = 0
    for plan, lever, dense, target in zip(plans, levers, density, targets):
        factor = Fraction(1) if remetered and dense < SPARSE else rhythm_factor(seed_phrase, dense, meter)
        base = transform.augment(seed_phrase, factor)
        pickup = seed_pickup * factor
        phrases = section_phrases(plan, base, pickup, meter, key, target, climbs=plan.peak is not None
                                   and dense >= SPARSE, rng=streams.techniques, rests=dense < SPUN)
        first_bar = bar_index
        used = tuple(label for _, _, label in phrases)
        if remetered and not windows and not any(u.startswith("remeter") for u in used):
            used = (f"remeter:{meter}", *used)
        for phrase, anacrusis, technique in phrases:
            if lead is None:
                lead = anacrusis
                bar_index += int(anacrusis // bar)
            start = lead % bar + bar_index * bar - anacrusis
            place(right, reach, phrase, start)
            windows.append((max(Fraction(0), start), technique))
            bar_index += bars_of(phrase, anacrusis, bar)
            closes.append(bar_index)
        counts.append(len(phrases))
        sections.append(Section(plan.name, first_bar, bar_index - first_bar, lever, used, plan.dynamic))
    assert lead is not None
    pickup = lead % bar
    piece_bars = bar_index
    bar_start = lambda b: pickup + b * bar

    kinds = cadence_kinds(counts)
    beat_unit = Fraction(4, meter.denominator)
    nexts = [start for start, _ in windows[1:]] + [bar_start(piece_bars)]
    right[:] = score_order(right)
    onsets_so_far = [n.start for n in right]
    resolutions: list[Note] = []
    for close, kind, (start, technique), after in zip(closes, kinds, windows, nexts):
        # The next phrase's pickup may already sound in this phrase's last bar: land before it.
        end = min(bar_start(close), after)
        window = range(bisect.bisect_left(onsets_so_far, start), bisect.bisect_left(onsets_so_far, end))
        land_cadence(right, bar_start(close - 1), end, kind, key, beat=beat_unit, begin=start, added=resolutions,
                     window=window, bar=bar, free=technique.split(":")[0] not in KEEPS_THE_MOTIF)
    right.extend(resolutions)
    land_the_end(right, bar_start(piece_bars), bar, beat_unit, key)  # before the harmony: it hears the landing
    right[:] = score_order(right)
    cadences = {bar_start(close - 1): kind for close, kind in zip(closes, kinds)}
    spans, owners = _harmonic_spans(sections, density, meter, bar_start, cadences)
    local_keys = _local_keys(spans, windows, key)
    chords = choose_progression(right, spans, key, rng=streams.harmony, keys=local_keys)
    chord_at = _chord_lookup(spans, chords)
    bounds = [((bar_start(s.start_bar) if i else Fraction(0)), bar_start(s.end_bar)) for i, s in enumerate(sections)]
    phrase_starts = sorted({start for start, _ in windows})

    skeletons, places = [], []
    for (lo, hi), plan, dense in zip(bounds, plans, density):
        part = tuple(score_order(n if n.end <= hi else replace(n, duration=hi - n.start) for n in right
                                 if lo <= n.start < hi))  # in time order: the phrase windows are taken by bisection
        # Sparse sections take light ornaments only: a trill's flurry on a long tone would make a
        # slower texture busier than a denser one.
        kinds_here = ORNAMENTS if dense >= SPARSE else tuple(k for k in ORNAMENTS if k not in ("trill", "tremolo"))
        found = ornament_places(part, key=key, meter=meter, rng=streams.ornament, pickup=pickup, kinds=kinds_here)
        # Where an ornament may go is kept free of figures (and, for a sign, of doubling) before its
        # level is read, so the ornament lever moves ornaments and nothing else. A section that fixes its own level (the
        # lever cannot reach it) keeps free only the places that level ornaments.
        within = 1.0 if plan.levers.ornament is None else plan.levers.ornament
        skeletons.append(part)
        places.append(_by_onset(part, found, within))
    # Grace notes may lead into a doubled note; a sign (trill, mordent, turn) stays over a single note.
    signs = [{k for k, (_, n) in free.items() if n.ornament not in GRACE_ORNAMENTS} for free in places]

    melody: list[Note] = []
    starts_set = set(phrase_starts)
    driven = [i for i, dense in enumerate(density) if dense >= DRIVEN]
    for index, ((lo, hi), plan, lever, skeleton) in enumerate(zip(bounds, plans, levers, skeletons)):
        # A section building to a peak (after the statement) thickens at its climax: the piece builds.
        climbing = plan.peak is not None and index != (driven or [-1])[0]
        onsets = [n.start for n in skeleton]
        bones = {(n.start, n.pitch) for n in skeleton}
        free = places[index]
        for start, end, technique in windows_in(windows, lo, hi):
            peak = climbing and in_climax(start, (lo, hi))
            unit = Fraction(1, 4) if density[index] >= DRIVEN else Fraction(1, 2)
            cut = skeleton[bisect.bisect_left(onsets, start):bisect.bisect_left(onsets, end)]
            # A note still ringing when the next phrase begins gives way to it.
            notes = tuple(replace(n, start=n.start - start, duration=min(n.duration, end - n.start)) for n in cut)
            # A plain statement stays close to the motif so the listener hears it before it is spun out.
            fill = density[index] * (0.5 if technique.split(":")[0] in ("statement", "remeter") else 1.0)
            fill = 1.0 if peak else fill
            filled = embellish(Phrase(notes, end - start), density=fill, key=key,
                               chord_at=_from(chord_at, start), unit=unit, rng=streams.embellish,
                               keep={(t - start, p) for t, p in free})
            articulated = articulate(filled.notes, notes, level(lever.articulation), meter, pickup - start % bar, peak,
                                     rng=streams.articulation)
            placed = [n.shifted(start) for n in articulated]
            if density[index] >= DOUBLED:
                placed = double(placed, bones, key, climax=peak, phrase_starts=starts_set,
                                summit=max(lo + (hi - lo) * Fraction(13, 20), hi - 6 * bar), spared=signs[index],
                                chord_at=chord_at, beat=(meter.beat, pickup))
            melody.extend(_ornamented(placed, free, ornament[index]))
    ornate = [bounds[i] for i, o in enumerate(ornament) if o >= ORNATE]
    _vary(melody, ornate, key)
    land_the_end(melody, bar_start(piece_bars), bar, beat_unit, key)

    figures = figure_names(spans, owners, [density[o] for o in owners], bounds, phrase_starts, chords,
                           [ornament[o] for o in owners])
    sections = [replace(s, textures=tuple(f for f, _ in Counter(f for f, o in zip(figures, owners) if o == i)
                                          .most_common())) for i, s in enumerate(sections)]
    colours = [level(levers[o].colour) for o in owners]
    sparse = [density[o] < SPARSE for o in owners]
    left = _left_hand(melody, spans, chords, figures, colours, sparse, meter, pickup, phrase_starts, streams=streams,
                      keys=local_keys)
    dynamics, hairpins = dynamics_for(sections, plans, bar_start)
    melody = quiet_under_diminuendo(melody, hairpins)
    # Staccato chords (the repeated figure) take the pedal under the bass alone, let go before the first
    # chord (a beat on, or an eighth in a compound metre): held through, it would undo every dot (a review).
    dry = meter.beat / 3 if meter.is_compound else meter.beat
    pedals = tuple(Pedal(s.start, min(s.end, s.start + dry) if f == "repeated" else s.end)
                   for s, f in zip(spans, figures)) if style.pedal else ()
    harmony = tuple(Harmony(s.start, s.end, c.root, c.intervals) for s, c in zip(spans, chords))
    melody, left = [_on_the_piano(n) for n in melody], tuple(_on_the_piano(n) for n in left)
    return Piece(
        title=title or f"{motif.name}: {style.name}",
        key=key, meter=meter, right_hand=tuple(score_order(melody)), left_hand=left,
        sections=tuple(sections), pickup=pickup, dynamics=dynamics, hairpins=hairpins, pedals=pedals,
        phrases=tuple(phrase_starts), harmony=harmony, ritardandos=ritardandos(sections, bar_start, meter),
    )  # fmt: skip


def _local_keys(spans: list[Span], windows: list[tuple[Fraction, str]], key: Key) -> list[Key]:
    """The key under each span: a phrase transposed by semitones (a real sequence) is in the key it was
    moved to, so its chords move with it instead of grating against a tune that has left the home key."""
    starts = [start for start, _ in windows]
    out = []
    for span in spans:
        k = bisect.bisect_right(starts, span.start) - 1
        label = windows[k][1] if k >= 0 else ""
        name, _, amount = label.partition(":")
        shift = int(amount) % 12 if name == "transpose" and amount.lstrip("+-").isdigit() else 0
        out.append(Key((key.tonic + shift) % 12, key.mode) if shift else key)
    return out


def _on_the_piano(note: Note) -> Note:
    """A note (and its graces) folded by octaves onto the piano's 88 keys, whatever the motif's register."""
    if LOWEST <= note.pitch <= HIGHEST and all(LOWEST <= g <= HIGHEST for g in note.graces):
        return note
    keys = transform.on_the_keys
    return replace(note, pitch=keys(note.pitch), graces=tuple(keys(g) for g in note.graces))


def _harmonic_spans(sections, density, meter, bar_start, cadences) -> tuple[list[Span], list[int]]:
    """Chord spans from the first bar line (a pickup sounds alone): a chord a bar in sparse and compound
    sections, half bars in driven common time; cadence bars carry their cadence."""
    spans, owners = [], []
    for index, (section, dense) in enumerate(zip(sections, density)):
        if dense >= SPARSE and meter.numerator % 2 == 0 and not meter.is_compound and meter.bar_length >= 4:
            step = meter.bar_length / 2
        else:
            step = meter.bar_length
        start, end = bar_start(section.start_bar), bar_start(section.end_bar)
        t = start
        while t < end:
            nxt = min(t + step, end)
            line = t - (t - bar_start(0)) % meter.bar_length
            spans.append(Span(t, nxt, cadence=cadences.get(line, "")))
            owners.append(index)
            t = nxt
    return spans, owners


def _from(chord_at: Callable[[Fraction], Chord], start: Fraction) -> Callable[[Fraction], Chord]:
    """The chord lookup in a phrase's own time, the phrase beginning at ``start``."""
    return lambda t: chord_at(t + start)


def _chord_lookup(spans: list[Span], chords: list[Chord]) -> Callable[[Fraction], Chord]:
    began = last_begun([s.start for s in spans])

    def chord_at(offset: Fraction) -> Chord:
        return chords[max(0, began(offset))]

    return chord_at


def _left_hand(melody, spans, chords, figures, colours, sparse, meter, pickup, phrase_starts, *,
               streams: Streams, keys: list[Key]) -> tuple[Note, ...]:
    """Accompany every span; in sparse (beach-like) sections steer the colour into the eerie band.

    ``colours`` and ``sparse`` are per span, from the span's own section.
    """
    draws = [streams.colour.random() for _ in spans]
    hands = Accompanist(melody, spans, chords, figures, rng=streams.voicing, meter=meter, pickup=pickup,
                        phrase_starts=phrase_starts, keys=keys)

    def colouring(scale: float) -> list[bool]:
        return [d < min(1.0, c * (scale if s else 1.0)) for d, c, s in zip(draws, colours, sparse)]

    coloured = colouring(1.0)
    if not any(sparse):
        return hands.left_hand(coloured)
    began = last_begun([s.start for s in spans])
    tune = [(n.pitch, n.start, n.end) for n in melody if sparse[max(0, began(n.start))]]
    heard: dict[tuple[int, bool], list[tuple[int, Fraction, Fraction]]] = {}  # a span's notes, each way, once

    def sounding(i: int, colour: bool) -> list[tuple[int, Fraction, Fraction]]:
        if (i, colour) not in heard:
            heard[i, colour] = [(n.pitch, n.start, n.end) for n in hands.span(i, colour)]
        return heard[i, colour]

    lo, hi, scale = 0.0, 1.0 / max(0.05, min(c for c, s in zip(colours, sparse) if s)), 1.0
    for _ in range(8):
        # Only the sparse spans' own notes count: a span's figure never leaves the span.
        left = [note for i, s in enumerate(sparse) if s for note in sounding(i, coloured[i])]
        ratio = dissonant_onset_ratio([*tune, *left])
        if DISSONANCE_BAND[0] <= ratio <= DISSONANCE_BAND[1]:
            break
        if ratio < DISSONANCE_BAND[0]:
            lo = scale
        else:
            hi = scale
        scale = (lo + hi) / 2
        coloured = colouring(scale)
    return hands.left_hand(coloured)


def _by_onset(part: tuple[Note, ...], found: Places, reach: float) -> dict[tuple[Fraction, int], tuple[float, Note]]:
    """The ornament places within ``reach``, by (start, pitch)."""
    return {(part[i].start, part[i].pitch): (at, note) for i, (at, note) in found.items() if at < reach}


_SIGNS = ("trill", "mordent", "inverted-mordent", "turn")


def _ornamented(placed: list[Note], free: dict[tuple[Fraction, int], tuple[float, Note]], amount: float) -> list[Note]:
    """The phrase with the ornaments that show at ``amount`` put on their (untouched) notes.

    Not a grace note that would fall inside the chord it leads into (A5 into G5 and B5): it needs a finger in
    the middle of the hand's shape, and the chord hides it; nor a sign (trill, mordent, turn) on the onset
    after one that has a sign: three in a row at an Allegro is ornament for its own sake (a pianist's review).
    """
    struck: dict[Fraction, list[int]] = {}
    for n in placed:
        struck.setdefault(n.start, []).append(n.pitch)
    onsets = sorted(struck)
    signed: set[Fraction] = set()
    shown: dict[int, Note] = {}
    for k in sorted(range(len(placed)), key=lambda k: placed[k].start):
        n = placed[k]
        at, decorated = free.get((n.start, n.pitch), (1.0, n))
        inside = any(min(struck[n.start]) < g < max(struck[n.start]) for g in decorated.graces)
        if at >= amount or n.voice != decorated.voice or n.ornament or inside:
            continue
        if decorated.ornament in _SIGNS:
            i = bisect.bisect_left(onsets, n.start)
            if i and onsets[i - 1] in signed:
                continue
            signed.add(n.start)
        shown[k] = replace(n, ornament=decorated.ornament, graces=decorated.graces)
    return [shown.get(k, n) for k, n in enumerate(placed)]


def _vary(melody: list[Note], ornate: list[tuple[Fraction, Fraction]], key: Key) -> None:
    """At least three ornament kinds across the ornate sections (ornaments only: nothing else moves)."""
    if not ornate:
        return
    within = [i for i, n in enumerate(melody) if any(lo <= n.start < hi for lo, hi in ornate)]
    chosen = [within[k] for k in reading_order([melody[i] for i in within])]
    rich = ensure_variety(tuple(melody[i] for i in chosen), minimum=3, key=key)
    for i, n in zip(chosen, rich):
        melody[i] = n
