"""Scores engraved for the book in child processes, so a crashing engraver loses one score, not the page.

verovio aborts the whole process on some junk files (SIGABRT on a broken .mxl, SIGFPE on a 0/0 time
signature). Each child runs under memory and CPU limits, reads its score through the bounded readers,
and answers one JSON line per score; a child that dies or stalls is replaced and only that score is lost.
Two children (or one per core, if fewer) engrave side by side.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Self

CHILD_MEMORY = 2 * 2**30
CHILD_CPU_SECONDS = 600  # over the whole child's life, a backstop behind the per-score timeout
SCORE_SECONDS = 60
MAX_SCORE_BYTES = 16 * 2**20  # as the motif reader's MusicXML limit (formats/safe_xml.py)


def engrave_all(scores: list[tuple[Path, int]], *, workers: int | None = None, progress=None) -> dict:
    """{score path: (svg, timemap) or an error message} for each (path, id seed)."""
    with Engravers(workers) as engravers:
        return engravers.engrave(scores, progress=progress)


class Engravers:
    """A few engraver children kept for a whole book, used a batch of scores at a time."""

    def __init__(self, workers: int | None = None) -> None:
        self.count = max(1, workers or min(2, os.cpu_count() or 1))
        self.idle: list[_Child] = []
        self.lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:  # errors, Ctrl-C and SIGTERM alike: no engraver outlives the book
        for child in self.idle:
            child.close()

    def engrave(self, scores: list[tuple[Path, int]], *, progress=None) -> dict:
        if not scores:
            return {}

        def one(item):
            with self.lock:
                child = self.idle.pop() if self.idle else _Child()
            try:
                return item[0], child.engrave(*item)
            finally:
                with self.lock:
                    self.idle.append(child)

        results = {}
        with ThreadPoolExecutor(max_workers=min(self.count, len(scores))) as pool:
            done = pool.map(one, scores)
            for path, answer in progress(done, "engraving", len(scores)) if progress else done:
                results[path] = answer
        return results


class _Child:
    """One engraver process, restarted after a crash."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        from sketchbook.safety import limited_child

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        # preexec_fn runs between fork and exec only; no lock is taken there, so the threads here are safe.
        limits = limited_child(memory=CHILD_MEMORY, cpu_seconds=CHILD_CPU_SECONDS)
        return subprocess.Popen([sys.executable, "-m", "sketchbook.book_engrave"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                                preexec_fn=limits)  # noqa: PLW1509

    def engrave(self, path: Path, id_seed: int):
        if self.process is not None and self.process.poll() is not None:
            self.close()  # it died between scores (its CPU limit, say): its pipes go with it
        if self.process is None:
            self.process = self._start()
        process = self.process
        timer = threading.Timer(SCORE_SECONDS, process.kill)
        timer.start()
        try:
            process.stdin.write((json.dumps({"path": str(path), "seed": id_seed}) + "\n").encode())
            process.stdin.flush()
            line = process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = b""
        finally:
            timer.cancel()
        if not line:
            self.close()
            return f"the engraver (verovio) {_how_it_died(process.returncode)} on this score"
        try:
            answer = json.loads(line)
        except ValueError:
            return "the engraver (verovio) gave an unreadable answer"
        return answer["error"] if "error" in answer else (answer["svg"], answer["timemap"])

    def close(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            try:
                pipe.close()
            except OSError:  # a broken pipe to a dead child has nothing left to flush
                pass


def _how_it_died(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return "took too long and was stopped" if name == "SIGKILL" else f"crashed ({name})"
    return f"stopped (exit code {code})"


def _serve() -> None:
    """The child: one JSON request a line in, one JSON answer a line out."""
    from sketchbook.book import engrave_text
    from sketchbook.errors import SketchbookError

    for line in sys.stdin:
        request = json.loads(line)
        try:
            svg, timemap = engrave_text(_score_text(Path(request["path"])), Path(request["path"]).name,
                                        id_seed=int(request["seed"]))
            answer = {"svg": svg, "timemap": timemap}
        except SketchbookError as exc:
            answer = {"error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - the parent shows it in place of this one score
            answer = {"error": f"{Path(request['path']).name}: verovio could not read this score "
                               f"({' '.join(str(exc).split())[:120] or type(exc).__name__})"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def _score_text(path: Path) -> str:
    """The score's XML through the bounded readers (an .mxl is unpacked with zip-bomb checks first)."""
    from sketchbook.errors import SketchbookError
    from sketchbook.formats.safe_xml import read_mxl
    from sketchbook.load import read_limited

    data = read_mxl(path) if path.suffix.lower() == ".mxl" else read_limited(path, MAX_SCORE_BYTES, "MusicXML")
    if b"<!ENTITY" in data:
        raise SketchbookError(f"{path.name}: it declares XML entities, which sketchbook refuses")
    return data.decode("utf-8", "replace")


if __name__ == "__main__":
    _serve()
