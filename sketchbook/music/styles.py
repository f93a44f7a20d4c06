"""Styles: a variation is a style (tempo, density, ornament, colour...) and a plan of sections.

Styles are written in small TOML files (read by style_files.py); `beach` and `photograph` ship in
sketchbook/presets/.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from sketchbook.music.errors import SketchbookError
from sketchbook.music.levers import NUMBERS, Levers, level, tempo_of
from sketchbook.music.model import DYNAMICS, Meter
from sketchbook.music.techniques import TECHNIQUES


@dataclass(frozen=True, slots=True)
class SectionPlan:
    """One section of a variation: the techniques it develops the motif with, and the levers it changes.

    A lever it leaves unset follows the style's.
    """

    name: str
    techniques: tuple[str, ...]
    min_bars: int = 4
    dynamic: str = "p"
    peak: str | None = None
    levers: Levers = field(default_factory=Levers)


@dataclass(frozen=True, slots=True)
class Style:
    """A variation's character: its levers (every one set) and the rest of its sound, and its plan."""

    name: str
    levers: Levers
    dynamics: tuple[str, str]
    sections: tuple[SectionPlan, ...]
    description: str = ""
    pedal: bool = True
    swell: bool = True
    meter: str = "source"  # "source" keeps the motif's metre; "3/4" re-bars it (metric transformation)
    tempo_sway: float = 0.0  # the seed moves every tempo by up to this share, the same way in both pieces

    def __post_init__(self) -> None:
        missing = self.levers.missing()
        if missing:
            raise SketchbookError(f"style {self.name!r} needs {', '.join(missing)}")
        problem = self.levers.problem()
        if problem:
            raise SketchbookError(f"style {self.name!r}: {problem}")
        parse_meter(self.meter, what=f"style {self.name!r}: meter")
        if not 0.0 <= self.tempo_sway <= 0.5:
            raise SketchbookError(f"style {self.name!r}: tempo_sway {self.tempo_sway} must be between 0 and 0.5")
        if len(self.dynamics) != 2:
            raise SketchbookError(f"style {self.name!r}: dynamics needs two marks, soft and loud, e.g. ['pp', 'mp']")
        for mark in self.dynamics:
            if mark not in DYNAMICS:
                raise SketchbookError(f"style {self.name!r}: unknown dynamic {mark!r}")
        if not self.sections:
            raise SketchbookError(f"style {self.name!r} needs at least one [[section]]")

    def section_levers(self) -> list[Levers]:
        """Each section's resolved levers: its own over the style's."""
        return [plan.levers.over(self.levers) for plan in self.sections]


def parse_meter(text: str, *, what: str = "--meter") -> Meter | None:
    """'source' (None: keep the motif's metre) or a time signature such as '3/4' or '6/8'."""
    if text == "source":
        return None
    top, _, bottom = str(text).partition("/")
    try:
        return Meter(int(top), int(bottom))
    except ValueError:
        raise SketchbookError(f"{what} {text!r} must be 'source' or a time signature such as 3/4 or 6/8") from None


LEVER_NAMES = tuple(f.name for f in fields(Levers))


def style_from_dict(data: dict, *, origin: str = "preset") -> Style:
    """Build and check a Style from parsed TOML, where the levers sit flat beside the other settings."""
    try:
        sections = tuple(_section(s, origin) for s in data.get("section", ()))
        known = {f.name for f in fields(Style)} - {"sections", "levers"}
        unknown = set(data) - known - set(LEVER_NAMES) - {"section"}
        if unknown:
            raise SketchbookError(f"{origin}: unknown setting(s) {', '.join(sorted(unknown))}")
        values = {k: v for k, v in data.items() if k in known}
        if "dynamics" in values:
            values["dynamics"] = tuple(values["dynamics"])
        if "tempo_sway" in values:
            values["tempo_sway"] = float(values["tempo_sway"])
        levers = _levers(data)
        return Style(levers=replace(levers, tempo_text=levers.tempo_text or ""), sections=sections, **values)
    except (TypeError, ValueError) as exc:  # wrong types in the TOML, e.g. density = "fast"
        raise SketchbookError(f"{origin}: {exc}") from None


def _levers(data: dict) -> Levers:
    values = {k: v for k, v in data.items() if k in LEVER_NAMES}
    for number in NUMBERS:
        if number in values:
            values[number] = float(values[number])
    return Levers(**values)


def _section(data: dict, origin: str) -> SectionPlan:
    own = {f.name for f in fields(SectionPlan)} - {"levers"}
    unknown = set(data) - own - set(LEVER_NAMES)
    if unknown:
        raise SketchbookError(f"{origin}: unknown section setting(s) {', '.join(sorted(unknown))}")
    settings = {k: v for k, v in data.items() if k in own}
    plan = SectionPlan(**{**settings, "techniques": tuple(data.get("techniques", ("statement",)))},
                       levers=_levers(data))
    for technique in plan.techniques:
        if technique.split(":")[0] not in TECHNIQUES:
            raise SketchbookError(f"{origin}: section {plan.name!r}: unknown technique {technique!r}")
    for mark in filter(None, (plan.dynamic, plan.peak)):
        if mark not in DYNAMICS:
            raise SketchbookError(f"{origin}: section {plan.name!r}: unknown dynamic {mark!r}")
    if plan.min_bars < 1:
        raise SketchbookError(f"{origin}: section {plan.name!r}: min_bars must be at least 1")
    problem = plan.levers.problem()  # a section's own levers obey the same ranges as the style's
    if problem:
        raise SketchbookError(f"{origin}: section {plan.name!r}: {problem}")
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

    def move(levers: Levers) -> Levers:
        if levers.tempo is None:
            return levers
        return replace(levers, tempo=max(21, min(399, 3 * round(levers.tempo * factor / 3))))

    plans = tuple(replace(p, levers=move(p.levers)) for p in style.sections)
    return replace(style, levers=move(style.levers), sections=plans)


def with_levers(style: Style, given: Levers, *, meter: str | None = None) -> Style:
    """The style with the user's levers laid over its own (a section's own levers still win in it)."""
    if given.tempo is not None and given.tempo != style.levers.tempo and given.tempo_text is None:
        given = replace(given, tempo_text=tempo_word(given.tempo))  # "Allegro agitato" would lie at 60 bpm
    try:
        return replace(style, levers=given.over(style.levers), meter=meter or style.meter)
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
    a, b = beach.levers, photograph.levers
    tempo = round(mix(tempo_of(a), tempo_of(b)))
    levers = Levers(
        tempo=tempo,
        tempo_text=a.tempo_text if t == 0 else b.tempo_text if t == 1 else tempo_word(tempo),
        **{name: mix(level(getattr(a, name)), level(getattr(b, name))) for name in NUMBERS},
    )
    return replace(near, name=f"morph-{t:g}", levers=levers, dynamics=(soft, loud))
