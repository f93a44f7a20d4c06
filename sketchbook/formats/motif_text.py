"""The header of a bundled `.tn` motif file, read without parsing the melody (for a fast `motifs` listing)."""

from __future__ import annotations


def motif_description(text: str) -> str:
    """The first comment line of a `.tn` file (before the melody) that is not a key or pickup header."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        comment = stripped.lstrip("#").strip()
        if comment and comment.partition(":")[0].strip().lower() not in ("key", "pickup"):
            return comment
    return ""
