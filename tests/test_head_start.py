"""The develop worker begun at launch: the same files and words as the work done here, and no process left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sketchbook import aside, head_start
from sketchbook.batch import Order, develop_report
from sketchbook.cli import app
from sketchbook.music.errors import SketchbookError
from tests.bounded import REPO

forks = pytest.mark.skipif(not aside.can_fork(), reason="needs Linux, two cores and no other thread")

LAUNCH = "import sys; sys.argv = ['sketchbook', *sys.argv[1:]]; from sketchbook.launch import main; main()"
# fsync stands still, so a signal lands while .part files exist (the forked worker inherits the stand-in).
SLOW_WRITE = "import os, time; os.fsync = lambda fd: time.sleep(120); " + LAUNCH


def order(out: Path, **changes) -> Order:
    plain: Order = {
        "motifs": ["tide"], "variation": None, "seed": 3, "seeds": None, "out": str(out), "name": None,
        "force": False, "explain": True, "audio": False, "from_sketch": None, "jobs": None,
        "levers": dict.fromkeys(("tempo", "density", "ornament", "morph", "preset", "bars", "meter")),
        "reading": dict.fromkeys(("meter", "grid", "track", "part", "bars_from")),
    }
    return {**plain, **changes}  # type: ignore[typeddict-item]


def launch(*args: str, script: str = LAUNCH, cwd: Path | None = None, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **popen)


def nobody_left(session: int) -> bool:
    try:
        os.killpg(session, 0)
    except ProcessLookupError:
        return True
    return False


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@forks
def test_the_worker_writes_the_same_bytes_and_reports_the_same_facts_as_the_work_done_here(tmp_path):
    head_start.begin(["sketchbook", "develop"])
    worker = head_start.claim()
    assert worker is not None and worker.pid != os.getpid()
    there = worker.run(order(tmp_path / "there"))
    here = develop_report(order(tmp_path / "here"))
    assert there is not None
    assert files(tmp_path / "there" / "tide") == files(tmp_path / "here" / "tide")
    for report in (there, here):
        for sketch in report["sketches"]:
            sketch["written"] = [Path(p).name for p in sketch["written"]]
    assert there == here
    assert [p["name"] for p in there["sketches"][0]["pieces"]] == ["beach", "photograph"]
    assert there["sketches"][0]["pieces"][0]["plan"] is not None  # --explain's rows came across the pipe


@forks
def test_a_mistake_in_the_worker_comes_back_as_the_users_error(tmp_path):
    head_start.begin(["sketchbook", "develop"])
    worker = head_start.claim()
    assert worker is not None
    with pytest.raises(SketchbookError, match="unknown motif 'no-such-tune'"):
        worker.run(order(tmp_path, motifs=["no-such-tune"]))
    assert not (tmp_path / "no-such-tune").exists()


@forks
def test_a_bug_in_the_worker_comes_back_with_its_kind_and_traceback(tmp_path):
    head_start.begin(["sketchbook", "develop"])
    worker = head_start.claim()
    assert worker is not None
    with pytest.raises(head_start.WorkerBug) as bug:
        worker.run(order(tmp_path, reading={"tempo": "fast"}))  # no such reading: a TypeError inside the worker
    assert bug.value.kind == "TypeError" and "Traceback" in bug.value.trace


@forks
def test_a_worker_that_died_leaves_the_work_to_the_caller(tmp_path):
    head_start.begin(["sketchbook", "develop"])
    worker = head_start.claim()
    assert worker is not None
    os.kill(worker.pid, signal.SIGKILL)
    assert worker.run(order(tmp_path)) is None
    assert not (tmp_path / "tide").exists()


@forks
def test_a_worker_nobody_claimed_is_sent_away_and_reaped():
    head_start.begin(["sketchbook", "develop"])
    head_start.begin(["sketchbook", "develop"])  # a second call keeps the one worker
    worker = head_start._waiting
    assert worker is not None
    head_start.finish()
    assert head_start.claim() is None
    with pytest.raises(ChildProcessError):
        os.waitpid(worker.pid, os.WNOHANG)  # already reaped: no zombie either


def test_only_a_develop_gets_a_worker():
    head_start.begin(["sketchbook", "motifs"])
    head_start.begin(["sketchbook"])
    assert head_start.claim() is None


def test_the_command_line_prints_and_writes_the_same_through_the_worker_as_here(tmp_path, runner):
    args = ["develop", "tide", "--seed", "5", "--explain"]
    process = launch(*args, "--out", "there", cwd=tmp_path)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    here = runner.invoke(app, [*args, "--out", str(tmp_path / "here")])
    assert here.exit_code == 0, here.output
    assert files(tmp_path / "there" / "tide") == files(tmp_path / "here" / "tide")
    assert stdout.replace("there/", "") == here.stdout.replace(str(tmp_path / "here") + "/", "")
    assert "photograph: plan" in stdout
    assert nobody_left(process.pid)


@pytest.mark.parametrize("args", [["develop", "no-such-tune"], ["develop", "--density", "2"],
                                  ["develop", "--nonsense"], ["develop", "--help"]])
def test_every_way_out_leaves_no_worker_behind(tmp_path, args):
    process = launch(*args, cwd=tmp_path)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == (0 if "--help" in args else 2), stderr
    assert "Traceback" not in stderr and len(stderr.splitlines()) <= 1
    assert nobody_left(process.pid)  # the worker went with the command, before it returned
    assert list(tmp_path.iterdir()) == []


@forks
@pytest.mark.parametrize(("signum", "code", "to_group"),
                         [(signal.SIGTERM, 143, False), (signal.SIGINT, 130, True)])
def test_a_signal_while_the_worker_writes_leaves_nothing_half_written(tmp_path, signum, code, to_group):
    out = tmp_path / "out"
    process = launch("develop", "tide", "--out", str(out), "-q", script=SLOW_WRITE)
    stop = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in out.rglob(".*")):
        assert time.monotonic() < stop and process.poll() is None, "the worker never began to write"
        time.sleep(0.05)
    # Ctrl-C reaches the whole group (the worker ignores it); SIGTERM only the command, which passes it on.
    if to_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert nobody_left(process.pid)
    assert not [p for p in out.rglob("*") if p.is_file()]
