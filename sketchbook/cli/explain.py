"""The plan of a developed piece as a table a composer can learn from."""

from __future__ import annotations

from dataclasses import dataclass

from sketchbook.music.accompany import FIGURES
from sketchbook.music.levers import level
from sketchbook.music.techniques import TECHNIQUES
from sketchbook.music.variation import Variation

COLUMNS = ("bars", "section", "techniques", "texture", "tempo", "density", "ornament", "dynamic")


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One section of a piece's plan, as --explain shows it."""

    bars: str  # "first-last", counted from 1
    section: str
    techniques: tuple[str, ...]
    texture: tuple[str, ...]
    tempo: int
    density: float
    ornament: float
    dynamic: str

    def cells(self) -> list[str]:
        return [", ".join(v) if isinstance(v, tuple) else str(v) for v in (getattr(self, c) for c in COLUMNS)]


def plan_rows(result: Variation) -> list[PlanRow]:
    """One row per section: bar range, name, techniques, texture, tempo, density, ornament level, dynamic."""
    return [
        PlanRow(bars=f"{s.start_bar + 1}-{s.end_bar}", section=s.name, techniques=tuple(s.techniques),
                texture=tuple(s.textures), tempo=s.tempo, density=round(level(s.levers.density), 2),
                ornament=round(level(s.levers.ornament), 2), dynamic=s.dynamic)
        for s in result.piece.sections
    ]  # fmt: skip


def rows_table(title: str, rows: tuple[PlanRow, ...] | list[PlanRow]):
    """A rich Table from plan rows, captioned with what the techniques and textures mean."""
    from rich.table import Table

    table = Table(title=f"{title}: plan", title_justify="left")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in ("tempo", "density", "ornament") else "left")
    used: list[str] = []
    figures: list[str] = []
    for row in rows:
        table.add_row(*row.cells())
        for technique in row.techniques:
            base = technique.split(":")[0]
            if base not in used:
                used.append(base)
    for row in rows:
        figures.extend(f for f in row.texture if f and f not in figures)
    table.caption = "; ".join([f"{t}: {TECHNIQUES[t]}" for t in used if t in TECHNIQUES]
                              + [f"{f}: {FIGURES[f]}" for f in figures if f in FIGURES])
    table.caption_justify = "left"
    return table
