"""The plan of a developed piece (batch.plan_rows) as a table a composer can learn from."""

from __future__ import annotations

from sketchbook.batch import COLUMNS, PlanRow
from sketchbook.music.accompany import FIGURES
from sketchbook.music.techniques import TECHNIQUES


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
