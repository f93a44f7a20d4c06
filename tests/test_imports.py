"""The core and the CLI's help stay light: music21, pretty_midi and numpy load only when a file needs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("music21", "pretty_midi", "numpy")
CORE = ("sketchbook.music.model", "sketchbook.music.theory", "sketchbook.music.transform",
        "sketchbook.music.embellish", "sketchbook.music.harmony", "sketchbook.music.compose",
        "sketchbook.music.perform",
        "sketchbook.music.variation", "sketchbook.request", "sketchbook.style_files", "sketchbook.files",
        "sketchbook.sketch_folder", "sketchbook.load", "sketchbook.api", "sketchbook.cli")
COMMANDS = (["--help"], ["develop", "--help"], ["motifs", "--help"], ["motifs"])

# Runs in a fresh interpreter: each step, then which heavy modules are loaded so far, as JSON.
_PROBE = """
import importlib, json, sys
heavy = {heavy!r}
loaded = {{}}
for module in {modules!r}:
    importlib.import_module(module)
    loaded[module] = sorted(m for m in heavy if m in sys.modules)
if {commands!r}:
    from sketchbook.cli import app
    for arguments in {commands!r}:
        try:
            app(arguments, prog_name="sketchbook")
        except SystemExit:
            pass
        loaded[" ".join(arguments)] = sorted(m for m in heavy if m in sys.modules)
print(json.dumps(loaded))
"""


def _probe(modules=(), commands=()) -> dict[str, list[str]]:
    code = _PROBE.format(heavy=HEAVY, modules=list(modules), commands=[list(c) for c in commands])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "100", "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_core_loads_no_heavy_library():
    loaded = _probe(modules=CORE)
    assert loaded == {module: [] for module in CORE}


def test_cli_help_and_motifs_load_no_heavy_library():
    loaded = _probe(commands=COMMANDS)
    assert loaded == {" ".join(c): [] for c in COMMANDS}


def test_the_probe_sees_a_heavy_import():
    assert _probe(modules=("pretty_midi",)) == {"pretty_midi": ["numpy", "pretty_midi"]}
