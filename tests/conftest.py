"""Shared fixtures for the sketchbook tests."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
MOTIFS = sorted((REPO / "motifs").glob("*.tn"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def rng() -> random.Random:
    return random.Random(1234)


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich colours and wide tables vary with the terminal; tests read plain text.
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
