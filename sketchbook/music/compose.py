"""Composition: grow a motif into a piece by following a style's plan of sections.

The right hand carries the motif through the section's techniques, embellished and ornamented by the
section's density and ornament levers; the left hand voices a progression chosen under the melody.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from dataclasses import dataclass, replace
from fractions import Fraction

from sketchbook.music import transform as dev
from sketchbook.music.accompany import accompany
from sketchbook.music.embellish import embellish
from sketchbook.music.errors import SketchbookError
from sketchbook.music.expression import articulate, dynamics_for, land_final_note, ritardandos
from sketchbook.music.harmony import Chord, Span, choose_progression, dissonant_onset_ratio
from sketchbook.music.levers import DOUBLED, DRIVEN, ORNATE, SPARSE
from sketchbook.music.metre import remeter, spread_for
from sketchbook.music.model import ORNAMENTS, Harmony, Key, Motif, Note, Pedal, Phrase, Piece, Section
from sketchbook.music.ornament import ensure_variety, ornament_notes
from sketchbook.music.phrasing import KEEPS_THE_MOTIF, cadence_kinds, land_cadence
from sketchbook.music.sections import bars_of, place, section_phrases, section_targets, windows_in
from sketchbook.music.styles import SectionPlan, Style, parse_meter
from sketchbook.music.texture import double, figure_names, in_climax
from sketchbook.music.transform import HIGHEST, LOWEST

LILT = 0.55  # onsets per quarter a re-barred motif moves at, at most: a waltz's unhurried pace
DISSONANCE_BAND = (0.16, 0.32)  # the beach's eerie colour: share of onsets that rub (played, up to ~+0.08)


@dataclass(frozen=True, slots=True)
class SectionLevers:
    """A section's resolved levers: the plan's own values, else the style's."""

    plan: SectionPlan
    tempo: int
    tempo_text: str
    density: float
    ornament: float
    colour: float
    articulation: float
    rubato: float


def resolve(style: Style) -> list[SectionLevers]:
    """Each section's levers, falling back to the style's values."""
    out = []
    for plan in style.sections:
        pick = lambda own, default: default if own is None else own
        out.append(SectionLevers(
            plan,
            tempo=pick(plan.tempo, style.tempo),
            tempo_text=pick(plan.tempo_text, style.tempo_text) or "",
            density=pick(plan.density, style.density),
            ornament=pick(plan.ornament, style.ornament),
            colour=pick(plan.colour, style.colour),
            articulation=pick(plan.articulation, style.articulation),
            rubato=pick(plan.rubato, style.rubato),
        ))  # fmt: skip
    return out


def rhythm_factor(phrase: Phrase, density: float) -> Fraction:
    """Augment sparse sections until the melody moves at most about once a beat; diminish driven ones."""
    onsets = len({n.start for n in phrase.notes})
    rate = onsets / float(phrase.length) if phrase.length else 0.0
    if density < SPARSE:
        cap = 0.4 + density
        for factor in (Fraction(1), Fraction(2), Fraction(3), Fraction(4)):
            if rate / factor <= cap:
                return factor
        return Fraction(4)
    if density >= DOUBLED and rate < 0.6:
        return Fraction(1, 2)
    return Fraction(1)


def compose(motif: Motif, style: Style, *, rng: random.Random, bars: int | None = None, title: str = "") -> Piece:
    """Develop ``motif`` into a piano piece in ``style``; ``bars`` asks for an exact length."""
    levers = resolve(style)
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
    seed_phrase = dev.fit_register(seed_phrase, 62, 84)
    targets = section_targets(style, bars)

    right: list[Note] = []
    reach: list[Fraction] = []  # reach[i]: the latest end among right[: i + 1]
    sections: list[Section] = []
    windows: list[tuple[Fraction, str]] = []  # where each phrase starts and the technique that made it
    closes: list[int] = []  # the bar after each phrase's last bar
    counts: list[int] = []
    lead = None  # offset of the first downbeat, fixed by the first phrase's pickup
    bar_index = 0
    for lever, target in zip(levers, targets):
        factor = Fraction(1) if remetered and lever.density < SPARSE else rhythm_factor(seed_phrase, lever.density)
        base = dev.augment(seed_phrase, factor)
        pickup = seed_pickup * factor
        phrases = section_phrases(lever.plan, base, pickup, meter, key, target, climbs=lever.plan.peak is not None
                                   and lever.density >= SPARSE, rng=rng)
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
        sections.append(Section(
            lever.plan.name, first_bar, bar_index - first_bar, lever.tempo, lever.tempo_text,
            used, lever.density, lever.ornament, lever.plan.dynamic,
        ))  # fmt: skip
    assert lead is not None
    pickup = lead % bar
    piece_bars = bar_index
    bar_start = lambda b: pickup + b * bar

    kinds = cadence_kinds(counts)
    beat_unit = Fraction(4, meter.denominator)
    nexts = [start for start, _ in windows[1:]] + [bar_start(piece_bars)]
    right.sort(key=_order)
    onsets_so_far = [n.start for n in right]
    resolutions: list[Note] = []
    for close, kind, (start, technique), after in zip(closes, kinds, windows, nexts):
        # The next phrase's pickup may already sound in this phrase's last bar: land before it.
        end = min(bar_start(close), after)
        window = range(bisect.bisect_left(onsets_so_far, start), bisect.bisect_left(onsets_so_far, end))
        land_cadence(right, bar_start(close - 1), end, kind, key, beat=beat_unit, begin=start, added=resolutions,
                     window=window, free=technique.split(":")[0] not in KEEPS_THE_MOTIF)
    right.extend(resolutions)
    right.sort(key=_order)
    cadences = {bar_start(close - 1): kind for close, kind in zip(closes, kinds)}
    spans, owners = _harmonic_spans(sections, levers, meter, bar_start, cadences)
    chords = choose_progression(right, spans, key, rng=rng, keys=_local_keys(spans, windows, key))
    chord_at = _chord_lookup(spans, chords)
    bounds = [((bar_start(s.start_bar) if i else Fraction(0)), bar_start(s.end_bar)) for i, s in enumerate(sections)]
    phrase_starts = sorted({start for start, _ in windows})

    # Each decision family draws from its own stream, so turning one lever never reshuffles another's choices.
    ornament_rng, embellish_rng, articulate_rng = (random.Random(rng.getrandbits(64)) for _ in range(3))
    skeletons = []
    for (lo, hi), lever in zip(bounds, levers):
        part = tuple(sorted((replace(n, duration=min(n.duration, hi - n.start)) for n in right if lo <= n.start < hi),
                            key=_order))  # in time order: the phrase windows below are taken by bisection
        # Ornaments go on the motif's own notes first; embellishment then fills the plain ones.
        # Sparse sections take light ornaments only: a trill's flurry on a long tone would make a
        # slower texture busier than a denser one.
        kinds_here = ORNAMENTS if lever.density >= SPARSE else tuple(
            k for k in ORNAMENTS if k not in ("trill", "tremolo"))
        skeletons.append(ornament_notes(part, level=lever.ornament, key=key, meter=meter, rng=ornament_rng,
                                        pickup=pickup, kinds=kinds_here))
    ornate = [i for i, lever in enumerate(levers) if lever.ornament >= ORNATE]
    if ornate:
        rich = ensure_variety(tuple(n for i in ornate for n in skeletons[i]), minimum=3, key=key)
        for i in ornate:
            skeletons[i], rich = rich[: len(skeletons[i])], rich[len(skeletons[i]) :]

    melody: list[Note] = []
    starts_set = set(phrase_starts)
    driven = [i for i, lever in enumerate(levers) if lever.density >= DRIVEN]
    for index, ((lo, hi), lever, skeleton) in enumerate(zip(bounds, levers, skeletons)):
        # A section building to a peak (after the statement) thickens at its climax: the piece builds.
        climbing = lever.plan.peak is not None and index != (driven or [-1])[0]
        onsets = [n.start for n in skeleton]
        bones = {(n.start, n.pitch) for n in skeleton}
        for start, end, technique in windows_in(windows, lo, hi):
            peak = climbing and in_climax(start, (lo, hi))
            unit = Fraction(1, 4) if lever.density >= DRIVEN else Fraction(1, 2)
            window = skeleton[bisect.bisect_left(onsets, start):bisect.bisect_left(onsets, end)]
            # A note still ringing when the next phrase begins gives way to it.
            notes = tuple(replace(n, start=n.start - start, duration=min(n.duration, end - n.start)) for n in window)
            # A plain statement stays close to the motif so the listener hears it before it is spun out.
            density = lever.density * (0.5 if technique.split(":")[0] in ("statement", "remeter") else 1.0)
            density = 1.0 if peak else density
            filled = embellish(Phrase(notes, end - start), density=density, key=key,
                               chord_at=lambda t, start=start: chord_at(t + start), unit=unit, rng=embellish_rng)
            articulated = articulate(filled.notes, notes, lever.articulation, meter, pickup - start % bar, peak,
                                      rng=articulate_rng)
            placed = [n.shifted(start) for n in articulated]
            if lever.density >= DOUBLED:
                placed = double(placed, bones, key, climax=peak, phrase_starts=starts_set,
                                summit=max(lo + (hi - lo) * Fraction(13, 20), hi - 6 * bar))
            melody.extend(placed)
    _hold_last_note(melody, bar_start(piece_bars))
    land_final_note(melody, key)

    densities = [levers[o].density for o in owners]
    figures = figure_names(spans, owners, densities, bounds, phrase_starts, chords,
                           [levers[o].ornament for o in owners])
    sections = [replace(s, textures=tuple(f for f, _ in Counter(f for f, o in zip(figures, owners) if o == i)
                                          .most_common())) for i, s in enumerate(sections)]
    left = _left_hand(melody, spans, owners, chords, figures, levers, style, meter, pickup, phrase_starts, rng=rng)
    dynamics, hairpins = dynamics_for(sections, levers, bar_start)
    pedals = tuple(Pedal(s.start, s.end) for s in spans) if style.pedal else ()
    harmony = tuple(Harmony(s.start, s.end, c.root, c.intervals) for s, c in zip(spans, chords))
    melody, left = [_on_the_piano(n) for n in melody], tuple(_on_the_piano(n) for n in left)
    return Piece(
        title=title or f"{motif.name}: {style.name}",
        key=key, meter=meter, right_hand=tuple(sorted(melody, key=_order)), left_hand=left,
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
    return replace(note, pitch=dev.on_the_keys(note.pitch), graces=tuple(dev.on_the_keys(g) for g in note.graces))


def _hold_last_note(melody: list[Note], end: Fraction) -> None:
    """The piece's last melody note rings to the final bar line instead of stopping short."""
    if not melody:
        return
    last_start = max(n.start for n in melody)
    for i, n in enumerate(melody):
        if n.start == last_start and n.end < end:
            melody[i] = replace(n, duration=end - n.start)


def _order(n: Note) -> tuple:
    return (n.start, n.voice, n.pitch)


def _harmonic_spans(sections, levers, meter, bar_start, cadences) -> tuple[list[Span], list[int]]:
    """Chord spans from the first bar line (a pickup sounds alone): a chord a bar in sparse and compound
    sections, half bars in driven common time; cadence bars carry their cadence."""
    spans, owners = [], []
    for index, (section, lever) in enumerate(zip(sections, levers)):
        if lever.density >= SPARSE and meter.numerator % 2 == 0 and not meter.is_compound and meter.bar_length >= 4:
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


def _chord_lookup(spans: list[Span], chords: list[Chord]):
    starts = [s.start for s in spans]

    def chord_at(offset: Fraction) -> Chord:
        return chords[max(0, bisect.bisect_right(starts, offset) - 1)]

    return chord_at


def _left_hand(melody, spans, owners, chords, figures, levers, style, meter, pickup, phrase_starts, *,
               rng: random.Random) -> tuple[Note, ...]:
    """Accompany every span; in beach-like pieces steer the colour into the eerie band."""
    draws = [rng.random() for _ in spans]
    voicing_seed = rng.getrandbits(64)
    colours = [levers[o].colour for o in owners]

    def build(scale: float) -> tuple[Note, ...]:
        coloured = [d < min(1.0, c * scale) for d, c in zip(draws, colours)]
        return accompany(melody, spans, chords, figures, coloured, rng=random.Random(voicing_seed), meter=meter,
                         pickup=pickup, phrase_starts=phrase_starts)

    left = build(1.0)
    if style.density >= SPARSE:
        return left
    lo, hi, scale = 0.0, 1.0 / max(0.05, min(colours)), 1.0
    for _ in range(8):
        ratio = dissonant_onset_ratio((n.pitch, n.start, n.end) for n in (*melody, *left))
        if DISSONANCE_BAND[0] <= ratio <= DISSONANCE_BAND[1]:
            break
        if ratio < DISSONANCE_BAND[0]:
            lo = scale
        else:
            hi = scale
        scale = (lo + hi) / 2
        left = build(scale)
    return left
