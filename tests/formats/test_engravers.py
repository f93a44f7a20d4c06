"""Real engravers on written scores: LilyPond (musicxml2ly, then lilypond) and MuseScore 3 print no message."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sketchbook.formats.tinynotation import parse_motif_text
from sketchbook.load import load_motif
from sketchbook.request import develop_variation
from tests.formats.test_readable_scores import GENERATED, generated_tn
from tests.writers import write_musicxml

# Pickups and compound metres: kite (6/8, pickup), moth (9/8), lantern (4/4, pickup), a generated 4/2 in F minor.
SCORES = (("kite", "photograph"), ("moth", "beach"), ("lantern", "photograph"), ("4/2", "beach"))
_NOISE = ("Reading MusicXML", "Converting to LilyPond", "Output to", "Converting to current version",
          "Processing", "Parsing", "Interpreting music", "Preprocessing", "Finding the ideal", "Fitting music",
          "Drawing systems", "Converting to", "Layout output", "Success: compilation", "GNU LilyPond",
          "Changing working directory")  # fmt: skip


def score(name: str, variation: str, folder: Path) -> Path:
    if name == "4/2":
        meter, key = next(g for g in GENERATED if g[0] == (4, 2) and g[1][3] == "minor")
        motif = parse_motif_text(generated_tn(meter, key, seed=sum(meter) + key[2]), name="broad")
    else:
        motif = load_motif(name)
    path = folder / f"{motif.name}-{variation}.musicxml"
    write_musicxml(develop_variation(motif, variation, seed=3).piece, path)
    return path


def messages(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip() and not any(n in line for n in _NOISE)
            and not line.strip().startswith("[") and not line.strip().isdigit()]  # fmt: skip


@pytest.mark.skipif(shutil.which("lilypond") is None or shutil.which("musicxml2ly") is None,
                    reason="needs LilyPond 2.24 (musicxml2ly and lilypond)")  # fmt: skip
@pytest.mark.parametrize(("name", "variation"), SCORES)
def test_lilypond_engraves_without_a_warning(tmp_path: Path, name: str, variation: str):
    path = score(name, variation, tmp_path)
    ly = tmp_path / "score.ly"
    converted = subprocess.run(["musicxml2ly", "-o", str(ly), str(path)], capture_output=True, text=True, timeout=120)
    assert converted.returncode == 0
    assert messages(converted.stdout + converted.stderr) == []
    text = ly.read_text()
    title = f"{path.stem.split('-')[0]}: {variation}"
    assert text.count(f'"{title}"') == 1, "the title is printed once"
    engraved = subprocess.run(["lilypond", "-o", str(tmp_path / "score"), str(ly)], capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)  # fmt: skip
    assert engraved.returncode == 0
    problems = [line for line in messages(engraved.stdout + engraved.stderr)
                if "warning" in line.lower() or "error" in line.lower()]  # fmt: skip
    assert problems == []
    assert (tmp_path / "score.pdf").stat().st_size > 0


@pytest.mark.skipif(shutil.which("mscore3") is None, reason="needs MuseScore 3 (apt-get install musescore3)")
@pytest.mark.parametrize(("name", "variation"), SCORES[:2])
def test_musescore_imports_without_a_message(tmp_path: Path, name: str, variation: str):
    path = score(name, variation, tmp_path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(["mscore3", "-o", str(tmp_path / "score.png"), str(path)], capture_output=True,
                          text=True, timeout=300, env=env)  # fmt: skip
    output = done.stdout + done.stderr
    lines = [line for line in output.splitlines()
             if line.strip() and not line.startswith(("convert <", "\tto <", "... success")) and "to <" not in line]
    assert lines == [], output
    assert list(tmp_path.glob("score*.png"))
