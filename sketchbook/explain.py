"""The plan of a developed piece as a table a composer can learn from."""

from __future__ import annotations

from sketchbook.sketch import Variation

# What each technique means, in a teacher's words, for the table's footnotes.
TECHNIQUE_NOTES = {
    "statement": "the motif as given",
    "repetition": "the motif again (now embellished)",
    "sequence": "the motif moved by scale steps, staying in the key (tonal sequence)",
    "transpose": "the motif moved by semitones (real sequence)",
    "invert": "intervals mirrored in the scale (diatonic inversion)",
    "invert-chromatic": "intervals mirrored exactly (chromatic inversion)",
    "retrograde": "the motif backwards",
    "retrograde-inversion": "backwards and mirrored",
    "augment": "twice as slow",
    "diminish": "twice as fast, then a step higher",
    "displace": "shifted by a beat against the bar",
    "expand": "every leap a step wider",
    "contract": "every leap a step narrower",
    "fragment": "the opening cell, sequenced downward",
    "liquidate": "ever shorter cells until only a gesture remains",
    "extend": "the motif continues past its end and settles",
    "register": "notes leap by octaves (registral displacement)",
}


def plan_rows(result: Variation) -> list[dict]:
    """One row per section: bar range, name, techniques, tempo, density, ornament level, dynamic."""
    rows = []
    for s in result.piece.sections:
        rows.append({
            "bars": f"{s.start_bar + 1}-{s.end_bar}",
            "section": s.name,
            "techniques": ", ".join(s.techniques),
            "tempo": s.tempo,
            "density": round(s.density, 2),
            "ornament": round(s.ornament, 2),
            "dynamic": s.dynamic,
        })  # fmt: skip
    return rows


def plan_table(result: Variation):
    """A rich Table of the plan, captioned with what the techniques mean."""
    return rows_table(result.piece.title, plan_rows(result))


def rows_table(title: str, rows):
    """A rich Table from plan rows, captioned with what the techniques mean."""
    from rich.table import Table

    columns = ("bars", "section", "techniques", "tempo", "density", "ornament", "dynamic")
    table = Table(title=f"{title}: plan", title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in ("tempo", "density", "ornament") else "left")
    used: list[str] = []
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
        for t in row["techniques"].split(", "):
            base = t.split(":")[0]
            if base not in used:
                used.append(base)
    table.caption = "; ".join(f"{t}: {TECHNIQUE_NOTES[t]}" for t in used if t in TECHNIQUE_NOTES)
    table.caption_justify = "left"
    return table
