"""Run the sketchbook CLI in a child process under a memory limit and a time limit, as an attacker's file would."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEMORY = 1536 * 1024 * 1024  # address space: python, numpy and music21 need about 700 MB of it to start


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the child's largest resident set


def sketchbook(*args: str, memory: int = MEMORY, timeout: float = 60, cwd: Path | None = None, stdin=None,
               env: dict | None = None) -> Run:
    """`python -m sketchbook ARGS` with RLIMIT_AS set; a run past ``timeout`` fails the test."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    environment = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "sketchbook", *args], check=False, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit, env=environment, cwd=cwd, stdin=stdin)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - start,
               max(peak, before) / 1024)


def one_line_refusal(run: Run, *words: str) -> str:
    """Exit 2 with exactly one line on stderr, no traceback, naming what went wrong."""
    assert run.code == 2, (run.code, run.stderr[-2000:])
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]
