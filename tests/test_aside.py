"""Work set aside in a forked child: the same bytes as made here, failures met here, no child left behind."""

from __future__ import annotations

import os
import time

import pytest

from sketchbook import aside
from sketchbook.aside import Aside
from sketchbook.batch import Job, run_job
from sketchbook.load import load_motif
from sketchbook.request import Request

forks = pytest.mark.skipif(not aside.can_fork(), reason="needs Linux, two cores and no other thread")


@forks
def test_the_child_hands_over_what_it_made():
    work = Aside(lambda: b"%d" % os.getpid())
    assert work._child is not None  # it really forked
    made = work.result()
    assert made.isdigit() and int(made) != os.getpid()  # made in another process


def test_without_a_fork_the_work_runs_when_asked(monkeypatch):
    monkeypatch.setattr(aside, "can_fork", lambda: False)
    calls = []
    work = Aside(lambda: calls.append(1) or b"here")
    assert calls == []
    assert work.result() == b"here" and calls == [1]


@forks
def test_a_failing_child_is_redone_here_so_its_error_is_ours():
    parent = os.getpid()

    def work() -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("the child stumbles")
        raise ValueError("met in the parent")

    with pytest.raises(ValueError, match="met in the parent"):
        Aside(work).result()


@forks
def test_a_child_that_leaves_without_its_whole_result_is_redone_here():
    parent = os.getpid()

    def work() -> bytes:
        if os.getpid() != parent:
            os._exit(0)  # a clean exit, but no result: the length that heads a whole one is missing
        return b"made here"

    assert Aside(work).result() == b"made here"


@forks
def test_a_result_is_handed_over_before_the_child_is_reaped_and_close_reaps_it():
    work = Aside(lambda: b"x" * 300_000)  # more than a pipe holds: read while the child still writes
    pid = work._child[0]
    assert work.result() == b"x" * 300_000
    work.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@forks
def test_close_stops_the_child_and_reaps_it():
    work = Aside(lambda: time.sleep(30) or b"never")
    pid = work._child[0]
    work.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie, no orphan


@pytest.mark.parametrize("name", ["tide", "kite"])
def test_a_sketch_written_with_scores_engraved_aside_is_byte_identical(tmp_path, name):
    motif = load_motif(name)
    folders = {}
    for setting in (False, True):
        folders[setting] = tmp_path / str(setting)
        job = Job(motif, 3, folders[setting], ("beach", "photograph"), Request())
        outcome = run_job(job, aside=setting)
        assert [p.name for p in outcome.written] == ["beach.mid", "beach.musicxml", "photograph.mid",
                                                     "photograph.musicxml", "sketch.json"]
        assert [n for n, _ in outcome.summaries] == ["beach", "photograph"]  # the asked order, not the made one
    for file in folders[False].iterdir():
        assert (folders[True] / file.name).read_bytes() == file.read_bytes(), file.name
