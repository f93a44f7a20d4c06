"""benchmarks/run.py runs end to end in --quick mode and prints its table (figures, not timing assertions)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_quick_benchmark_prints_every_row_of_the_table():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick"], capture_output=True,
                          text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("sketchbook benchmarks:") and "--quick" in lines[0]
    assert lines[1].split()[:4] == ["check", "ours", "floor", "ratio"] and set(lines[2]) <= {"-", " "}
    rows = {line.split("  ")[0]: line for line in lines[3:]}
    expected = ["start-up: sketchbook --help", "start-up: sketchbook motifs", "main job: sketchbook develop",
                "growth, ms per bar at 8 / 16 / 32 bars: the whole job",
                "growth, ms per bar at 8 / 16 / 32 bars: of which MIDI writer",
                "growth, ms per bar at 8 / 16 / 32 bars: of which MusicXML writer", "growth, peak KiB per bar",
                "batch: 4 sketches"]
    assert any(check.startswith("main job") and "<= 0.5x" in line for check, line in rows.items())  # issue 13
    for label in expected:
        assert any(check.startswith(label) for check in rows), f"no row {label!r} in:\n{done.stdout}"
    for check, line in rows.items():
        if check.startswith(("start-up", "main job", "batch")):
            # every comparison shows both measured sides, a ratio and a verdict against its target
            assert re.search(r"\d+ ms .*\d+ ms\s+\d+\.\d\dx\s+[<>]= [01]\.[57]x", line), line
            assert line.rstrip().endswith(("ok", "MISS")), line


def test_help_and_motifs_start_without_rich_or_pydantic():
    """The start-up figures depend on it: typer's rich help and its pydantic checks cost more than typer."""
    code = ("import sys\nfrom sketchbook.cli import app\n"
            "for args in (['--help'], ['motifs'], ['develop', '--help']):\n"
            "    try:\n        app(args, prog_name='sketchbook')\n    except SystemExit:\n        pass\n"
            "print(sorted(m for m in ('rich', 'pydantic', 'music21', 'numpy', 'mido') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
