"""SIGTERM and SIGINT, sent to real processes: temp files go, workers stop, and the exit code is 143 or 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bounded import REPO

# fsync stands still, so the signal lands while .part files exist (forked workers inherit the stand-in).
SLOW_WRITE = """
import os, sys, time
os.fsync = lambda fd: time.sleep(120)
sys.argv = ["sketchbook", *sys.argv[1:]]
from sketchbook.cli import app
app()
"""


def start(*args: str, script: str = SLOW_WRITE) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(condition, timeout: float = 60) -> None:
    stop = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < stop, "timed out waiting"
        time.sleep(0.1)


def parts(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(".")] if folder.exists() else []


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_a_write_leaves_nothing_and_exits_conventionally(tmp_path, signum, code):
    out = tmp_path / "out"
    process = start("develop", "tide", "--out", str(out), "-q")
    wait_for(lambda: any(p.name.endswith(".part") for p in parts(out)))
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert parts(out) == [] and not any(out.rglob("*.mid"))


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_to_a_batch_stops_every_worker_and_removes_their_part_files(tmp_path, signum, code):
    out = tmp_path / "out"
    process = start("develop", "tide", "--seeds", "1-4", "--jobs", "2", "--out", str(out), "-q")
    wait_for(lambda: len([p for p in parts(out) if p.name.endswith(".part")]) >= 2)
    workers = children(process.pid)
    assert len(workers) >= 2
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    wait_for(lambda: not any(alive(w) for w in workers), timeout=10)
    wait_for(lambda: parts(out) == [], timeout=5)


def test_a_batch_killed_outright_leaves_no_orphan_workers(tmp_path):
    out = tmp_path / "out"
    process = start("develop", "tide", "--seeds", "1-4", "--jobs", "2", "--out", str(out), "-q")
    wait_for(lambda: len([p for p in parts(out) if p.name.endswith(".part")]) >= 2)
    workers = children(process.pid)
    process.kill()
    process.communicate(timeout=30)
    # The kernel tells each worker its parent died (PR_SET_PDEATHSIG); each cleans up and leaves.
    wait_for(lambda: not any(alive(w) for w in workers), timeout=15)
    wait_for(lambda: parts(out) == [], timeout=15)


SLOW_RENDER = """
import sys, time
import sketchbook.audio as audio
real = audio._write_normalised
def slow(*args):
    real(*args)
    time.sleep(120)
audio._write_normalised = slow
sys.argv = ["sketchbook", *sys.argv[1:]]
from sketchbook.cli import app
app()
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_render_removes_its_temp_files(tmp_path, signum, code):
    from tests.sketch_fixtures import write_midi

    midi = write_midi(tmp_path / "tune.mid")
    process = start("render", str(midi), script=SLOW_RENDER)
    wait_for(lambda: any(p.name.startswith(".tune.wav.") and p.stat().st_size > 100 for p in tmp_path.iterdir()))
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tune.mid"]


# Each page stands still once written to its temp file, so the signal lands while a .part file exists.
SLOW_PAGE = """
import pathlib, sys, time
write = pathlib.Path.write_text
def slow(self, *args, **kwargs):
    written = write(self, *args, **kwargs)
    if self.name.endswith(".part"):
        time.sleep(120)
    return written
pathlib.Path.write_text = slow
sys.argv = ["sketchbook", *sys.argv[1:]]
from sketchbook.cli import app
app()
"""
PLAIN = "import sys\nsys.argv = ['sketchbook', *sys.argv[1:]]\nfrom sketchbook.cli import app\napp()\n"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_book_stops_its_engravers_and_leaves_no_part_files(tmp_path, signum, code):
    """A one-page book engraves in child processes: the signal lands once they are at work."""
    import shutil

    from sketchbook.book.build import SPLIT_AT
    from tests.sketch_fixtures import make_sketch

    source = make_sketch(tmp_path / "src")
    book = tmp_path / "book"
    for i in range(SPLIT_AT):
        shutil.copytree(source, book / f"tide-s{i}")
    process = start("book", str(book), script=PLAIN)
    wait_for(lambda: bool(children(process.pid)) or process.poll() is not None)  # engravers start after a scan
    engravers = children(process.pid)
    assert engravers, process.communicate()[1]
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    wait_for(lambda: not any(alive(pid) for pid in engravers), timeout=10)
    assert not [p for p in book.rglob(".*") if p.is_file()]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_a_large_book_writes_its_pages_leaves_no_part_files(tmp_path, signum, code):
    import shutil

    from tests.sketch_fixtures import make_sketch

    source = make_sketch(tmp_path / "src")
    book = tmp_path / "book"
    for i in range(200):
        shutil.copytree(source, book / f"tide-s{i}")
    process = start("book", str(book), script=SLOW_PAGE)
    wait_for(lambda: bool(parts(book / "_pages")) or process.poll() is not None)
    assert parts(book / "_pages"), process.communicate()[1]
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert not [p for p in book.rglob(".*") if p.is_file()]
