"""Commands for the sketchbook folder: book, render, inspect."""

from __future__ import annotations

from sketchbook.cli import app  # noqa: F401
