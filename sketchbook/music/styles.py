"""Styles: a variation is a style (tempo, density, ornament, colour...) and a plan of sections.

Styles are written in small TOML files (read by style_files.py); `beach` and `photograph` ship in
sketchbook/presets/.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from sketchbook.music.errors import SketchbookError
from sketchbook.music.model import DYNAMICS, Meter
from sketchbook.music.techniques import TECHNIQUES


@dataclass(frozen=True, slots=True)
class SectionPlan:
    """One section of a variation: the techniques it develops the motif with, and its own levers.

    A lever left as None follows the style's value.
    """

    name: str
    techniques: tuple[str, ...]
    min_bars: int = 4
    dynamic: str = "p"
    peak: str | None = None
    tempo: int | None = None
    tempo_text: str | None = None
    density: float | None = None
    ornament: float | None = None
    colour: float | None = None
    articulation: float | None = None
    rubato: float | None = None


@dataclass(frozen=True, slots=True)
class Style:
    """A variation's character: the three levers (tempo, density, ornament) and the rest of its sound."""

    name: str
    tempo: int
    density: float
    ornament: float
    colour: float
    dynamics: tuple[str, str]
    articulation: float
    rubato: float
    sections: tuple[SectionPlan, ...]
    tempo_text: str = ""
    description: str = ""
    pedal: bool = True
    swell: bool = True
    meter: str = "source"  # "source" keeps the motif's metre; "3/4" re-bars it (metric transformation)
    tempo_sway: float = 0.0  # the seed moves every tempo by up to this share, the same way in both pieces

    def __post_init__(self) -> None:
        if not 20 <= self.tempo <= 400:
            raise SketchbookError(f"style {self.name!r}: tempo {self.tempo} must be 20..400 bpm")
        parse_meter(self.meter, what=f"style {self.name!r}: meter")
        if not 0.0 <= self.tempo_sway <= 0.5:
            raise SketchbookError(f"style {self.name!r}: tempo_sway {self.tempo_sway} must be between 0 and 0.5")
        for lever in ("density", "ornament", "colour", "articulation", "rubato"):
            value = getattr(self, lever)
            if not 0.0 <= value <= 1.0:
                raise SketchbookError(f"style {self.name!r}: {lever} {value} must be between 0 and 1")
        if len(self.dynamics) != 2:
            raise SketchbookError(f"style {self.name!r}: dynamics needs two marks, soft and loud, e.g. ['pp', 'mp']")
        for mark in self.dynamics:
            if mark not in DYNAMICS:
                raise SketchbookError(f"style {self.name!r}: unknown dynamic {mark!r}")
        if not self.sections:
            raise SketchbookError(f"style {self.name!r} needs at least one [[section]]")


def parse_meter(text: str, *, what: str = "--meter") -> Meter | None:
    """'source' (None: keep the motif's metre) or a time signature such as '3/4' or '6/8'."""
    if text == "source":
        return None
    top, _, bottom = str(text).partition("/")
    try:
        return Meter(int(top), int(bottom))
    except ValueError:
        raise SketchbookError(f"{what} {text!r} must be 'source' or a time signature such as 3/4 or 6/8") from None


def style_from_dict(data: dict, *, origin: str = "preset") -> Style:
    """Build and check a Style from parsed TOML."""
    try:
        sections = tuple(_section(s, origin) for s in data.get("section", ()))
        known = {f.name for f in fields(Style)} - {"sections"}
        unknown = set(data) - known - {"section"}
        if unknown:
            raise SketchbookError(f"{origin}: unknown setting(s) {', '.join(sorted(unknown))}")
        values = {k: v for k, v in data.items() if k in known}
        if "dynamics" in values:
            values["dynamics"] = tuple(values["dynamics"])
        for number in ("density", "ornament", "colour", "articulation", "rubato", "tempo_sway"):
            if number in values:
                values[number] = float(values[number])
        return Style(sections=sections, **values)
    except (TypeError, ValueError) as exc:  # wrong types in the TOML, e.g. density = "fast"
        raise SketchbookError(f"{origin}: {exc}") from None


def _section(data: dict, origin: str) -> SectionPlan:
    known = {f.name for f in fields(SectionPlan)}
    unknown = set(data) - known
    if unknown:
        raise SketchbookError(f"{origin}: unknown section setting(s) {', '.join(sorted(unknown))}")
    plan = SectionPlan(**{**data, "techniques": tuple(data.get("techniques", ("statement",)))})
    for technique in plan.techniques:
        if technique.split(":")[0] not in TECHNIQUES:
            raise SketchbookError(f"{origin}: section {plan.name!r}: unknown technique {technique!r}")
    for mark in filter(None, (plan.dynamic, plan.peak)):
        if mark not in DYNAMICS:
            raise SketchbookError(f"{origin}: section {plan.name!r}: unknown dynamic {mark!r}")
    if plan.min_bars < 1:
        raise SketchbookError(f"{origin}: section {plan.name!r}: min_bars must be at least 1")
    # A section's own levers obey the same ranges as the style's.
    if plan.tempo is not None and not 20 <= plan.tempo <= 400:
        raise SketchbookError(f"{origin}: section {plan.name!r}: tempo {plan.tempo} must be 20..400 bpm")
    for lever in ("density", "ornament", "colour", "articulation", "rubato"):
        value = getattr(plan, lever)
        if value is not None and not 0.0 <= value <= 1.0:
            raise SketchbookError(f"{origin}: section {plan.name!r}: {lever} {value} must be between 0 and 1")
    return plan


TEMPO_WORDS = ((60, "Largo"), (76, "Adagio"), (96, "Andante"), (112, "Moderato"), (132, "Allegro"),
               (168, "Vivace"), (401, "Presto"))


def tempo_word(bpm: int) -> str:
    """The Italian tempo word a player expects at this metronome mark."""
    return next(word for limit, word in TEMPO_WORDS if bpm < limit)


def swayed(style: Style, draw: float, *, compound: bool = False) -> Style:
    """Every tempo of the style moved by the seed's ``draw`` (0..1) within its sway.

    Both pieces of a sketch take the same draw, so the photograph's return still lands on the beach's
    tempo. Tempos are multiples of three, so a dotted-quarter or half-note mark stays a whole number.
    """
    if not style.tempo_sway:
        return style
    factor = 1 + style.tempo_sway * (2 * draw - 1)

    def move(bpm: int) -> int:
        return max(21, min(399, 3 * round(bpm * factor / 3)))

    plans = tuple(replace(p, tempo=None if p.tempo is None else move(p.tempo)) for p in style.sections)
    return replace(style, tempo=move(style.tempo), sections=plans)


def with_levers(style: Style, *, tempo: int | None = None, density: float | None = None,
                ornament: float | None = None, meter: str | None = None) -> Style:
    """The style with the user's lever overrides applied to the style-wide values."""
    changes = {k: v for k, v in (("tempo", tempo), ("density", density), ("ornament", ornament), ("meter", meter))
               if v is not None}
    if tempo is not None and tempo != style.tempo:
        changes["tempo_text"] = tempo_word(tempo)  # "Presto agitato" would lie at 60 bpm
    try:
        return replace(style, **changes)
    except ValueError as exc:
        raise SketchbookError(str(exc)) from None


def morph(beach: Style, photograph: Style, t: float) -> Style:
    """A style between two: every number interpolated at ``t`` (0 = first, 1 = second); plan from the nearer."""
    if not 0.0 <= t <= 1.0:
        raise SketchbookError(f"--morph {t} must be between 0 and 1")
    near = beach if t < 0.5 else photograph

    def mix(a: float, b: float) -> float:
        return a * (1 - t) + b * t  # exact at both ends, unlike a + (b - a) * t

    soft = DYNAMICS[round(mix(DYNAMICS.index(beach.dynamics[0]), DYNAMICS.index(photograph.dynamics[0])))]
    loud = DYNAMICS[round(mix(DYNAMICS.index(beach.dynamics[1]), DYNAMICS.index(photograph.dynamics[1])))]
    return replace(
        near,
        name=f"morph-{t:g}",
        tempo=round(mix(beach.tempo, photograph.tempo)),
        tempo_text=beach.tempo_text if t == 0 else photograph.tempo_text if t == 1 else tempo_word(
            round(mix(beach.tempo, photograph.tempo))),
        density=mix(beach.density, photograph.density),
        ornament=mix(beach.ornament, photograph.ornament),
        colour=mix(beach.colour, photograph.colour),
        articulation=mix(beach.articulation, photograph.articulation),
        rubato=mix(beach.rubato, photograph.rubato),
        dynamics=(soft, loud),
    )
