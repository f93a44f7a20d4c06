"""What a user gets from a wheel: the motifs and presets travel inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from sketchbook.cli import app

REPO = Path(__file__).resolve().parent.parent


def test_motifs_with_none_found_is_an_error_naming_the_folder(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SKETCHBOOK_MOTIFS", str(tmp_path))
    result = runner.invoke(app, ["motifs"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no motifs found" in lines[0] and str(tmp_path) in lines[0]


def test_the_repository_motifs_folder_is_the_packaged_one():
    assert (REPO / "motifs").resolve() == (REPO / "sketchbook" / "motifs").resolve()
    assert sorted(p.name for p in (REPO / "sketchbook" / "motifs").glob("*.tn"))


def test_the_wheel_carries_every_motif_and_preset(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("sketchbook-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for motif in (REPO / "sketchbook" / "motifs").glob("*.tn"):
        assert f"sketchbook/motifs/{motif.name}" in names
    for preset in (REPO / "sketchbook" / "presets").glob("*.toml"):
        assert f"sketchbook/presets/{preset.name}" in names
    assert not any(n.startswith(("motifs/", "tests/", "output/")) for n in names)
