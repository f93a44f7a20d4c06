"""The user's request: which variations, and the levers turned beyond each variation's own style.

`plan` checks a request the same way wherever it comes from (the command line, Python, a sketch.json),
and `style_for` turns it into the style a variation is developed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sketchbook.music.errors import SketchbookError
from sketchbook.music.levers import FASTEST, SLOWEST, Levers

if TYPE_CHECKING:  # annotations only: the command line's start-up stays light
    from sketchbook.music.model import Motif, Piece
    from sketchbook.music.styles import Style
    from sketchbook.music.variation import Variation

LEVERS = ("tempo", "density", "ornament", "morph", "preset", "bars", "meter")  # sketch.json's "levers", in order
TURNED = ("tempo", "density", "ornament")  # the ones laid over the style's own levers
VARIATION_CHOICES = ("beach", "photograph", "all")
MAX_BARS = 20_000


@dataclass(frozen=True, slots=True)
class Request:
    """What the user asked for beyond the variation: lever overrides, morph, preset, length, metre."""

    levers: Levers = field(default_factory=Levers)  # tempo, density, ornament: laid over the style's
    morph: float | None = None
    preset: str | None = None
    bars: int | None = None
    meter: str | None = None  # the beach's metre: "3/4" by default, "source" keeps the motif's

    def as_dict(self) -> dict[str, object]:
        """The request as sketch.json's "levers" object (and as `plan` takes it)."""
        turned = {k: getattr(self.levers, k) for k in TURNED}
        return {k: turned[k] if k in turned else getattr(self, k) for k in LEVERS}


def plan(variation: str | None = None, *, flag: str = "", **levers: object) -> tuple[tuple[str, ...], Request]:
    """Check the variation and levers together; give the variations to develop and the Request.

    ``flag`` is put before each name in messages ("--" on the command line, "" in Python).
    """
    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise SketchbookError(f"unknown lever {unknown[0]!r}: choose from {', '.join(LEVERS)}")
    tempo, density, ornament, morph, preset, bars, meter = (levers.get(k) for k in LEVERS)
    if meter is not None:
        from sketchbook.music.styles import parse_meter

        if not isinstance(meter, str):
            raise SketchbookError(f"{flag}meter {meter!r} must be 'source' or a time signature such as 3/4")
        parse_meter(meter, what=f"{flag}meter")
    for label, value in (("density", density), ("ornament", ornament), ("morph", morph)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0.0 <= value <= 1.0):
            raise SketchbookError(f"{flag}{label} {value} must be a number between 0 and 1")
    for label, value, low, high in (("tempo", tempo, SLOWEST, FASTEST), ("bars", bars, 1, MAX_BARS)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            raise SketchbookError(f"{flag}{label} {value} must be a whole number between {low} and {high}")
    if variation is not None and variation not in VARIATION_CHOICES:
        raise SketchbookError(f"{flag}variation {variation!r} is not allowed: choose beach, photograph or all")
    if morph is not None and preset is not None:
        raise SketchbookError(f"{flag}morph and {flag}preset cannot be combined")
    for label, value in (("morph", morph), ("preset", preset)):
        if value is not None and variation is not None:  # either makes its own single piece
            raise SketchbookError(f"{flag}{label} makes one piece of its own; leave out {flag}variation {variation}")
    variations: tuple[str, ...] = ("beach", "photograph") if variation in (None, "all") else (str(variation),)
    if morph is not None:
        variations = ("morph",)
    elif preset is not None:
        from sketchbook.files import NAME_PATTERN
        from sketchbook.style_files import VARIATIONS, load_preset

        style_name = load_preset(str(preset)).name
        ok = NAME_PATTERN.match(style_name) and style_name not in VARIATIONS
        variations = (style_name if ok else "preset",)  # files named after the style, e.g. storm.mid
    request = Request(
        Levers(tempo=tempo if isinstance(tempo, int) else None,
               density=float(density) if isinstance(density, (int, float)) else None,
               ornament=float(ornament) if isinstance(ornament, (int, float)) else None),
        morph=float(morph) if isinstance(morph, (int, float)) else None,
        preset=str(preset) if preset is not None else None,
        bars=bars if isinstance(bars, int) else None,
        meter=meter if isinstance(meter, str) else None,
    )
    return variations, request


def style_for(variation: str, request: Request) -> Style:
    """The style a variation is developed in, after preset, morph and lever overrides."""
    from sketchbook.music.styles import morph, with_levers
    from sketchbook.style_files import VARIATIONS, load_preset, load_style

    if request.preset is not None:
        style = load_preset(request.preset)
    elif request.morph is not None:
        style = morph(load_style("beach"), load_style("photograph"), request.morph)
    elif variation in VARIATIONS:
        style = load_style(variation)
    else:
        raise SketchbookError(f"unknown variation {variation!r}: choose beach or photograph")
    return with_levers(style, request.levers, meter=request.meter)


def develop_variation(motif: Motif, variation: str, *, seed: int, request: Request = Request()) -> Variation:
    """Compose and perform one variation; the same motif, variation, request and seed give the same result."""
    from sketchbook.music.variation import make_variation

    return make_variation(motif, variation, style_for(variation, request), seed=seed, bars=request.bars,
                          sway=request.levers.tempo is None)


def compose_only(motif: Motif, variation: str, *, seed: int, request: Request = Request()) -> Piece:
    """The written piece develop_variation would perform, composed alone (its score engraved elsewhere)."""
    from sketchbook.music.variation import compose_variation

    return compose_variation(motif, variation, style_for(variation, request), seed=seed, bars=request.bars,
                             sway=request.levers.tempo is None)
