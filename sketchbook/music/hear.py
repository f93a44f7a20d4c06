"""Hear a performed melody as notation: beat, tempo, metre, downbeat and pickup from the onsets alone.

A played take has onsets in seconds that drift by tens of milliseconds and a header that may only be
a recorder's default, so nothing here reads a tempo or time signature. Three steps, each a search
over a few hundred hypotheses scored in closed form (so a take of any length costs little):

1. grid: a quarter-note period and phase, fitted by least squares, on which every onset lands on a
   sixteenth or a triplet eighth (chosen beat by beat), with a prior that players keep near 100 bpm;
2. metre: 2/4, 3/4, 4/4, 6/8 or 9/8, the downbeat and the pickup, from how likely onsets are at each
   metrical level (after Temperley's model) and whether long or loud notes fall on strong beats;
3. notation: onsets on that grid; a note lasts until the next one unless it was clearly let go early.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from sketchbook.music.model import Meter, Note

CHORD_WINDOW = 0.035  # seconds: onsets closer than this are one chord, of which the melody is the top
ESTIMATE_NOTES = 96  # the grid and metre are fitted on the first notes; later ones use that fit
ESTIMATE_QUARTERS = 96  # and on at most this many quarters of them (sparse notes cannot make it slow)
MAX_HEARD_NOTES = 5_000  # a motif is a few bars: later notes of a long take are not heard
SIGMA = 0.03  # seconds: how far a played onset strays from its grid point (jitter plus drift)
PREFERRED_QUARTER = 0.6  # seconds (100 bpm): where players put the quarter note, give or take
FASTEST_QUARTER, SLOWEST_QUARTER = 0.4, 60 / 55  # 150 and 55 bpm
UNIT = 48  # the search counts time in 1/48 quarters, so that every grid point is a whole number
DEFAULT_SUBDIVISIONS = (1, 2, 3, 4)  # per quarter: quarters, eighths, triplet eighths, sixteenths
# What a subdivision costs once in a beat, and each note placed on one of its own points (not on the
# beat or half beat): simple rhythms are likelier than a grid of sixteenths or triplets fitting noise.
_SUBDIVISION_COST = {1: 0.0, 2: 0.0, 3: 1.0, 4: 0.5, 6: 2.0, 8: 2.0, 12: 3.0, 16: 3.0}
_POINT_COST = {3: 1.5, 4: 1.5, 6: 2.5, 8: 2.5, 12: 3.0, 16: 3.0}
HALF_BEAT_COST = 0.15
PARTIAL_TRIPLET_COST = 1.0
EMPTY_BEAT_COST = 0.4  # a beat with no onset: too slow a beat leaves many, which players rarely mean
METERS = (Meter(4, 4), Meter(3, 4), Meter(2, 4), Meter(6, 8), Meter(9, 8), Meter(12, 8))
# How much better than none a pickup must explain a melody written without bar lines (in all, and per note:
# a long line piles up small preferences, such as 4/4's half-bar doubt), and how near the best a shorter
# pickup may be and still be taken (see written_pickup).
_CLEAR_PICKUP, _CLEAR_PER_NOTE, _NEAR = 1.25, 0.05, 0.25
_METER_COST = {"4/4": 0.0, "3/4": 0.3, "2/4": 3.0, "6/8": 0.5, "9/8": 1.0, "12/8": 1.0}


@dataclass(frozen=True, slots=True)
class Played:
    """A note as a keyboard recorded it: onset and release in seconds, and how hard it was struck."""

    pitch: int
    onset: float
    release: float
    velocity: int = 64


@dataclass(frozen=True, slots=True)
class Heard:
    """A performed line as notation: notes timed from the start of the pickup."""

    notes: tuple[Note, ...]
    meter: Meter
    pickup: Fraction
    quarter_seconds: float  # the fitted tempo, for a message

    @property
    def bpm(self) -> float:
        return 60.0 / self.quarter_seconds


def subdivisions_for(grid: Fraction) -> tuple[int, ...]:
    """The subdivisions of a quarter that a grid (a note value such as 1/16) allows; ValueError if none."""
    per_quarter = Fraction(1, 4) / grid
    if per_quarter.denominator != 1 or not 1 <= per_quarter <= 16 or UNIT % per_quarter:
        raise ValueError(f"grid {grid} must divide a quarter note evenly (1/4, 1/8, 1/12, 1/16, 1/24, 1/32...)")
    s = int(per_quarter)
    return tuple(d for d in range(1, s + 1) if s % d == 0)


def top_line(played: list[Played]) -> list[Played]:
    """The melody of a played texture: the highest note of each chord, skipping notes under a held higher one."""
    line: list[Played] = []
    for p in sorted(played, key=lambda p: (p.onset, -p.pitch)):
        if line and p.onset - line[-1].onset < CHORD_WINDOW:
            if p.pitch > line[-1].pitch:  # a spread chord played bottom up
                line[-1] = p
            continue
        if line and p.pitch < line[-1].pitch:
            last = line[-1]
            # A legato player holds a note a little into the next one: only a note that starts well
            # inside a higher held note is an inner voice.
            if p.onset < last.release - max(0.1, 0.3 * (last.release - last.onset)):
                continue
        line.append(p)
    return line


def hear(
    played: list[Played],
    *,
    meter: Meter | None = None,
    subdivisions: tuple[int, ...] = DEFAULT_SUBDIVISIONS,
) -> Heard:
    """Notate a performed melody (one line, any order); ``meter`` and ``subdivisions`` override the estimate."""
    line = sorted(played, key=lambda p: p.onset)[:MAX_HEARD_NOTES]
    if not line:
        raise ValueError("no notes to hear")
    times = [p.onset for p in line]
    if len(line) == 1:
        quarter, origin = PREFERRED_QUARTER, times[0]
        positions = [Fraction(0)]
    else:
        quarter, origin = _fit_grid(times[:ESTIMATE_NOTES], subdivisions)
        positions = _place(times, quarter, origin, subdivisions)
    positions = [q - positions[0] for q in positions]
    bar_meter, pickup = _choose_meter(line, positions, meter)
    notes = _notate(line, positions, quarter, subdivisions)
    return Heard(tuple(notes), bar_meter, pickup, quarter)


# --- 1. grid -----------------------------------------------------------------------------------


def _fit_grid(times: list[float], subdivisions: tuple[int, ...]) -> tuple[float, float]:
    """The quarter period and origin (seconds) that put the onsets on the grid most simply."""
    best: tuple[float, float, float] | None = None
    period = 0.2
    while period < 2.0:
        for phase in (0.0, 0.25, 0.5, 0.75, 1 / 3, 2 / 3):
            cost, quarter, origin = _refine(times, period, times[0] - phase * period, subdivisions)
            cost += _tempo_cost(quarter)
            if best is None or cost < best[0] - 1e-9:
                best = (cost, quarter, origin)
        period *= 1.04
    assert best is not None
    return best[1], best[2]


def _tempo_cost(quarter: float) -> float:
    """Players keep near 100 bpm, and rarely play a motif in quarters above 150 or below 55 bpm."""
    outside = max(0.0, math.log(FASTEST_QUARTER / quarter), math.log(quarter / SLOWEST_QUARTER))
    return 2.0 * (math.log(quarter / PREFERRED_QUARTER) / 0.45) ** 2 + 400.0 * outside**2


def _refine(times, quarter, origin, subdivisions):
    """Quantise, refit period and origin by least squares, on a window of onsets that grows by
    half again each time (so a period a little off cannot push late onsets a grid step away): cost, period, origin."""
    start = quarter
    count = 4
    while True:
        window = times[:count]
        _, positions = _quantise(window, quarter, origin, subdivisions)
        xs = [q / UNIT for q in positions]
        mx, mt = sum(xs) / len(xs), sum(window) / len(window)
        spread = sum((x - mx) ** 2 for x in xs)
        if spread > 0:
            fitted = sum((x - mx) * (t - mt) for x, t in zip(xs, window)) / spread
            if 0.8 * start < fitted < 1.25 * start:
                quarter, origin = fitted, mt - fitted * mx
        if count >= len(times):
            return _quantise(times, quarter, origin, subdivisions)[0], quarter, origin
        count = count * 3 // 2


def _quantise(times, quarter, origin, subdivisions) -> tuple[float, list[int]]:
    """Each onset to a grid point, in order and apart, the subdivision chosen per quarter; squared
    error (in SIGMAs) plus the cost of each subdivision used."""
    beats: dict[int, list[tuple[int, float]]] = {}
    for i, t in enumerate(times):
        x = (t - origin) / quarter
        beat = math.floor(x + 0.1)
        beats.setdefault(beat, []).append((i, x - beat))
    positions: list[int] = [0] * len(times)  # in 1/UNIT quarters: whole numbers, quick to compare
    total = 0.0
    scale = (quarter / SIGMA) ** 2
    for beat, items in beats.items():
        best: tuple[float, int, list[int]] | None = None
        for s in subdivisions:
            error, points = _assign([f for _, f in items], s)
            if subdivisions != DEFAULT_SUBDIVISIONS:  # the grid the user asked for costs nothing
                error *= scale
            else:
                error = error * scale + _SUBDIVISION_COST.get(s, 5.0) + sum(_point_cost(k, s) for k in points)
            if s % 3 == 0 and len(items) < 3:
                # A triplet beat that is not a whole triplet (triplet quarters across beats, or a
                # triplet rhythm found in noise) is rarer than plain triplet eighths.
                error += PARTIAL_TRIPLET_COST
            if best is None or error < best[0]:
                best = (error, s, points)
        assert best is not None
        total += best[0]
        step = UNIT // best[1]
        for (i, _), k in zip(items, best[2]):
            positions[i] = beat * UNIT + k * step
    # Two notes on one grid point (across a beat) means the grid is too coarse.
    total += 25.0 * (len(positions) - len(set(positions)))
    total += EMPTY_BEAT_COST * (max(beats) - min(beats) + 1 - len(beats))
    return total, positions


def _point_cost(k: int, s: int) -> float:
    if k % s == 0:
        return 0.0
    if 2 * k % s == 0:
        return HALF_BEAT_COST
    return _POINT_COST.get(s, 3.0)


def _assign(fractions: list[float], s: int) -> tuple[float, list[int]]:
    """Grid points k/s (0 <= k <= s), strictly rising, nearest in squared error to sorted ``fractions``."""
    m = len(fractions)
    if m > s + 1:
        return math.inf, [round(f * s) for f in fractions]
    if all(round(a * s) < round(b * s) for a, b in pairwise(fractions)):
        return sum((f - round(f * s) / s) ** 2 for f in fractions), [round(f * s) for f in fractions]
    # cost[j][k]: best error for the first j+1 notes with note j on point k
    cost = [[math.inf] * (s + 1) for _ in range(m)]
    back = [[0] * (s + 1) for _ in range(m)]
    for k in range(s + 1):
        cost[0][k] = (fractions[0] - k / s) ** 2
    for j in range(1, m):
        for k in range(j, s + 1):
            previous = min(range(k), key=lambda p: cost[j - 1][p])
            cost[j][k] = cost[j - 1][previous] + (fractions[j] - k / s) ** 2
            back[j][k] = previous
    k = min(range(s + 1), key=lambda p: cost[m - 1][p])
    total = cost[m - 1][k]
    points = [k]
    for j in range(m - 1, 0, -1):
        k = back[j][k]
        points.append(k)
    return total, points[::-1]


def _place(times, quarter, origin, subdivisions) -> list[Fraction]:
    """All onsets on the fitted grid, keeping them in order and apart."""
    _, positions = _quantise(times, quarter, origin, subdivisions)
    finest = UNIT // max(subdivisions)
    placed: list[int] = []
    for q in positions:
        placed.append(max(q, placed[-1] + finest) if placed else q)
    return [Fraction(q, UNIT) for q in placed]


# --- 2. metre ----------------------------------------------------------------------------------

# How likely a note starts at each metrical level (after Temperley, "Music and Probability").
_SIMPLE = {"bar": 0.95, "half": 0.85, "beat": 0.75, "eighth": 0.4, "sixteenth": 0.15, "triplet": 0.06}
_COMPOUND = {"bar": 0.95, "beat": 0.8, "eighth": 0.55, "sixteenth": 0.12, "triplet": 0.005}
_STRENGTH = {"bar": 3, "half": 2.5, "beat": 2, "eighth": 1, "sixteenth": 0, "triplet": 0}


def _level(u: int, meter: Meter) -> str:
    """The metrical level of a position ``u`` units into a bar."""
    if u == 0:
        return "bar"
    if meter.is_compound:
        if u % (3 * UNIT // 2) == 0:
            return "beat"
    elif meter.numerator == 4 and u == 2 * UNIT:
        return "half"
    elif u % UNIT == 0:
        return "beat"
    if u % (UNIT // 2) == 0:
        return "eighth"
    if u % (UNIT // 4) == 0:
        return "sixteenth"
    return "triplet"


def _choose_meter(line, positions, hinted) -> tuple[Meter, Fraction]:
    """The metre and pickup that explain the onsets best."""
    window = positions[:_opening(positions)]
    salience = _salience(line[: len(window)], window)
    best = None
    for meter in (hinted,) if hinted else METERS:
        for misfit, pickup in _pickup_costs(window, salience, meter):
            cost = misfit + _METER_COST.get(str(meter), 1.0) + (0.5 if pickup else 0.0)
            if best is None or cost < best[0] - 1e-9:
                best = (cost, meter, pickup)
    assert best is not None
    return best[1], best[2]


def _opening(positions: list[Fraction]) -> int:
    """How many of the first notes the metre is heard on: a long line costs no more, and says no more."""
    return len([q for q in positions[:ESTIMATE_NOTES] if q < ESTIMATE_QUARTERS])


def _pickup_costs(positions: list[Fraction], salience: list[float], meter: Meter) -> list[tuple[float, Fraction]]:
    """How badly each pickup (every sixteenth of a bar, shortest first) explains the onsets in ``meter``
    (before the small price of a pickup at all)."""
    units = [int(q * UNIT) for q in positions]  # whole: grids are at most 1/16 or 1/12 of a quarter
    onsets = set(units)
    # The points where sixteenths or triplet eighths may start, onset or not.
    lattice = [k for k in range(units[-1] + 1) if k % (UNIT // 4) == 0 or k % (UNIT // 3) == 0]
    bar = int(meter.bar_length * UNIT)
    table = _COMPOUND if meter.is_compound else _SIMPLE
    levels = [_level(u, meter) for u in range(bar)]
    hit = [math.log(table[level]) for level in levels]
    miss = [math.log(1 - table[level]) for level in levels]
    strength = [_STRENGTH[level] for level in levels]
    out = []
    for pickup in range(0, bar, UNIT // 4):
        score = sum(hit[(k - pickup) % bar] if k in onsets else miss[(k - pickup) % bar] for k in lattice)
        # Long and loud notes belong on strong beats.
        score += 0.5 * sum(w * strength[(u - pickup) % bar] for u, w in zip(units, salience))
        out.append((-score, Fraction(pickup, UNIT)))
    return out


def written_pickup(notes: Sequence[Note], meter: Meter) -> Fraction:
    """The pickup of a melody written without bar lines, in quarters from its first note: 0 unless its
    rhythm clearly says otherwise.

    "d8 g4 b8 a4 g8" in 6/8 is a jig with an upbeat: read from its first note, every long note would fall
    off the beat. A pickup is taken only when it explains the line far better than none (by the margin
    that amazing grace's one-beat upbeat clears and a 4/4 tune's half-bar ambiguity does not); among
    near-equal pickups, the shortest (a 6/8 tune's upbeat, not a bar and a half of it).
    """
    top: dict[Fraction, Note] = {}
    for n in sorted(notes, key=lambda n: (n.start, -n.pitch)):
        top.setdefault(n.start, n)  # the melody of a chord is its top note
    line = list(top.values())
    positions = [n.start - line[0].start for n in line]
    window = _opening(positions)  # heard on its opening, as a take is
    line, positions = line[:window], positions[:window]
    if len(line) < 2:
        return Fraction(0)
    salience = _salience([Played(n.pitch, float(n.start), float(n.end)) for n in line], positions)
    costs = [(misfit + (0.5 if p else 0.0), p) for misfit, p in _pickup_costs(positions, salience, meter)]
    best = min(cost for cost, _ in costs)
    if costs[0][0] - best < max(_CLEAR_PICKUP, _CLEAR_PER_NOTE * len(line)):
        return Fraction(0)
    return next(pickup for cost, pickup in costs if cost <= best + _NEAR)


def _salience(line: list[Played], positions: list[Fraction]) -> list[float]:
    """Per note, how much it stands out by length (to the next onset) and loudness, centred on zero."""
    if len(line) < 2:
        return [0.0] * len(line)
    gaps = [float(b - a) for a, b in pairwise(positions)]
    gaps.append(max(gaps))
    lengths = [math.log2(max(g, 0.25)) for g in gaps]
    mean_length = sum(lengths) / len(lengths)
    velocities = [p.velocity for p in line]
    mean_velocity = sum(velocities) / len(velocities)
    spread = (sum((v - mean_velocity) ** 2 for v in velocities) / len(velocities)) ** 0.5 or 1.0
    return [(length - mean_length) + 0.7 * (v - mean_velocity) / spread for length, v in zip(lengths, velocities)]


# --- 3. notation -------------------------------------------------------------------------------


def _notate(line: list[Played], positions: list[Fraction], quarter: float, subdivisions) -> list[Note]:
    notes = []
    finest = Fraction(1, max(subdivisions))
    for i, (p, q) in enumerate(zip(line, positions)):
        held = (p.release - p.onset) / quarter  # in quarters
        if i + 1 < len(line):
            gap = positions[i + 1] - q
            # A note let go before half its time (and by more than a sixteenth) leaves a written rest.
            if held < 0.5 * float(gap) and float(gap) - held > 0.3:
                length = min(gap, max(finest, _round_length(held, finest)))
            else:
                length = gap
        else:
            length = max(finest, _round_length(held, finest))
        notes.append(Note(p.pitch, q, length))
    return notes


_PLAIN = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1), Fraction(3, 2), Fraction(2), Fraction(3),
          Fraction(4), Fraction(6), Fraction(8))


def _round_length(quarters: float, finest: Fraction) -> Fraction:
    """A held length as a plain note value, nearest in ratio; players let go about a tenth early."""
    meant = max(quarters / 0.9, 1e-3)
    best = min(_PLAIN, key=lambda v: abs(math.log(meant / float(v))))
    return max(finest, best)
