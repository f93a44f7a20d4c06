"""A sketch.json read for `develop --from`, checked field by field against the command line's own limits.

The record may have been edited by hand or planted: every value it holds goes through the same checks
as the options it stands for (api.plan for the levers), so `--from` can do nothing the CLI refuses.
"""

from __future__ import annotations

from sketchbook.errors import SketchbookError

MAX_SEED = 2**63 - 1  # as --seed
MAX_VARIATIONS = 2


def checked_seed(record: dict, where: str) -> int:
    seed = record.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise SketchbookError(f"{where}: seed must be a whole number from 0 to {MAX_SEED}, not {_shown(seed)}")
    return seed


def checked_levers(stored, given: dict, names: tuple[str, ...], where: str) -> dict:
    """The record's levers, overridden by the ones given on the command line, each checked like its option."""
    from sketchbook.api import plan

    if stored is None:
        stored = {}
    if not isinstance(stored, dict):
        raise SketchbookError(f"{where}: levers must be a JSON object, not {_shown(stored)}")
    unknown = sorted(str(k) for k in stored if k not in names)
    if unknown:
        raise SketchbookError(f"{where}: unknown lever {_shown(unknown[0])} (known: {', '.join(names)})")
    merged = {k: (given.get(k) if given.get(k) is not None else stored.get(k)) for k in names}
    if merged.get("preset") is not None and not isinstance(merged["preset"], str):
        raise SketchbookError(f"{where}: levers.preset must be a file name in quotes, not {_shown(merged['preset'])}")
    try:
        plan(None, flag="levers.", **merged)  # the same types and ranges as --tempo, --bars, ... and the preset's
    except SketchbookError as exc:
        raise SketchbookError(f"{where}: {exc}") from None
    return merged


def checked_variations(record: dict, where: str) -> tuple[str, ...]:
    listed = record.get("variations") or ("beach", "photograph")
    if isinstance(listed, dict):
        listed = list(listed)
    if not isinstance(listed, (list, tuple)) or not all(isinstance(v, str) for v in listed):
        raise SketchbookError(f"{where}: variations must name the pieces, e.g. [\"beach\", \"photograph\"]")
    if not 1 <= len(listed) <= MAX_VARIATIONS:
        raise SketchbookError(f"{where}: a sketch has 1 or {MAX_VARIATIONS} variations, not {len(listed)}")
    if len(set(listed)) != len(listed):
        twice = next(v for v in listed if listed.count(v) > 1)
        raise SketchbookError(f"{where}: variations name {_shown(twice)} twice; each piece is written once")
    return tuple(listed)


def _shown(value) -> str:
    text = repr(value) if not isinstance(value, float) else f"{value:g}"
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 40 else text[:37] + "..."
